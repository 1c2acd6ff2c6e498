package route

// Subtype is one of API Gateway's HTTP API service integrations (an
// integration subtype, e.g. "SQS-SendMessage"): the IAM action API Gateway
// calls and the parameters its mapping may set, the required ones first.
type Subtype struct {
	Action string
	Params []string
	// Required counts the leading Params a mapping must set.
	Required int
}

// RequiredParams are the parameters a mapping must set.
func (s Subtype) RequiredParams() []string { return s.Params[:s.Required] }

// Subtypes are API Gateway's HTTP API service integrations, by subtype: the
// constructs check routes against them, `sst dev` calls them.
var Subtypes = map[string]Subtype{
	"EventBridge-PutEvents":            {"events:PutEvents", []string{"Detail", "DetailType", "Source", "Time", "EventBusName", "Resources", "TraceHeader", "Region"}, 3},
	"SQS-SendMessage":                  {"sqs:SendMessage", []string{"QueueUrl", "MessageBody", "DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageSystemAttributes", "Region"}, 2},
	"SQS-ReceiveMessage":               {"sqs:ReceiveMessage", []string{"QueueUrl", "AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames", "ReceiveRequestAttemptId", "VisibilityTimeout", "WaitTimeSeconds", "Region"}, 1},
	"SQS-DeleteMessage":                {"sqs:DeleteMessage", []string{"QueueUrl", "ReceiptHandle", "Region"}, 2},
	"SQS-PurgeQueue":                   {"sqs:PurgeQueue", []string{"QueueUrl", "Region"}, 1},
	"Kinesis-PutRecord":                {"kinesis:PutRecord", []string{"StreamName", "Data", "PartitionKey", "SequenceNumberForOrdering", "ExplicitHashKey", "Region"}, 3},
	"StepFunctions-StartExecution":     {"states:StartExecution", []string{"StateMachineArn", "Name", "Input", "Region"}, 1},
	"StepFunctions-StartSyncExecution": {"states:StartSyncExecution", []string{"StateMachineArn", "Name", "Input", "Region", "TraceHeader"}, 1},
	"StepFunctions-StopExecution":      {"states:StopExecution", []string{"ExecutionArn", "Cause", "Error", "Region"}, 1},
	"AppConfig-GetConfiguration":       {"appconfig:GetConfiguration", []string{"Application", "Environment", "Configuration", "ClientId", "ClientConfigurationVersion", "Region"}, 4},
}
