package dev

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sst-tf/sst/internal/route"
	"github.com/sst-tf/sst/manifest"
)

// mappingFixture is a request as the gateway sees it, POST /orders/42 on
// route "POST /orders/{id}", with its 2.0 event's request context and a
// JWT authorizer's claims.
func mappingFixture(t *testing.T, body string) mappingRequest {
	t.Helper()
	req := httptest.NewRequest("POST", "/orders/42?tag=a&tag=b&empty=", strings.NewReader(body))
	req.Header.Set("X-Trace", "t-1")
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")
	req.Header.Set("User-Agent", "tester/1")
	k, err := route.Parse("POST /orders/{id}")
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{Api: "Api"}
	params := map[string]string{"id": "42"}
	ev := g.event(req, &gwRoute{key: k}, params, []byte(body))
	rc := ev["requestContext"].(map[string]any)
	rc["authorizer"] = map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "user-1", "groups": []any{"a", "b"}}}}
	return mappingRequest{req: req, params: params, body: []byte(body), ctx: rc}
}

// TestEvalMapping: every kind of value an HTTP API's parameter mapping
// takes, what has no value in the request, and expressions API Gateway
// would refuse.
func TestEvalMapping(t *testing.T) {
	const body = `{"message":"hi","order":{"id":7,"items":[{"sku":"A"},{"sku":"B"}],"note":null},"flag":true}`
	r := mappingFixture(t, body)
	requestID := r.ctx["requestId"].(string)
	none := "<no value>"
	for _, c := range []struct{ expr, want string }{
		{"https://sqs.us-east-1.amazonaws.com/123456789012/jobs", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"},
		{"shop", "shop"},
		{"$5 off", "$5 off"},
		{"$request.body", body},
		{"$request.body.message", "hi"},
		{"$request.body.order.id", "7"},
		{"$request.body.flag", "true"},
		{"$request.body.order", `{"id":7,"items":[{"sku":"A"},{"sku":"B"}],"note":null}`},
		{"$request.body.order.items[1].sku", "B"},
		{"$request.body.order['id']", "7"},
		{"$request.body.order.items", `[{"sku":"A"},{"sku":"B"}]`},
		{"$request.body.order.note", none},
		{"$request.body.order.items[2].sku", none},
		{"$request.body.nope", none},
		{"$request.body.message.deeper", none},
		{"$request.header.x-trace", "t-1"},
		{"$request.header.X-Multi", "a,b"},
		{"$request.header.X-None", none},
		{"$request.querystring.tag", "a,b"},
		{"$request.querystring.empty", ""},
		{"$request.querystring.Tag", none},
		{"$request.path", "/orders/42"},
		{"$request.path.id", "42"},
		{"$request.path.nope", none},
		{"$context.requestId", requestID},
		{"$context.httpMethod", "POST"},
		{"$context.path", "/orders/42"},
		{"$context.routeKey", "POST /orders/{id}"},
		{"$context.stage", "$default"},
		{"$context.apiId", "Api"},
		{"$context.identity.sourceIp", "192.0.2.1"},
		{"$context.identity.userAgent", "tester/1"},
		{"$context.authorizer.claims.sub", "user-1"},
		{"$context.authorizer.claims.groups", `["a","b"]`},
		{"$context.authorizer.claims.nope", none},
		{"$context.authorizer.tenant", none},
		{"$context.identity.caller", none},
		{"$stageVariables.env", none},
		{"order-${request.path.id}-${request.querystring.tag}", "order-42-a,b"},
		{"${request.body.message} from ${context.identity.sourceIp}", "hi from 192.0.2.1"},
		{"${request.body.nope}!", none},
	} {
		got, ok, err := evalMapping(c.expr, r)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !ok {
			got = none
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
	for expr, r := range map[string]string{
		"$context.requestTime":      `^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$`,
		"$context.requestTimeEpoch": `^\d{13}$`,
	} {
		got, ok, err := evalMapping(expr, mappingFixture(t, ""))
		if err != nil || !ok || !matches(r, got) {
			t.Errorf("%s = %q %v %v, want a match of %s", expr, got, ok, err, r)
		}
	}

	// A body that is not JSON: a path selects nothing, the whole body is
	// still the body.
	plain := mappingFixture(t, "just text")
	if got, ok, err := evalMapping("$request.body.message", plain); ok || err != nil {
		t.Errorf("path into a text body = %q %v %v, want no value", got, ok, err)
	}
	if got, ok, _ := evalMapping("$request.body", plain); !ok || got != "just text" {
		t.Errorf("text body = %q %v", got, ok)
	}
	if _, ok, _ := evalMapping("$request.body", mappingFixture(t, "")); ok {
		t.Error("an empty body has a value")
	}

	for expr, want := range map[string]string{
		"$request.cookie.session":   "use a constant, $request.body",
		"$request.header.":          "names no header",
		"$request.querystring.":     "names no querystring",
		"$request.path.":            "names no path",
		"$stageVariables.":          "names no stage variable",
		"$context.bogus":            "does not know this context variable",
		"$context.":                 "does not know this context variable",
		"x-${request.path.id":       "is not closed",
		"${request.nope}":           "use a constant",
		"$request.body.order[*]":    "neither an index nor a quoted key",
		"$request.body..message":    "recursive descent",
		"$request.body.items[?(@)]": "neither an index nor a quoted key",
		"$request.body.items[0":     "is not closed",
	} {
		_, _, err := evalMapping(expr, r)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", expr, err, want)
		}
	}
}

func matches(pattern, s string) bool {
	ok, _ := regexp.MatchString(pattern, s)
	return ok
}

// TestEvalParams: a required parameter without a value is the client's
// fault (400, naming it); an optional one is left out; a required one the
// integration does not map, or a bad expression, is the route's.
func TestEvalParams(t *testing.T) {
	st := route.Subtypes["SQS-SendMessage"]
	r := mappingFixture(t, `{"message":"hi"}`)
	p, err := evalParams(st, map[string]string{"QueueUrl": "https://q", "MessageBody": "$request.body.message", "MessageGroupId": "$request.body.group"}, r)
	if err != nil || len(p) != 2 || p["MessageBody"] != "hi" || p["QueueUrl"] != "https://q" {
		t.Errorf("params = %v, %v", p, err)
	}
	_, err = evalParams(st, map[string]string{"QueueUrl": "https://q", "MessageBody": "$request.body.text"}, r)
	var missing *missingParam
	if !errors.As(err, &missing) || err.Error() != "parameter MessageBody ($request.body.text) has no value in this request" {
		t.Errorf("missing required value: %v", err)
	}
	if _, err := evalParams(st, map[string]string{"QueueUrl": "https://q"}, r); err == nil || errors.As(err, &missing) || !strings.Contains(err.Error(), "does not map it") {
		t.Errorf("unmapped required parameter: %v", err)
	}
	if _, err := evalParams(st, map[string]string{"QueueUrl": "https://q", "MessageBody": "$request.bogus"}, r); err == nil || errors.As(err, &missing) || !strings.HasPrefix(err.Error(), "parameter MessageBody: ") {
		t.Errorf("bad expression: %v", err)
	}
}

// awsGateway serves routes whose integrations' request parameters are read
// from a Terraform state, as sst dev reads the deployed stack's, and whose
// calls go to this test binary's emulator.
func awsGateway(t *testing.T, routes map[string]string, mappings map[string]map[string]string) (*httptest.Server, func() []AWSCall) {
	t.Helper()
	type instance struct {
		Attributes map[string]any `json:"attributes"`
	}
	type resource struct {
		Mode      string     `json:"mode"`
		Type      string     `json:"type"`
		Name      string     `json:"name"`
		Instances []instance `json:"instances"`
	}
	var mr []manifest.Route
	var res []resource
	for key, subtype := range routes {
		k, err := route.Parse(key)
		if err != nil {
			t.Fatal(err)
		}
		name := "Api_" + route.Slug(k) + "_integration"
		mr = append(mr, manifest.Route{Api: "Api", Key: key, Type: manifest.RouteAWS, Subtype: subtype, Integration: "aws_apigatewayv2_integration." + name})
		if m, ok := mappings[key]; ok {
			res = append(res, resource{"managed", "aws_apigatewayv2_integration", name, []instance{{map[string]any{"integration_subtype": subtype, "request_parameters": m}}}})
		}
	}
	state, err := json.Marshal(map[string]any{"version": 4, "resources": res})
	if err != nil {
		t.Fatal(err)
	}
	var dep deployed
	dep.add(state)
	gw, err := NewGateway(manifest.Construct{ID: "Api", Type: "Api"}, mr, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var calls []AWSCall
	gw.Warn = func(msg string) { t.Log("gateway:", msg) }
	gw.Services = &Services{Config: motoConfig(t), Params: dep.params}
	gw.Called = func(c AWSCall) { mu.Lock(); calls = append(calls, c); mu.Unlock() }
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return srv, func() []AWSCall { mu.Lock(); defer mu.Unlock(); return append([]AWSCall(nil), calls...) }
}

// call sends a request, with headers given as name, value pairs, to the
// gateway and decodes its JSON answer.
func call(t *testing.T, method, u, body string, header ...string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, u, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Errorf("%s %s: not a JSON object: %s", method, u, b)
	}
	return resp.StatusCode, out, string(b)
}

// dig reads a nested field of a decoded JSON answer.
func dig(v any, path ...string) any {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// TestGatewayAwsRoutesSQS: SQS routes call SQS with the evaluated
// mapping: the message sent through the gateway is in the queue with its
// attributes, the gateway receives and deletes it, and purges; a missing
// body field, an unknown queue and a route with no deployed integration
// get API Gateway's statuses with a JSON message.
func TestGatewayAwsRoutesSQS(t *testing.T) {
	api := motoSQS(t)
	ctx := context.Background()
	q, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("awsroute-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	qURL := *q.QueueUrl
	srv, calls := awsGateway(t, map[string]string{
		"POST /jobs/{kind}":   "SQS-SendMessage",
		"GET /jobs":           "SQS-ReceiveMessage",
		"DELETE /jobs":        "SQS-DeleteMessage",
		"POST /purge":         "SQS-PurgeQueue",
		"POST /lost":          "SQS-SendMessage",
		"POST /undeployed":    "SQS-SendMessage",
		"GET /config":         "AppConfig-GetConfiguration",
		"POST /bad-attribute": "SQS-SendMessage",
	}, map[string]map[string]string{
		"POST /jobs/{kind}": {"QueueUrl": qURL, "MessageBody": "$request.body.job", "Region": "us-east-1",
			"MessageAttributes": `{"kind":{"DataType":"String","StringValue":"${request.path.kind}"}}`},
		"GET /jobs":           {"QueueUrl": qURL, "MaxNumberOfMessages": "$request.querystring.max", "MessageAttributeNames": "All", "WaitTimeSeconds": "0"},
		"DELETE /jobs":        {"QueueUrl": qURL, "ReceiptHandle": "$request.querystring.handle"},
		"POST /purge":         {"QueueUrl": qURL},
		"POST /lost":          {"QueueUrl": strings.TrimSuffix(qURL, "awsroute-jobs") + "awsroute-no-such-queue", "MessageBody": "$request.body"},
		"POST /bad-attribute": {"QueueUrl": qURL, "MessageBody": "x", "DelaySeconds": "$request.body.delay"},
		"GET /config":         {"Application": "a", "Environment": "e", "Configuration": "c", "ClientId": "x"},
	})

	status, out, raw := call(t, "POST", srv.URL+"/jobs/resize", `{"job":"resize cat.png"}`)
	res := dig(out, "SendMessageResponse", "SendMessageResult")
	if status != http.StatusOK || dig(res, "MessageId") == nil || dig(res, "MD5OfMessageBody") != fmt.Sprintf("%x", md5.Sum([]byte("resize cat.png"))) ||
		dig(out, "SendMessageResponse", "ResponseMetadata", "RequestId") == nil {
		t.Fatalf("send = %d %s", status, raw)
	}
	msgs, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qURL, MessageAttributeNames: []string{"All"}})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("queue holds %v, %v", msgs, err)
	}
	m := msgs.Messages[0]
	// Visible again, for the gateway to receive.
	if _, err := api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &qURL, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	if *m.Body != "resize cat.png" || *m.MessageId != dig(res, "MessageId") || aws.ToString(m.MessageAttributes["kind"].StringValue) != "resize" {
		t.Errorf("queued %q (%s) with attributes %v", *m.Body, *m.MessageId, m.MessageAttributes)
	}

	// The gateway receives it and deletes it by its receipt handle.
	status, out, raw = call(t, "GET", srv.URL+"/jobs?max=5", "")
	got, _ := dig(out, "ReceiveMessageResponse", "ReceiveMessageResult", "messages").([]any)
	if status != http.StatusOK || len(got) != 1 || dig(got[0], "Body") != "resize cat.png" || dig(got[0], "MessageAttributes", "kind", "StringValue") != "resize" {
		t.Fatalf("receive = %d %s", status, raw)
	}
	handle, _ := dig(got[0], "ReceiptHandle").(string)
	if status, out, raw = call(t, "DELETE", srv.URL+"/jobs?handle="+url.QueryEscape(handle), ""); status != http.StatusOK || dig(out, "DeleteMessageResponse", "ResponseMetadata") == nil {
		t.Errorf("delete = %d %s", status, raw)
	}
	if status, out, raw = call(t, "POST", srv.URL+"/purge", ""); status != http.StatusOK || dig(out, "PurgeQueueResponse", "ResponseMetadata") == nil {
		t.Errorf("purge = %d %s", status, raw)
	}
	attrs, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &qURL, AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("after delete and purge the queue holds %v (%v)", attrs.Attributes, err)
	}

	for _, c := range []struct {
		method, path, body string
		status             int
		says               string
	}{
		{"POST", "/jobs/resize", `{"other":1}`, http.StatusBadRequest, "parameter MessageBody ($request.body.job) has no value in this request"},
		{"POST", "/jobs/resize", `not json`, http.StatusBadRequest, "MessageBody"},
		{"POST", "/lost", `x`, http.StatusBadRequest, "NonExistentQueue"},
		{"POST", "/bad-attribute", `{"delay":"soon"}`, http.StatusBadRequest, `DelaySeconds: "soon" is not a whole number`},
		{"POST", "/undeployed", `x`, http.StatusBadGateway, "no deployed integration"},
		{"GET", "/config", ``, http.StatusNotImplemented, "AppConfig-GetConfiguration"},
	} {
		status, out, raw := call(t, c.method, srv.URL+c.path, c.body)
		if msg, _ := out["message"].(string); status != c.status || !strings.Contains(msg, c.says) {
			t.Errorf("%s %s %s = %d %s, want %d saying %q", c.method, c.path, c.body, status, raw, c.status, c.says)
		}
	}

	var ok, failed int
	for _, c := range calls() {
		if c.Source == "" || c.Subtype == "" || c.Time.IsZero() {
			t.Errorf("call %+v", c)
		}
		if c.Status == http.StatusOK && c.Err == "" {
			ok++
		} else if c.Status >= 400 && c.Err != "" {
			failed++
		}
	}
	if ok != 4 || failed != 6 {
		t.Errorf("calls heard: %d answered, %d failed (want 4, 6): %+v", ok, failed, calls())
	}
}

