package sst

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/internal/devrelay"
	"github.com/sst-tf/sst/manifest"
)

// stackRelay is a dev stage's way for direct invocations of a stack's
// deployed functions to reach `sst dev`: under `sst dev` each function's
// deployed code is the relay stub, which sends the invocation to the
// request queue and waits for the answer the CLI writes to the response
// table. The next `sst deploy` restores each function's code and removes
// both.
type stackRelay struct {
	queue     sqsqueue.SqsQueue
	table     dynamodbtable.DynamodbTable
	queueName string
	tableName string
	zip, hash string
}

// relay is the stack's relay, created on first use.
func (s *Stack) relay() *stackRelay {
	if s.devRelay != nil {
		return s.devRelay
	}
	a := s.app
	id := s.name + "_relay"
	r := &stackRelay{}
	res, err := build.Static(a.opts.ArtifactDir, "sst_dev_relay", devrelay.Runtime, devrelay.Handler, map[string][]byte{"index.mjs": devrelay.Code})
	if err != nil {
		a.errorf("stack %s: the dev relay stub: %v", s.name, err)
		return nil
	}
	r.zip, r.hash = s.artifact(res.ZipPath), res.Hash
	r.queueName = a.claim(naming.KindSQS, jsii.String(naming.SQS(s.Stage(), a.cfg.Name, id, false)), id)
	r.queue = sqsqueue.NewSqsQueue(s.tf, jsii.String("sst_dev_relay"), &sqsqueue.SqsQueueConfig{
		Name:                 jsii.String(r.queueName),
		SqsManagedSseEnabled: jsii.Bool(true),
		// A request is useless once its caller stopped waiting (900 s
		// at most); the CLI drops late ones anyway.
		MessageRetentionSeconds: jsii.Number(1200),
	})
	r.tableName = a.claim(naming.KindDynamoDB, jsii.String(naming.DynamoDB(s.Stage(), a.cfg.Name, id)), id)
	r.table = dynamodbtable.NewDynamodbTable(s.tf, jsii.String("sst_dev_relay_responses"), &dynamodbtable.DynamodbTableConfig{
		Name:        jsii.String(r.tableName),
		BillingMode: jsii.String("PAY_PER_REQUEST"),
		HashKey:     jsii.String(devrelay.AttrID),
		Attribute:   []*dynamodbtable.DynamodbTableAttribute{{Name: jsii.String(devrelay.AttrID), Type: jsii.String("S")}},
		// An answer no stub read (its caller timed out) goes by itself.
		Ttl: &dynamodbtable.DynamodbTableTtl{AttributeName: jsii.String(devrelay.AttrExpires), Enabled: jsii.Bool(true)},
	})
	s.devRelay = r
	return r
}

// relayed deploys the stub in place of fn's code under `sst dev`, adding
// what it needs to vars and returning the statements it needs. Only
// functions sst dev runs locally are relayed (not site servers).
func (fn *Function) relayed(vars map[string]*string) ([]Statement, bool) {
	s := fn.stack
	if s.app.opts.Mode != manifest.ModeDev || !fn.local {
		return nil, false
	}
	r := s.relay()
	if r == nil {
		return nil, false
	}
	vars[devrelay.EnvQueue] = r.queue.Url()
	vars[devrelay.EnvTable] = r.table.Name()
	vars[devrelay.EnvFunction] = jsii.String(fn.fid)
	f := fn.Cdk.Function
	f.SetHandler(jsii.String(devrelay.Handler))
	f.SetRuntime(jsii.String(devrelay.Runtime))
	f.SetFilename(jsii.String(r.zip))
	f.SetSourceCodeHash(cdktf.Fn_Filebase64sha256(jsii.String(r.zip)))
	return []Statement{
		Allow([]string{"sqs:SendMessage"}, *r.queue.Arn()),
		Allow([]string{"dynamodb:GetItem", "dynamodb:DeleteItem"}, *r.table.Arn()),
	}, true
}

func (r *stackRelay) describe() *manifest.DevRelay {
	if r == nil {
		return nil
	}
	return &manifest.DevRelay{Queue: r.queueName, Table: r.tableName}
}
