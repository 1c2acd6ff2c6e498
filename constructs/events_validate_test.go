package sst

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/testenv"
)

// eventsEverything uses every prop of EventBus, Cron, KinesisStream,
// WebSocketApi, Script, ApiGatewayV1Api, Job, AppSyncApi and Service, so terraform validate checks them all against
// the provider schema.
func eventsEverything(s *Stack) any {
	q := NewQueue(s, "Jobs", QueueProps{})
	fifo := NewQueue(s, "Ordered", QueueProps{FIFO: true})
	dlq := NewQueue(s, "Dead", QueueProps{})
	bus := NewEventBus(s, "Bus", EventBusProps{
		Defaults: EventBusDefaults{Function: FunctionProps{Timeout: 30 * time.Second}, Retry: &EventBusRetry{Attempts: 3, MaxEventAge: time.Hour}},
		Rules: map[string]EventBusRule{
			"orders": {
				Pattern:     EventBusPattern{Source: []string{"shop"}, DetailType: []string{"order.created"}, Detail: map[string]any{"total": []any{map[string]any{"numeric": []any{">", 100}}}}},
				Description: "orders", Disabled: true,
				Targets: map[string]EventBusTarget{
					"fn":    {Handler: nodeHandler, DeadLetterQueue: dlq, Retry: &EventBusRetry{}},
					"queue": {Queue: q},
					"fifo":  {Queue: fifo, MessageGroupID: "orders"},
					"log":   {LogGroup: &EventBusLogGroup{Retention: Days(7)}},
					"named": {LogGroup: &EventBusLogGroup{Name: "/aws/events/custom"}},
				},
			},
			"raw": {Pattern: EventBusPattern{JSON: `{"source":[{"prefix":"shop."}]}`}},
		},
	})
	bus.Subscribe("user.signup", FunctionProps{Handler: nodeHandler}, SubscribeOptions{Retry: &EventBusRetry{Attempts: 1}})
	NewCron(s, "Nightly", CronProps{Schedule: "cron(0 3 ? * MON-FRI *)", Handler: nodeHandler})
	NewCron(s, "Poll", CronProps{Schedule: "rate(1 minute)", Job: FunctionProps{Handler: nodeHandler}, Disabled: true})
	clicks := NewKinesisStream(s, "Clicks", KinesisStreamProps{Consumers: map[string]KinesisStreamConsumer{
		"counter": {Handler: nodeHandler, BatchSize: 50, StartingPosition: "TRIM_HORIZON", Filters: []string{`{"data":{"k":["v"]}}`}},
	}})
	NewKinesisStream(s, "Shards", KinesisStreamProps{ShardCount: 2, Retention: 48 * time.Hour})
	ws := NewWebSocketApi(s, "Chat", WebSocketApiProps{
		Authorizer: "iam",
		AccessLog:  &ApiAccessLog{Retention: Days(14), Format: "$context.requestId"},
		Routes: map[string]WebSocketRoute{
			"$connect": {Handler: nodeHandler}, "$disconnect": {Handler: nodeHandler},
			"$default": {Handler: nodeHandler}, "send": {Handler: nodeHandler},
		},
	})
	ws.Function("send").Bind(ws)
	live := NewWebSocketApi(s, "Live", WebSocketApiProps{
		LambdaAuthorizer: &WebSocketLambdaAuthorizer{Handler: nodeHandler, IdentitySource: []string{"route.request.querystring.token"}},
		CustomDomain:     &CustomDomain{DomainName: "live.example.com"},
		Routes:           map[string]WebSocketRoute{"$connect": {Handler: nodeHandler}},
	})
	NewScript(s, "Seed", ScriptProps{
		OnCreate: FunctionProps{Handler: nodeHandler, Bind: []Bindable{bus, clicks}},
		OnUpdate: FunctionProps{Handler: nodeHandler},
		OnDelete: FunctionProps{Handler: nodeHandler},
		Params:   map[string]any{"n": 1}, Version: "1",
	})
	rest := NewApiGatewayV1Api(s, "Rest", ApiGatewayV1ApiProps{
		Authorizers: map[string]ApiGatewayV1ApiAuthorizer{
			"pool":  {Type: "user_pools", UserPoolIDs: []string{"us-east-1_abc"}},
			"token": {Type: "lambda_token", Function: FunctionProps{Handler: nodeHandler}, ResultsCacheTTL: time.Minute},
			"req":   {Type: "lambda_request", Function: FunctionProps{Handler: nodeHandler}, IdentitySource: []string{"method.request.header.X-Key"}},
		},
		Routes: map[string]ApiGatewayV1ApiRoute{
			"GET /notes":      {Handler: nodeHandler, Authorizer: "pool", AuthorizationScopes: []string{"notes/read"}},
			"GET /notes/{id}": {Handler: nodeHandler, Authorizer: "token"},
			"PUT /notes/{id}": {Handler: nodeHandler, Authorizer: "req"},
			"POST /notes":     {Handler: nodeHandler, Authorizer: "iam"},
			"ANY /{proxy+}":   {Handler: nodeHandler},
		},
		Cors:         &Cors{AllowOrigins: []string{"https://example.com"}, AllowCredentials: true, MaxAge: time.Hour},
		AccessLog:    &ApiAccessLog{Retention: Days(7)},
		CustomDomain: &CustomDomain{DomainName: "rest.example.com"},
	})
	// A route bound to its own REST API must not make a cycle.
	rest.Function("ANY /{proxy+}").Bind(rest)
	job := NewJob(s, "Report", JobProps{Handler: nodeHandler, MemorySize: JobMemory7GB, Timeout: time.Hour, Bind: []Bindable{bus},
		Environment: map[string]string{"MODE": "full"}, Permissions: []Permission{Allow([]string{"ses:SendEmail"}, "*"), rest}, LogRetention: Days(7)})
	// Services: scaling (which moto cannot deploy), a custom domain, a
	// worker in an existing VPC.
	web := NewService(s, "Web", ServiceProps{Path: "services/web", CPU: "2 vCPU", Memory: "4 GB", Storage: "40 GB", Port: 8080,
		HealthCheckPath: "/health", Scaling: ServiceScaling{MinContainers: 1, MaxContainers: 4},
		Bind: []Bindable{q, bus}, Permissions: []Permission{rest}, CustomDomain: &CustomDomain{DomainName: "web.example.com"}, LogRetention: Days(7)})
	NewService(s, "Worker", ServiceProps{Path: "services/web", Architecture: ArchX86_64, NoLoadBalancer: true,
		VPC: &ServiceVPC{ID: "vpc-1", PublicSubnetIDs: []string{"subnet-a", "subnet-b"}, PrivateSubnetIDs: []string{"subnet-c"}}})
	notes := NewTable(s, "Notes", TableProps{Fields: map[string]string{"id": "string"}, PrimaryIndex: TableIndex{PartitionKey: "id"}})
	graph := NewAppSyncApi(s, "Graph", AppSyncApiProps{
		Schema: appSyncSchema,
		Auth:   AppSyncApiAuth{Type: "user_pool", UserPool: AppSyncUserPool{ID: "us-east-1_abc", DefaultAction: "DENY", AppIDClientRegex: "web.*"}},
		AdditionalAuth: []AppSyncApiAuth{
			{Type: "api_key", ApiKeyExpires: time.Now().Add(30 * 24 * time.Hour)}, {Type: "iam"},
			{Type: "oidc", OIDC: AppSyncOIDC{Issuer: "https://accounts.google.com", ClientID: "c1", AuthTTL: time.Hour, IatTTL: time.Hour}},
			{Type: "lambda", Handler: nodeHandler, ResultsCacheTTL: time.Minute, IdentityValidationExpression: "^Bearer .+"},
		},
		DataSources: map[string]AppSyncApiDataSource{
			"fn": {Handler: nodeHandler, Description: "notes"}, "table": {Table: notes}, "db": {RDS: NewRDS(s, "Db", RDSProps{Engine: "postgresql15.4", DefaultDatabaseName: "app"})},
			"weather": {Endpoint: "https://api.weather.example.com"}, "local": {Type: "none"},
		},
		Resolvers: map[string]AppSyncApiResolver{
			"Query listNotes":     {Handler: nodeHandler},
			"Query getNote":       {DataSource: "table", Code: "graphql/getNote.js"},
			"Query weather":       {DataSource: "weather", RequestMapping: AppSyncMappingTemplate{File: "graphql/weather.req.vtl"}, ResponseMapping: AppSyncMappingTemplate{Inline: "$ctx.result.body"}},
			"Query rows":          {DataSource: "db", RequestMapping: AppSyncMappingTemplate{Inline: "{}"}, ResponseMapping: AppSyncMappingTemplate{Inline: "{}"}},
			"Mutation createNote": {DataSource: "fn"},
			"Mutation ping":       {DataSource: "local", RequestMapping: AppSyncMappingTemplate{Inline: "{}"}, ResponseMapping: AppSyncMappingTemplate{Inline: `"pong"`}},
		},
		CustomDomain: &CustomDomain{DomainName: "graph.example.com", HostedZone: "example.com"},
	})
	NewFunction(s, "Publisher", FunctionProps{Handler: nodeHandler, Bind: []Bindable{bus, clicks, ws, live, rest, job, graph, web}})
	s.AddOutputs(map[string]any{"ChatUrl": ws.URL()})
	return nil
}

// TestEventsTerraformValidate fails, rather than skips, when terraform or
// the provider mirror is missing.
func TestEventsTerraformValidate(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform is not on PATH: %v", err)
	}
	env := testenv.TerraformEnv(t)
	opts := testOptions(t)
	opts.Endpoint = "http://127.0.0.1:5000"
	m, err := Synth(Config{Name: "events"}, opts, stacks(t, eventsEverything)...)
	if err != nil {
		t.Fatal(err)
	}
	checkFunctionsComplete(t, opts.OutDir, m)
	validateStacks(t, env, filepath.Join(opts.OutDir, m.Stacks[0].Dir))
}
