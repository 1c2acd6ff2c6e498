package console

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/chromedp/chromedp"

	"github.com/sst-tf/sst/manifest"
)

func TestRequestsWithoutTheTokenAreRefused(t *testing.T) {
	f := newFixture(t, false, "")
	base := f.srv.Base()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, mod func(*http.Request)) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader("name=StripeKey&value=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if mod != nil {
			mod(req)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("console listens on %s, want loopback only", base)
	}
	for _, path := range []string{"/", "/functions", "/secrets", "/static/console.js", "/functions/feed"} {
		if res := send("GET", path, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without token: %d, want 401", path, res.StatusCode)
		}
	}
	if res := send("GET", "/?token=wrong", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", res.StatusCode)
	}
	if res := send("GET", "/", func(r *http.Request) { r.Header.Set("Authorization", "Bearer wrong") }); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong bearer: %d, want 401", res.StatusCode)
	}
	if res := send("POST", "/secrets/set", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without token: %d, want 401", res.StatusCode)
	}

	// The printed URL sets the cookie and drops the token from the address.
	res := send("GET", "/?token="+f.srv.Token(), nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("token URL: %d → %q, want a redirect to /", res.StatusCode, res.Header.Get("Location"))
	}
	cookies := res.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Value != f.srv.Token() {
		t.Fatalf("cookie %+v, want one HttpOnly SameSite=Strict cookie with the token", cookies)
	}
	withCookie := func(r *http.Request) { r.AddCookie(cookies[0]) }
	if res := send("GET", "/functions", withCookie); res.StatusCode != http.StatusOK {
		t.Errorf("GET with cookie: %d", res.StatusCode)
	}
	if res := send("GET", "/functions", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.srv.Token()) }); res.StatusCode != http.StatusOK {
		t.Errorf("GET with bearer: %d", res.StatusCode)
	}
	// DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends
	// its own Host, refused even with a valid token.
	if res := send("GET", "/", func(r *http.Request) { withCookie(r); r.Host = "evil.example:" + f.srv.port }); res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d, want 403", res.StatusCode)
	}
	if res := send("GET", "/", func(r *http.Request) { withCookie(r); r.Host = "localhost:" + f.srv.port }); res.StatusCode != http.StatusOK {
		t.Errorf("localhost Host: %d, want 200", res.StatusCode)
	}
	// CSRF: a cookie-authenticated POST must come from the console's origin.
	if res := send("POST", "/functions/payloads", func(r *http.Request) { withCookie(r); r.Header.Set("Origin", "http://evil.example") }); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d, want 403", res.StatusCode)
	}
	if res := send("POST", "/functions/payloads", withCookie); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST without Origin: %d, want 403", res.StatusCode)
	}
	if res := send("POST", "/functions/payloads", func(r *http.Request) { withCookie(r); r.Header.Set("Origin", base) }); res.StatusCode != http.StatusOK {
		t.Errorf("same-origin POST: %d, want 200", res.StatusCode)
	}
}

