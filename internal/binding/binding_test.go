package binding

import (
	"regexp"
	"strings"
	"testing"
)

// SST v2's names for the bindings of every construct type: changing one
// breaks SST v2's Node client and every deployed function.
func TestEnvNameKeepsSSTv2Names(t *testing.T) {
	tests := []struct{ typ, prop, id, want string }{
		{"Table", "tableName", "Notes", "SST_Table_tableName_Notes"},
		{"Api", "url", "Api", "SST_Api_url_Api"},
		{"Bucket", "bucketName", "my-uploads", "SST_Bucket_bucketName_my_uploads"},
		{"Queue", "queueUrl", "Jobs", "SST_Queue_queueUrl_Jobs"},
		{"Topic", "topicArn", "Events", "SST_Topic_topicArn_Events"},
		{"Secret", "value", "STRIPE_KEY", "SST_Secret_value_STRIPE_KEY"},
		{"Parameter", "value", "ApiVersion", "SST_Parameter_value_ApiVersion"},
		{"RDS", "clusterArn", "Db", "SST_RDS_clusterArn_Db"},
		{"Cognito", "userPoolId", "Auth", "SST_Cognito_userPoolId_Auth"},
		{"EventBus", "eventBusName", "Bus", "SST_EventBus_eventBusName_Bus"},
		{"KinesisStream", "streamName", "Stream", "SST_KinesisStream_streamName_Stream"},
		{"WebSocketApi", "url", "Chat", "SST_WebSocketApi_url_Chat"},
		{"Function", "functionName", "Api_GET_notes", "SST_Function_functionName_Api_GET_notes"},
		{"Table", "tableName", "a.b c", "SST_Table_tableName_a_b_c"},
	}
	for _, tt := range tests {
		if got := EnvName(tt.typ, tt.prop, tt.id); got != tt.want {
			t.Errorf("EnvName(%q,%q,%q) = %q, want %q", tt.typ, tt.prop, tt.id, got, tt.want)
		}
	}
}

func TestEnvID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Notes", "Notes"},
		{"my-table", "my_table"},
		{"my_table", "my_table"},
		{"a.b c", "a_b_c"},
		{"é", "__"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := EnvID(tt.in); got != tt.want {
			t.Errorf("EnvID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		want Var
		ok   bool
	}{
		{"SST_Table_tableName_Notes", Var{"Table", "tableName", "Notes"}, true},
		{"SST_Api_url_my_api", Var{"Api", "url", "my_api"}, true},
		{"SST_Secret_value_STRIPE_KEY", Var{"Secret", "value", "STRIPE_KEY"}, true},
		{EnvApp, Var{}, false},
		{EnvStage, Var{}, false},
		{EnvSSMPrefix, Var{}, false},
		{"SST_Table_", Var{}, false},
		{"SST___x", Var{}, false},
		{"PATH", Var{}, false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %+v %v, want %+v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSSM(t *testing.T) {
	if got := SSMPrefix("notes", "dev"); got != "/sst/notes/dev/" {
		t.Errorf("SSMPrefix = %q", got)
	}
	if got := SSMPath(SSMPrefix("notes", "dev"), "Secret", "StripeKey", "value"); got != "/sst/notes/dev/Secret/StripeKey/value" {
		t.Errorf("SSMPath = %q", got)
	}
	if got := SSMPath(SSMPrefix("my app", "dev"), "Table", "a/b", "tableName"); got != "/sst/my-app/dev/Table/a-b/tableName" {
		t.Errorf("SSMPath = %q", got)
	}
	if got := SSMPath(FallbackPrefix("notes"), "Secret", "STRIPE_KEY", "value"); got != "/sst/notes/.fallback/Secret/STRIPE_KEY/value" {
		t.Errorf("fallback SSMPath = %q", got)
	}
}

// envVar is what Lambda accepts as an environment variable name.
var envVar = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// FuzzEnvName: every name EnvName writes parses back into its parts, with
// the id in variable form, and the id keeps its length.
func FuzzEnvName(f *testing.F) {
	f.Add("Table", "tableName", "my-table")
	f.Add("Api", "url", "Api")
	f.Add("Secret", "value", "é x")
	f.Fuzz(func(t *testing.T, typ, prop, id string) {
		if typ == "" || prop == "" || id == "" || strings.ContainsAny(typ+prop, "_=\x00") {
			return
		}
		name := EnvName(typ, prop, id)
		v, ok := Parse(name)
		if !ok || v.Type != typ || v.Prop != prop || v.ID != EnvID(id) {
			t.Fatalf("EnvName(%q,%q,%q) = %q parses as %+v %v", typ, prop, id, name, v, ok)
		}
		if len(v.ID) != len(id) {
			t.Fatalf("EnvID changed length: %q → %q", id, v.ID)
		}
		if EnvName(v.Type, v.Prop, v.ID) != name {
			t.Fatalf("EnvName of the parsed %+v is not %q", v, name)
		}
		if EnvID(v.ID) != v.ID {
			t.Fatalf("EnvID(%q) = %q: not idempotent", v.ID, EnvID(v.ID))
		}
		if alnum(typ) && alnum(prop) && !envVar.MatchString(name) {
			t.Fatalf("EnvName(%q,%q,%q) = %q is not a valid variable name", typ, prop, id, name)
		}
	})
}

// FuzzParse: whatever parses is exactly SST_{Type}_{prop}_{id}, with no
// "_" in type and prop.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"SST_Table_tableName_Notes", "SST_SSM_PREFIX", "SST_Table_", "SST_a_b_c_d", "X", "SST___x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, ok := Parse(name)
		if !ok {
			return
		}
		if v.Type == "" || v.Prop == "" || v.ID == "" || strings.Contains(v.Type, "_") || strings.Contains(v.Prop, "_") {
			t.Fatalf("Parse(%q) = %+v", name, v)
		}
		if "SST_"+v.Type+"_"+v.Prop+"_"+v.ID != name {
			t.Fatalf("Parse(%q) does not round-trip", name)
		}
		if EnvID(v.ID) == v.ID && EnvName(v.Type, v.Prop, v.ID) != name {
			t.Fatalf("EnvName(%+v) != %q", v, name)
		}
	})
}

func alnum(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}
