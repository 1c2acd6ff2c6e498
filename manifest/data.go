package manifest

// Keys of Construct.Data, named <ConstructType><Fact>. A value is a fact
// known at synth (a physical name, an id) or, for what only a deploy
// knows, the Terraform expression behind it ("${aws_…}"). Sites are in
// site.go, RDS in rds.go, DataApiDev in manifest.go.
const (
	// FunctionName is a Function's physical Lambda name.
	FunctionName = "functionName"

	// ApiURL is an Api's URL: its custom domain, else the execute-api
	// endpoint. `sst dev` maps it to the local gateway.
	ApiURL = "url"

	// TableName is a Table's physical DynamoDB name.
	TableName = "tableName"

	// BucketName is a Bucket's physical S3 name.
	BucketName = "bucketName"

	// QueueName is a Queue's physical SQS name.
	QueueName = "queueName"
	// QueueConsumer is the function id of a Queue's consumer, when it has one.
	QueueConsumer = "consumer"
	// QueueDeadLetterQueue is the construct id of a Queue's dead-letter
	// queue, when it has one.
	QueueDeadLetterQueue = "deadLetterQueue"
	// QueueBatchSize, QueueBatchWindow (whole seconds) and
	// QueueReportFailures ("true" for ReportBatchItemFailures) are a
	// consumer's event source mapping settings, which `sst dev` polls by.
	QueueBatchSize      = "batchSize"
	QueueBatchWindow    = "batchWindow"
	QueueReportFailures = "reportBatchItemFailures"

	// TopicName is a Topic's physical SNS name.
	TopicName = "topicName"
	// DevQueues, under `sst dev` only, lists the dev-only queues that a
	// Topic's subscriptions, an EventBus's function targets or a Bucket's
	// function notifications deliver to instead of the function (a JSON
	// list of DevQueue); the CLI polls them and runs the function locally.
	DevQueues = "devQueues"

	// EventBusName is an EventBus's physical name.
	EventBusName = "eventBusName"
	// EventBusRules lists an EventBus's rule keys, comma-separated, in the
	// order they were added.
	EventBusRules = "rules"

	// KinesisStreamName is a KinesisStream's physical name.
	KinesisStreamName = "streamName"
	// KinesisStreamConsumers lists a KinesisStream's consumers with their
	// event source mapping settings, which `sst dev` reads the shards by
	// (a JSON list of KinesisConsumer).
	KinesisStreamConsumers = "consumers"

	// CronSchedule is a Cron's schedule expression as written.
	CronSchedule = "schedule"
	// CronJob is the function id of a Cron's job.
	CronJob = "job"
	// CronRuleName is a Cron's physical EventBridge rule name.
	CronRuleName = "ruleName"
	// CronDisabled is "true" for a Cron created switched off.
	CronDisabled = "disabled"
	// CronInput is the constant JSON a Cron's target passes instead of the
	// scheduled event (Cdk.Target's Input), CronInputPath the JSONPath of
	// the part of the event it passes (InputPath); `sst dev` applies them.
	CronInput     = "input"
	CronInputPath = "inputPath"

	// CognitoUserPoolID, CognitoUserPoolClientID and CognitoIdentityPoolID
	// are a Cognito's ids; the identity pool's is absent when it is disabled.
	CognitoUserPoolID       = "userPoolId"
	CognitoUserPoolClientID = "userPoolClientId"
	CognitoIdentityPoolID   = "identityPoolId"

	// WebSocketApiURL is a WebSocketApi's wss:// URL.
	WebSocketApiURL = "url"
	// WebSocketApiRouteSelection is the route selection expression `sst
	// dev`'s gateway evaluates, e.g. "$request.body.action".
	WebSocketApiRouteSelection = "routeSelection"

	// SecretName is a Secret's name; SecretPath and SecretFallbackPath the
	// SSM parameters holding its stage's and the app-wide fallback value.
	SecretName         = "name"
	SecretPath         = "path"
	SecretFallbackPath = "fallbackPath"

	// AuthPublicKeyPath and AuthPrivateKeyPath are the SSM parameters an
	// Auth's key pair lives in (the CLI makes them at deploy and deletes
	// them at remove), AuthPrefix the path its routes are mounted under
	// and AuthApis the Apis it is attached to, comma-separated.
	AuthPublicKeyPath  = "publicKeyPath"
	AuthPrivateKeyPath = "privateKeyPath"
	AuthPrefix         = "prefix"
	AuthApis           = "apis"

	// ParameterName is a Parameter's name, ParameterPath the SSM parameter
	// holding it and ParameterValue its value.
	ParameterName  = "name"
	ParameterPath  = "path"
	ParameterValue = "value"

	// JobProjectName is a Job's CodeBuild project; JobFunction the id of
	// the function entry describing its handler (named after the invoker
	// function, so `sst dev` runs the handler when the invoker is invoked).
	JobProjectName = "projectName"
	JobFunction    = "function"

	// ScriptCreateFunction, ScriptUpdateFunction and ScriptDeleteFunction
	// are the function ids a Script runs in each phase, when it has one.
	ScriptCreateFunction = "createFunction"
	ScriptUpdateFunction = "updateFunction"
	ScriptDeleteFunction = "deleteFunction"
	// ScriptParams is a Script's Params as JSON; ScriptInvocation the
	// Terraform address of its aws_lambda_invocation, whose planned
	// create, update or delete tells `sst dev` which phase to run locally.
	ScriptParams     = "params"
	ScriptInvocation = "invocation"
)

// DevQueue is one dev-only queue of a construct (see DevQueues).
type DevQueue struct {
	// Function is the id of the function the events are for.
	Function string `json:"function"`
	// Queue is the queue's physical name.
	Queue string `json:"queue"`
	// Source names what delivers within the construct: the subscriber,
	// the rule (rule/target when the rule has several function targets)
	// or the notification.
	Source string `json:"source"`
}

// KinesisConsumer is one consumer of a KinesisStream (see
// KinesisStreamConsumers).
type KinesisConsumer struct {
	// Name is the consumer's name in the construct, Function its id.
	Name     string `json:"name"`
	Function string `json:"function"`
	// StartingPosition is "LATEST" or "TRIM_HORIZON".
	StartingPosition string `json:"startingPosition"`
	BatchSize        int    `json:"batchSize"`
	// BisectBatchOnError splits a failing batch; RetryAttempts is how
	// often a failing batch is retried (-1: until the records expire).
	BisectBatchOnError bool     `json:"bisectBatchOnError,omitempty"`
	RetryAttempts      int      `json:"retryAttempts"`
	Filters            []string `json:"filters,omitempty"`
}
