package naming

import (
	"fmt"
	"strings"
)

// Kind is one namespace of physical names: two resources of the same kind
// with the same name are one resource to AWS. Resources of different kinds
// may share a name (a function and its role usually do).
type Kind struct {
	// Service names the resource in errors: "S3 bucket", "IAM role".
	Service string
	// Fold is set where AWS treats names differing only in case as the
	// same name (IAM, and DNS names); elsewhere "Notes" and "notes" are two
	// resources.
	Fold bool
	// Fix is what to do about a collision when renaming a construct is
	// not it.
	Fix string
}

// The kinds of name the constructs generate. Names that are unique only
// inside a parent (a distribution's origin ids) are checked where the
// parent is built.
var (
	KindLambda                = Kind{Service: "Lambda function"}
	KindIAMRole               = Kind{Service: "IAM role", Fold: true}
	KindLogGroup              = Kind{Service: "CloudWatch log group"}
	KindLogResourcePolicy     = Kind{Service: "CloudWatch Logs resource policy"}
	KindBucket                = Kind{Service: "S3 bucket", Fold: true}
	KindSQS                   = Kind{Service: "SQS queue"}
	KindSNS                   = Kind{Service: "SNS topic"}
	KindDynamoDB              = Kind{Service: "DynamoDB table"}
	KindKinesis               = Kind{Service: "Kinesis stream"}
	KindEventBus              = Kind{Service: "EventBridge event bus"}
	KindEventRule             = Kind{Service: "EventBridge rule on the default bus"}
	KindApiGateway            = Kind{Service: "API Gateway API"}
	KindUserPool              = Kind{Service: "Cognito user pool"}
	KindUserPoolClient        = Kind{Service: "Cognito user pool client"}
	KindIdentityPool          = Kind{Service: "Cognito identity pool"}
	KindRDSCluster            = Kind{Service: "RDS cluster", Fold: true}
	KindRDSInstance           = Kind{Service: "RDS instance", Fold: true}
	KindRDSSnapshot           = Kind{Service: "RDS final snapshot", Fold: true}
	KindCloudFrontOAC         = Kind{Service: "CloudFront origin access control"}
	KindCloudFrontFunction    = Kind{Service: "CloudFront function"}
	KindCloudFrontCachePolicy = Kind{Service: "CloudFront cache policy"}
	KindSSMParameter          = Kind{Service: "SSM parameter"}
	KindECRRepository         = Kind{Service: "ECR repository"}
	KindECSCluster            = Kind{Service: "ECS cluster"}
	KindLoadBalancer          = Kind{Service: "load balancer", Fold: true}
	KindTargetGroup           = Kind{Service: "load balancer target group", Fold: true}
	KindDomain                = Kind{Service: "custom domain", Fold: true, Fix: "give one of them another CustomDomain.DomainName"}
)

// EventRuleOn is the kind of rules on one event bus: rule names are unique
// per bus.
func EventRuleOn(bus string) Kind { return Kind{Service: "EventBridge rule on bus " + bus} }

// Registry hands out the physical names of one synthesis of an app and
// records every name twice handed out: two constructs that would manage
// the same AWS resource fight over it at deploy time, and removing either
// deletes the other's data. One registry spans all stacks of the app,
// since they all deploy into the same account and region.
type Registry struct {
	stage, app string
	claims     map[claimKey]claim
	reported   map[[2]string]bool
	report     func(error)
}

type claimKey struct {
	kind Kind
	name string
}

type claim struct {
	name, owner string
}

// NewRegistry starts the names of one app and stage; report receives
// each collision as it is found.
func NewRegistry(stage, app string, report func(error)) *Registry {
	return &Registry{stage: stage, app: app, claims: map[claimKey]claim{}, reported: map[[2]string]bool{}, report: report}
}

