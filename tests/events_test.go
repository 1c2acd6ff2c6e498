package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/appsync"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/sst-tf/sst/manifest"
	"github.com/sst-tf/sst/runtime/job"
)

// TestEvents deploys one app with an EventBus, a Cron, a KinesisStream, a
// WebSocketApi, an ApiGatewayV1Api, a Job, a Service (its image pushed to a
// registry on loopback) and a Script, reads every resource back, and removes it.
//
// It runs against the suite's second moto (startEchoMoto, shared with
// TestBackendExample): the deploy script needs Lambda invoke, which moto
// answers only in its "use_docker: false" echo mode, and that mode switches
// moto to a separate Lambda store — flipping it on the main emulator would
// hide the other tests' functions from them.
func TestEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, env := startEchoMoto(t)

	const stage, prefix = "evte2e", "evte2e-evts-"
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "events"))
	// The Service's image goes to a registry on loopback (moto's ECR has
	// none to push to).
	regHost := startRegistry(t)
	env["SST_IMAGE_REGISTRY"] = regHost
	mustSSTEnv(t, dir, env, "deploy", "--stage", stage)
	outputs := readOutputs(t, dir, stage)["Events"]

	eb := eventbridge.NewFromConfig(cfg)
	lam := lambda.NewFromConfig(cfg)

	// EventBus: the rule's pattern and its three targets.
	bus := prefix + "Bus"
	if _, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(bus)}); err != nil {
		t.Fatalf("event bus %s: %v", bus, err)
	}
	rule, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(prefix + "Bus_orders"), EventBusName: aws.String(bus)})
	if err != nil {
		t.Fatalf("rule: %v", err)
	}
	var pattern map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(rule.EventPattern)), &pattern); err != nil {
		t.Fatalf("pattern %q: %v", aws.ToString(rule.EventPattern), err)
	}
	if got, _ := json.Marshal(pattern); string(got) != `{"detail":{"total":[{"numeric":["\u003e",100]}]},"detail-type":["order.created"],"source":["shop"]}` {
		t.Errorf("rule pattern = %s", got)
	}
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(prefix + "Bus_orders"), EventBusName: aws.String(bus)})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, tg := range targets.Targets {
		byID[aws.ToString(tg.Id)] = aws.ToString(tg.Arn)
		if rp := tg.RetryPolicy; rp == nil || aws.ToInt32(rp.MaximumRetryAttempts) != 4 || aws.ToInt32(rp.MaximumEventAgeInSeconds) != 600 {
			t.Errorf("target %s retry policy = %+v", aws.ToString(tg.Id), rp)
		}
	}
	if !strings.HasSuffix(byID["fn"], ":function:"+prefix+"Bus_orders_fn") ||
		!strings.HasSuffix(byID["queue"], ":"+prefix+"Inbox") ||
		!strings.Contains(byID["log"], ":log-group:/aws/events/"+prefix+"Bus-orders-log") {
		t.Errorf("targets = %v", byID)
	}
	sub, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(prefix + "Bus_user_signup_1"), EventBusName: aws.String(bus)})
	if err != nil || !strings.Contains(aws.ToString(sub.EventPattern), `"user.signup"`) {
		t.Errorf("subscription rule: %v %v", sub, err)
	}
	q := sqs.NewFromConfig(cfg)
	qurl, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(prefix + "Inbox")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qurl.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil || !strings.Contains(attrs.Attributes["Policy"], "events.amazonaws.com") || !strings.Contains(attrs.Attributes["Policy"], "rule/"+bus+"/"+prefix+"Bus_orders") {
		t.Errorf("queue policy = %v, %v", attrs, err)
	}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	pols, err := logs.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range pols.ResourcePolicies {
		if aws.ToString(p.PolicyName) == prefix+"Bus-events" && strings.Contains(aws.ToString(p.PolicyDocument), "events.amazonaws.com") {
			found = true
		}
	}
	if !found {
		t.Errorf("no log resource policy %sBus-events among %d", prefix, len(pols.ResourcePolicies))
	}

	// Cron: schedule and state on the default bus, the job as target.
	cron, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(prefix + "Nightly")})
	if err != nil {
		t.Fatalf("cron rule: %v", err)
	}
	if aws.ToString(cron.ScheduleExpression) != "cron(0 3 * * ? *)" || cron.State != "ENABLED" {
		t.Errorf("cron = %s %s", aws.ToString(cron.ScheduleExpression), cron.State)
	}
	ct, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(prefix + "Nightly")})
	if err != nil || len(ct.Targets) != 1 || !strings.HasSuffix(aws.ToString(ct.Targets[0].Arn), prefix+"Nightly_job") {
		t.Errorf("cron targets = %+v, %v", ct, err)
	}

	// KinesisStream: on-demand, read by its consumer.
	ks := kinesis.NewFromConfig(cfg)
	sum, err := ks.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(prefix + "Clicks")})
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	d := sum.StreamDescriptionSummary
	if d.StreamModeDetails == nil || d.StreamModeDetails.StreamMode != "ON_DEMAND" {
		t.Errorf("stream mode = %+v", d.StreamModeDetails)
	}
	// moto ignores the FunctionName filter; match on the stream instead.
	maps, err := lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: d.StreamARN})
	if err != nil {
		t.Fatal(err)
	}
	var consumers []string
	for _, em := range maps.EventSourceMappings {
		if aws.ToString(em.EventSourceArn) == aws.ToString(d.StreamARN) {
			consumers = append(consumers, aws.ToString(em.FunctionArn))
			if aws.ToInt32(em.BatchSize) != 25 {
				t.Errorf("consumer batch size = %d", aws.ToInt32(em.BatchSize))
			}
		}
	}
	if len(consumers) != 1 || !strings.HasSuffix(consumers[0], ":function:"+prefix+"Clicks_consumer_counter") {
		t.Errorf("stream consumers = %v", consumers)
	}

	// WebSocketApi: protocol, selection expression, routes, stage, URL.
	apis := apigatewayv2.NewFromConfig(cfg)
	all, err := apis.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	var apiID string
	for _, a := range all.Items {
		if aws.ToString(a.Name) == prefix+"Chat" {
			apiID = aws.ToString(a.ApiId)
			if a.ProtocolType != "WEBSOCKET" || aws.ToString(a.RouteSelectionExpression) != "$request.body.action" {
				t.Errorf("api = %s %s", a.ProtocolType, aws.ToString(a.RouteSelectionExpression))
			}
		}
	}
	if apiID == "" {
		t.Fatalf("no API named %sChat", prefix)
	}
	rs, err := apis.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(apiID)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rs.Items {
		keys = append(keys, aws.ToString(r.RouteKey))
	}
	sort.Strings(keys)
	if strings.Join(keys, " ") != "$connect $default sendMessage" {
		t.Errorf("routes = %v", keys)
	}
	st, err := apis.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: aws.String(apiID), StageName: aws.String(stage)})
	if err != nil || !aws.ToBool(st.AutoDeploy) {
		t.Errorf("stage: %+v, %v", st, err)
	}
	if u := outputs["ChatUrl"]; !strings.HasPrefix(u, "wss://") || !strings.HasSuffix(u, "/"+stage) {
		t.Errorf("ChatUrl = %q", u)
	}
	fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Chat_sendMessage")})
	if err != nil {
		t.Fatal(err)
	}
	if u := fn.Configuration.Environment.Variables["SST_WebSocketApi_url_Chat"]; u != outputs["ChatUrl"] {
		t.Errorf("bound url = %q, output %q", u, outputs["ChatUrl"])
	}
	wantPolicy(t, cfg, prefix+"Chat_sendMessage", "execute-api:ManageConnections", apiID+"/*")

	// The HTTP API's url and aws routes, and constructs given as
	// permissions, as the emulator holds them.
	var hooksID string
	for _, a := range all.Items {
		if aws.ToString(a.Name) == prefix+"Hooks" {
			hooksID = aws.ToString(a.ApiId)
		}
	}
	if hooksID == "" {
		t.Fatalf("no API named %sHooks", prefix)
	}
	integs, err := apis.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(hooksID)})
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]string{}
	for _, in := range integs.Items {
		byType[string(in.IntegrationType)] = fmt.Sprintf("%s %s %s %s %v", aws.ToString(in.IntegrationUri), aws.ToString(in.IntegrationSubtype),
			aws.ToString(in.CredentialsArn), aws.ToString(in.PayloadFormatVersion), in.RequestParameters)
	}
	routeRole := prefix + "Hooks_POST_orders"
	if want := "https://example.com/docs/{proxy}   1.0 map[]"; byType["HTTP_PROXY"] != want {
		t.Errorf("url route integration = %q, want %q", byType["HTTP_PROXY"], want)
	}
	if want := fmt.Sprintf(" EventBridge-PutEvents arn:aws:iam::123456789012:role/%s 1.0 map[Detail:$request.body DetailType:order.created EventBusName:%s Source:shop]", routeRole, bus); byType["AWS_PROXY"] != want {
		t.Errorf("aws route integration = %q\nwant %q", byType["AWS_PROXY"], want)
	}
	checkAwsRouteState(t, dir, stage, bus)
	rp, err := iam.NewFromConfig(cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(routeRole), PolicyName: aws.String("sst-api-route")})
	if err != nil {
		t.Fatal(err)
	}
	// IAM keeps the document, not its key order: compare what it says.
	doc, _ := url.QueryUnescape(aws.ToString(rp.PolicyDocument))
	var routePolicy struct {
		Statement []struct{ Effect, Action, Resource any }
	}
	if err := json.Unmarshal([]byte(doc), &routePolicy); err != nil {
		t.Fatalf("aws route role policy %q: %v", doc, err)
	}
	if got, _ := json.Marshal(routePolicy.Statement); string(got) != `[{"Effect":"Allow","Action":["events:PutEvents"],"Resource":["arn:aws:events:us-east-1:123456789012:event-bus/`+bus+`"]}]` {
		t.Errorf("aws route role policy = %s", doc)
	}
	wantPolicy(t, cfg, prefix+"Chat_sendMessage", "sqs:SendMessage", ":"+prefix+"Inbox")
	wantPolicy(t, cfg, prefix+"Chat_sendMessage", "execute-api:Invoke", hooksID+"/*")

	checkRestApi(t, cfg, prefix, stage, outputs["RestUrl"])
	graphKey := checkAppSyncApi(t, cfg, prefix, stage, outputs["GraphUrl"])
	checkService(t, cfg, dir, stage, prefix, regHost, outputs)
	checkJob(t, cfg, prefix, bus)

	// Script: the dispatcher was invoked on create with the params; moto
	// echoes the input, with the phase the provider adds.
	var echoed struct {
		Params map[string]any `json:"params"`
		TF     struct {
			Action string `json:"action"`
		} `json:"tf"`
	}
	if err := json.Unmarshal([]byte(outputs["ScriptResult"]), &echoed); err != nil {
		t.Fatalf("ScriptResult %q: %v", outputs["ScriptResult"], err)
	}
	if echoed.TF.Action != "create" || echoed.Params["rows"] != float64(3) || echoed.Params["stream"] != prefix+"Clicks" {
		t.Errorf("script invocation input = %s", outputs["ScriptResult"])
	}
	seed, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Seed_onCreate")})
	if err != nil {
		t.Fatal(err)
	}
	if e := seed.Configuration.Environment.Variables; e["SST_EventBus_eventBusName_Bus"] != bus || e["SST_KinesisStream_streamName_Clicks"] != prefix+"Clicks" {
		t.Errorf("script function env = %v", e)
	}
	wantPolicy(t, cfg, prefix+"Seed_onCreate", "events:PutEvents", "event-bus/"+bus)
	wantPolicy(t, cfg, prefix+"Seed_onCreate", "kinesis:PutRecords", "stream/"+prefix+"Clicks")
	wantPolicy(t, cfg, prefix+"Seed_dispatcher", "lambda:InvokeFunction", "function:"+prefix+"Seed_onDelete")

	// remove runs the script's delete phase and leaves nothing behind.
	mustSSTEnv(t, dir, env, "remove", "--stage", stage, "--yes")
	if left := eventsInventory(t, cfg, prefix); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if _, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(graphKey)}); err == nil {
		t.Errorf("the API key's parameter %s is left behind", graphKey)
	}
}

