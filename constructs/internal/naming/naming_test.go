package naming

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/binding"
)

var hashed = regexp.MustCompile(`-[0-9a-f]{8}$`)

type helper struct {
	name  string
	fn    func(stage, app, id string) string
	max   int
	valid *regexp.Regexp // what the service accepts
	lower bool           // the service lower-cases (readable part compares lower-case)
	tail  string         // fixed suffix outside the readable part
}

var helpers = []helper{
	{"Lambda", Lambda, 64, regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`), false, ""},
	{"IAMRole", IAMRole, 64, regexp.MustCompile(`^[\w+=,.@-]{1,64}$`), false, ""},
	{"IAMPolicy", IAMPolicy, 128, regexp.MustCompile(`^[\w+=,.@-]{1,128}$`), false, ""},
	{"ApiGateway", ApiGateway, 128, regexp.MustCompile(`^.{1,128}$`), false, ""},
	{"EventBus", EventBus, 256, regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`), false, ""},
	{"Kinesis", Kinesis, 128, regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`), false, ""},
	{"Cognito", Cognito, 128, regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`), false, ""},
	{"CognitoIdentityPool", CognitoIdentityPool, 128, regexp.MustCompile(`^[\w ]{1,128}$`), false, ""},
	{"SQS", func(s, a, i string) string { return SQS(s, a, i, false) }, 80, regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`), false, ""},
	{"SQSFifo", func(s, a, i string) string { return SQS(s, a, i, true) }, 80, regexp.MustCompile(`^[A-Za-z0-9_-]{1,75}\.fifo$`), false, ".fifo"},
	{"SNS", func(s, a, i string) string { return SNS(s, a, i, false) }, 256, regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`), false, ""},
	{"SNSFifo", func(s, a, i string) string { return SNS(s, a, i, true) }, 256, regexp.MustCompile(`^[A-Za-z0-9_-]{1,251}\.fifo$`), false, ".fifo"},
	{"DynamoDB", DynamoDB, 255, regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`), false, ""},
	{"Bucket", Bucket, 63, regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`), true, ""},
	{"LoadBalancer", LoadBalancer, 32, regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`), false, ""},
	{"ECRRepository", ECRRepository, 256, regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]{0,255}$`), true, ""},
	{"ECS", ECS, 255, regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`), false, ""},
	{"RDSCluster", RDSCluster, 63, regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`), true, ""},
}

// checkValid applies the rules a regexp cannot express compactly.
func checkValid(t *testing.T, h helper, got string) {
	t.Helper()
	if len(got) > h.max {
		t.Errorf("%s: %q is %d long, limit %d", h.name, got, len(got), h.max)
	}
	if !h.valid.MatchString(got) {
		t.Errorf("%s: %q does not match %s", h.name, got, h.valid)
	}
	switch h.name {
	case "Bucket":
		if strings.Contains(got, "..") || strings.HasPrefix(got, "xn--") || strings.HasPrefix(got, "sthree-") ||
			strings.HasSuffix(got, "-s3alias") || strings.HasSuffix(got, "--ol-s3") {
			t.Errorf("Bucket: %q uses a reserved form", got)
		}
	case "RDSCluster":
		if strings.Contains(got, "--") {
			t.Errorf("RDSCluster: %q contains --", got)
		}
	case "EventBus":
		if got == "default" {
			t.Errorf("EventBus: reserved name %q", got)
		}
	}
}

func TestLimits(t *testing.T) {
	for _, h := range helpers {
		limit := h.max - len(h.tail)
		// "dev-app-" is 8 characters; pad the id to land around the limit.
		for _, delta := range []int{-1, 0, 1} {
			id := strings.Repeat("x", limit-8+delta)
			t.Run(fmt.Sprintf("%s/%+d", h.name, delta), func(t *testing.T) {
				got := h.fn("dev", "app", id)
				checkValid(t, h, got)
				// The identity pool alphabet has no "-"; compare in one form.
				readable := strings.ReplaceAll(strings.TrimSuffix(got, h.tail), "_", "-")
				want := "dev-app-" + id
				if delta <= 0 {
					if readable != want {
						t.Errorf("at or under the limit the name must be kept whole: got %q want %q", readable, want)
					}
					return
				}
				if len(readable) != limit {
					t.Errorf("over the limit: got length %d, want exactly %d", len(readable), limit)
				}
				if !hashed.MatchString(readable) {
					t.Errorf("over the limit: %q lacks the hash suffix", readable)
				}
				if !strings.HasPrefix(want, readable[:len(readable)-9]) {
					t.Errorf("over the limit: %q is not a prefix of %q", readable[:len(readable)-9], want)
				}
			})
		}
	}
}

