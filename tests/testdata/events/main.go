// Command events is a test app with one of each event construct: an event
// bus with function, queue and log-group targets and a subscription, a
// cron job, a Kinesis stream with a consumer, a WebSocket API, an HTTP API
// with url and aws routes, a REST API, a GraphQL API, a CodeBuild job, a
// container service and a deploy script.
package main

import (
	"time"

	sst "github.com/sst-tf/sst/constructs"
)

const handler = "functions/index.handler"

// Events declares everything in one stack, so the e2e pays one apply.
func Events(s *sst.Stack) any {
	inbox := sst.NewQueue(s, "Inbox", sst.QueueProps{})
	bus := sst.NewEventBus(s, "Bus", sst.EventBusProps{
		Defaults: sst.EventBusDefaults{Retry: &sst.EventBusRetry{Attempts: 4, MaxEventAge: 10 * time.Minute}},
		Rules: map[string]sst.EventBusRule{
			"orders": {
				Pattern: sst.EventBusPattern{
					Source:     []string{"shop"},
					DetailType: []string{"order.created"},
					Detail:     map[string]any{"total": []any{map[string]any{"numeric": []any{">", 100}}}},
				},
				Targets: map[string]sst.EventBusTarget{
					"fn":    {Handler: handler},
					"queue": {Queue: inbox},
					"log":   {LogGroup: &sst.EventBusLogGroup{Retention: sst.Days(1)}},
				},
			},
		},
	})
	bus.Subscribe("user.signup", sst.FunctionProps{Handler: handler})
	sst.NewCron(s, "Nightly", sst.CronProps{Schedule: "cron(0 3 * * ? *)", Handler: handler})
	clicks := sst.NewKinesisStream(s, "Clicks", sst.KinesisStreamProps{
		Consumers: map[string]sst.KinesisStreamConsumer{"counter": {Handler: handler, BatchSize: 25}},
	})
	chat := sst.NewWebSocketApi(s, "Chat", sst.WebSocketApiProps{
		Routes: map[string]sst.WebSocketRoute{
			"$connect":    {Handler: handler},
			"$default":    {Handler: handler},
			"sendMessage": {Handler: handler},
		},
	})
	chat.Function("sendMessage").Bind(chat)
	// Routes that reach a service without a function: an HTTP proxy and a
	// direct EventBridge PutEvents on the bus.
	hooks := sst.NewApi(s, "Hooks", sst.ApiProps{
		AccessLog: &sst.ApiAccessLog{Disabled: true},
		Routes: map[string]sst.ApiRoute{
			"ANY /docs/{proxy+}": {URL: "https://example.com/docs/{proxy}"},
			"POST /orders": {AWS: &sst.ApiAwsRoute{
				Subtype:    "EventBridge-PutEvents",
				Parameters: map[string]string{"EventBusName": bus.EventBusName(), "Source": "shop", "DetailType": "order.created", "Detail": "$request.body"},
				Resources:  []string{bus.Arn()},
			}},
		},
	})
	// Constructs as permissions: the queue's messages, the API's IAM routes.
	chat.Function("sendMessage").AttachPermissions(inbox, hooks)
	rest := sst.NewApiGatewayV1Api(s, "Rest", sst.ApiGatewayV1ApiProps{
		Authorizers: map[string]sst.ApiGatewayV1ApiAuthorizer{"token": {Type: "lambda_token", Function: sst.FunctionProps{Handler: handler}}},
		Routes: map[string]sst.ApiGatewayV1ApiRoute{
			"GET /notes/{id}": {Handler: handler, Authorizer: "token"},
			"ANY /{proxy+}":   {Handler: handler},
		},
	})
	report := sst.NewJob(s, "Report", sst.JobProps{Handler: handler, Timeout: time.Hour, Bind: []sst.Bindable{bus}})
	// A GraphQL API as far as moto serves AppSync: the API, its schema and
	// modes, the API key (bound as a secret); moto has no resolvers.
	graph := sst.NewAppSyncApi(s, "Graph", sst.AppSyncApiProps{
		Schema:         []string{"graphql/schema.graphql"},
		AdditionalAuth: []sst.AppSyncApiAuth{{Type: "iam"}},
	})
	rest.Function("ANY /{proxy+}").Bind(rest, report, graph)
	// A Go container service built without Docker, bound to the queue;
	// the WebSocket route gets its URL.
	web := sst.NewService(s, "Web", sst.ServiceProps{Path: "services/web", Port: 8080, Bind: []sst.Bindable{inbox}})
	chat.Function("sendMessage").Bind(web)
	seed := sst.NewScript(s, "Seed", sst.ScriptProps{
		OnCreate: sst.FunctionProps{Handler: handler, Bind: []sst.Bindable{bus, clicks}},
		OnDelete: sst.FunctionProps{Handler: handler},
		Params:   map[string]any{"rows": 3, "stream": clicks.StreamName()},
		Version:  "1",
	})
	s.AddOutputs(map[string]any{
		"ChatUrl":      chat.URL(),
		"RestUrl":      rest.URL(),
		"GraphUrl":     graph.URL(),
		"ScriptResult": seed.Result(),
		"WebUrl":       web.URL(),
	})
	return nil
}

func main() { sst.Run(sst.Config{Name: "evts"}, Events) }
