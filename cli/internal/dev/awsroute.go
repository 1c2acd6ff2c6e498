package dev

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sst-tf/sst/internal/route"
)

// An HTTP API's aws routes (integration type AWS_PROXY with a subtype) are
// played by calling the service with sst dev's own AWS configuration: the
// deployed integration's parameter mapping is evaluated against the local
// request, and the service's answer goes back as API Gateway returns it.

// awsTimeout is an HTTP API integration's default (and largest) timeout.
const awsTimeout = 30 * time.Second

// Services is what a gateway's aws routes call AWS with.
type Services struct {
	// Config is the stage's SDK configuration: sst dev's credentials,
	// region and endpoint.
	Config aws.Config
	// Params returns the request parameters of the deployed integration
	// at a Terraform address (manifest.Route.Integration), every value
	// resolved; false when the deployed state has no such integration.
	Params func(integration string) (map[string]string, bool)

	once    sync.Once
	sqs     *sqs.Client
	events  *eventbridge.Client
	kinesis *kinesis.Client
	sfn     *sfn.Client
}

func (s *Services) clients() {
	s.once.Do(func() {
		// API Gateway calls once: a failure is the client's to retry.
		cfg := s.Config.Copy()
		cfg.RetryMaxAttempts = 1
		s.sqs = sqs.NewFromConfig(cfg)
		s.events = eventbridge.NewFromConfig(cfg)
		s.kinesis = kinesis.NewFromConfig(cfg)
		s.sfn = sfn.NewFromConfig(cfg)
	})
}

// AWSCall is one aws route's service call, for the terminal.
type AWSCall struct {
	Time     time.Time
	Subtype  string
	Source   string // "api Api POST /jobs"
	Status   int
	Duration time.Duration
	// Err is why the call failed; "" when the service answered.
	Err string
}

// awsAction calls one subtype's service action with the evaluated
// parameters and returns the body API Gateway answers with.
type awsAction func(ctx context.Context, s *Services, p awsParams) (any, error)

// awsActions are the subtypes sst dev plays; the others (AppConfig's) are
// answered 501.
var awsActions = map[string]awsAction{
	"SQS-SendMessage":                  sqsSendMessage,
	"SQS-ReceiveMessage":               sqsReceiveMessage,
	"SQS-DeleteMessage":                sqsDeleteMessage,
	"SQS-PurgeQueue":                   sqsPurgeQueue,
	"EventBridge-PutEvents":            eventsPutEvents,
	"Kinesis-PutRecord":                kinesisPutRecord,
	"StepFunctions-StartExecution":     sfnStartExecution,
	"StepFunctions-StartSyncExecution": sfnStartSyncExecution,
	"StepFunctions-StopExecution":      sfnStopExecution,
}

// badParam is a parameter value the service would refuse as malformed:
// the client gets 400, as from the service.
type badParam struct{ name, problem string }

func (e *badParam) Error() string { return fmt.Sprintf("parameter %s: %s", e.name, e.problem) }