// checkAppSyncApi reads the AppSyncApi back as far as moto serves AppSync:
// the API's modes and X-Ray, its schema's types, the API key (a year
// ahead) and the SecureString holding it, and the bound function's
// variables and policy. It returns the parameter's name.
func checkAppSyncApi(t *testing.T, cfg aws.Config, prefix, stage, url string) string {
	t.Helper()
	ctx := context.Background()
	as := appsync.NewFromConfig(cfg)
	apis, err := as.ListGraphqlApis(ctx, &appsync.ListGraphqlApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, a := range apis.GraphqlApis {
		if aws.ToString(a.Name) != prefix+"Graph" {
			continue
		}
		id = aws.ToString(a.ApiId)
		if a.AuthenticationType != "API_KEY" || len(a.AdditionalAuthenticationProviders) != 1 || a.AdditionalAuthenticationProviders[0].AuthenticationType != "AWS_IAM" || !a.XrayEnabled {
			t.Errorf("graphql api = %+v", a)
		}
		if url != a.Uris["GRAPHQL"] {
			t.Errorf("GraphUrl = %q, want %q", url, a.Uris["GRAPHQL"])
		}
	}
	if id == "" {
		t.Fatalf("no GraphQL API named %sGraph", prefix)
	}
	// moto parses the schema and knows its types by name (it returns no
	// definitions).
	if typ, err := as.GetType(ctx, &appsync.GetTypeInput{ApiId: aws.String(id), TypeName: aws.String("Note"), Format: "SDL"}); err != nil || aws.ToString(typ.Type.Name) != "Note" {
		t.Errorf("schema type Note: %v", err)
	}
	if _, err := as.GetType(ctx, &appsync.GetTypeInput{ApiId: aws.String(id), TypeName: aws.String("Missing"), Format: "SDL"}); err == nil {
		t.Error("the schema has a type Missing: was it deployed?")
	}
	keys, err := as.ListApiKeys(ctx, &appsync.ListApiKeysInput{ApiId: aws.String(id)})
	if err != nil || len(keys.ApiKeys) != 1 {
		t.Fatalf("api keys: %v %v", keys, err)
	}
	key := keys.ApiKeys[0]
	if left := time.Until(time.Unix(key.Expires, 0)); left < 364*24*time.Hour || left > 366*24*time.Hour {
		t.Errorf("api key expires in %v, want a year", left)
	}
	name := "/sst/evts/" + stage + "/AppSyncApi/Graph/apiKey"
	p, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatalf("api key parameter: %v", err)
	}
	if p.Parameter.Type != "SecureString" || aws.ToString(p.Parameter.Value) != aws.ToString(key.Id) {
		t.Errorf("api key parameter = %s %q, want the key %q", p.Parameter.Type, aws.ToString(p.Parameter.Value), aws.ToString(key.Id))
	}
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Rest_ANY_proxy")})
	if err != nil {
		t.Fatal(err)
	}
	if e := fn.Configuration.Environment.Variables; e["SST_AppSyncApi_url_Graph"] != url || e["SST_AppSyncApi_apiId_Graph"] != id || e["SST_AppSyncApi_apiKey_Graph"] != "__FETCH_FROM_SSM__" {
		t.Errorf("bound function env = %v", e)
	}
	wantPolicy(t, cfg, prefix+"Rest_ANY_proxy", "ssm:GetParameters", "parameter"+name)
	wantPolicy(t, cfg, prefix+"Rest_ANY_proxy", "appsync:GraphQL", "apis/"+id+"/types/*")
	return name
}