func TestInvokeReplayAndLiveFeedThroughTheLocalRuntime(t *testing.T) {
	f := newFixture(t, true, "")
	ctx := f.open(t, "/functions?fn=node")
	do(t, ctx, chromedp.SetValue("#payload", `{"log":"console says hi"}`, chromedp.ByID))
	submit(t, ctx, "#invoke")
	resp := waitText(t, ctx, "#response", `"version": 1`)
	if !strings.Contains(resp, f.prefix+"-Notes") {
		t.Errorf("response %q lacks the bound table name the handler saw", resp)
	}
	waitText(t, ctx, "#logs", "console says hi")
	waitText(t, ctx, "#duration", "ms")
	recs := f.hist.Records()
	if len(recs) != 1 || recs[0].Function != "node" || recs[0].Source != "console" {
		t.Fatalf("history %+v, want the console's invocation", recs)
	}

	// A second tab watches the live feed while a "gateway" request runs.
	feed := f.open(t, "/functions")
	waitText(t, feed, "#feed tbody", "console")
	if _, err := f.hist.Invoke(context.Background(), "go", []byte(`{"log":"from the gateway"}`), "GET /notes"); err != nil {
		t.Fatal(err)
	}
	waitText(t, feed, "#feed tbody", "GET /notes")

	// Replay the console's invocation from the feed.
	submit(t, feed, `tr[data-id="`+recs[0].ID+`"] button.replay`)
	waitText(t, feed, "#result h3", "replay "+recs[0].ID)
	waitText(t, feed, "#response", `"version": 1`)
	if recs := f.hist.Records(); len(recs) != 3 || recs[2].Source != "replay "+recs[0].ID || string(recs[2].Request) != `{"log":"console says hi"}` {
		t.Errorf("after replay the history is %+v", recs)
	}

	// A function error shows its type, message and trace.
	do(t, ctx, chromedp.Navigate(f.srv.Base()+"/functions?fn=node"),
		chromedp.SetValue("#payload", `{"action":"throw"}`, chromedp.ByID))
	submit(t, ctx, "#invoke")
	waitText(t, ctx, "#response-error", "handler threw on purpose")

	// Bad JSON is refused with a message and invokes nothing.
	n := len(f.hist.Records())
	do(t, ctx, chromedp.Navigate(f.srv.Base()+"/functions?fn=node"),
		chromedp.SetValue("#payload", `{not json`, chromedp.ByID))
	submit(t, ctx, "#invoke")
	waitText(t, ctx, "#error", "not valid JSON")
	if got := len(f.hist.Records()); got != n {
		t.Errorf("invalid payload ran the function (%d records, want %d)", got, n)
	}
}

func TestSavedPayloads(t *testing.T) {
	f := newFixture(t, true, "")
	ctx := f.open(t, "/functions?fn=go")
	do(t, ctx,
		chromedp.SetValue("#payload", `{"log":"saved one"}`, chromedp.ByID),
		chromedp.SetValue("#payload-name", "greeting", chromedp.ByID),
	)
	submit(t, ctx, "#save-payload")
	waitText(t, ctx, "a.saved", "greeting")
	b, err := os.ReadFile(filepath.Join(f.dir, ".sst", "console", stage, "payloads.json"))
	if err != nil || !strings.Contains(string(b), `saved one`) {
		t.Fatalf("payloads.json: %s %v", b, err)
	}
	// A fresh page of the function offers it; choosing it fills the editor.
	do(t, ctx, chromedp.Navigate(f.srv.Base()+"/functions?fn=go"))
	submit(t, ctx, "a.saved")
	var v string
	do(t, ctx, chromedp.Value("#payload", &v, chromedp.ByID))
	if v != `{"log":"saved one"}` {
		t.Errorf("chosen payload filled %q", v)
	}
}

func TestRDSMigrationsAndQueryAgainstPostgreSQL(t *testing.T) {
	f := newFixture(t, false, pg.Database(t))
	ctx := f.open(t, "/rds")
	waitText(t, ctx, "#migrations", "pending")
	submit(t, ctx, "#apply")
	waitText(t, ctx, "#applied", "001_notes.sql")
	waitText(t, ctx, "#migrations", "applied")
	do(t, ctx,
		chromedp.SetValue("#sql", "SELECT id, title FROM notes ORDER BY id", chromedp.ByID))
	submit(t, ctx, "#run")
	rows := waitText(t, ctx, "#rows", "second note")
	if !strings.Contains(rows, "first note") || !strings.Contains(rows, "title") {
		t.Errorf("result table %q", rows)
	}
	waitText(t, ctx, "#row-count", "2 row(s)")
	// A SQL error is shown, not swallowed.
	do(t, ctx,
		chromedp.SetValue("#sql", "SELECT nope FROM notes", chromedp.ByID))
	submit(t, ctx, "#run")
	waitText(t, ctx, "#error", "nope")
}