// serveAWS answers an aws route: the deployed integration's parameter
// mapping evaluated against the request, the service called with the
// result, and its answer (or its error's status) passed back.
func (g *Gateway) serveAWS(w http.ResponseWriter, req *http.Request, r *gwRoute, ev map[string]any, params map[string]string, body []byte) {
	start := time.Now()
	source := "api " + g.Api + " " + r.key.String()
	report := func(status int, err string) {
		if g.Called != nil {
			g.Called(AWSCall{Time: start, Subtype: r.subtype, Source: source, Status: status, Duration: time.Since(start), Err: err})
		}
	}
	// fail answers with status and a message; why goes to the terminal.
	fail := func(status int, msg, why string) {
		writeJSON(w, status, map[string]string{"message": msg})
		report(status, why)
	}
	action, ok := awsActions[r.subtype]
	if !ok {
		g.warnOnce("aws:"+r.key.String(), fmt.Sprintf("route %s: sst dev does not call %s locally; it answers 501 (call the deployed API for it)", r.key, r.subtype))
		fail(http.StatusNotImplemented, "Not Implemented: route "+r.key.String()+" calls "+r.subtype+", which sst dev does not call locally; call the deployed API for it", "not played locally")
		return
	}
	var mapping map[string]string
	found := false
	if g.Services != nil && g.Services.Params != nil && r.integration != "" {
		mapping, found = g.Services.Params(r.integration)
	}
	if !found {
		why := fmt.Sprintf("route %s: its deployed integration (%s) is not in the stack's Terraform state; deploy the stage (sst dev deploys it when it starts) and restart sst dev", r.key, r.integration)
		if r.integration == "" {
			why = fmt.Sprintf("route %s: the manifest does not name its integration (an app built by an older sst); restart sst dev to synthesize it again", r.key)
		}
		g.warnOnce("aws-params:"+r.key.String(), why)
		fail(http.StatusBadGateway, "Bad Gateway: route "+r.key.String()+" has no deployed integration to play; see the sst dev terminal", why)
		return
	}
	rc, _ := ev["requestContext"].(map[string]any)
	p, err := evalParams(route.Subtypes[r.subtype], mapping, mappingRequest{req: req, params: params, body: body, ctx: rc})
	var missing *missingParam
	if errors.As(err, &missing) {
		fail(http.StatusBadRequest, "Bad Request: "+missing.Error(), missing.Error())
		return
	}
	if err != nil {
		g.warnOnce("aws-mapping:"+r.key.String(), fmt.Sprintf("route %s: %v", r.key, err))
		fail(http.StatusInternalServerError, "Internal Server Error", err.Error())
		return
	}
	g.Services.clients()
	ctx, cancel := context.WithTimeout(req.Context(), awsTimeout)
	defer cancel()
	out, err := action(ctx, g.Services, p)
	if err != nil {
		status, msg := awsErrorStatus(err)
		if status == http.StatusInternalServerError || status == http.StatusServiceUnavailable {
			g.Warn(fmt.Sprintf("route %s: %s: %v", r.key, r.subtype, err))
		}
		fail(status, msg, msg)
		return
	}
	writeJSON(w, http.StatusOK, out)
	report(http.StatusOK, "")
}

