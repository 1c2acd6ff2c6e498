package sst

import "testing"

// TestBindingParameters: every binding value is also an SSM String
// parameter at SST v2's path (id as in the variable name), in the
// construct's own stack; a Secret's placeholder is never written (its
// value lives at its own path, set outside Terraform) and a Parameter is
// not written twice.
func TestBindingParameters(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		notesTable(s)
		NewBucket(s, "my-uploads", BucketProps{})
		NewSecret(s, "STRIPE_KEY")
		NewParameter(s, "Version", ParameterProps{Value: "v1"})
		return nil
	}, func(s *Stack) any {
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
		return nil
	})...)

	got := map[string]string{}
	for _, stack := range []string{"First", "Second"} {
		for id, p := range s.resources(stack, "aws_ssm_parameter") {
			if p["type"] != "String" {
				t.Errorf("%s %s type = %v, want String", stack, id, p["type"])
			}
			// A killed deploy's orphan is overwritten, not a conflict.
			if p["overwrite"] != true {
				t.Errorf("%s %s overwrite = %v, want true", stack, id, p["overwrite"])
			}
			got[stack+" "+id+" "+p["name"].(string)] = p["value"].(string)
		}
	}
	wantJSON(t, "SSM parameters", got, map[string]string{
		"First Notes_binding_tableName /sst/notes/test/Table/Notes/tableName":              "test-notes-Notes",
		"First my-uploads_binding_bucketName /sst/notes/test/Bucket/my_uploads/bucketName": "test-notes-my-uploads",
		"First Version /sst/notes/test/Parameter/Version/value":                            "v1",
		"Second Fn_binding_functionName /sst/notes/test/Function/Fn/functionName":          "test-notes-Fn",
	})
}
