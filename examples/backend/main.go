// Command backend is the example app that uses every backend construct: a
// feedback service whose HTTP API (behind Cognito) fans work out to a queue,
// a topic, an event bus and a stream, stores uploads in a bucket and rows in
// Aurora PostgreSQL (with SQL migrations), runs a nightly cron job, chats over
// WebSockets and seeds itself with a deploy script.
package main

import sst "github.com/sst-tf/sst/constructs"

const worker = "functions/worker.handler"

// Storage holds the data stores and configuration.
func Storage(s *sst.Stack) any {
	return &storage{
		db: sst.NewRDS(s, "Db", sst.RDSProps{
			Engine:              "postgresql15.4",
			DefaultDatabaseName: "feedback",
			Scaling:             sst.RDSScaling{Min: 0.5, Max: 2},
			Migrations:          "migrations",
		}),
		uploads: sst.NewBucket(s, "Uploads", sst.BucketProps{
			Notifications: map[string]sst.BucketNotification{
				"received": {Handler: worker, Events: []string{"object_created"}, Prefix: "incoming/"},
			},
		}),
		stripeKey:  sst.NewSecret(s, "STRIPE_KEY"),
		apiVersion: sst.NewParameter(s, "API_VERSION", sst.ParameterProps{Value: "2026-11"}),
	}
}

type storage struct {
	db         *sst.RDS
	uploads    *sst.Bucket
	stripeKey  *sst.Secret
	apiVersion *sst.Parameter
}

// Messaging holds the asynchronous plumbing and its consumers.
func Messaging(s *sst.Stack) any {
	jobs := sst.NewQueue(s, "Jobs", sst.QueueProps{
		DeadLetterQueue: &sst.QueueDeadLetter{MaxReceiveCount: 3},
		Consumer:        &sst.QueueConsumer{Handler: worker, BatchSize: 10},
	})
	events := sst.NewTopic(s, "Events", sst.TopicProps{
		Subscribers: map[string]sst.TopicSubscriber{
			"praise": {Handler: worker, FilterPolicy: `{"rating":[{"numeric":[">=",4]}]}`},
		},
	})
	bus := sst.NewEventBus(s, "Bus", sst.EventBusProps{})
	bus.Subscribe("feedback.received", sst.FunctionProps{Handler: worker})
	clicks := sst.NewKinesisStream(s, "Clicks", sst.KinesisStreamProps{
		Consumers: map[string]sst.KinesisStreamConsumer{"counter": {Handler: worker}},
	})
	sst.NewCron(s, "Nightly", sst.CronProps{Schedule: "cron(0 3 * * ? *)", Handler: worker})
	return &messaging{jobs: jobs, events: events, bus: bus, clicks: clicks}
}

type messaging struct {
	jobs   *sst.Queue
	events *sst.Topic
	bus    *sst.EventBus
	clicks *sst.KinesisStream
}

// API is the public face: an HTTP API behind Cognito, a WebSocket chat and
// a deploy-time seed script, bound to what they use.
func API(s *sst.Stack) any {
	st := sst.Use[*storage](s, Storage)
	msg := sst.Use[*messaging](s, Messaging)
	auth := sst.NewCognito(s, "Auth", sst.CognitoProps{
		Login:        []string{"email"},
		IdentityPool: sst.CognitoIdentityPool{Disabled: true},
	})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Authorizers: map[string]sst.ApiAuthorizer{"cognito": auth.JWTAuthorizer()},
		Defaults: sst.ApiDefaults{
			Authorizer: "cognito",
			Function: sst.FunctionProps{Bind: []sst.Bindable{
				st.db, st.uploads, st.stripeKey, st.apiVersion,
				msg.jobs, msg.events, msg.bus, msg.clicks,
			}},
		},
		Routes: map[string]sst.ApiRoute{
			"POST /feedback": {Handler: "functions/api.handler"},
			"GET /health":    {Handler: "functions/api.handler", Authorizer: "none"},
		},
	})
	chat := sst.NewWebSocketApi(s, "Chat", sst.WebSocketApiProps{
		Routes: map[string]sst.WebSocketRoute{
			"$connect": {Handler: worker},
			"$default": {Handler: worker},
		},
	})
	sst.NewScript(s, "Seed", sst.ScriptProps{
		OnCreate: sst.FunctionProps{Handler: "functions/seed.handler", Bind: []sst.Bindable{st.db}},
		Params:   map[string]any{"rows": 3},
		Version:  "1",
	})
	s.AddOutputs(map[string]any{
		"ApiUrl":     api.URL(),
		"ChatUrl":    chat.URL(),
		"UserPoolId": auth.UserPoolID(),
		"ClientId":   auth.UserPoolClientID(),
	})
	return api
}

func main() {
	sst.Run(sst.Config{Name: "backend", Region: "us-east-1"}, Storage, Messaging, API)
}