// awsErrorStatus is what API Gateway answers when the service call fails:
// the service's own 4xx/5xx and its message, 400 for a parameter the
// service would refuse, 503 when the integration timed out and 500 when
// the service could not be reached.
func awsErrorStatus(err error) (int, string) {
	var bad *badParam
	if errors.As(err, &bad) {
		return http.StatusBadRequest, "Bad Request: " + bad.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, "Service Unavailable"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 {
		msg := http.StatusText(re.HTTPStatusCode())
		var api smithy.APIError
		if errors.As(err, &api) {
			msg = api.ErrorCode()
			if m := api.ErrorMessage(); m != "" {
				msg += ": " + m
			}
		}
		return re.HTTPStatusCode(), msg
	}
	return http.StatusInternalServerError, "Internal Server Error"
}

// awsParams are a call's evaluated parameters; Region is the mapping's
// region for the call, not the action's.
type awsParams map[string]string

func (p awsParams) str(name string) *string {
	if v, ok := p[name]; ok {
		return aws.String(v)
	}
	return nil
}

func (p awsParams) int32(name string) (int32, error) {
	v, ok := p[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		return 0, &badParam{name, fmt.Sprintf("%q is not a whole number", v)}
	}
	return int32(n), nil
}

// list reads a list parameter: a JSON array of strings, or names separated
// by commas.
func (p awsParams) list(name string) ([]string, error) {
	v, ok := p[name]
	if !ok {
		return nil, nil
	}
	if t := strings.TrimSpace(v); strings.HasPrefix(t, "[") {
		var out []string
		if err := json.Unmarshal([]byte(t), &out); err != nil {
			return nil, &badParam{name, "not a JSON array of strings: " + err.Error()}
		}
		return out, nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// object reads a JSON object parameter (message attributes) into v.
func (p awsParams) object(name string, v any) error {
	s, ok := p[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return &badParam{name, "not a JSON object: " + err.Error()}
	}
	return nil
}

// regionOr is the mapping's Region for the call, else def.
func (p awsParams) regionOr(def string) string {
	if v := p["Region"]; v != "" {
		return v
	}
	return def
}

// sqsMeta is the ResponseMetadata of SQS's JSON rendering of its query
// API's answers, which API Gateway passes back for the SQS subtypes.
type sqsMeta struct {
	RequestID string `json:"RequestId"`
}

func sqsSendMessage(ctx context.Context, s *Services, p awsParams) (any, error) {
	in := &sqs.SendMessageInput{QueueUrl: p.str("QueueUrl"), MessageBody: p.str("MessageBody"),
		MessageDeduplicationId: p.str("MessageDeduplicationId"), MessageGroupId: p.str("MessageGroupId")}
	var err error
	if in.DelaySeconds, err = p.int32("DelaySeconds"); err != nil {
		return nil, err
	}
	var attrs map[string]sqstypes.MessageAttributeValue
	if err := p.object("MessageAttributes", &attrs); err != nil {
		return nil, err
	}
	in.MessageAttributes = attrs
	var sys map[string]sqstypes.MessageSystemAttributeValue
	if err := p.object("MessageSystemAttributes", &sys); err != nil {
		return nil, err
	}
	in.MessageSystemAttributes = sys
	out, err := s.sqs.SendMessage(ctx, in, func(o *sqs.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	type result struct {
		MD5OfMessageAttributes       *string
		MD5OfMessageBody             *string
		MD5OfMessageSystemAttributes *string
		MessageID                    *string `json:"MessageId"`
		SequenceNumber               *string
	}
	return map[string]any{"SendMessageResponse": map[string]any{
		"ResponseMetadata":  sqsMeta{id},
		"SendMessageResult": result{out.MD5OfMessageAttributes, out.MD5OfMessageBody, out.MD5OfMessageSystemAttributes, out.MessageId, out.SequenceNumber},
	}}, nil
}

func sqsReceiveMessage(ctx context.Context, s *Services, p awsParams) (any, error) {
	in := &sqs.ReceiveMessageInput{QueueUrl: p.str("QueueUrl"), ReceiveRequestAttemptId: p.str("ReceiveRequestAttemptId")}
	var err error
	if in.MaxNumberOfMessages, err = p.int32("MaxNumberOfMessages"); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout, err = p.int32("VisibilityTimeout"); err != nil {
		return nil, err
	}
	if in.WaitTimeSeconds, err = p.int32("WaitTimeSeconds"); err != nil {
		return nil, err
	}
	names, err := p.list("AttributeNames")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		in.MessageSystemAttributeNames = append(in.MessageSystemAttributeNames, sqstypes.MessageSystemAttributeName(n))
	}
	if in.MessageAttributeNames, err = p.list("MessageAttributeNames"); err != nil {
		return nil, err
	}
	out, err := s.sqs.ReceiveMessage(ctx, in, func(o *sqs.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	type message struct {
		Attributes             map[string]string
		Body                   *string
		MD5OfBody              *string
		MD5OfMessageAttributes *string
		MessageAttributes      map[string]sqstypes.MessageAttributeValue
		MessageID              *string `json:"MessageId"`
		ReceiptHandle          *string
	}
	msgs := []message{}
	for _, m := range out.Messages {
		msgs = append(msgs, message{m.Attributes, m.Body, m.MD5OfBody, m.MD5OfMessageAttributes, m.MessageAttributes, m.MessageId, m.ReceiptHandle})
	}
	return map[string]any{"ReceiveMessageResponse": map[string]any{
		"ReceiveMessageResult": map[string]any{"messages": msgs},
		"ResponseMetadata":     sqsMeta{id},
	}}, nil
}

func sqsDeleteMessage(ctx context.Context, s *Services, p awsParams) (any, error) {
	out, err := s.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: p.str("QueueUrl"), ReceiptHandle: p.str("ReceiptHandle")},
		func(o *sqs.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	return map[string]any{"DeleteMessageResponse": map[string]any{"ResponseMetadata": sqsMeta{id}}}, nil
}

func sqsPurgeQueue(ctx context.Context, s *Services, p awsParams) (any, error) {
	out, err := s.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: p.str("QueueUrl")}, func(o *sqs.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	return map[string]any{"PurgeQueueResponse": map[string]any{"ResponseMetadata": sqsMeta{id}}}, nil
}

func eventsPutEvents(ctx context.Context, s *Services, p awsParams) (any, error) {
	e := ebtypes.PutEventsRequestEntry{Detail: p.str("Detail"), DetailType: p.str("DetailType"), Source: p.str("Source"),
		EventBusName: p.str("EventBusName"), TraceHeader: p.str("TraceHeader")}
	var err error
	if e.Resources, err = p.list("Resources"); err != nil {
		return nil, err
	}
	if v, ok := p["Time"]; ok {
		t, err := parseTime(v)
		if err != nil {
			return nil, &badParam{"Time", err.Error()}
		}
		e.Time = &t
	}
	out, err := s.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{e}},
		func(o *eventbridge.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	type entry struct {
		ErrorCode    *string `json:",omitempty"`
		ErrorMessage *string `json:",omitempty"`
		EventID      *string `json:"EventId,omitempty"`
	}
	var entries []entry
	for _, e := range out.Entries {
		entries = append(entries, entry{e.ErrorCode, e.ErrorMessage, e.EventId})
	}
	return struct {
		Entries          []entry
		FailedEntryCount int32
	}{entries, out.FailedEntryCount}, nil
}

// parseTime reads a timestamp parameter: RFC 3339, or seconds since the
// epoch (how the services' JSON APIs carry timestamps).
func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return time.UnixMilli(int64(f * 1000)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor seconds since the epoch", v)
}

// epoch is a timestamp as the services' JSON APIs answer it: seconds since
// the epoch.
func epoch(t *time.Time) *float64 {
	if t == nil {
		return nil
	}
	f := float64(t.UnixMilli()) / 1000
	return &f
}

func kinesisPutRecord(ctx context.Context, s *Services, p awsParams) (any, error) {
	// Kinesis takes a record's data base64-encoded, and API Gateway puts
	// the parameter into its request as it is.
	data, err := base64.StdEncoding.DecodeString(p["Data"])
	if err != nil {
		return nil, &badParam{"Data", "Kinesis takes the record's data base64-encoded: " + err.Error()}
	}
	out, err := s.kinesis.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: p.str("StreamName"), Data: data, PartitionKey: p.str("PartitionKey"),
		SequenceNumberForOrdering: p.str("SequenceNumberForOrdering"), ExplicitHashKey: p.str("ExplicitHashKey")},
		func(o *kinesis.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	return struct {
		EncryptionType string `json:",omitempty"`
		SequenceNumber *string
		ShardID        *string `json:"ShardId"`
	}{string(out.EncryptionType), out.SequenceNumber, out.ShardId}, nil
}

func sfnStartExecution(ctx context.Context, s *Services, p awsParams) (any, error) {
	out, err := s.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: p.str("StateMachineArn"), Name: p.str("Name"), Input: p.str("Input")},
		func(o *sfn.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	return struct {
		ExecutionArn *string  `json:"executionArn"`
		StartDate    *float64 `json:"startDate"`
	}{out.ExecutionArn, epoch(out.StartDate)}, nil
}

func sfnStartSyncExecution(ctx context.Context, s *Services, p awsParams) (any, error) {
	if s.Config.BaseEndpoint != nil {
		// An emulator's endpoint takes no "sync-" host prefix.
		ctx = smithyhttp.DisableEndpointHostPrefix(ctx, true)
	}
	out, err := s.sfn.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: p.str("StateMachineArn"), Name: p.str("Name"),
		Input: p.str("Input"), TraceHeader: p.str("TraceHeader")}, func(o *sfn.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	return struct {
		ExecutionArn    *string  `json:"executionArn"`
		StateMachineArn *string  `json:"stateMachineArn,omitempty"`
		Name            *string  `json:"name,omitempty"`
		StartDate       *float64 `json:"startDate"`
		StopDate        *float64 `json:"stopDate"`
		Status          string   `json:"status"`
		Error           *string  `json:"error,omitempty"`
		Cause           *string  `json:"cause,omitempty"`
		Input           *string  `json:"input,omitempty"`
		Output          *string  `json:"output,omitempty"`
		TraceHeader     *string  `json:"traceHeader,omitempty"`
	}{out.ExecutionArn, out.StateMachineArn, out.Name, epoch(out.StartDate), epoch(out.StopDate), string(out.Status),
		out.Error, out.Cause, out.Input, out.Output, out.TraceHeader}, nil
}

func sfnStopExecution(ctx context.Context, s *Services, p awsParams) (any, error) {
	out, err := s.sfn.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: p.str("ExecutionArn"), Cause: p.str("Cause"), Error: p.str("Error")},
		func(o *sfn.Options) { o.Region = p.regionOr(o.Region) })
	if err != nil {
		return nil, err
	}
	return struct {
		StopDate *float64 `json:"stopDate"`
	}{epoch(out.StopDate)}, nil
}

// mappingRequest is what a parameter mapping reads: the request as it
// came, its route's path parameters and the event's request context.
type mappingRequest struct {
	req    *http.Request
	params map[string]string
	body   []byte
	ctx    map[string]any
}

// missingParam is a required parameter whose mapping has no value in the
// request: the client gets 400.
type missingParam struct{ name, expr string }

func (e *missingParam) Error() string {
	return fmt.Sprintf("parameter %s (%s) has no value in this request", e.name, e.expr)
}

// evalParams evaluates an integration's parameter mapping. A parameter
// whose expression has no value in the request is left out, or refused
// (missingParam) when the subtype requires it.
func evalParams(st route.Subtype, mapping map[string]string, r mappingRequest) (awsParams, error) {
	out := awsParams{}
	names := make([]string, 0, len(mapping))
	for k := range mapping {
		names = append(names, k)
	}
	sort.Strings(names)
	required := st.RequiredParams()
	for _, name := range names {
		v, ok, err := evalMapping(mapping[name], r)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		if !ok {
			for _, req := range required {
				if req == name {
					return nil, &missingParam{name, mapping[name]}
				}
			}
			continue
		}
		out[name] = v
	}
	for _, name := range required {
		if _, ok := mapping[name]; !ok {
			return nil, fmt.Errorf("parameter %s: the integration does not map it, and %s requires it", name, strings.Join(required, ", "))
		}
	}
	return out, nil
}

// evalMapping evaluates one parameter mapping value as API Gateway does:
// a constant; one expression ($request.body.id, $context.requestId, …);
// or text with ${…} expressions in it ("order-${request.path.id}"). ok is
// false when an expression has no value in this request; err says what is
// wrong with the expression.
func evalMapping(v string, r mappingRequest) (string, bool, error) {
	if strings.Contains(v, "${") {
		var b strings.Builder
		rest := v
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				b.WriteString(rest)
				return b.String(), true, nil
			}
			b.WriteString(rest[:i])
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				return "", false, fmt.Errorf("%q: ${ is not closed by }", v)
			}
			x, ok, err := lookupMapping("$"+rest[i+2:i+j], r)
			if err != nil || !ok {
				return "", ok, err
			}
			b.WriteString(x)
			rest = rest[i+j+1:]
		}
	}
	for _, src := range []string{"$request.", "$context.", "$stageVariables."} {
		if strings.HasPrefix(v, src) {
			return lookupMapping(v, r)
		}
	}
	if v == "$request" || v == "$context" || v == "$stageVariables" {
		return lookupMapping(v, r)
	}
	return v, true, nil
}

// lookupMapping evaluates one expression.
func lookupMapping(x string, r mappingRequest) (string, bool, error) {
	named := func(prefix string) (string, error) {
		name := strings.TrimPrefix(x, prefix)
		if name == "" {
			return "", fmt.Errorf("%q names no %s", x, strings.TrimSuffix(strings.TrimPrefix(prefix, "$request."), "."))
		}
		return name, nil
	}
	switch {
	case x == "$request.body":
		return string(r.body), len(r.body) > 0, nil
	case strings.HasPrefix(x, "$request.body.") || strings.HasPrefix(x, "$request.body["):
		path, err := bodyPath(strings.TrimPrefix(x, "$request.body"))
		if err != nil {
			return "", false, fmt.Errorf("%q: %w", x, err)
		}
		var doc any
		if json.Unmarshal(r.body, &doc) != nil {
			return "", false, nil // not JSON: the path selects nothing
		}
		v, ok := walk(doc, path)
		if !ok {
			return "", false, nil
		}
		return mappedValue(v)
	case strings.HasPrefix(x, "$request.header."):
		name, err := named("$request.header.")
		if err != nil {
			return "", false, err
		}
		vs := r.req.Header.Values(name)
		return strings.Join(vs, ","), len(vs) > 0, nil
	case strings.HasPrefix(x, "$request.querystring."):
		name, err := named("$request.querystring.")
		if err != nil {
			return "", false, err
		}
		vs, ok := r.req.URL.Query()[name]
		return strings.Join(vs, ","), ok, nil
	case x == "$request.path":
		return r.req.URL.Path, true, nil
	case strings.HasPrefix(x, "$request.path."):
		name, err := named("$request.path.")
		if err != nil {
			return "", false, err
		}
		v, ok := r.params[name]
		return v, ok, nil
	case strings.HasPrefix(x, "$context."):
		return contextVar(strings.TrimPrefix(x, "$context."), r.ctx)
	case strings.HasPrefix(x, "$stageVariables."):
		if strings.TrimPrefix(x, "$stageVariables.") == "" {
			return "", false, fmt.Errorf("%q names no stage variable", x)
		}
		// An Api's $default stage has no stage variables.
		return "", false, nil
	}
	return "", false, fmt.Errorf("%q: use a constant, $request.body[.<path>], $request.header.<name>, $request.querystring.<name>, $request.path[.<name>], $context.<name> or $stageVariables.<name>", x)
}

// mappedValue is a body value as a parameter: a string as it is, null as
// no value, anything else as its JSON text.
func mappedValue(v any) (string, bool, error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	}
	b, err := json.Marshal(v)
	return string(b), err == nil, err
}