func TestTableItemsWrittenByTheTest(t *testing.T) {
	f := newFixture(t, false, "")
	ctx := context.Background()
	db := dynamodb.NewFromConfig(awsConfig())
	name := f.prefix + "-Notes"
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("noteId"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("noteId"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	for id, text := range map[string]string{"n1": "buy milk", "n2": "write tests"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: map[string]ddbtypes.AttributeValue{
			"noteId": &ddbtypes.AttributeValueMemberS{Value: id},
			"text":   &ddbtypes.AttributeValueMemberS{Value: text},
			"tags":   &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberS{Value: "todo"}}},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	page := f.open(t, "/tables?table=Notes")
	items := waitText(t, page, "#items", "buy milk")
	if !strings.Contains(items, "write tests") || !strings.Contains(items, `["todo"]`) {
		t.Errorf("scan shows %q", items)
	}
	do(t, page, chromedp.SetValue("#pk", "n2", chromedp.ByID))
	submit(t, page, "#query")
	items = waitText(t, page, "#items", "write tests")
	if strings.Contains(items, "buy milk") {
		t.Errorf("query noteId = n2 shows %q", items)
	}
}

func TestBucketObjectsListAndDownload(t *testing.T) {
	f := newFixture(t, false, "")
	ctx := context.Background()
	client := s3.NewFromConfig(awsConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	name := f.prefix + "-uploads"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("docs/readme.txt"), Body: strings.NewReader("hello bucket")}); err != nil {
		t.Fatal(err)
	}
	page := f.open(t, "/buckets?bucket=Uploads")
	waitText(t, page, "#objects", "docs/readme.txt")
	code, body := f.get(t, "/buckets/download?bucket=Uploads&key="+url.QueryEscape("docs/readme.txt"))
	if code != http.StatusOK || body != "hello bucket" {
		t.Errorf("download: %d %q", code, body)
	}

	// Keys S3 allows but URLs and headers treat specially: each link on the
	// page, followed by the browser, must download exactly that object
	// under its own file name.
	keys := []string{"with space.txt", "a<b>.txt", `say "hi".txt`, "1+1=2.txt", "100%.txt", "q&a#1?.txt", "dir/ünïcode ✓.txt"}
	for _, k := range keys {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(k), Body: strings.NewReader("content of " + k)}); err != nil {
			t.Fatal(err)
		}
	}
	do(t, page, chromedp.Reload(), chromedp.WaitVisible("#objects", chromedp.ByQuery))
	waitText(t, page, "#objects", `say "hi".txt`)
	var got []struct {
		Name, Status, Body, Disposition string
	}
	do(t, page, chromedp.Evaluate(`window.__downloads = null; Promise.all([...document.querySelectorAll("#objects a")].map(async (a) => {
		const r = await fetch(a.href);
		return {Name: a.textContent, Status: String(r.status), Body: await r.text(), Disposition: r.headers.get("content-disposition") || ""};
	})).then((d) => { window.__downloads = d; }, (e) => { window.__downloads = String(e); }); true`, nil))
	var raw []byte
	for deadline := time.Now().Add(15 * time.Second); ; {
		do(t, page, chromedp.Evaluate(`window.__downloads`, &raw))
		if string(raw) != "null" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("the page's downloads: %s (%v)", raw, err)
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g.Name] = true
		if g.Name == "docs/readme.txt" {
			continue
		}
		if g.Status != "200" || g.Body != "content of "+g.Name {
			t.Errorf("link for %q: %s %q", g.Name, g.Status, g.Body)
			continue
		}
		_, params, err := mime.ParseMediaType(g.Disposition)
		if err != nil || params["filename"] != path.Base(g.Name) {
			t.Errorf("link for %q: Content-Disposition %q names %q (%v), want %q", g.Name, g.Disposition, params["filename"], err, path.Base(g.Name))
		}
	}
	for _, k := range keys {
		if !seen[k] {
			t.Errorf("no link for %q on the page (links: %v)", k, got)
		}
	}
	// A key deleted since the list was shown is missing, not a gateway
	// failure.
	code, body = f.get(t, "/buckets/download?bucket=Uploads&key="+url.QueryEscape("gone now.txt"))
	if code != http.StatusNotFound || !strings.Contains(body, `no object "gone now.txt" in bucket `+name+": it was deleted or renamed since the list was shown") {
		t.Errorf("download of a missing key: %d %q", code, body)
	}
}

