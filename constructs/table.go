package sst

import (
	"cmp"
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"

	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

// TableProps configure a DynamoDB table (on-demand billing).
type TableProps struct {
	// Fields declares attribute types: "string", "number" or "binary".
	// Only fields used by an index are sent to DynamoDB, which rejects
	// unindexed attribute definitions.
	Fields map[string]string
	// PrimaryIndex is the table's key. Required.
	PrimaryIndex TableIndex
	// GlobalIndexes by name.
	GlobalIndexes map[string]TableGlobalIndex
	// LocalIndexes by name (same partition key, another sort key).
	LocalIndexes map[string]TableLocalIndex
	// TimeToLiveAttribute enables TTL on that number field.
	TimeToLiveAttribute string
	// Stream: "" (off), "new_image", "old_image", "new_and_old_images" or "keys_only".
	Stream string
	// Consumers read the stream (which defaults to new_and_old_images).
	Consumers map[string]TableConsumer
	// PointInTimeRecovery enables continuous backups.
	PointInTimeRecovery bool
	// RemovalPolicy: RemovalDestroy or RemovalRetain; default the app's.
	RemovalPolicy RemovalPolicy
}

// TableIndex is a key: partition key and optional sort key field names.
type TableIndex struct {
	PartitionKey string
	SortKey      string
}

// TableGlobalIndex is a global secondary index.
type TableGlobalIndex struct {
	PartitionKey string
	SortKey      string
	// Projection "all" (default), "keys_only" or "include" (with NonKeyAttributes).
	Projection       string
	NonKeyAttributes []string
}

// TableLocalIndex is a local secondary index.
type TableLocalIndex struct {
	SortKey          string
	Projection       string
	NonKeyAttributes []string
}

// TableConsumer is a function reading the table's stream.
type TableConsumer struct {
	Function FunctionProps
	// BatchSize, default 100.
	BatchSize int
	// StartingPosition "LATEST" (default) or "TRIM_HORIZON".
	StartingPosition string
	// Filters are EventBridge-style patterns (JSON) selecting records.
	Filters []string
}

// Table is a DynamoDB table.
type Table struct {
	stack     *Stack
	tid       string
	name      string
	consumers []*Function
	// stream is set when the table has a stream.
	stream bool
	Cdk    struct {
		Table dynamodbtable.DynamodbTable
	}
}

var fieldTypes = map[string]string{"string": "S", "number": "N", "binary": "B"}

var streamViews = map[string]string{
	"new_image": "NEW_IMAGE", "old_image": "OLD_IMAGE",
	"new_and_old_images": "NEW_AND_OLD_IMAGES", "keys_only": "KEYS_ONLY",
}

var projections = map[string]string{"": "ALL", "all": "ALL", "keys_only": "KEYS_ONLY", "include": "INCLUDE"}

// NewTable declares a DynamoDB table: it checks the fields and every index
// against them, then creates the table and its stream consumers.
func NewTable(s *Stack, id string, props TableProps) *Table {
	t := &Table{stack: s, tid: id}
	if !s.app.claimID(s, id, "Table") {
		return t
	}
	a := s.app
	where := fmt.Sprintf("stack %s: table %q", s.name, id)
	errs := len(a.errs)
	keys := &tableKeys{a: a, where: where, fields: props.Fields, used: map[string]bool{}}
	keys.checkTypes()
	keys.use("PrimaryIndex.PartitionKey", props.PrimaryIndex.PartitionKey, true)
	keys.use("PrimaryIndex.SortKey", props.PrimaryIndex.SortKey, false)
	gsis := keys.globalIndexes(props.GlobalIndexes)
	lsis := keys.localIndexes(props.LocalIndexes, props.PrimaryIndex.SortKey != "")
	view := streamView(a, where, props)
	removal := a.removalPolicy(where, props.RemovalPolicy)
	if len(a.errs) > errs {
		return t
	}

	t.name = a.names.DynamoDB(a.owner(id), id)
	cfg := &dynamodbtable.DynamodbTableConfig{
		Name:        jsii.String(t.name),
		BillingMode: jsii.String("PAY_PER_REQUEST"),
		HashKey:     jsii.String(props.PrimaryIndex.PartitionKey),
		Attribute:   keys.attributes(),
		PointInTimeRecovery: &dynamodbtable.DynamodbTablePointInTimeRecovery{
			Enabled: jsii.Bool(props.PointInTimeRecovery),
		},
	}
	if props.PrimaryIndex.SortKey != "" {
		cfg.RangeKey = jsii.String(props.PrimaryIndex.SortKey)
	}
	if len(gsis) > 0 {
		cfg.GlobalSecondaryIndex = gsis
	}
	if len(lsis) > 0 {
		cfg.LocalSecondaryIndex = lsis
	}
	if props.TimeToLiveAttribute != "" {
		cfg.Ttl = &dynamodbtable.DynamodbTableTtl{AttributeName: jsii.String(props.TimeToLiveAttribute), Enabled: jsii.Bool(true)}
	}
	if view != "" {
		t.stream = true
		cfg.StreamEnabled = jsii.Bool(true)
		cfg.StreamViewType = jsii.String(view)
	}
	t.Cdk.Table = dynamodbtable.NewDynamodbTable(s.tf, jsii.String(id), cfg)
	if removal == RemovalRetain {
		s.retain(t.Cdk.Table)
	}
	s.add(t)
	for _, n := range sortedKeys(props.Consumers) {
		t.addConsumer(n, props.Consumers[n])
	}
	return t
}

// tableKeys checks the fields a table's indexes use. DynamoDB rejects
// attribute definitions no index uses, so only used fields are sent.
type tableKeys struct {
	a      *App
	where  string
	fields map[string]string
	used   map[string]bool
}

func (k *tableKeys) checkTypes() {
	for _, f := range sortedKeys(k.fields) {
		if _, ok := fieldTypes[k.fields[f]]; !ok {
			k.a.errorf("%s: Fields[%q] = %q: use \"string\", \"number\" or \"binary\"", k.where, f, k.fields[f])
		}
	}
}

// use checks that an index's key prop names a declared field.
func (k *tableKeys) use(prop, field string, required bool) {
	if field == "" {
		if required {
			k.a.errorf("%s: %s is required", k.where, prop)
		}
		return
	}
	if _, ok := k.fields[field]; !ok {
		k.a.errorf("%s: %s %q is not declared in Fields", k.where, prop, field)
		return
	}
	k.used[field] = true
}

func (k *tableKeys) projection(prop, p string) string {
	proj, ok := projections[p]
	if !ok {
		k.a.errorf("%s: %s.Projection %q: use \"all\", \"keys_only\" or \"include\"", k.where, prop, p)
	}
	return proj
}

func (k *tableKeys) globalIndexes(indexes map[string]TableGlobalIndex) []*dynamodbtable.DynamodbTableGlobalSecondaryIndex {
	var out []*dynamodbtable.DynamodbTableGlobalSecondaryIndex
	for _, n := range sortedKeys(indexes) {
		g, prop := indexes[n], fmt.Sprintf("GlobalIndexes[%q]", n)
		k.use("GlobalIndexes["+n+"].PartitionKey", g.PartitionKey, true)
		k.use("GlobalIndexes["+n+"].SortKey", g.SortKey, false)
		proj := k.projection(prop, g.Projection)
		gsi := &dynamodbtable.DynamodbTableGlobalSecondaryIndex{Name: jsii.String(n), HashKey: jsii.String(g.PartitionKey), ProjectionType: jsii.String(proj)}
		if g.SortKey != "" {
			gsi.RangeKey = jsii.String(g.SortKey)
		}
		if proj == "INCLUDE" {
			gsi.NonKeyAttributes = jsii.Strings(g.NonKeyAttributes...)
		}
		out = append(out, gsi)
	}
	return out
}

func (k *tableKeys) localIndexes(indexes map[string]TableLocalIndex, tableHasSortKey bool) []*dynamodbtable.DynamodbTableLocalSecondaryIndex {
	var out []*dynamodbtable.DynamodbTableLocalSecondaryIndex
	for _, n := range sortedKeys(indexes) {
		l, prop := indexes[n], fmt.Sprintf("LocalIndexes[%q]", n)
		k.use("LocalIndexes["+n+"].SortKey", l.SortKey, true)
		if !tableHasSortKey {
			k.a.errorf("%s: %s: local indexes need a table with PrimaryIndex.SortKey", k.where, prop)
		}
		proj := k.projection(prop, l.Projection)
		lsi := &dynamodbtable.DynamodbTableLocalSecondaryIndex{Name: jsii.String(n), RangeKey: jsii.String(l.SortKey), ProjectionType: jsii.String(proj)}
		if proj == "INCLUDE" {
			lsi.NonKeyAttributes = jsii.Strings(l.NonKeyAttributes...)
		}
		out = append(out, lsi)
	}
	return out
}

// attributes are the definitions of the used fields.
func (k *tableKeys) attributes() []*dynamodbtable.DynamodbTableAttribute {
	var attrs []*dynamodbtable.DynamodbTableAttribute
	for _, f := range sortedKeys(k.used) {
		attrs = append(attrs, &dynamodbtable.DynamodbTableAttribute{Name: jsii.String(f), Type: jsii.String(fieldTypes[k.fields[f]])})
	}
	return attrs
}

// streamView is the stream's view type, "" without a stream; consumers
// turn it on with both images.
func streamView(a *App, where string, props TableProps) string {
	stream := props.Stream
	if stream == "" && len(props.Consumers) > 0 {
		stream = "new_and_old_images"
	}
	view, ok := streamViews[stream]
	if stream != "" && !ok {
		a.errorf("%s: Stream %q: use \"new_image\", \"old_image\", \"new_and_old_images\" or \"keys_only\"", where, stream)
	}
	return view
}

func (t *Table) addConsumer(name string, c TableConsumer) {
	s := t.stack
	fid := t.tid + "_consumer_" + binding.EnvID(name)
	fn := newFunction(s, t.tid, fid, c.Function)
	if fn.Cdk.Function == nil {
		return
	}
	start := cmp.Or(c.StartingPosition, "LATEST")
	if start != "LATEST" && start != "TRIM_HORIZON" {
		s.app.errorf("stack %s: table %q: consumer %q: StartingPosition %q: use \"LATEST\" or \"TRIM_HORIZON\"", s.name, t.tid, name, start)
		return
	}
	batch := c.BatchSize
	if batch == 0 {
		batch = 100
	}
	fn.AttachPermissions(Allow(tableStreamActions, *t.Cdk.Table.StreamArn()))
	streamMapping(s, fid, fn, t.Cdk.Table.StreamArn(), start, batch, c.Filters)
	t.consumers = append(t.consumers, fn)
}

// TableName is the physical table name.
func (t *Table) TableName() string { return t.name }

// Arn is the table's ARN (a token until deploy); "" when the table failed
// validation, so code using it still runs and every error gets reported.
func (t *Table) Arn() string {
	if t.Cdk.Table == nil {
		return ""
	}
	return *t.Cdk.Table.Arn()
}

// StreamArn is the ARN of the table's stream (a token until deploy); ""
// when the table has no Stream.
func (t *Table) StreamArn() string {
	if t.Cdk.Table == nil || !t.stream {
		return ""
	}
	return *t.Cdk.Table.StreamArn()
}

// ID is the construct id.
func (t *Table) ID() string { return t.tid }

// tableStreamActions read a table's stream.
var tableStreamActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}

// dataActions are what a bound function may do to items — never the
// control plane (CreateTable, DeleteTable, …).
var tableDataActions = []string{
	"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
	"dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
	"dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem",
}

// Binding gives functions the table name (SST_Table_tableName_<id>) and
// item access scoped to this table and its indexes.
func (t *Table) Binding() Binding {
	arn := t.Arn()
	return Binding{
		Type:        "Table",
		ID:          t.tid,
		Variables:   map[string]string{"tableName": t.name},
		Permissions: []Statement{Allow(tableDataActions, arn, arn+"/index/*")},
	}
}

func (t *Table) id() string { return t.tid }

func (t *Table) functions() []*Function { return t.consumers }

func (t *Table) describe() manifest.Construct {
	return manifest.Construct{ID: t.tid, Type: "Table", Path: t.tid, Data: map[string]string{manifest.TableName: t.name}}
}