// bodyPath parses the JSON path after $request.body: object keys and
// array indexes (".order.items[0].id"). Recursive descent and filters are
// not supported, as API Gateway does not support them.
func bodyPath(p string) ([]any, error) {
	var out []any
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			key := p[:end]
			if key == "" || strings.ContainsAny(key, "*?()@]'\"") {
				return nil, fmt.Errorf("bad JSON path: a key is empty or uses an unsupported form (recursive descent, wildcards and filters are not supported)")
			}
			out = append(out, key)
			p = p[end:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fmt.Errorf("bad JSON path: [ is not closed by ]")
			}
			in := p[1:end]
			if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0] {
				out = append(out, in[1:len(in)-1])
			} else if n, err := strconv.Atoi(in); err == nil && n >= 0 {
				out = append(out, n)
			} else {
				return nil, fmt.Errorf("bad JSON path: [%s] is neither an index nor a quoted key (wildcards and filters are not supported)", in)
			}
			p = p[end+1:]
		default:
			return nil, fmt.Errorf("bad JSON path at %q", p)
		}
	}
	return out, nil
}

func walk(v any, path []any) (any, bool) {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			a, ok := v.([]any)
			if !ok || s >= len(a) {
				return nil, false
			}
			v = a[s]
		}
	}
	return v, true
}

