package sst

import (
	"reflect"
	"strings"
	"testing"
)

// TestPermissionsAsConstructs grants every kind of construct as a
// permission — in props, stack defaults, AttachPermissions, Cognito user
// roles and across stacks — and checks each policy names exactly the
// construct's data-plane actions on its own resources.
func TestPermissionsAsConstructs(t *testing.T) {
	var bucket *Bucket
	s := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		bucket = NewBucket(s, "Uploads", BucketProps{})
		table := NewTable(s, "Notes", TableProps{Fields: map[string]string{"pk": "string"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}, Stream: "new_image"})
		plain := notesTableNamed(s, "Plain")
		queue := NewQueue(s, "Jobs", QueueProps{})
		topic := NewTopic(s, "Events", TopicProps{})
		bus := NewEventBus(s, "Bus", EventBusProps{})
		stream := NewKinesisStream(s, "Clicks", KinesisStreamProps{})
		db := NewRDS(s, "Db", RDSProps{Engine: "postgresql16.1", DefaultDatabaseName: "app"})
		worker := NewFunction(s, "Worker", FunctionProps{Handler: nodeHandler})
		api := NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler, Authorizer: "iam"}}})
		ws := NewWebSocketApi(s, "Chat", WebSocketApiProps{Routes: map[string]WebSocketRoute{"$default": {Handler: nodeHandler}}})
		secret := NewSecret(s, "STRIPE_KEY")
		param := NewParameter(s, "Mode", ParameterProps{Value: "fast"})

		s.AddDefaultFunctionPermissions(queue)
		NewFunction(s, "All", FunctionProps{Handler: nodeHandler, Permissions: []Permission{
			bucket, table, plain, topic, bus, stream, db, worker, api, ws, secret, param,
		}})
		later := NewFunction(s, "Later", FunctionProps{Handler: nodeHandler})
		later.AttachPermissions(bucket, Allow([]string{"ses:SendEmail"}, "*"))
		later.AttachPermissions(Service("s3:GetObject")...)

		auth := NewCognito(s, "Auth", CognitoProps{})
		auth.AttachPermissionsForAuthUsers(api, bucket)
		auth.AttachPermissionsForUnauthUsers(Allow([]string{"s3:GetObject"}, bucket.Arn()+"/public/*"))

		// Every construct's address, for scripts and hand-written IAM.
		for what, got := range map[string]string{
			"api arn": api.Arn(), "api execution arn": api.ExecutionArn(), "api id": api.ApiID(),
			"ws arn": ws.Arn(), "ws execution arn": ws.ExecutionArn(), "ws id": ws.ApiID(),
			"stream arn": table.StreamArn(), "secret arn": secret.Arn(), "parameter arn": param.Arn(),
		} {
			if !strings.Contains(got, "${") && !strings.HasPrefix(got, "arn:") {
				t.Errorf("%s = %q, want a token or an ARN", what, got)
			}
		}
		if plain.StreamArn() != "" {
			t.Errorf("a table without a stream has StreamArn %q", plain.StreamArn())
		}
		return nil
	}, func(s *Stack) any {
		return NewFunction(s, "Remote", FunctionProps{Handler: nodeHandler, Permissions: []Permission{bucket}})
	})...)

	p := s.policy(t, "First", "All")
	b := "${aws_s3_bucket.Uploads.arn}"
	tb := "${aws_dynamodb_table.Notes.arn}"
	want := map[string][]string{
		"s3:ListBucket":                      {b},
		"s3:GetObject":                       {b + "/*"},
		"s3:PutObject":                       {b + "/*"},
		"dynamodb:Query":                     {tb, tb + "/index/*", "${aws_dynamodb_table.Plain.arn}", "${aws_dynamodb_table.Plain.arn}/index/*"},
		"dynamodb:GetRecords":                {tb + "/stream/*"},
		"sqs:SendMessage":                    {"${aws_sqs_queue.Jobs.arn}"},
		"sns:Publish":                        {"${aws_sns_topic.Events.arn}"},
		"events:PutEvents":                   {"${aws_cloudwatch_event_bus.Bus.arn}"},
		"kinesis:PutRecords":                 {"${aws_kinesis_stream.Clicks.arn}"},
		"rds-data:ExecuteStatement":          {"${aws_rds_cluster.Db.arn}"},
		"secretsmanager:GetSecretValue":      {"${aws_rds_cluster.Db.master_user_secret[0].secret_arn}"},
		"secretsmanager:DescribeSecret":      {"${aws_rds_cluster.Db.master_user_secret[0].secret_arn}"},
		"lambda:InvokeFunction":              {"${aws_lambda_function.Worker.arn}"},
		"execute-api:Invoke":                 {"${aws_apigatewayv2_api.Api.execution_arn}/*", "${aws_apigatewayv2_api.Chat.execution_arn}/*"},
		"execute-api:ManageConnections":      {"${aws_apigatewayv2_api.Chat.execution_arn}/*"},
		"ssm:GetParameter":                   {"${aws_ssm_parameter.Mode.arn}"},
		"dynamodb:DeleteTable":               nil,
		"s3:DeleteBucket":                    nil,
		"s3:PutBucketPolicy":                 nil,
		"sqs:SetQueueAttributes":             nil,
		"dynamodb:UpdateTable":               nil,
		"secretsmanager:PutSecretValue":      nil,
		"execute-api:InvalidateCache":        nil,
		"lambda:UpdateFunctionConfiguration": nil,
	}
	for action, resources := range want {
		if got := p.grants(action); !reflect.DeepEqual(got, resources) {
			t.Errorf("All: %s on %v, want %v", action, got, resources)
		}
	}
	if got := p.grants("ssm:GetParameters"); len(got) != 3 || !strings.Contains(got[0]+got[1]+got[2], "/Secret/STRIPE_KEY/value") {
		t.Errorf("All: ssm:GetParameters on %v, want the parameter and the secret's two paths", got)
	}
	for _, st := range p.Statement {
		for _, a := range st.Action {
			if strings.HasSuffix(a, ":*") {
				t.Errorf("All: a construct granted the wildcard %s on %v", a, st.Resource)
			}
		}
		for _, r := range st.Resource {
			if r == "*" {
				t.Errorf("All: %v on *", st.Action)
			}
		}
	}

	// AttachPermissions: a construct, a statement and Service's one-action
	// form; the stack's default applies to later functions too.
	lp := s.policy(t, "First", "Later")
	for action, resources := range map[string][]string{
		"s3:GetObject":    {b + "/*", "*"},
		"s3:ListBucket":   {b},
		"ses:SendEmail":   {"*"},
		"sqs:SendMessage": {"${aws_sqs_queue.Jobs.arn}"},
	} {
		if got := lp.grants(action); !reflect.DeepEqual(got, resources) {
			t.Errorf("Later: %s on %v, want %v", action, got, resources)
		}
	}

	// Cognito: signed-in users may call the IAM-authorized API and use the
	// bucket; guests read one prefix.
	auth := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Auth_authenticated_policy")["policy"])
	wantContains(t, auth, `execute-api:Invoke`, `${aws_apigatewayv2_api.Api.execution_arn}/*`, `s3:PutObject`, b+`/*`)
	unauth := jsonString(t, s.resource(t, "First", "aws_iam_role_policy", "Auth_unauthenticated_policy")["policy"])
	wantContains(t, unauth, `s3:GetObject`, b+`/public/*`)
	if strings.Contains(unauth, "s3:PutObject") {
		t.Errorf("guests got the authenticated users' grants: %s", unauth)
	}

	// Across stacks the ARN is the producer's output, read by the consumer.
	rp := s.policy(t, "Second", "Remote").grants("s3:GetObject")
	if len(rp) != 1 || !strings.Contains(rp[0], "terraform_remote_state") || !strings.HasSuffix(rp[0], "/*") {
		t.Errorf("Remote: s3:GetObject on %v, want the First stack's bucket ARN via remote state", rp)
	}
}

func notesTableNamed(s *Stack, id string) *Table {
	return NewTable(s, id, TableProps{Fields: map[string]string{"pk": "string"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}})
}