// wantPolicy checks that the function's inline policy grants action on a
// resource containing res, and nothing on "*".
func wantPolicy(t *testing.T, cfg aws.Config, role, action, res string) {
	t.Helper()
	out, err := iam.NewFromConfig(cfg).GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("sst-function")})
	if err != nil {
		t.Fatalf("policy of %s: %v", role, err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	var pol struct {
		Statement []struct {
			Action   []string `json:"Action"`
			Resource []string `json:"Resource"`
		} `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		t.Fatalf("policy of %s: %v\n%s", role, err, doc)
	}
	found := false
	for _, s := range pol.Statement {
		for _, r := range s.Resource {
			if r == "*" {
				t.Errorf("%s: a statement on *: %s", role, doc)
			}
		}
		for _, a := range s.Action {
			if a == action {
				for _, r := range s.Resource {
					if strings.Contains(r, res) {
						found = true
					}
				}
			}
		}
	}
	if !found {
		t.Errorf("%s: no %s on %s in %s", role, action, res, doc)
	}
}

// eventsInventory lists what is left with the prefix: functions, roles,
// APIs, buses, default-bus rules, streams, queues and log groups.
func eventsInventory(t *testing.T, cfg aws.Config, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var left []string
	add := func(kind, name string) {
		if strings.HasPrefix(name, prefix) || strings.Contains(name, "/"+prefix) {
			left = append(left, kind+" "+name)
		}
	}
	fns, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns.Functions {
		add("function", aws.ToString(f.FunctionName))
	}
	roles, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles.Roles {
		add("role", aws.ToString(r.RoleName))
	}
	apis, err := apigatewayv2.NewFromConfig(cfg).GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apis.Items {
		add("api", aws.ToString(a.Name))
	}
	projects, err := codebuild.NewFromConfig(cfg).ListProjects(ctx, &codebuild.ListProjectsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects.Projects {
		// moto 5.2 ignores DeleteProject given an ARN (AWS takes a name or
		// an ARN), and the provider deletes by its id, the ARN: the Job's
		// project stays in moto's memory. Its role, bucket and invoker,
		// destroyed in the same apply, are checked here.
		if p == prefix+"Report" {
			continue
		}
		add("codebuild project", p)
	}
	buckets, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets.Buckets {
		add("bucket", aws.ToString(b.Name))
	}
	graphs, err := appsync.NewFromConfig(cfg).ListGraphqlApis(ctx, &appsync.ListGraphqlApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range graphs.GraphqlApis {
		add("graphql api", aws.ToString(a.Name))
	}
	rest, err := apigateway.NewFromConfig(cfg).GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range rest.Items {
		add("rest api", aws.ToString(a.Name))
	}
	eb := eventbridge.NewFromConfig(cfg)
	buses, err := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buses.EventBuses {
		add("bus", aws.ToString(b.Name))
	}
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Rules {
		add("rule", aws.ToString(r.Name))
	}
	streams, err := kinesis.NewFromConfig(cfg).ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range streams.StreamNames {
		add("stream", s)
	}
	queues, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range queues.QueueUrls {
		add("queue", u[strings.LastIndex(u, "/")+1:])
	}
	groups, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.LogGroups {
		add("log group", aws.ToString(g.LogGroupName))
	}
	pols, err := cloudwatchlogs.NewFromConfig(cfg).DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pols.ResourcePolicies {
		add("log policy", aws.ToString(p.PolicyName))
	}
	serviceInventory(t, cfg, prefix, add)
	return left
}

// checkRestApi reads the ApiGatewayV1Api back: its resource tree, each
// method's authorization and Lambda proxy integration, the token
// authorizer, the CORS preflight, the stage with its access log, and the
// URL bound to a route.
func checkRestApi(t *testing.T, cfg aws.Config, prefix, stage, url string) {
	t.Helper()
	ctx := context.Background()
	gw := apigateway.NewFromConfig(cfg)
	all, err := gw.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, a := range all.Items {
		if aws.ToString(a.Name) == prefix+"Rest" {
			id = aws.ToString(a.Id)
		}
	}
	if id == "" {
		t.Fatalf("no REST API named %sRest", prefix)
	}
	if want := "https://" + id + ".execute-api.us-east-1.amazonaws.com/" + stage + "/"; url != want {
		t.Errorf("RestUrl = %q, want %q", url, want)
	}
	res, err := gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(id), Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]string{}
	for _, r := range res.Items {
		for m := range r.ResourceMethods {
			got, err := gw.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: aws.String(id), ResourceId: r.Id, HttpMethod: aws.String(m)})
			if err != nil {
				t.Fatal(err)
			}
			desc := aws.ToString(got.AuthorizationType)
			if in := got.MethodIntegration; in != nil {
				desc += " " + string(in.Type)
				if in.Type == "AWS_PROXY" && !strings.Contains(aws.ToString(in.Uri), prefix+"Rest_") {
					t.Errorf("%s %s integration uri = %s", m, aws.ToString(r.Path), aws.ToString(in.Uri))
				}
			}
			methods[m+" "+aws.ToString(r.Path)] = desc
		}
	}
	want := map[string]string{
		"GET /notes/{id}": "CUSTOM AWS_PROXY", "OPTIONS /notes/{id}": "NONE MOCK",
		"ANY /{proxy+}": "NONE AWS_PROXY", "OPTIONS /{proxy+}": "NONE MOCK",
	}
	for k, v := range want {
		if methods[k] != v {
			t.Errorf("method %s = %q, want %q (all: %v)", k, methods[k], v, methods)
		}
	}
	az, err := gw.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: aws.String(id)})
	if err != nil || len(az.Items) != 1 || az.Items[0].Type != "TOKEN" || aws.ToString(az.Items[0].IdentitySource) != "method.request.header.Authorization" {
		t.Errorf("authorizers = %+v, %v", az, err)
	}
	st, err := gw.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(id), StageName: aws.String(stage)})
	if err != nil {
		t.Fatalf("stage %s: %v", stage, err)
	}
	if st.AccessLogSettings == nil || !strings.Contains(aws.ToString(st.AccessLogSettings.DestinationArn), "/aws/vendedlogs/apis/"+prefix+"Rest") || aws.ToString(st.DeploymentId) == "" {
		t.Errorf("stage = %+v", st)
	}
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Rest_ANY_proxy")})
	if err != nil {
		t.Fatal(err)
	}
	if u := fn.Configuration.Environment.Variables["SST_ApiGatewayV1Api_url_Rest"]; u != url {
		t.Errorf("bound url = %q, output %q", u, url)
	}
}

// checkJob reads the Job back: the CodeBuild project (timeout, compute,
// image, bound environment, source), the uploaded bundle, the invoker and
// the binding on a route's function; then starts a run through
// runtime/job (moto records the build; it runs nothing).
func checkJob(t *testing.T, cfg aws.Config, prefix, bus string) {
	t.Helper()
	ctx := context.Background()
	cb := codebuild.NewFromConfig(cfg)
	name := prefix + "Report"
	got, err := cb.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{name}})
	if err != nil || len(got.Projects) != 1 {
		t.Fatalf("project %s: %+v, %v", name, got, err)
	}
	p := got.Projects[0]
	env := map[string]string{}
	for _, v := range p.Environment.EnvironmentVariables {
		env[aws.ToString(v.Name)] = aws.ToString(v.Value)
	}
	if aws.ToInt32(p.TimeoutInMinutes) != 60 || p.Environment.ComputeType != "BUILD_GENERAL1_SMALL" || env["SST_EventBus_eventBusName_Bus"] != bus || env["SST_STAGE"] == "" {
		t.Errorf("project = timeout %d, compute %s, env %v", aws.ToInt32(p.TimeoutInMinutes), p.Environment.ComputeType, env)
	}
	loc := aws.ToString(p.Source.Location)
	if p.Source.Type != "S3" || loc != "evte2e-evts-report-code/Report.zip" || !strings.Contains(aws.ToString(p.Source.Buildspec), "SST_PAYLOAD") {
		t.Errorf("source = %s %s %s", p.Source.Type, loc, aws.ToString(p.Source.Buildspec))
	}
	bucket, key, _ := strings.Cut(loc, "/")
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		t.Errorf("bundle s3://%s: %v", loc, err)
	}
	lam := lambda.NewFromConfig(cfg)
	inv, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatalf("invoker: %v", err)
	}
	if e := inv.Configuration.Environment.Variables; e["SST_JOB_PROJECT"] != name || e["SST_EventBus_eventBusName_Bus"] != bus {
		t.Errorf("invoker env = %v", e)
	}
	wantPolicy(t, cfg, prefix+"Report_invoker", "codebuild:StartBuild", "project/"+name)
	route, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Rest_ANY_proxy")})
	if err != nil {
		t.Fatal(err)
	}
	if e := route.Configuration.Environment.Variables; e["SST_Job_functionName_Report"] != name || e["SST_Job_projectName_Report"] != name {
		t.Errorf("bound job env = %v", e)
	}
	wantPolicy(t, cfg, prefix+"Rest_ANY_proxy", "codebuild:StartBuild", "project/"+name)
	wantPolicy(t, cfg, prefix+"Rest_ANY_proxy", "lambda:InvokeFunction", "function:"+name)

	// moto 5.2 answers StartBuild with its timestamps as strings, which
	// the SDK refuses to decode after the build was recorded: a
	// deserialization error is that drift, anything else is a failure.
	id, err := job.StartBuild(ctx, cfg, name, map[string]any{"month": "2026-11"})
	var drift *smithy.DeserializationError
	if err != nil && !errors.As(err, &drift) {
		t.Fatalf("StartBuild: %v", err)
	}
	builds, err := cb.ListBuildsForProject(ctx, &codebuild.ListBuildsForProjectInput{ProjectName: aws.String(name)})
	if err != nil || len(builds.Ids) != 1 || !strings.HasPrefix(builds.Ids[0], name+":") || (id != "" && builds.Ids[0] != id) {
		t.Errorf("builds = %+v (StartBuild said %q), %v", builds, id, err)
	}
}

// checkAwsRouteState: the manifest names the aws route's integration by
// the address it has in the deployed Terraform state, where its request
// parameters are resolved — what `sst dev` evaluates for the route.
func checkAwsRouteState(t *testing.T, dir, stage, bus string) {
	t.Helper()
	m, err := manifest.Read(filepath.Join(dir, ".sst", "out", stage))
	if err != nil {
		t.Fatal(err)
	}
	var addr string
	for _, st := range m.Stacks {
		for _, r := range st.Routes {
			if r.Api == "Hooks" && r.Key == "POST /orders" {
				addr = r.Integration
			}
		}
	}
	typ, name, _ := strings.Cut(addr, ".")
	var state struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				Attributes struct {
					RequestParameters map[string]string `json:"request_parameters"`
				}
			}
		}
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, ".sst", "state", "Events", stage, "terraform.tfstate")), &state); err != nil {
		t.Fatal(err)
	}
	for _, r := range state.Resources {
		if r.Type == typ && r.Name == name && len(r.Instances) == 1 {
			if p := r.Instances[0].Attributes.RequestParameters; p["EventBusName"] != bus || p["Detail"] != "$request.body" {
				t.Errorf("%s request_parameters = %v", addr, p)
			}
			return
		}
	}
	t.Errorf("the manifest names the aws route's integration %q, which the deployed state does not hold", addr)
}