func TestVeryLongParts(t *testing.T) {
	long := strings.Repeat("abcdefghij", 60)
	cases := [][3]string{
		{long, "app", "Api"},
		{"dev", long, "Api"},
		{"dev", "app", long},
		{long, long, long},
		{"dev", "my.app", long + "!@#" + long},
	}
	for _, h := range helpers {
		seen := map[string][3]string{}
		for _, c := range cases {
			got := h.fn(c[0], c[1], c[2])
			checkValid(t, h, got)
			if prev, ok := seen[got]; ok {
				t.Errorf("%s: %v and %v both give %q", h.name, prev, c, got)
			}
			seen[got] = c
		}
	}
}

func TestSharedPrefixDoesNotCollide(t *testing.T) {
	prefix := strings.Repeat("Resource", 20)
	for _, h := range helpers {
		a := h.fn("dev", "app", prefix+"A")
		b := h.fn("dev", "app", prefix+"B")
		if a == b {
			t.Errorf("%s: ids sharing a long prefix collide: %q", h.name, a)
		}
		if a != h.fn("dev", "app", prefix+"A") {
			t.Errorf("%s: not deterministic", h.name)
		}
	}
}

func TestOddInputsStayValid(t *testing.T) {
	inputs := [][3]string{
		{"", "", ""},
		{"dev", "", ""},
		{"", "", "x"},
		{"a", "b", "c"},
		{"-", "-", "-"},
		{"123", "456", "789"},
		{"dev", "My App", "Notes Table!"},
		{"dev", "app", "用户"},
		{"sthree", "app", "x"},
		{"dev", "app", "x-s3alias"},
		{"", "", "default"},
		{"dev", "app..x", "a--b"},
		{"192", "168", "0.1"},
	}
	for _, h := range helpers {
		for _, in := range inputs {
			got := h.fn(in[0], in[1], in[2])
			if strings.TrimSuffix(got, h.tail) == "" && h.name != "Bucket" {
				// Only services with a minimum length need a non-empty
				// result from empty input; callers validate ids first.
				continue
			}
			checkValid(t, h, got)
		}
	}
}

func TestPhysical(t *testing.T) {
	tests := []struct {
		stage, app, id string
		max            int
		want           string
	}{
		{"dev", "notes", "Api", 64, "dev-notes-Api"},
		{"dev", "my app", "a.b/c", 64, "dev-my-app-a-b-c"},
		{"dev", "", "Api", 64, "dev-Api"},
		{"dev", "notes", "Api", 13, "dev-notes-Api"},
		{"dev", "notes", "Api", 0, ""},
		{"dev", "notes", "Api", -1, ""},
	}
	for _, tt := range tests {
		if got := Physical(tt.stage, tt.app, tt.id, tt.max); got != tt.want {
			t.Errorf("Physical(%q,%q,%q,%d) = %q, want %q", tt.stage, tt.app, tt.id, tt.max, got, tt.want)
		}
	}
	// Shortened: prefix, "-", hash of the whole name.
	got := Physical("dev", "notes", "Api", 12)
	if len(got) != 12 || !hashed.MatchString(got) || !strings.HasPrefix(got, "dev") {
		t.Errorf("Physical(...,12) = %q", got)
	}
	// Tiny limits still fit.
	for max := 1; max <= 10; max++ {
		if got := Physical("dev", "notes", "Api", max); len(got) > max || got == "" {
			t.Errorf("Physical(...,%d) = %q", max, got)
		}
	}
	// The kept prefix never ends in a separator before the hash.
	got = Physical("dev", "app", "aaaaa-bbbbb", 17)
	if strings.Contains(got, "--") {
		t.Errorf("doubled separator: %q", got)
	}
}

func TestBucketLowerCase(t *testing.T) {
	got := Bucket("dev", "Notes", "Uploads")
	if got != "dev-notes-uploads" {
		t.Errorf("Bucket = %q", got)
	}
	if got := Bucket("dev", "app", "my_bucket.assets"); got != "dev-app-my-bucket-assets" {
		t.Errorf("Bucket = %q", got)
	}
	if got := Bucket("sthree", "app", "x"); !strings.HasPrefix(got, "b-sthree-") {
		t.Errorf("Bucket reserved prefix = %q", got)
	}
}

func TestRDSCluster(t *testing.T) {
	tests := []struct{ stage, app, id, want string }{
		{"dev", "notes", "Db", "dev-notes-db"},
		{"dev", "notes", "main_db", "dev-notes-main-db"},
		{"dev", "notes", "a--b-", "dev-notes-a-b"},
	}
	for _, tt := range tests {
		if got := RDSCluster(tt.stage, tt.app, tt.id); got != tt.want {
			t.Errorf("RDSCluster(%q,%q,%q) = %q, want %q", tt.stage, tt.app, tt.id, got, tt.want)
		}
	}
	// Leading digits are dropped and hashed so "1x" and "2x" stay apart.
	a, b := RDSCluster("", "1", "x"), RDSCluster("", "2", "x")
	if a == b || !strings.HasPrefix(a, "db-x-") {
		t.Errorf("RDSCluster leading digits: %q, %q", a, b)
	}
}

