package sst

import (
	"archive/zip"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdainvocation"
)

func TestScriptSynth(t *testing.T) {
	opts := testOptions(t)
	var sc *Script
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		notes := notesTable(s)
		sc = NewScript(s, "Seed", ScriptProps{
			OnCreate: FunctionProps{Handler: nodeHandler, Bind: []Bindable{notes}},
			OnUpdate: FunctionProps{Handler: nodeHandler, Timeout: time.Minute},
			OnDelete: FunctionProps{Handler: nodeHandler},
			Params:   map[string]any{"rows": 3, "table": notes.TableName()},
			Version:  "v1",
		})
		NewScript(s, "Once", ScriptProps{OnCreate: FunctionProps{Handler: nodeHandler}, Cdk: ScriptCdkProps{
			Invocation: func(c *lambdainvocation.LambdaInvocationConfig) { c.Qualifier = strp("$LATEST") },
		}})
		return nil
	})...)
	if sc.Function("create") == nil || sc.Function("update") == nil || sc.Function("delete") == nil {
		t.Fatal("phase functions missing")
	}
	inv := s.resource(t, "First", "aws_lambda_invocation", "Seed")
	if inv["lifecycle_scope"] != "CRUD" || inv["function_name"] != "${aws_lambda_function.Seed_dispatcher.function_name}" {
		t.Errorf("invocation = %v", inv)
	}
	if inv["input"] != `{"params":{"rows":3,"table":"test-app-Notes"},"version":"v1"}` {
		t.Errorf("input = %v", inv["input"])
	}
	d := s.resource(t, "First", "aws_lambda_function", "Seed_dispatcher")
	if d["runtime"] != "nodejs20.x" || d["handler"] != "index.handler" || d["function_name"] != "test-app-Seed_dispatcher" {
		t.Errorf("dispatcher = %v", d)
	}
	wantContains(t, jsonString(t, d),
		`"SST_SCRIPT_CREATE":"${aws_lambda_function.Seed_onCreate.function_name}"`,
		`"SST_SCRIPT_UPDATE":"${aws_lambda_function.Seed_onUpdate.function_name}"`,
		`"SST_SCRIPT_DELETE":"${aws_lambda_function.Seed_onDelete.function_name}"`)
	pol := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Seed_dispatcher_policy"))
	wantContains(t, pol, `lambda:InvokeFunction`, `aws_lambda_function.Seed_onCreate.arn`, `aws_lambda_function.Seed_onDelete.arn`)
	if strings.Contains(pol, `"*"`) {
		t.Errorf("dispatcher may invoke only its functions: %s", pol)
	}
	// The dispatcher's zip holds exactly the embedded code.
	zr, err := zip.OpenReader(filepath.Join(opts.OutDir, "stacks", "First", d["filename"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "index.mjs" {
		t.Fatalf("zip = %v", zr.File)
	}
	rc, _ := zr.File[0].Open()
	code, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(code), "event.tf.action") {
		t.Errorf("dispatcher code = %s", code)
	}
	create := s.resource(t, "First", "aws_lambda_function", "Seed_onCreate")
	wantContains(t, jsonString(t, create), `"timeout":900`, `SST_Table_tableName_Notes`)
	if u := s.resource(t, "First", "aws_lambda_function", "Seed_onUpdate"); u["timeout"] != float64(60) {
		t.Errorf("own timeout wins: %v", u["timeout"])
	}
	once := s.resource(t, "First", "aws_lambda_invocation", "Once")
	if once["input"] != `{"params":{},"version":""}` || once["qualifier"] != "$LATEST" {
		t.Errorf("once = %v", once)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_lambda_function", "Once_dispatcher")), `SST_SCRIPT_CREATE`)
	if strings.Contains(jsonString(t, s.resource(t, "First", "aws_lambda_function", "Once_dispatcher")), "SST_SCRIPT_DELETE") {
		t.Error("a phase without a function has no target")
	}
}

func TestScriptErrors(t *testing.T) {
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewScript(s, "Empty", ScriptProps{Params: map[string]any{"a": 1}})
		NewScript(s, "BadParams", ScriptProps{OnCreate: FunctionProps{Handler: nodeHandler}, Params: map[string]any{"f": func() {}}})
		NewFunction(s, "Clash_dispatcher", FunctionProps{Handler: nodeHandler})
		NewScript(s, "Clash", ScriptProps{OnCreate: FunctionProps{Handler: nodeHandler}})
		return nil
	})...)
	wantContains(t, msg,
		`stack First: script "Empty": set at least one of OnCreate, OnUpdate and OnDelete`,
		`script "BadParams": Params cannot be encoded as JSON`,
		`script "Clash": its dispatcher id "Clash_dispatcher" collides with a construct in stack First`,
	)
}
