package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/coder/websocket"

	"github.com/sst-tf/sst/internal/testenv"
)

// TestDev runs `sst dev` on a Go and a Node handler bound to a table (and
// an Auth whose magic-link sign-in runs locally), a
// queue consumer, a cron job with a target input, a Script, a topic subscriber, a bus rule target, a
// bucket notification and a stream consumer: requests to the local Api reach the emulator's
// DynamoDB, queue messages, schedules, topic notifications, bus events,
// uploads and stream records reach the local handlers, edits change the next response,
// failures are logged while the server keeps serving, Ctrl-C stops
// everything, and a deploy afterwards restores the queue's mapping, the
// cron's rule, the topic's subscription, the bus target, the bucket
// notification and the stream's mapping.
func TestDev(t *testing.T) {
	t.Parallel()
	const stage = "devtest"
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "dev"))
	npmInstall(t, dir)
	// The Script's invocation needs Lambda invoke at deploy time, which
	// only the suite's moto in echo mode answers (its dispatcher runs
	// nothing under sst dev: the CLI runs the phase locally).
	cfg, echoEnv := startEchoMoto(t)

	t.Run("a port in use is refused before anything is deployed", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		port := ln.Addr().(*net.TCPAddr).Port
		r := sstEnv(t, dir, echoEnv, "dev", "--stage", stage, "--port", fmt.Sprint(port))
		if r.code == 0 || !strings.Contains(r.stderr, fmt.Sprintf("--port %d: the port is in use", port)) {
			t.Fatalf("want a clear port-in-use error:\n%s", r)
		}
		if _, err := os.Stat(filepath.Join(dir, ".sst", "outputs", stage+".json")); err == nil {
			t.Error("the stage was deployed although sst dev refused to start")
		}
	})

	out := &syncBuffer{}
	cmd := exec.Command(sstBin, "dev", "--stage", stage, "--port", "0")
	cmd.Dir = dir
	env := maps.Clone(baseEnv)
	maps.Copy(env, echoEnv)
	// The cron's rate(1 minute) fires every 3 s of the wall clock.
	env["SST_DEV_TIME_SCALE"] = "20"
	cmd.Env = testenv.Environ(env)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("sst dev output:\n%s", out.String())
		}
		// No `sst remove` here: it asserted nothing and cost a terraform
		// destroy (≈ 25 CPU s); the emulator holding the stage is this test
		// binary's and dies with it. Removal is covered by the tests that
		// check what is left afterwards.
	}()

	url := waitDevURL(t, dir, stage, exited)
	c := &http.Client{Timeout: 30 * time.Second}

	lc := lambda.NewFromConfig(cfg)
	dispatcherEnv := func(t *testing.T) map[string]string {
		t.Helper()
		got, err := lc.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(stage + "-devapp-Seed_dispatcher")})
		if err != nil || got.Environment == nil {
			t.Fatalf("the Script's dispatcher: %v", err)
		}
		return got.Environment.Variables
	}
	t.Run("the Script's onCreate ran on this machine at the first dev deploy", func(t *testing.T) {
		waitOutput(t, out, `seed-v1 create {"rows":1}`)
		waitOutput(t, out, "Seed_onCreate script Seed create")
		if env := dispatcherEnv(t); env["SST_SCRIPT_CREATE"] != "" || env["SST_SCRIPT_UPDATE"] != "" {
			t.Errorf("while sst dev runs the deployed dispatcher would call %v: the phase would run twice", env)
		}
	})

	// The queue's deployed mapping as sst dev left it (disabled); after
	// Ctrl-C a normal deploy must restore it.
	var devMapping *lambdatypes.EventSourceMappingConfiguration
	t.Run("a queue message is handled by the local consumer, and an edit by the next one", func(t *testing.T) {
		q := sqs.NewFromConfig(cfg)
		ctx := context.Background()
		qurl, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(stage + "-devapp-Jobs")})
		if err != nil {
			t.Fatal(err)
		}
		devMapping = queueMapping(t, cfg, stage+"-devapp-Jobs")
		if aws.ToString(devMapping.State) != "Disabled" {
			t.Errorf("while sst dev runs the deployed mapping is %s, want Disabled (it would race the local consumer)", aws.ToString(devMapping.State))
		}
		sendJob := func(body string) {
			if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qurl.QueueUrl, MessageBody: aws.String(body)}); err != nil {
				t.Fatal(err)
			}
		}
		sendJob("first")
		waitOutput(t, out, "job-v1 handled first (aws:sqs)")
		waitOutput(t, out, "Jobs_consumer queue Jobs")
		sendJob("fail-once")
		waitOutput(t, out, "queue Jobs: 1 of 1 message(s) reported failed: left on the queue for retry")
		editFile(t, filepath.Join(dir, "functions", "job.ts"), "job-v1", "job-v2")
		waitOutput(t, out, "↻ Rebuilt functions/job.handler")
		sendJob("second")
		waitOutput(t, out, "job-v2 handled second (aws:sqs)")
	})

	var created map[string]any
	t.Run("Go creates and Node lists items in the emulator's table", func(t *testing.T) {
		status, body := call(t, c, "POST", url+"/items", `{"name":"alpha"}`)
		if status != 201 || json.Unmarshal([]byte(body), &created) != nil || created["by"] != "go-v1" {
			t.Fatalf("POST /items: %d %s", status, body)
		}
		status, body = call(t, c, "GET", url+"/items", "")
		if status != 200 || !strings.Contains(body, `"alpha"`) || !strings.Contains(body, `"node-v1"`) {
			t.Fatalf("GET /items: %d %s", status, body)
		}
		scan, err := dynamodb.NewFromConfig(cfg).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(stage + "-devapp-Items")})
		if err != nil {
			t.Fatal(err)
		}
		if scan.Count != 1 {
			t.Fatalf("table holds %d items, want the one created", scan.Count)
		}
	})

	var devRule *eventbridge.DescribeRuleOutput
	t.Run("the cron fires on the local job, and an edit is picked up by the next firing", func(t *testing.T) {
		devRule = describeRule(t, cfg, stage+"-devapp-Tick")
		if devRule.State != "DISABLED" {
			t.Errorf("while sst dev runs the deployed rule is %s, want DISABLED (it would run the job a second time)", devRule.State)
		}
		// The job gets its target's Input, not the scheduled event.
		waitOutput(t, out, `tick-v1 got {"job":"cleanup"}`)
		waitOutput(t, out, "Tick_job cron Tick")
		editFile(t, filepath.Join(dir, "functions", "job.ts"), "tick-v1", "tick-v2")
		waitOutput(t, out, `tick-v2 got {"job":"cleanup"}`)
	})

	var devSub snstypes.Subscription
	t.Run("a topic notification passing the filter reaches the local subscriber", func(t *testing.T) {
		ctx := context.Background()
		snsc := sns.NewFromConfig(cfg)
		topic := "arn:aws:sns:us-east-1:123456789012:" + stage + "-devapp-Events"
		devSub = topicSubscription(t, cfg, topic)
		if aws.ToString(devSub.Protocol) != "sqs" {
			t.Errorf("while sst dev runs the subscription is %s → %s, want the dev-only queue", aws.ToString(devSub.Protocol), aws.ToString(devSub.Endpoint))
		}
		publish := func(msg, kind string) {
			if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(msg),
				MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String(kind)}}}); err != nil {
				t.Fatal(err)
			}
		}
		publish("audit-filtered", "other")
		publish("order-1", "order")
		waitOutput(t, out, "audit-v1 got order-1 (aws:sns)")
		editAndRebuild(t, out, filepath.Join(dir, "functions", "job.ts"), "audit-v1", "audit-v2", "functions/job.audit")
		publish("order-2", "order")
		waitOutput(t, out, "audit-v2 got order-2 (aws:sns)")
		if strings.Contains(out.String(), "audit-filtered") {
			t.Error("a notification the filter policy rejects reached the subscriber")
		}
	})

	var devTarget ebtypes.Target
	var devNotif *s3.GetBucketNotificationConfigurationOutput
	const bucket = stage + "-devapp-files"
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	t.Run("a bus event and a bucket upload reach their local handlers, and edits the next ones", func(t *testing.T) {
		ctx := context.Background()
		devTarget = ruleTarget(t, cfg, stage+"-devapp-Orders_paid", stage+"-devapp-Orders")
		if !strings.HasSuffix(aws.ToString(devTarget.Arn), ":"+stage+"-devapp-Orders_paid_bill_dev") {
			t.Errorf("while sst dev runs the rule's target is %s, want the dev-only queue", aws.ToString(devTarget.Arn))
		}
		var err error
		if devNotif, err = s3c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		if len(devNotif.LambdaFunctionConfigurations) != 0 || len(devNotif.QueueConfigurations) != 1 ||
			!strings.HasSuffix(aws.ToString(devNotif.QueueConfigurations[0].QueueArn), ":"+stage+"-devapp-Files_notification_thumbs_dev") {
			t.Errorf("while sst dev runs the bucket notifies %+v %+v, want the dev-only queue", devNotif.LambdaFunctionConfigurations, devNotif.QueueConfigurations)
		}
		eb := eventbridge.NewFromConfig(cfg)
		put := func(detailType, order string) {
			if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
				EventBusName: aws.String(stage + "-devapp-Orders"), Source: aws.String("shop"), DetailType: aws.String(detailType), Detail: aws.String(`{"order":"` + order + `"}`),
			}}}); err != nil {
				t.Fatal(err)
			}
		}
		upload := func(key string) {
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
		}
		// moto cannot evaluate the bucket's TLS-only policy (it has no
		// TLS) and refuses every object request under it: drop it for the
		// uploads; the next deploy puts it back.
		if _, err := s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		put("refunded", "order-0")
		put("paid", "order-1")
		upload("doc/skipped.txt")
		upload("img/one.png")
		waitOutput(t, out, "bill-v1 paid order-1 from shop")
		waitOutput(t, out, "Orders_paid_bill bus Orders paid")
		waitOutput(t, out, "thumb-v1 img/one.png (aws:s3)")
		waitOutput(t, out, "Files_notification_thumbs bucket Files thumbs")
		job := filepath.Join(dir, "functions", "job.ts")
		editAndRebuild(t, out, job, "bill-v1", "bill-v2", "functions/job.bill")
		put("paid", "order-2")
		waitOutput(t, out, "bill-v2 paid order-2 from shop")
		editAndRebuild(t, out, job, "thumb-v1", "thumb-v2", "functions/job.thumb")
		upload("img/two.png")
		waitOutput(t, out, "thumb-v2 img/two.png (aws:s3)")
		if strings.Contains(out.String(), "order-0") || strings.Contains(out.String(), "doc/skipped.txt") {
			t.Error("an event the rule's pattern or the notification's prefix rejects reached a handler")
		}
	})

	var devStream *lambdatypes.EventSourceMappingConfiguration
	streamArn := "arn:aws:kinesis:us-east-1:123456789012:stream/" + stage + "-devapp-Clicks"
	t.Run("a stream record reaches the local consumer, and an edit the next one", func(t *testing.T) {
		devStream = sourceMapping(t, cfg, streamArn)
		if aws.ToString(devStream.State) != "Disabled" {
			t.Errorf("while sst dev runs the stream's mapping is %s, want Disabled (it would process every record twice)", aws.ToString(devStream.State))
		}
		kc := kinesis.NewFromConfig(cfg)
		put := func(data string) {
			if _, err := kc.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(stage + "-devapp-Clicks"), PartitionKey: aws.String("k"), Data: []byte(data)}); err != nil {
				t.Fatal(err)
			}
		}
		put("click-1")
		waitOutput(t, out, "click-v1 click-1 (aws:kinesis)")
		waitOutput(t, out, "Clicks_consumer_counter stream Clicks counter")
		editAndRebuild(t, out, filepath.Join(dir, "functions", "job.ts"), "click-v1", "click-v2", "functions/job.click")
		put("click-2")
		waitOutput(t, out, "click-v2 click-2 (aws:kinesis)")
	})

	t.Run("a handler invoking another function through the AWS SDK runs the other's local code", func(t *testing.T) {
		status, body := call(t, c, "POST", url+"/items?invoke="+stage+"-devapp-Api_GET_items", "")
		if status != 200 || !strings.Contains(body, "node-v1") {
			t.Fatalf("POST /items?invoke=…: %d %s", status, body)
		}
		waitOutput(t, out, "Api_GET_items lambda:Invoke")
	})

	t.Run("the Auth's routes sign in locally and a bound Go route reads the session", func(t *testing.T) {
		// The index names the local gateway, in http: the callback URLs a
		// provider would be given under sst dev.
		status, body := call(t, c, "GET", url+"/auth", "")
		if status != 200 || !strings.Contains(body, `"link": "`+url+`/auth/link/authorize"`) {
			t.Fatalf("GET /auth: %d %s", status, body)
		}
		status, link := call(t, c, "GET", url+"/auth/link/authorize?email=ada@example.com", "")
		if status != 200 || !strings.HasPrefix(link, url+"/auth/link/callback?token=") {
			t.Fatalf("authorize: %d %s", status, link)
		}
		noFollow := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var token string
		for _, ck := range res.Cookies() {
			if ck.Name == "auth-token" {
				token = ck.Value
			}
		}
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/items" || token == "" {
			t.Fatalf("callback: %s %v", res.Status, res.Header)
		}
		// The Go route verifies it with the public key the dev deploy put
		// in the emulator's SSM; without a token it sees the public session.
		req, _ := http.NewRequest("POST", url+"/items?session=1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), `{"type":"user","properties":{"email":"ada@example.com"}}`) {
			t.Errorf("the session a bound route sees: %s %s", res.Status, b)
		}
		if _, body := call(t, c, "POST", url+"/items?session=1", ""); !strings.Contains(body, `"type":"public"`) {
			t.Errorf("without a token: %s", body)
		}
	})

	// relay sends what a deployed function's relay stub sends for an
	// invocation of GET /items's function and returns the answer sst dev
	// writes where the stub reads it. moto cannot run the stub, so the
	// test plays its part (the stub itself runs against moto in
	// cli/internal/dev TestRelayStubReachesTheLocalHandler).
	relay := func(t *testing.T, id string) string {
		t.Helper()
		ctx := context.Background()
		q := sqs.NewFromConfig(cfg)
		qurl, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(stage + "-devapp-Dev_relay")})
		if err != nil {
			t.Fatal(err)
		}
		body := `{"id":"` + id + `","function":"Api_GET_items","payload":"{\"rawPath\":\"/items\"}","deadline":` + fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()) + `}`
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qurl.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
		db := dynamodb.NewFromConfig(cfg)
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
			item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stage + "-devapp-Dev_relay"), ConsistentRead: aws.Bool(true),
				Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}}})
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := item.Item["payload"].(*ddbtypes.AttributeValueMemberS); ok {
				return p.Value
			}
			if time.Now().After(deadline) {
				t.Fatalf("no answer to %s in the relay table: %v", id, item.Item)
			}
		}
	}

	t.Run("a direct invocation of a deployed function is relayed to its local handler and answered", func(t *testing.T) {
		ctx := context.Background()
		// The deployed code is the relay stub, Go functions included.
		got, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(stage + "-devapp-Api_POST_items")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Runtime != lambdatypes.RuntimeNodejs20x || aws.ToString(got.Handler) != "index.handler" || got.Environment.Variables["SST_DEV_RELAY_FUNCTION"] != "Api_POST_items" {
			t.Errorf("while sst dev runs the deployed function is %s %s %v, want the relay stub", got.Runtime, aws.ToString(got.Handler), got.Environment.Variables)
		}
		if answer := relay(t, "req-1"); answer != `{"names":["alpha"],"by":"node-v1"}` {
			t.Errorf("relayed answer %s", answer)
		}
		waitOutput(t, out, "Api_GET_items lambda:Invoke (deployed)")
	})

	t.Run("the console it prints shows gateway requests and invokes locally", func(t *testing.T) {
		m := regexp.MustCompile(`Console: (http://127\.0\.0\.1:\d+)/\?token=([0-9a-f]+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("sst dev printed no console URL:\n%s", out.String())
		}
		get := func(method, path string, form neturl.Values) (int, string) {
			req, _ := http.NewRequest(method, m[1]+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+m[2])
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, html.UnescapeString(string(b))
		}
		status, body := get("GET", "/functions", nil)
		if status != 200 {
			t.Fatalf("the console's Functions page: %d\n%s", status, body)
		}
		// Every source's invocations are in the feed with their source.
		for _, source := range []string{"api Api GET /items", "queue Jobs", "cron Tick", "topic Events → Events_subscriber_audit", "bus Orders paid",
			"bucket Files thumbs", "stream Clicks counter", "lambda:Invoke", "lambda:Invoke (deployed)", "script Seed create"} {
			if !strings.Contains(body, "<td>"+source+"</td>") {
				t.Errorf("the console's feed lacks the source %q", source)
			}
		}
		// The first notification replayed from the feed runs the edited
		// subscriber (audit-v2) on the recorded event.
		var replayID string
		for _, row := range regexp.MustCompile(`(?s)<tr class="invocation" data-id="([^"]+)">(.*?)</tr>`).FindAllStringSubmatch(body, -1) {
			if strings.Contains(row[2], "<td>topic Events → Events_subscriber_audit</td>") && strings.Contains(row[2], "order-1") {
				replayID = row[1]
			}
		}
		if replayID == "" {
			t.Fatalf("no row for the order-1 notification in the feed:\n%s", body)
		}
		if status, body := get("POST", "/functions/replay", neturl.Values{"id": {replayID}}); status != 200 || !strings.Contains(body, "replay "+replayID) {
			t.Errorf("replay from the console: %d\n%s", status, body)
		}
		waitOutput(t, out, "audit-v2 got order-1 (aws:sns)")
		status, body = get("POST", "/functions/invoke", neturl.Values{"fn": {"Api_GET_items"}, "payload": {`{"rawPath":"/items"}`}})
		if status != 200 || !strings.Contains(body, "Succeeded") || !strings.Contains(body, "node-v1") {
			t.Errorf("invoke from the console: %d\n%s", status, body)
		}
	})

	t.Run("edits change the next response without a restart", func(t *testing.T) {
		editFile(t, filepath.Join(dir, "functions", "list.ts"), `by: "node-v1"`, `by: "node-v2"`)
		waitBody(t, c, "GET", url+"/items", "", `"node-v2"`)
		// Direct invocations run the new code too: relayed from the
		// deployed function, and through the local Lambda API.
		if answer := relay(t, "req-2"); !strings.Contains(answer, `"by":"node-v2"`) {
			t.Errorf("relayed answer after the edit %s", answer)
		}
		if status, body := call(t, c, "POST", url+"/items?invoke="+stage+"-devapp-Api_GET_items", ""); status != 200 || !strings.Contains(body, "node-v2") {
			t.Errorf("POST /items?invoke=… after the edit: %d %s", status, body)
		}
		editFile(t, filepath.Join(dir, "functions", "create", "main.go"), `"go-v1"`, `"go-v2"`)
		waitBody(t, c, "POST", url+"/items", `{"name":"beta"}`, `"go-v2"`)
		if !strings.Contains(out.String(), "↻ Rebuilt functions/create") {
			t.Errorf("the rebuild was not reported")
		}
	})

	t.Run("a throwing handler gives a 500 and a logged stack trace", func(t *testing.T) {
		status, body := call(t, c, "GET", url+"/boom", "")
		if status != 500 || body != `{"message":"Internal Server Error"}` {
			t.Fatalf("GET /boom: %d %s", status, body)
		}
		waitOutput(t, out, "boom from the list handler")
		waitOutput(t, out, "list.ts:")
		if status, _ := call(t, c, "GET", url+"/items", ""); status != 200 {
			t.Fatalf("the server stopped serving after a handler error: %d", status)
		}
	})

	t.Run("two concurrent requests are both served", func(t *testing.T) {
		var wg sync.WaitGroup
		bodies := make([]string, 2)
		statuses := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				resp, err := c.Get(url + "/slow")
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				statuses[i], bodies[i] = resp.StatusCode, string(b)
			}(i)
		}
		wg.Wait()
		if statuses[0] != 200 || statuses[1] != 200 {
			t.Fatalf("statuses %v bodies %v", statuses, bodies)
		}
		if bodies[0] == bodies[1] {
			t.Errorf("both requests ran in one process (%s): concurrent requests need a worker each", bodies[0])
		}
	})

	t.Run("a handler that fails to build keeps serving the last good build", func(t *testing.T) {
		src := filepath.Join(dir, "functions", "create", "main.go")
		good, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(src, append(append([]byte(nil), good...), "\nfunc broken( {\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		waitOutput(t, out, "✗ Build failed: functions/create (still serving the last good build)")
		waitOutput(t, out, "syntax error")
		if status, body := call(t, c, "POST", url+"/items", `{"name":"gamma"}`); status != 201 || !strings.Contains(body, "go-v2") {
			t.Errorf("after a failed build: %d %s", status, body)
		}
		if err := os.WriteFile(src, good, 0o644); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a WebSocket message reaches its handler, which answers on the connection", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		wsURL := devURL(t, dir, stage, "Chat")
		if !strings.HasPrefix(wsURL, "ws://127.0.0.1:") {
			t.Fatalf("Chat's local URL %q", wsURL)
		}
		conn, _, err := websocket.Dial(ctx, wsURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(websocket.StatusNormalClosure, "")
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"text":"hi"}`)); err != nil {
			t.Fatal(err)
		}
		_, got, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != `echo: {"text":"hi"}` {
			t.Errorf("answer %q", got)
		}
	})

	t.Run("an edited stack is deployed again, its new route served and its Script's onUpdate run here with the edited handler", func(t *testing.T) {
		editAndRebuild(t, out, filepath.Join(dir, "functions", "job.ts"), "seed-v1", "seed-v2", "functions/job.seed")
		// One write, so one redeploy: a route and the Script's Version.
		app := filepath.Join(dir, "main.go")
		b, err := os.ReadFile(app)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.NewReplacer(`Version:  "v1",`, `Version:  "v2",`, `"GET /slow":   {Handler: "functions/list.slow"},`,
			`"GET /slow":   {Handler: "functions/list.slow"},
			"GET /added":  {Handler: "functions/list.slow"},`).Replace(string(b))
		if err := os.WriteFile(app, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		waitOutput(t, out, "the app changed: synthesizing and deploying what changed")
		deadline := time.Now().Add(5 * time.Minute)
		for {
			if status, _ := call(t, c, "GET", url+"/added", ""); status == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the new route was never served")
			}
			time.Sleep(500 * time.Millisecond)
		}
		if status, _ := call(t, c, "GET", url+"/items", ""); status != 200 {
			t.Errorf("old routes stopped working after the redeploy: %d", status)
		}
		waitOutput(t, out, `seed-v2 update {"rows":1}`)
		waitOutput(t, out, "Seed_onUpdate script Seed update")
	})

	t.Run("sst bind runs a command with a function's bindings", func(t *testing.T) {
		r := mustSSTEnv(t, dir, echoEnv, "bind", "--stage", stage, "--function", "Api_GET_items", "--", "sh", "-c", "echo table=$SST_Table_tableName_Items")
		if !strings.Contains(r.stdout, "table="+stage+"-devapp-Items") {
			t.Errorf("sst bind output:\n%s", r)
		}
	})

	t.Run("the message the local consumer kept reporting failed went to the dead-letter queue", func(t *testing.T) {
		// SQS, not sst dev, moves it: received MaxReceiveCount (2) times,
		// each left on the queue by the poller, one visibility timeout
		// (30 s) apart; the subtests since then took longer than that.
		ctx := context.Background()
		q := sqs.NewFromConfig(cfg)
		dlq, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(stage + "-devapp-Jobs_dlq")})
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(3 * time.Minute); ; {
			got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Messages) > 0 {
				if len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "fail-once" {
					t.Errorf("the dead-letter queue holds %s, want only fail-once", jsonOf(got.Messages))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("fail-once never reached the dead-letter queue")
			}
		}
		if n := strings.Count(out.String(), "queue Jobs: 1 of 1 message(s) reported failed"); n < 2 {
			t.Errorf("the failure was reported %d time(s), want one per receive (2)", n)
		}
	})

	t.Run("Ctrl-C stops the server and every worker", func(t *testing.T) {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			stopped = true
			if err != nil {
				t.Errorf("sst dev exited with %v after Ctrl-C, want 0", err)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("sst dev did not stop within a minute of Ctrl-C")
		}
		if _, err := os.Stat(filepath.Join(dir, ".sst", "dev", stage, "dev.json")); err == nil {
			t.Error("dev.json is still there: sst env would point at a dead server")
		}
		if left := processesUnder(filepath.Join(dir, ".sst", "dev")); len(left) > 0 {
			t.Errorf("workers still running after sst dev stopped: %v", left)
		}
		if _, err := c.Get(url + "/items"); err == nil {
			t.Error("the local Api still answers after Ctrl-C")
		}
		if !strings.Contains(out.String(), "the deployed wiring of bucket Files thumbs, bus Orders paid, cron Tick, queue Jobs, stream Clicks counter, topic Events → Events_subscriber_audit stays paused until `sst deploy --stage "+stage+"`") {
			t.Error("sst dev did not say the queue's mapping stays paused")
		}
		if !strings.Contains(out.String(), "the deployed functions of stage "+stage+" relay to sst dev") {
			t.Error("sst dev did not say the deployed functions stay relay stubs")
		}
	})

	t.Run("sst deploy after sst dev restores the queue's mapping, the cron's rule, the topic's subscription, the bus target, the bucket notification and the stream's mapping", func(t *testing.T) {
		if devMapping == nil || devRule == nil || devSub.Protocol == nil || devTarget.Arn == nil || devNotif == nil || devStream == nil {
			t.Skip("the queue, cron, topic, bus, bucket or stream subtest failed")
		}
		deployed := mustSSTEnv(t, dir, echoEnv, "deploy", "--stage", stage)
		// The dispatcher calls the phases' functions again; the invocation
		// is unchanged, so no phase runs on the deployed code.
		if !strings.Contains(deployed.stdout, "aws_lambda_function.Seed_dispatcher") || strings.Contains(deployed.stdout+deployed.stderr, "aws_lambda_invocation.Seed") {
			t.Errorf("sst deploy after sst dev should update the Script's dispatcher and not invoke it:\n%s", deployed)
		}
		// Each function's own code again, and the relay's queue and table gone.
		if got, err := lc.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(stage + "-devapp-Api_POST_items")}); err != nil ||
			got.Runtime != lambdatypes.RuntimeProvidedal2023 || aws.ToString(got.Handler) != "bootstrap" || got.Environment.Variables["SST_DEV_RELAY_QUEUE"] != "" {
			t.Errorf("the Go function after sst deploy: %v %v", jsonOf(got), err)
		}
		if _, err := sqs.NewFromConfig(cfg).GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(stage + "-devapp-Dev_relay")}); err == nil {
			t.Error("the relay queue is still there after sst deploy")
		}
		if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(stage + "-devapp-Dev_relay")}); err == nil {
			t.Error("the relay table is still there after sst deploy")
		}
		if env := dispatcherEnv(t); !strings.HasSuffix(env["SST_SCRIPT_CREATE"], "-devapp-Seed_onCreate") || !strings.HasSuffix(env["SST_SCRIPT_UPDATE"], "-devapp-Seed_onUpdate") {
			t.Errorf("the dispatcher's environment after sst deploy: %v", env)
		}
		// The same stream mapping (not a replacement), enabled, with the
		// settings the app declares.
		if got := sourceMapping(t, cfg, streamArn); aws.ToString(got.State) != "Enabled" || aws.ToString(got.UUID) != aws.ToString(devStream.UUID) ||
			aws.ToString(got.FunctionArn) != aws.ToString(devStream.FunctionArn) || !strings.HasSuffix(aws.ToString(got.FunctionArn), stage+"-devapp-Clicks_consumer_counter") ||
			aws.ToInt32(got.BatchSize) != 10 || got.StartingPosition != "TRIM_HORIZON" || !aws.ToBool(got.BisectBatchOnFunctionError) || aws.ToInt32(got.MaximumRetryAttempts) != 1 {
			t.Errorf("stream mapping after sst deploy:\n%s\nduring sst dev:\n%s", jsonOf(got), jsonOf(devStream))
		}
		target := ruleTarget(t, cfg, stage+"-devapp-Orders_paid", stage+"-devapp-Orders")
		if !strings.HasSuffix(aws.ToString(target.Arn), ":function:"+stage+"-devapp-Orders_paid_bill") || aws.ToString(target.Id) != "bill" ||
			target.RetryPolicy == nil || aws.ToInt32(target.RetryPolicy.MaximumRetryAttempts) != 2 {
			t.Errorf("bus target after sst deploy: %s", jsonOf(target))
		}
		notif, err := s3c.GetBucketNotificationConfiguration(context.Background(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		if len(notif.QueueConfigurations) != 0 || len(notif.LambdaFunctionConfigurations) != 1 {
			t.Fatalf("bucket notifications after sst deploy: %s", jsonOf(notif))
		}
		lf, dq := notif.LambdaFunctionConfigurations[0], devNotif.QueueConfigurations[0]
		if !strings.HasSuffix(aws.ToString(lf.LambdaFunctionArn), ":function:"+stage+"-devapp-Files_notification_thumbs") || aws.ToString(lf.Id) != "thumbs" ||
			jsonOf(lf.Events) != jsonOf(dq.Events) || jsonOf(lf.Filter) != jsonOf(dq.Filter) || !strings.Contains(jsonOf(lf.Filter), `"Value":"img/"`) {
			t.Errorf("bucket notification after sst deploy: %s\nduring sst dev: %s", jsonOf(lf), jsonOf(dq))
		}
		for _, q := range []string{"Orders_paid_bill_dev", "Files_notification_thumbs_dev"} {
			if _, err := sqs.NewFromConfig(cfg).GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(stage + "-devapp-" + q)}); err == nil {
				t.Errorf("the dev-only queue %s is still there after sst deploy", q)
			}
		}
		rule := describeRule(t, cfg, stage+"-devapp-Tick")
		if rule.State != "ENABLED" || aws.ToString(rule.Arn) != aws.ToString(devRule.Arn) || aws.ToString(rule.ScheduleExpression) != "rate(1 minute)" {
			t.Errorf("rule after sst deploy: %s %s %s", rule.State, aws.ToString(rule.Arn), aws.ToString(rule.ScheduleExpression))
		}
		sub := topicSubscription(t, cfg, "arn:aws:sns:us-east-1:123456789012:"+stage+"-devapp-Events")
		if aws.ToString(sub.Protocol) != "lambda" || !strings.HasSuffix(aws.ToString(sub.Endpoint), ":function:"+stage+"-devapp-Events_subscriber_audit") {
			t.Errorf("subscription after sst deploy: %s → %s", aws.ToString(sub.Protocol), aws.ToString(sub.Endpoint))
		}
		attrs, err := sns.NewFromConfig(cfg).GetSubscriptionAttributes(context.Background(), &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
		if err != nil || attrs.Attributes["FilterPolicy"] != `{"kind":["order"]}` {
			t.Errorf("subscription filter policy after sst deploy: %v %v", attrs, err)
		}
		if _, err := sqs.NewFromConfig(cfg).GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(stage + "-devapp-Events_subscriber_audit_dev")}); err == nil {
			t.Error("the dev-only queue is still there after sst deploy")
		}
		targets, err := eventbridge.NewFromConfig(cfg).ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(stage + "-devapp-Tick")})
		if err != nil || len(targets.Targets) != 1 || !strings.HasSuffix(aws.ToString(targets.Targets[0].Arn), ":function:"+stage+"-devapp-Tick_job") ||
			aws.ToString(targets.Targets[0].Input) != `{"job":"cleanup"}` {
			t.Errorf("rule targets after sst deploy: %+v %v", targets, err)
		}
		got := queueMapping(t, cfg, stage+"-devapp-Jobs")
		if aws.ToString(got.State) != "Enabled" {
			t.Errorf("after sst deploy the mapping is %s, want Enabled", aws.ToString(got.State))
		}
		// The same mapping (not a replacement), with the settings the app
		// declares.
		if aws.ToString(got.UUID) != aws.ToString(devMapping.UUID) || aws.ToString(got.FunctionArn) != aws.ToString(devMapping.FunctionArn) ||
			aws.ToInt32(got.BatchSize) != 5 || aws.ToInt32(got.MaximumBatchingWindowInSeconds) != 1 ||
			fmt.Sprint(got.FunctionResponseTypes) != "[ReportBatchItemFailures]" || !strings.HasSuffix(aws.ToString(got.FunctionArn), stage+"-devapp-Jobs_consumer") {
			t.Errorf("mapping after sst deploy:\n%+v\nduring sst dev:\n%+v", *got, *devMapping)
		}
	})
}

// editAndRebuild edits a handler's file and waits for sst dev to rebuild
// handler (earlier edits of the same file rebuilt it too, so it counts).
func editAndRebuild(t *testing.T, out *syncBuffer, path, old, new, handler string) {
	t.Helper()
	rebuilt := strings.Count(out.String(), "↻ Rebuilt "+handler)
	editFile(t, path, old, new)
	for deadline := time.Now().Add(3 * time.Minute); strings.Count(out.String(), "↻ Rebuilt "+handler) == rebuilt; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s was not rebuilt after the edit", handler)
		}
	}
}

// ruleTarget reads back the one target of a rule on a bus.
func ruleTarget(t *testing.T, cfg aws.Config, rule, bus string) ebtypes.Target {
	t.Helper()
	out, err := eventbridge.NewFromConfig(cfg).ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule), EventBusName: aws.String(bus)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Targets) != 1 {
		t.Fatalf("rule %s has %d targets, want 1", rule, len(out.Targets))
	}
	return out.Targets[0]
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// topicSubscription reads back the one subscription of a topic.
func topicSubscription(t *testing.T, cfg aws.Config, topic string) snstypes.Subscription {
	t.Helper()
	out, err := sns.NewFromConfig(cfg).ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Subscriptions) != 1 {
		t.Fatalf("topic %s has %d subscriptions, want 1: %+v", topic, len(out.Subscriptions), out.Subscriptions)
	}
	return out.Subscriptions[0]
}

// describeRule reads back an EventBridge rule.
func describeRule(t *testing.T, cfg aws.Config, name string) *eventbridge.DescribeRuleOutput {
	t.Helper()
	out, err := eventbridge.NewFromConfig(cfg).DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// queueMapping reads back the event source mapping of the named queue.
func queueMapping(t *testing.T, cfg aws.Config, queue string) *lambdatypes.EventSourceMappingConfiguration {
	t.Helper()
	return sourceMapping(t, cfg, "arn:aws:sqs:us-east-1:123456789012:"+queue)
}

// sourceMapping reads back the one event source mapping of a source.
func sourceMapping(t *testing.T, cfg aws.Config, arn string) *lambdatypes.EventSourceMappingConfiguration {
	t.Helper()
	out, err := lambda.NewFromConfig(cfg).ListEventSourceMappings(context.Background(), &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EventSourceMappings) != 1 {
		t.Fatalf("%s has %d event source mappings, want 1", arn, len(out.EventSourceMappings))
	}
	return &out.EventSourceMappings[0]
}

// devURL reads an Api's local URL from a running sst dev's dev.json.
func devURL(t *testing.T, dir, stage, api string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".sst", "dev", stage, "dev.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Apis map[string]struct{ Local string }
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st.Apis[api].Local
}

// waitDevURL waits for sst dev to deploy, build and publish its local
// Api's URL in .sst/dev/<stage>/dev.json.
func waitDevURL(t *testing.T, dir, stage string, exited chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("sst dev exited early: %v", err)
		case <-time.After(500 * time.Millisecond):
		}
		b, err := os.ReadFile(filepath.Join(dir, ".sst", "dev", stage, "dev.json"))
		if err != nil {
			continue
		}
		var st struct {
			Apis map[string]struct{ Local string }
		}
		if json.Unmarshal(b, &st) == nil && st.Apis["Api"].Local != "" {
			return st.Apis["Api"].Local
		}
	}
	t.Fatal("sst dev did not come up within 10 minutes")
	return ""
}

func call(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitBody repeats a request until its body contains want: a rebuild is
// picked up by the first request after it finishes.
func waitBody(t *testing.T, c *http.Client, method, url, body, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	last := ""
	for time.Now().Before(deadline) {
		_, got := call(t, c, method, url, body)
		if strings.Contains(got, want) {
			return
		}
		last = got
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s %s never answered with %s; last: %s", method, url, want, last)
}

func waitOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if strings.Contains(out.String(), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("sst dev never printed %q", want)
}

// processesUnder lists processes whose command line mentions dir.
func processesUnder(dir string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		line := string(bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
		if strings.Contains(line, dir) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// syncBuffer collects a process's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