func TestFifo(t *testing.T) {
	if got := SQS("dev", "app", "Jobs", true); got != "dev-app-Jobs.fifo" {
		t.Errorf("SQS fifo = %q", got)
	}
	if got := SNS("dev", "app", "Events", true); got != "dev-app-Events.fifo" {
		t.Errorf("SNS fifo = %q", got)
	}
}

func TestEventBusNotDefault(t *testing.T) {
	if got := EventBus("", "", "default"); got == "default" || got == "" {
		t.Errorf("EventBus = %q", got)
	}
}

func TestCognitoIdentityPool(t *testing.T) {
	if got := CognitoIdentityPool("dev", "app", "Auth"); got != "dev_app_Auth" {
		t.Errorf("CognitoIdentityPool = %q", got)
	}
}

func TestLogGroup(t *testing.T) {
	if got := LogGroup(Lambda("dev", "app", "Fn")); got != "/aws/lambda/dev-app-Fn" {
		t.Errorf("LogGroup = %q", got)
	}
}

func TestValidateID(t *testing.T) {
	tests := []struct {
		id      string
		problem string
	}{
		{"Notes", ""},
		{"my-table", ""},
		{"my_table2", ""},
		{"a", ""},
		{strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 65), "65 characters"},
		{"", "empty"},
		{"1table", "start with a letter"},
		{"-table", "start with a letter"},
		{"_table", "start with a letter"},
		{"my table", `" " is not allowed`},
		{"my.table", `"." is not allowed`},
		{"tåble", `"å" is not allowed`},
	}
	for _, tt := range tests {
		err := ValidateID(tt.id)
		if tt.problem == "" {
			if err != nil {
				t.Errorf("ValidateID(%q) = %v", tt.id, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ValidateID(%q) = nil, want %q", tt.id, tt.problem)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.problem) || !strings.Contains(msg, fmt.Sprintf("%q", tt.id)) || !strings.Contains(msg, "at most 64") {
			t.Errorf("ValidateID(%q) = %q", tt.id, msg)
		}
	}
}

func FuzzPhysical(f *testing.F) {
	f.Add("dev", "notes", "Api", 64)
	f.Add("prod", "app", strings.Repeat("x", 100), 64)
	f.Add("", "", "", 3)
	f.Add("dev", "用户", "a.b", 9)
	f.Fuzz(func(t *testing.T, stage, app, id string, max int) {
		if max > 4096 {
			max %= 4096
		}
		got := Physical(stage, app, id, max)
		if len(got) > max && !(max < 0 && got == "") {
			t.Fatalf("Physical(%q,%q,%q,%d) = %q, too long", stage, app, id, max, got)
		}
		for i := 0; i < len(got); i++ {
			if !wordChar(got[i]) {
				t.Fatalf("Physical gives %q with %q", got, got[i])
			}
		}
		if got != Physical(stage, app, id, max) {
			t.Fatal("not deterministic")
		}
	})
}

func FuzzHelpers(f *testing.F) {
	f.Add("dev", "notes", "Api")
	f.Add("sthree", "", "x-s3alias")
	f.Add("1", "2", "3")
	f.Add(strings.Repeat("a", 70), "b", "c")
	f.Add("", "", "default")
	f.Fuzz(func(t *testing.T, stage, app, id string) {
		for _, h := range helpers {
			got := h.fn(stage, app, id)
			if strings.TrimSuffix(got, h.tail) == "" && h.name != "Bucket" && h.name != "DynamoDB" && h.name != "RDSCluster" {
				continue
			}
			checkValid(t, h, got)
		}
	})
}

func FuzzValidateID(f *testing.F) {
	for _, s := range []string{"Notes", "my-table", "1x", "", "a b", strings.Repeat("a", 65)} {
		f.Add(s)
	}
	valid := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateID(id)
		if (err == nil) != valid.MatchString(id) {
			t.Fatalf("ValidateID(%q) = %v, regexp says %v", id, err, valid.MatchString(id))
		}
		if err == nil {
			e := binding.EnvID(id)
			if len(e) != len(id) || strings.Trim(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
				t.Fatalf("binding.EnvID(%q) = %q", id, e)
			}
		}
	})
}

// An ALB name may not start with "internal-" (ELB's prefix for internal
// load balancers' DNS names) nor hold "_".
func TestLoadBalancerReservedPrefix(t *testing.T) {
	if got := LoadBalancer("internal", "app", "web_1"); got != "lb-internal-app-web-1" {
		t.Errorf("LoadBalancer = %q", got)
	}
	if got := LoadBalancer("dev", "a-very-long-application-name", "Web"); len(got) > 32 || !hashed.MatchString(got) {
		t.Errorf("long LoadBalancer = %q", got)
	}
}
