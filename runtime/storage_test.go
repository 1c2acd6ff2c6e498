package runtime

import (
	"strings"
	"testing"
)

// The variable names are the ones the Bucket, Queue and Topic constructs
// set, in SST v2's format.
func TestStorageMessagingAccessors(t *testing.T) {
	reset(t)
	t.Setenv("SST_Bucket_bucketName_Uploads", "dev-app-uploads")
	t.Setenv("SST_Queue_queueUrl_Jobs", "https://sqs.us-east-1.amazonaws.com/123456789012/dev-app-Jobs")
	t.Setenv("SST_Topic_topicArn_Events", "arn:aws:sns:us-east-1:123456789012:dev-app-Events")
	if got := MustBucketName("Uploads"); got != "dev-app-uploads" {
		t.Errorf("MustBucketName = %q", got)
	}
	if got := MustQueueURL("Jobs"); !strings.HasSuffix(got, "/dev-app-Jobs") {
		t.Errorf("MustQueueURL = %q", got)
	}
	if got := MustTopicARN("Events"); got != "arn:aws:sns:us-east-1:123456789012:dev-app-Events" {
		t.Errorf("MustTopicARN = %q", got)
	}
	for name, f := range map[string]func(){
		"MustBucketName": func() { MustBucketName("Other") },
		"MustQueueURL":   func() { MustQueueURL("Other") },
		"MustTopicARN":   func() { MustTopicARN("Other") },
	} {
		func() {
			defer func() {
				err, ok := recover().(error)
				if !ok || !strings.Contains(err.Error(), `"Other" is not bound to this function`) {
					t.Errorf("%s panicked with %v", name, err)
				}
			}()
			f()
		}()
	}
}
