package sst

import (
	"slices"
	"strings"
	"testing"
)

const (
	secretARN   = "arn:${data.aws_partition.sst_partition.partition}:ssm:us-east-1:${data.aws_caller_identity.sst_caller_identity.account_id}:parameter/sst/notes/test/Secret/STRIPE_KEY/value"
	fallbackARN = "arn:${data.aws_partition.sst_partition.partition}:ssm:us-east-1:${data.aws_caller_identity.sst_caller_identity.account_id}:parameter/sst/notes/.fallback/Secret/STRIPE_KEY/value"
)

func TestSecretBinding(t *testing.T) {
	out := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		key := NewSecret(s, "STRIPE_KEY")
		more := NewSecrets(s, "A_KEY", "B_KEY")
		if len(more) != 2 || more["A_KEY"].Name() != "A_KEY" {
			t.Errorf("NewSecrets = %v", more)
		}
		if key.Path() != "/sst/notes/test/Secret/STRIPE_KEY/value" || key.FallbackPath() != "/sst/notes/.fallback/Secret/STRIPE_KEY/value" {
			t.Errorf("paths = %s, %s", key.Path(), key.FallbackPath())
		}
		version := NewParameter(s, "ApiVersion", ParameterProps{Value: "v1", Description: "the API version"})
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{key, version}})
		NewFunction(s, "Plain", FunctionProps{Handler: nodeHandler})
		return key
	})...)

	// The secret creates no resource of its own: no parameter, nothing
	// that could hold a value.
	// (The functions' binding values are parameters of their own.)
	for id, p := range out.resources("First", "aws_ssm_parameter") {
		if name, _ := p["name"].(string); strings.Contains(name, "/Secret/") {
			t.Errorf("the secret made a parameter: %s %s", id, name)
		}
	}
	p := out.resource(t, "First", "aws_ssm_parameter", "ApiVersion")
	wantJSON(t, "parameter", map[string]any{"name": p["name"], "type": p["type"], "value": p["value"], "description": p["description"]},
		map[string]any{"name": "/sst/notes/test/Parameter/ApiVersion/value", "type": "String", "value": "v1", "description": "the API version"})

	env := out.env(t, "First", "Fn")
	if env["SST_Secret_value_STRIPE_KEY"] != "__FETCH_FROM_SSM__" || env["SST_Parameter_value_ApiVersion"] != "v1" {
		t.Errorf("env = %v", env)
	}
	if _, ok := out.env(t, "First", "Plain")["SST_Secret_value_STRIPE_KEY"]; ok {
		t.Error("an unbound function got the secret's variable")
	}
	got := out.policy(t, "First", "Fn").grants("ssm:GetParameters")
	wantJSON(t, "ssm:GetParameters resources", got, []string{fallbackARN, secretARN})
	for _, st := range out.policy(t, "First", "Fn").Statement {
		for _, a := range st.Action {
			if strings.HasPrefix(a, "ssm:") && a != "ssm:GetParameters" {
				t.Errorf("unexpected SSM action %s", a)
			}
		}
	}
	if got := out.policy(t, "First", "Plain").grants("ssm:GetParameters"); len(got) != 0 {
		t.Errorf("an unbound function may read SSM: %v", got)
	}
	data := asMap(out.stack(t, "First")["data"])
	if at(data, "aws_caller_identity", "sst_caller_identity") == nil || at(data, "aws_partition", "sst_partition") == nil {
		t.Errorf("want one caller identity and partition data source, got %v", keys(data))
	}

	ms := out.manifestStack(t, "First")
	found := 0
	for _, c := range ms.Constructs {
		switch c.ID {
		case "STRIPE_KEY":
			found++
			if c.Type != "Secret" || c.Data["path"] != "/sst/notes/test/Secret/STRIPE_KEY/value" || c.Data["fallbackPath"] != "/sst/notes/.fallback/Secret/STRIPE_KEY/value" {
				t.Errorf("secret manifest = %+v", c)
			}
		case "ApiVersion":
			found++
			if c.Type != "Parameter" || c.Data["value"] != "v1" || c.Data["path"] != "/sst/notes/test/Parameter/ApiVersion/value" {
				t.Errorf("parameter manifest = %+v", c)
			}
		}
	}
	if found != 2 {
		t.Errorf("manifest constructs = %+v", ms.Constructs)
	}
	if f := out.manifestFunction(t, "First", "Fn"); !slices.Contains(f.Bindings, "STRIPE_KEY") || f.Environment["SST_Secret_value_STRIPE_KEY"] != "__FETCH_FROM_SSM__" {
		t.Errorf("manifest function = %+v", f)
	}
}

// TestSecretAcrossStacks binds a secret and a token-valued parameter
// declared in one stack to a function in another.
func TestSecretAcrossStacks(t *testing.T) {
	out := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t,
		func(s *Stack) any {
			table := notesTable(s)
			return []Bindable{NewSecret(s, "STRIPE_KEY"), NewParameter(s, "TableName", ParameterProps{Value: table.TableName() + "-" + table.Arn()})}
		},
		func(s *Stack) any {
			NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: Use[[]Bindable](s, First)})
			return nil
		})...)
	p := out.resource(t, "First", "aws_ssm_parameter", "TableName")
	if v, _ := p["value"].(string); !strings.Contains(v, "aws_dynamodb_table.Notes.arn") {
		t.Errorf("parameter value = %v", p["value"])
	}
	env := out.env(t, "Second", "Fn")
	if v, _ := env["SST_Parameter_value_TableName"].(string); !strings.Contains(v, "terraform_remote_state") {
		t.Errorf("cross-stack parameter = %v", env["SST_Parameter_value_TableName"])
	}
	for _, r := range out.policy(t, "Second", "Fn").grants("ssm:GetParameters") {
		if !strings.Contains(r, ":parameter/sst/notes/") || strings.Contains(r, ":*:") {
			t.Errorf("GetParameters resource %s", r)
		}
	}
	if n := len(out.policy(t, "Second", "Fn").grants("ssm:GetParameters")); n != 2 {
		t.Errorf("want 2 GetParameters resources, got %d", n)
	}
}

func TestSecretBadInput(t *testing.T) {
	tests := []struct {
		name string
		body body
		want []string
	}{
		{"secret name with a dash", func(s *Stack) any { return NewSecret(s, "stripe-key") }, []string{"stack First", `secret "stripe-key"`, `try "stripe_key"`}},
		{"secret name invalid id", func(s *Stack) any { return NewSecret(s, "1KEY") }, []string{"stack First", `"1KEY"`, "start with a letter"}},
		{"secret id clash", func(s *Stack) any {
			NewFunction(s, "KEY", FunctionProps{Handler: nodeHandler})
			return NewSecret(s, "KEY")
		}, []string{`duplicate construct id "KEY" (Secret)`}},
		{"parameter without value", func(s *Stack) any { return NewParameter(s, "Version", ParameterProps{}) }, []string{`parameter "Version"`, "Value is required", "NewSecret"}},
		{"parameter too long", func(s *Stack) any {
			return NewParameter(s, "Big", ParameterProps{Value: strings.Repeat("x", 4097)})
		}, []string{`parameter "Big"`, "4097 bytes", "at most 4096"}},
		{"parameter bad name", func(s *Stack) any { return NewParameter(s, "api.version", ParameterProps{Value: "v1"}) }, []string{"api.version"}},
		{"parameter dash", func(s *Stack) any { return NewParameter(s, "api-version", ParameterProps{Value: "v1"}) }, []string{`parameter "api-version"`, `try "api_version"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tc.body)...)
			wantContains(t, msg, tc.want...)
		})
	}
}
