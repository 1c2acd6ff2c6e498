// Command bucket-notifications is the upload example: objects put under
// uploads/ in a bucket trigger a function that records them in a table,
// and an HTTP endpoint lists what was recorded.
package main

import sst "github.com/sst-tf/sst/constructs"

// Files holds the bucket, its notification and the files table.
func Files(s *sst.Stack) any {
	files := sst.NewTable(s, "Files", sst.TableProps{
		Fields:       map[string]string{"key": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "key"},
	})
	uploads := sst.NewBucket(s, "Uploads", sst.BucketProps{
		Notifications: map[string]sst.BucketNotification{
			"uploaded": {
				Function: sst.FunctionProps{Handler: "functions/uploaded", Bind: []sst.Bindable{files}},
				Events:   []string{"object_created"},
				Prefix:   "uploads/",
			},
		},
	})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Routes: map[string]sst.ApiRoute{
			"GET /files": {Function: sst.FunctionProps{Handler: "functions/files", Bind: []sst.Bindable{files}}},
		},
	})
	s.AddOutputs(map[string]any{"BucketName": uploads.BucketName(), "ApiUrl": api.URL()})
	return uploads
}

func main() {
	sst.Run(sst.Config{Name: "bucket-notifications", Region: "us-east-1"}, Files)
}
