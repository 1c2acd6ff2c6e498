package console

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Bad input gets a page saying what is wrong and what to do, and changes
// nothing.
func TestBadInputIsExplained(t *testing.T) {
	f := newFixture(t, false, "")
	withConn := newFixture(t, false, pg.Database(t))
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	cases := []struct {
		name         string
		f            *fixture
		method, path string
		form         url.Values
		code         int
		want         string
	}{
		{"unknown function", f, "GET", "/functions?fn=nope", nil, 200, `no function "nope" in stage test`},
		{"payload not JSON", f, "POST", "/functions/invoke", form("fn", "node", "payload", "{bad"), 200, "the payload is not valid JSON"},
		{"invoke unknown function", f, "POST", "/functions/invoke", form("fn", "nope", "payload", "{}"), 200, `no function "nope"`},
		{"unnamed payload", f, "POST", "/functions/payloads", form("fn", "node", "payload", "{}"), 200, "name the payload to save it"},
		{"saved payload not JSON", f, "POST", "/functions/payloads", form("fn", "node", "name", "x", "payload", "{bad"), 200, "not valid JSON: fix it before saving"},
		{"deployed function missing in AWS", f, "POST", "/functions/invoke", form("fn", "node", "payload", "{}"), 200, "invoke node (" + f.prefix + "-node)"},
		{"replay outside sst dev", f, "POST", "/functions/replay", form("id", "abc"), 200, "replay needs the local runtime: run sst dev"},
		{"feed outside sst dev", f, "GET", "/functions/feed", nil, 404, "no local invocations outside sst dev"},
		{"logs of unknown function", f, "GET", "/logs?fn=nope", nil, 200, `no function "nope"`},
		{"unknown table", f, "GET", "/tables?table=Nope", nil, 200, `no Table "Nope" in stage test`},
		{"table missing in AWS", f, "GET", "/tables?table=Notes", nil, 200, "describe table " + f.prefix + "-Notes"},
		{"unknown bucket", f, "GET", "/buckets?bucket=Nope", nil, 200, `no Bucket "Nope"`},
		{"bucket missing in AWS", f, "GET", "/buckets?bucket=Uploads", nil, 200, "list bucket " + f.prefix + "-uploads"},
		{"download from unknown bucket", f, "GET", "/buckets/download?bucket=Nope&key=a", nil, 404, "no such bucket"},
		{"RDS never deployed", f, "GET", "/rds", nil, 200, "no deployed output DbClusterArn in stack API: deploy the stage, or start the console with --connection URL"},
		{"unknown RDS", f, "GET", "/rds?db=Nope", nil, 200, `no RDS "Nope"`},
		{"empty SQL", withConn, "POST", "/rds/query", form("db", "Db", "sql", "  "), 200, "write a SQL statement to run"},
		{"undeclared secret", f, "POST", "/secrets/set", form("name", "Nope", "value", "x"), 200, `the app declares no secret "Nope": declare it with sst.NewSecret first`},
		{"empty secret value", f, "POST", "/secrets/set", form("name", "StripeKey", "value", ""), 200, "secret StripeKey: the value is empty"},
		{"reveal undeclared secret", f, "POST", "/secrets/reveal", form("name", "Nope"), 200, `the app declares no secret "Nope"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := c.f.send(t, c.method, c.path, c.form)
			if code != c.code || !strings.Contains(html.UnescapeString(body), c.want) {
				t.Errorf("%s %s: %d, want %d with %q; got:\n%s", c.method, c.path, code, c.code, c.want, body)
			}
		})
	}
	// Nothing was written: no secret value, no saved payloads.
	_, err := ssm.NewFromConfig(awsConfig()).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(secretPath(f.prefix))})
	var nf *ssmtypes.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("a refused set wrote the secret (GetParameter: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, ".sst", "console", stage, "payloads.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused save wrote payloads.json (%v)", err)
	}

	// A corrupt payloads file is named, not silently replaced.
	writeFile(t, filepath.Join(f.dir, ".sst", "console", stage, "payloads.json"), "{not json")
	code, body := f.send(t, "POST", "/functions/payloads", form("fn", "node", "name", "x", "payload", "{}"))
	if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), "payloads.json") || !strings.Contains(body, "fix or delete the file") {
		t.Errorf("corrupt payloads.json: %d\n%s", code, body)
	}
}