// contextVar is a $context variable from the event's request context:
// those an HTTP API's event carries, the authorizer's claims and context,
// and no value for the caller identity that only IAM authorization sets.
func contextVar(name string, rc map[string]any) (string, bool, error) {
	get := func(path ...string) (string, bool, error) {
		var v any = rc
		for _, k := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return "", false, nil
			}
			v = m[k]
		}
		return mappedValue(v)
	}
	switch name {
	case "requestId", "extendedRequestId":
		return get("requestId")
	case "requestTime":
		return get("time")
	case "requestTimeEpoch":
		return get("timeEpoch")
	case "httpMethod":
		return get("http", "method")
	case "path":
		return get("http", "path")
	case "protocol":
		return get("http", "protocol")
	case "identity.sourceIp":
		return get("http", "sourceIp")
	case "identity.userAgent":
		return get("http", "userAgent")
	case "accountId", "apiId", "domainName", "domainPrefix", "routeKey", "stage":
		return get(name)
	}
	if claim, ok := strings.CutPrefix(name, "authorizer.claims."); ok && claim != "" {
		return get("authorizer", "jwt", "claims", claim)
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok && key != "" {
		return get("authorizer", "lambda", key)
	}
	if strings.HasPrefix(name, "identity.") && name != "identity." {
		// The IAM caller's identity: API Gateway knows it for signed
		// requests only, which sst dev does not check.
		return "", false, nil
	}
	return "", false, fmt.Errorf("$context.%s: sst dev does not know this context variable (it knows requestId, requestTime, requestTimeEpoch, httpMethod, path, protocol, routeKey, stage, apiId, accountId, domainName, domainPrefix, identity.sourceIp, identity.userAgent, authorizer.claims.<name> and authorizer.<key>)", name)
}