func TestLogsOfADeployedFunctionWithLiveTail(t *testing.T) {
	f := newFixture(t, false, "")
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(awsConfig())
	group, stream := "/aws/lambda/"+f.prefix+"-node", "2026/01/01/[$LATEST]abc"
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	put := func(msg string) {
		t.Helper()
		if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
			LogEvents: []logtypes.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(time.Now().UnixMilli())}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("INFO deployed handler says hello")
	page := f.open(t, "/logs?fn=node")
	waitText(t, page, "#log-events", "deployed handler says hello")
	do(t, page, chromedp.Click("#tail", chromedp.ByID))
	waitText(t, page, "#tail-state", "live")
	put("INFO a line written while tailing")
	events := waitText(t, page, "#log-events", "a line written while tailing")
	if n := strings.Count(events, "deployed handler says hello"); n != 1 {
		t.Errorf("the first line appears %d times after tailing", n)
	}

	// A function that never ran in AWS has no log group: say so.
	page2 := f.open(t, "/logs?fn=go")
	waitText(t, page2, "#error", "has not run in AWS")
}

func TestSecretsSetAndReveal(t *testing.T) {
	f := newFixture(t, false, "")
	page := f.open(t, "/secrets")
	waitText(t, page, "#secret-StripeKey", "not set")
	do(t, page,
		chromedp.SetValue("#secret-value", "sk_test_console", chromedp.ByID))
	submit(t, page, "#secret-set")
	if state := waitText(t, page, "#secret-StripeKey", "set"); strings.Contains(state, "not set") {
		t.Errorf("after set the secret shows %q", state)
	}
	if body := bodyText(t, page); strings.Contains(body, "sk_test_console") {
		t.Fatal("the value shows before Show was clicked")
	}
	// Stored where sst secrets and the functions read it.
	out, err := ssm.NewFromConfig(awsConfig()).GetParameter(context.Background(), &ssm.GetParameterInput{
		Name: aws.String(secretPath(f.prefix)), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(out.Parameter.Value) != "sk_test_console" || out.Parameter.Type != "SecureString" {
		t.Fatalf("SSM parameter: %+v %v", out, err)
	}
	submit(t, page, "#secret-StripeKey button.show")
	waitText(t, page, "#secret-StripeKey code.value", "sk_test_console")
}

func TestStacksPageLinksBindings(t *testing.T) {
	f := newFixture(t, false, "")
	page := f.open(t, "/")
	row := waitText(t, page, "#c-Notes", "Table")
	if !strings.Contains(row, "Api") {
		t.Errorf("Notes row %q does not say the Api binds it", row)
	}
	api := waitText(t, page, "#c-Api", "Notes")
	if !strings.Contains(api, "go") || !strings.Contains(api, "node") {
		t.Errorf("Api row %q lacks its functions", api)
	}
	waitText(t, page, "table.outputs", "https://api.example.test")
	if strings.Contains(api, "${") || !strings.Contains(api, "(known after deploy)") {
		t.Errorf("Api row %q shows an unresolved reference", api)
	}
	var href string
	var ok bool
	do(t, page, chromedp.AttributeValue(`#c-Api a[href="#c-Notes"]`, "href", &href, &ok, chromedp.ByQuery))
	if !ok {
		t.Error("the Api's binding to Notes is not a link")
	}

	// sst dev swaps in the manifest of a redeploy: a new function shows.
	m := testManifest(f.prefix)
	m.Stacks[0].Functions = append(m.Stacks[0].Functions, manifest.Function{ID: "added", Construct: "Api", Name: f.prefix + "-added", Handler: "x.handler", Runtime: "nodejs20.x"})
	f.srv.Update(m, nil)
	do(t, page, chromedp.Navigate(f.srv.Base()+"/functions"))
	waitText(t, page, ".list", "added")
}
