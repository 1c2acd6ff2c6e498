package sst

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
)

// Bindable is a construct a function can be bound to: binding gives the
// function the construct's values as environment variables (in SST v2's
// format, so SST's own Node client reads them too) and least-privilege IAM
// on exactly that construct's resources.
type Bindable interface {
	Binding() Binding
}

// Binding is what binding one construct grants a function.
type Binding struct {
	// Type is SST's type name: "Table", "Api", "Function", …
	Type string
	// ID is the construct id.
	ID string
	// Variables maps a property (e.g. "tableName") to its value, which may
	// be a Terraform token known only after deploy.
	Variables map[string]string
	// Permissions are granted to the bound function's role.
	Permissions []Statement
}

// checkBindable is what is wrong with one entry of a Bind list, "" when
// nothing is. A nil pointer to a construct is one that is not built yet:
// calling its Binding would panic when the app is finalized.
func checkBindable(s *Stack, b Bindable) string {
	if b == nil {
		return "is nil"
	}
	if v := reflect.ValueOf(b); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Sprintf("is a nil %s: %s", v.Type(), notBuilt(s, v.Type().String()))
	}
	return ""
}

// notBuilt explains a nil construct: stacks run in the order sst.Run lists
// them, so a construct a later stack creates does not exist yet, and a Go
// variable holding it is still nil.
func notBuilt(s *Stack, typ string) string {
	return fmt.Sprintf("the construct is not built yet — stacks run in the order sst.Run lists them, so one created by a stack listed after %s does not exist while %s runs; "+
		"list the stack that creates it before %s and get the construct with sst.Use[%s](s, ThatStack) instead of a shared variable", s.name, s.name, s.name, typ)
}

// bindingParameters writes each of a construct's binding values to SSM at
// /sst/{app}/{stage}/{Type}/{id}/{prop}, where SST v2 put them: scripts,
// other apps and SST v2's clients read them there. They live in the
// construct's stack, so they go with the stage. Secrets are not
// duplicated: a Secret's value already lives at its own path (set by
// `sst secrets set`, never by Terraform) and its binding carries only a
// placeholder; a Parameter is its own SSM parameter.
func (s *Stack) bindingParameters(id string, b Bindable) {
	switch b.(type) {
	case *Secret, *Parameter:
		return
	}
	info := b.Binding()
	a := s.app
	prefix := binding.SSMPrefix(a.cfg.Name, a.opts.Stage)
	for _, prop := range sortedKeys(info.Variables) {
		v := info.Variables[prop]
		if v == "" || v == SecretPlaceholder {
			continue // SSM rejects empty values; placeholders are no value
		}
		// SST v2 wrote the id as in the environment variable's name.
		name := a.names.Claim(naming.KindSSMParameter, binding.SSMPath(prefix, info.Type, binding.EnvID(info.ID), prop), a.owner(id))
		ssmparameter.NewSsmParameter(s.tf, jsii.String(id+"_binding_"+prop), &ssmparameter.SsmParameterConfig{
			Name:  jsii.String(name),
			Type:  jsii.String("String"),
			Value: jsii.String(v),
			// The path is the stage's own: a parameter a killed deploy
			// created but never recorded is overwritten, not a conflict
			// the next deploy stops on.
			Overwrite: jsii.Bool(true),
		})
	}
}

// EnvName is the environment variable carrying one bound property,
// SST_{Type}_{prop}_{id}.
func EnvName(typ, prop, id string) string { return binding.EnvName(typ, prop, id) }

// Statement is one IAM policy statement.
type Statement struct {
	// Effect is "Allow" (default) or "Deny".
	Effect    string
	Actions   []string
	Resources []string
}

// Allow grants actions on resources (ARNs or tokens such as table.Arn()).
func Allow(actions []string, resources ...string) Statement {
	return Statement{Effect: "Allow", Actions: actions, Resources: resources}
}

// policyDocument renders statements as an IAM policy JSON string. Tokens
// inside become Terraform interpolations when CDKTF resolves the string.
func policyDocument(stmts []Statement) string {
	type stmt struct {
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource []string `json:"Resource"`
	}
	doc := struct {
		Version   string `json:"Version"`
		Statement []stmt `json:"Statement"`
	}{Version: "2012-10-17"}
	for _, s := range mergeStatements(stmts) {
		doc.Statement = append(doc.Statement, stmt{Effect: s.Effect, Action: s.Actions, Resource: s.Resources})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
	return strings.TrimSpace(buf.String())
}

// mergeStatements normalizes effects, drops duplicates and joins statements
// that grant the same actions, keeping policies small and their JSON stable.
func mergeStatements(in []Statement) []Statement {
	var out []Statement
	index := map[string]int{}
	for _, s := range in {
		if len(s.Actions) == 0 || len(s.Resources) == 0 {
			continue
		}
		if s.Effect == "" {
			s.Effect = "Allow"
		}
		acts := uniqueSorted(s.Actions)
		key := s.Effect + "|" + strings.Join(acts, ",")
		if i, ok := index[key]; ok {
			out[i].Resources = uniqueSorted(append(out[i].Resources, s.Resources...))
			continue
		}
		index[key] = len(out)
		out = append(out, Statement{Effect: s.Effect, Actions: acts, Resources: uniqueSorted(s.Resources)})
	}
	return out
}

func uniqueSorted(in []string) []string {
	out := uniqueInOrder(in)
	sort.Strings(out)
	return out
}
