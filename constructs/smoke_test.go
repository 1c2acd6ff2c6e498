package sst

import (
	"os"
	"testing"
)

func smokeStorage(s *Stack) any {
	return NewTable(s, "Notes", TableProps{Fields: map[string]string{"pk": "string"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}})
}

func smokeAPI(s *Stack) any {
	t := Use[*Table](s, smokeStorage)
	api := NewApi(s, "Api", ApiProps{
		Defaults: ApiDefaults{Function: FunctionProps{Bind: []Bindable{t}}},
		Routes: map[string]ApiRoute{
			"GET /notes":  {Handler: "functions/hello"},
			"POST /notes": {Handler: "node/hello.handler"},
		},
	})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
	return api
}

func TestSmoke(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "smoke"}, opts, smokeStorage, smokeAPI)
	b, _ := os.ReadFile(opts.OutDir + "/stacks/smokeAPI/cdk.tf.json")
	t.Log(string(b))
	t.Log(jsonString(t, s.m))
}
