package sst

import (
	"fmt"
	"reflect"
	"strings"
)

// Permission is something IAM can grant a function's role or Cognito's
// user roles: a Statement (see Allow), Service's shorthand, or a construct
// — Bucket, Table, Queue, Topic, EventBus, KinesisStream, RDS, Function,
// Api, WebSocketApi, ApiGatewayV1Api, AppSyncApi, Job, Secret, Parameter —
// which grants its least-privilege actions on its own resources (the table in README's "Permissions"):
//
//	sst.NewFunction(s, "Fn", sst.FunctionProps{
//		Handler:     "src/fn.handler",
//		Permissions: []sst.Permission{bucket, table, sst.Allow([]string{"ses:SendEmail"}, "*")},
//	})
type Permission interface {
	// Statements are what granting the permission adds to a policy.
	Statements() []Statement
}

// Statements makes a single statement a Permission.
func (s Statement) Statements() []Statement { return []Statement{s} }

// Service is SST's permission shorthand: Service("s3", "sqs") grants all of
// each service's actions on every resource, and Service("s3:GetObject")
// that one action on every resource. Prefer a construct (Permissions:
// []sst.Permission{bucket}) or binding, which scope access to its
// resources.
func Service(services ...string) []Permission {
	var out []Permission
	for _, s := range services {
		action := s
		if !strings.Contains(s, ":") {
			action = s + ":*"
		}
		out = append(out, Statement{Effect: "Allow", Actions: []string{action}, Resources: []string{"*"}})
	}
	return out
}

// checkPermission is what is wrong with one entry of a permission list, ""
// when nothing is. Constructs are only checked for being built: one that
// failed its own validation has said so already.
func checkPermission(s *Stack, p Permission) string {
	if p == nil {
		return "is nil"
	}
	if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Sprintf("is a nil %s: %s", v.Type(), notBuilt(s, v.Type().String()))
	}
	for _, st := range p.Statements() {
		if _, ok := p.(Statement); !ok {
			break
		}
		if len(st.Actions) == 0 || len(st.Resources) == 0 {
			return "needs Actions and Resources (a statement grants its Actions on its Resources)"
		}
		for _, a := range st.Actions {
			if a == "" || strings.HasPrefix(a, ":") {
				return fmt.Sprintf("action %q: name a service's action, e.g. \"s3:GetObject\" or \"s3:*\"", a)
			}
		}
		if st.Effect != "" && st.Effect != "Allow" && st.Effect != "Deny" {
			return fmt.Sprintf("Effect %q: use \"Allow\" or \"Deny\"", st.Effect)
		}
	}
	return ""
}

// checkPermissions reports every bad entry of a list as where[i] and says
// whether all were good.
func checkPermissions(s *Stack, where string, ps []Permission) bool {
	ok := true
	for i, p := range ps {
		if problem := checkPermission(s, p); problem != "" {
			s.app.errorf("%s[%d] %s", where, i, problem)
			ok = false
		}
	}
	return ok
}

// statementsOf expands permissions into statements.
func statementsOf(ps []Permission) []Statement {
	var out []Statement
	for _, p := range ps {
		if p != nil {
			out = append(out, p.Statements()...)
		}
	}
	return out
}

// What each construct grants as a Permission. Data-plane actions on the
// construct's own resources — what SST v2's `s3:*`, `dynamodb:*`, `sqs:*`,
// … on those resources were used for — never the control plane (deleting
// the bucket, changing the table, the queue's policy).

// Statements grants object access to the bucket and its objects.
func (b *Bucket) Statements() []Statement { return b.Binding().Permissions }

// Statements grants item access to the table and its indexes, and reading
// its stream when it has one.
func (t *Table) Statements() []Statement {
	out := t.Binding().Permissions
	if arn := t.StreamArn(); arn != "" {
		out = append(out, Allow(tableStreamActions, t.Arn()+"/stream/*"))
	}
	return out
}

// Statements grants sending, receiving and deleting the queue's messages.
func (q *Queue) Statements() []Statement { return q.Binding().Permissions }

// Statements grants publishing to the topic.
func (t *Topic) Statements() []Statement { return t.Binding().Permissions }

// Statements grants putting events on the bus.
func (b *EventBus) Statements() []Statement { return b.Binding().Permissions }

// Statements grants reading and writing the stream's records.
func (k *KinesisStream) Statements() []Statement { return k.Binding().Permissions }

// Statements grants the Data API on the cluster and reading its secret.
func (r *RDS) Statements() []Statement {
	return []Statement{
		Allow(rdsDataActions, r.ClusterArn()),
		Allow([]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}, r.SecretArn()),
	}
}

// Statements grants invoking the function.
func (fn *Function) Statements() []Statement { return fn.Binding().Permissions }

// Statements grants calling every route of the API with IAM-signed
// requests (routes whose Authorizer is "iam").
func (api *Api) Statements() []Statement {
	return []Statement{Allow([]string{"execute-api:Invoke"}, api.ExecutionArn()+"/*")}
}

// Statements grants connecting to the API with IAM-signed requests and
// posting to, reading and closing its connections.
func (w *WebSocketApi) Statements() []Statement {
	return []Statement{Allow([]string{"execute-api:Invoke", "execute-api:ManageConnections"}, w.ExecutionArn()+"/*")}
}

// Statements grants reading the secret's stage and fallback values.
func (sec *Secret) Statements() []Statement { return sec.Binding().Permissions }

// Statements grants reading the parameter from SSM.
func (p *Parameter) Statements() []Statement {
	return []Statement{Allow([]string{"ssm:GetParameter", "ssm:GetParameters"}, p.Arn())}
}