// Claim records that owner (a description such as `bucket "Uploads"
// (stack Storage, stacks.go:12)`) names a resource of kind k name, and
// returns name. A name already claimed by another owner is a collision,
// passed to the registry's report function; one owner may claim a name again (a construct asking
// for its own name twice). Each pair of owners is reported once, however
// many of their derived names (function, role, log group) collide.
func (r *Registry) Claim(k Kind, name, owner string) string {
	key := claimKey{k, name}
	if k.Fold {
		key.name = strings.ToLower(name)
	}
	prev, ok := r.claims[key]
	if !ok {
		r.claims[key] = claim{name: name, owner: owner}
		return name
	}
	if prev.owner == owner || r.reported[[2]string{prev.owner, owner}] {
		return name
	}
	r.reported[[2]string{prev.owner, owner}] = true
	same := fmt.Sprintf("%q", name)
	if prev.name != name {
		same = fmt.Sprintf("%q (and %q: %s names ignore case)", prev.name, name, k.Service)
	}
	fix := "rename one of the two"
	if k.Fix != "" {
		fix = k.Fix
	}
	r.report(fmt.Errorf("physical name collision: %s and %s would both be the %s %s — one resource in AWS: each deploy would overwrite the other's settings and removing either would delete it; %s",
		prev.owner, owner, k.Service, same, fix))
	return name
}

// The helpers below generate a name as the functions of the same name do
// and claim it for owner.

// Lambda claims a Lambda function name and the log group Lambda writes it to.
func (r *Registry) Lambda(owner, id string) string {
	name := r.Claim(KindLambda, Lambda(r.stage, r.app, id), owner)
	r.Claim(KindLogGroup, LogGroup(name), owner)
	return name
}

// IAMRole claims an IAM role name.
func (r *Registry) IAMRole(owner, id string) string {
	return r.Claim(KindIAMRole, IAMRole(r.stage, r.app, id), owner)
}

// Bucket claims an S3 bucket name.
func (r *Registry) Bucket(owner, id string) string {
	return r.Claim(KindBucket, Bucket(r.stage, r.app, id), owner)
}

// SQS claims a queue name.
func (r *Registry) SQS(owner, id string, fifo bool) string {
	return r.Claim(KindSQS, SQS(r.stage, r.app, id, fifo), owner)
}

// SNS claims a topic name.
func (r *Registry) SNS(owner, id string, fifo bool) string {
	return r.Claim(KindSNS, SNS(r.stage, r.app, id, fifo), owner)
}

// DynamoDB claims a table name.
func (r *Registry) DynamoDB(owner, id string) string {
	return r.Claim(KindDynamoDB, DynamoDB(r.stage, r.app, id), owner)
}

// Kinesis claims a stream name.
func (r *Registry) Kinesis(owner, id string) string {
	return r.Claim(KindKinesis, Kinesis(r.stage, r.app, id), owner)
}

// EventBus claims an event bus name.
func (r *Registry) EventBus(owner, id string) string {
	return r.Claim(KindEventBus, EventBus(r.stage, r.app, id), owner)
}

// ApiGateway claims an API Gateway API name. API Gateway itself allows
// duplicates, but two APIs of one stage with one name cannot be told
// apart in the console, logs or `sst` output.
func (r *Registry) ApiGateway(owner, id string) string {
	return r.Claim(KindApiGateway, ApiGateway(r.stage, r.app, id), owner)
}

// RDSCluster claims an RDS identifier of kind k (cluster, instance or
// final snapshot).
func (r *Registry) RDSCluster(k Kind, owner, id string) string {
	return r.Claim(k, RDSCluster(r.stage, r.app, id), owner)
}

// Cognito claims a user pool or user pool client name (kind k).
func (r *Registry) Cognito(k Kind, owner, id string) string {
	return r.Claim(k, Cognito(r.stage, r.app, id), owner)
}

// CognitoIdentityPool claims an identity pool name.
func (r *Registry) CognitoIdentityPool(owner, id string) string {
	return r.Claim(KindIdentityPool, CognitoIdentityPool(r.stage, r.app, id), owner)
}

// Physical claims a {stage}-{app}-{id} name of kind k cut to max bytes.
func (r *Registry) Physical(k Kind, owner, id string, max int) string {
	return r.Claim(k, Physical(r.stage, r.app, id, max), owner)
}