// TestGatewayAwsRoutesEventsKinesisStepFunctions: PutEvents reaches a
// rule's target, PutRecord puts the record's decoded data on the stream,
// StartExecution and StopExecution drive a state machine; each answers as
// the service's JSON API does.
func TestGatewayAwsRoutesEventsKinesisStepFunctions(t *testing.T) {
	cfg := motoConfig(t)
	ctx := context.Background()
	api := motoSQS(t)
	q, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("awsroute-orders")})
	if err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("awsroute-bus")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("created"), EventBusName: aws.String("awsroute-bus"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("created"), EventBusName: aws.String("awsroute-bus"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:awsroute-orders")}}}); err != nil {
		t.Fatal(err)
	}
	kin := kinesis.NewFromConfig(cfg)
	if _, err := kin.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("awsroute-clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	states := sfn.NewFromConfig(cfg)
	sm, err := states.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("awsroute-flow"), RoleArn: aws.String("arn:aws:iam::123456789012:role/flow"),
		Definition: aws.String(`{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":60,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}

	srv, _ := awsGateway(t, map[string]string{
		"POST /orders":        "EventBridge-PutEvents",
		"POST /clicks":        "Kinesis-PutRecord",
		"POST /flows":         "StepFunctions-StartExecution",
		"DELETE /flows/{arn}": "StepFunctions-StopExecution",
		"POST /missing-flow":  "StepFunctions-StartExecution",
	}, map[string]map[string]string{
		"POST /orders": {"EventBusName": "awsroute-bus", "Source": "shop", "DetailType": "order.created", "Detail": "$request.body.order",
			"Resources": `["arn:aws:s3:::a"]`, "Time": "2026-12-03T07:00:00Z"},
		"POST /clicks":        {"StreamName": "awsroute-clicks", "Data": "$request.body.data", "PartitionKey": "$request.header.x-user"},
		"POST /flows":         {"StateMachineArn": *sm.StateMachineArn, "Name": "$request.body.name", "Input": "$request.body.input"},
		"DELETE /flows/{arn}": {"ExecutionArn": "$request.path.arn", "Cause": "$request.querystring.why"},
		"POST /missing-flow":  {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:awsroute-none"},
	})

	status, out, raw := call(t, "POST", srv.URL+"/orders", `{"order":{"id":7}}`)
	if entries, _ := out["Entries"].([]any); status != http.StatusOK || len(entries) != 1 || dig(entries[0], "EventId") == nil || out["FailedEntryCount"] != 0.0 {
		t.Errorf("put events = %d %s", status, raw)
	}
	waitFor(t, "the event on the rule's queue", func() bool {
		msgs, err := api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
		if err != nil || len(msgs.Messages) == 0 {
			return false
		}
		var ev map[string]any
		_ = json.Unmarshal([]byte(*msgs.Messages[0].Body), &ev)
		if ev["source"] != "shop" || ev["detail-type"] != "order.created" || dig(ev, "detail", "id") != 7.0 || ev["time"] != "2026-12-03T07:00:00Z" {
			t.Errorf("delivered event %s", *msgs.Messages[0].Body)
		}
		return true
	})

	status, _, raw = call(t, "POST", srv.URL+"/clicks", `{"data":"`+base64.StdEncoding.EncodeToString([]byte("click 1"))+`"}`, "X-User", "u-1")
	var put struct{ SequenceNumber, ShardID string }
	_ = json.Unmarshal([]byte(raw), &put)
	if status != http.StatusOK || put.SequenceNumber == "" || put.ShardID != "shardId-000000000000" {
		t.Fatalf("put record = %d %s", status, raw)
	}
	it, err := kin.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("awsroute-clicks"), ShardId: aws.String(put.ShardID),
		ShardIteratorType: kinesistypes.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(put.SequenceNumber)})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := kin.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(recs.Records) == 0 || string(recs.Records[0].Data) != "click 1" || *recs.Records[0].PartitionKey != "u-1" {
		t.Errorf("stream holds %+v, %v", recs, err)
	}
	if status, out, raw := call(t, "POST", srv.URL+"/clicks", `{"data":"not base64!"}`, "X-User", "u-1"); status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out["message"]), "base64") {
		t.Errorf("put record of text = %d %s, want 400 saying Kinesis takes base64", status, raw)
	}

	status, out, raw = call(t, "POST", srv.URL+"/flows", `{"name":"run-1","input":{"n":1}}`)
	arn, _ := out["executionArn"].(string)
	if start, _ := out["startDate"].(float64); status != http.StatusOK || !strings.HasSuffix(arn, ":awsroute-flow:run-1") || start < 1e9 {
		t.Fatalf("start execution = %d %s", status, raw)
	}
	ex, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	if err != nil || aws.ToString(ex.Input) != `{"n":1}` || ex.Status != "RUNNING" {
		t.Errorf("execution %+v, %v", ex, err)
	}
	status, out, raw = call(t, "DELETE", srv.URL+"/flows/"+url.PathEscape(arn)+"?why=test", "")
	if stop, _ := out["stopDate"].(float64); status != http.StatusOK || stop < 1e9 {
		t.Errorf("stop execution = %d %s", status, raw)
	}
	if ex, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn}); err != nil || ex.Status != "ABORTED" {
		t.Errorf("stopped execution %+v, %v", ex, err)
	}
	if status, out, raw := call(t, "POST", srv.URL+"/missing-flow", ""); status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out["message"]), "StateMachineDoesNotExist") {
		t.Errorf("start execution of no state machine = %d %s", status, raw)
	}
}
