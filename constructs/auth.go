package sst

import (
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ssmparameter"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/route"
	"github.com/sst-tf/sst/manifest"
)

// AuthProps configure an Auth.
type AuthProps struct {
	// Handler is shorthand for Authenticator: FunctionProps{Handler: …}.
	Handler string
	// Authenticator is the function serving the auth routes (SST v2's
	// authenticator): for a Go handler, one built with the
	// github.com/sst-tf/sst/runtime/auth package.
	Authenticator FunctionProps
}

// AuthAttach configures mounting an Auth on an Api.
type AuthAttach struct {
	// Prefix of the auth routes, default "/auth": the Api serves
	// "GET {Prefix}" (the providers' authorize URLs) and
	// "ANY {Prefix}/{proxy+}" ({Prefix}/{provider}/authorize, …/callback).
	Prefix string
}

// DefaultAuthPrefix is where Attach mounts the auth routes by default.
const DefaultAuthPrefix = "/auth"

// Auth is SST v2's Auth construct: a function that runs sign-in flows
// (OAuth2/OIDC providers, magic links, one-time codes) and issues sessions
// signed with an RSA key pair kept in SSM, mounted on an Api with Attach.
//
// The key pair lives at /sst/{app}/{stage}/Auth/{id}/privateKey and
// …/publicKey, SST v2's parameter names, as SecureStrings. It is made by
// `sst deploy` before the stack's first apply and deleted by `sst remove`,
// never by Terraform, so the private key is in no Terraform JSON or state.
// The authenticator gets SST_Auth_{prefix,publicKey,privateKey}_{id} and
// may read both keys; binding the Auth (Bind: []sst.Bindable{auth}) gives
// a function SST_Auth_publicKey_{id} and read access to the public key
// only, which is what verifying a session needs (runtime.VerifySession, or
// SST v2's Node client). Every route of an Api the Auth is attached to is
// bound to it, as in SST v2.
type Auth struct {
	stack  *Stack
	aid    string
	fn     *Function
	prefix string
	apis   []*Api
	// publicPath, privatePath and prefixPath are the SSM parameters.
	publicPath, privatePath, prefixPath string
	account, partition                  string
	Cdk                                 struct {
		// Prefix is the SSM parameter holding the prefix, made by the
		// first Attach.
		Prefix ssmparameter.SsmParameter
	}
}

// NewAuth declares an Auth and its authenticator function.
func NewAuth(s *Stack, id string, props AuthProps) *Auth {
	au := &Auth{stack: s, aid: id}
	if !s.app.claimID(s, id, "Auth") {
		return au
	}
	a := s.app
	where := fmt.Sprintf("stack %s: auth %q", s.name, id)
	fp := props.Authenticator
	switch {
	case props.Handler != "" && fp.Handler != "":
		a.errorf("%s: set Handler or Authenticator.Handler, not both", where)
		return au
	case props.Handler != "":
		fp.Handler = props.Handler
	case fp.Handler == "":
		a.errorf("%s: Handler (or Authenticator.Handler) is required: the function serving the auth routes, e.g. sst.AuthProps{Handler: \"functions/auth\"} with a Go handler built on github.com/sst-tf/sst/runtime/auth", where)
		return au
	}
	prefix := binding.SSMPrefix(a.cfg.Name, a.opts.Stage)
	au.publicPath = a.names.Claim(naming.KindSSMParameter, binding.SSMPath(prefix, "Auth", id, "publicKey"), a.owner(id))
	au.privatePath = a.names.Claim(naming.KindSSMParameter, binding.SSMPath(prefix, "Auth", id, "privateKey"), a.owner(id))
	au.prefixPath = a.names.Claim(naming.KindSSMParameter, binding.SSMPath(prefix, "Auth", id, "prefix"), a.owner(id))
	au.account, au.partition = stackAccountID(s), stackPartition(s)
	// The authenticator reads its own keys and prefix: bound to itself
	// with the private key too. Bindings are read when the function is
	// completed, so a prefix set by a later Attach is seen.
	fp.Bind = append(append([]Bindable{}, fp.Bind...), authenticatorBinding{au})
	au.fn = newFunction(s, id, id+"_authenticator", fp)
	s.add(au)
	return au
}

// authenticatorBinding is what the authenticator function is bound to:
// the prefix, both keys and read access to them.
type authenticatorBinding struct{ au *Auth }

func (b authenticatorBinding) Binding() Binding {
	au := b.au
	vars := map[string]string{"publicKey": SecretPlaceholder, "privateKey": SecretPlaceholder}
	if au.prefix != "" {
		vars["prefix"] = au.prefix
	}
	return Binding{Type: "Auth", ID: au.aid, Variables: vars, Permissions: []Statement{
		Allow([]string{"ssm:GetParameters"}, au.arn(au.publicPath), au.arn(au.privatePath), au.arn(au.prefixPath)),
	}}
}

func (au *Auth) arn(path string) string {
	return fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s", au.partition, au.stack.Region(), au.account, path)
}

// Attach mounts the auth routes on api under opts.Prefix (SST v2's
// auth.attach): "GET {prefix}" and "ANY {prefix}/{proxy+}", both served by
// the authenticator without an authorizer. It binds the Auth to every
// route function of the api, including routes added later. An Api takes
// one Auth; an Auth attached to several Apis uses one prefix.
func (au *Auth) Attach(api *Api, opts AuthAttach) {
	s := au.stack
	a := s.app
	where := fmt.Sprintf("stack %s: auth %q: Attach", s.name, au.aid)
	if au.fn == nil || au.fn.Cdk.Function == nil {
		return // the Auth itself failed, and said why
	}
	if api == nil {
		a.errorf("%s: the api is nil: %s", where, notBuilt(s, "*sst.Api"))
		return
	}
	if api.Cdk.Api == nil {
		return // the Api failed, and said why
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultAuthPrefix
	}
	if err := checkAuthPrefix(prefix); err != "" {
		a.errorf("%s: Prefix %q: %s", where, prefix, err)
		return
	}
	for _, other := range au.apis {
		if other == api {
			a.errorf("%s: already attached to api %q", where, api.aid)
			return
		}
	}
	if api.auth != nil {
		a.errorf("%s: api %q already has auth %q attached; an Api takes one Auth", where, api.aid, api.auth.aid)
		return
	}
	if au.prefix != "" && au.prefix != prefix {
		a.errorf("%s: Prefix %q differs from %q, the prefix it was first attached with: an Auth has one prefix (SST_Auth_prefix_%s and its SSM parameter hold one value)", where, prefix, au.prefix, binding.EnvID(au.aid))
		return
	}
	before := len(api.routes)
	for _, key := range []string{"GET " + prefix, "ANY " + prefix + "/{proxy+}"} {
		api.addRoute(key, ApiRoute{Fn: au.fn, Authorizer: "none", internal: true})
	}
	if len(api.routes) != before+2 {
		return // a route clashed with one of the api's, and said so
	}
	if au.prefix == "" {
		au.prefix = prefix
		au.Cdk.Prefix = ssmparameter.NewSsmParameter(s.tf, jsii.String(au.aid+"_prefix"), &ssmparameter.SsmParameterConfig{
			Name:  jsii.String(au.prefixPath),
			Type:  jsii.String("String"),
			Value: jsii.String(prefix),
		})
	}
	au.apis = append(au.apis, api)
	api.auth = au
	for _, fn := range api.routeFunctions() {
		if fn != au.fn {
			fn.Bind(au)
		}
	}
}

// checkAuthPrefix is what is wrong with an Attach prefix, "" when nothing.
func checkAuthPrefix(p string) string {
	switch {
	case !strings.HasPrefix(p, "/") || p == "/":
		return "use a path below the root starting with \"/\", e.g. \"/auth\""
	case strings.HasSuffix(p, "/"):
		return "drop the trailing \"/\""
	case strings.ContainsAny(p, "{}+ \t"):
		return "use a literal path (no {parameters}, + or spaces): the auth routes add their own"
	}
	if _, err := route.Parse("GET " + p); err != nil {
		return err.Error()
	}
	return ""
}

// Binding gives a function SST_Auth_publicKey_<id> = "__FETCH_FROM_SSM__"
// and ssm:GetParameters on the public key only: what verifying sessions
// needs (runtime.VerifySession; SST v2's Node client reads the same).
func (au *Auth) Binding() Binding {
	b := Binding{Type: "Auth", ID: au.aid, Variables: map[string]string{"publicKey": SecretPlaceholder}}
	if au.publicPath != "" {
		b.Permissions = []Statement{Allow([]string{"ssm:GetParameters"}, au.arn(au.publicPath))}
	}
	return b
}

// ID is the construct id.
func (au *Auth) ID() string { return au.aid }

// Function is the authenticator (nil when the Auth failed validation).
func (au *Auth) Function() *Function { return au.fn }

// Prefix is the path the auth routes are mounted under, "" until Attach.
func (au *Auth) Prefix() string { return au.prefix }

// PublicKeyPath is the SSM parameter holding the public key (PEM).
func (au *Auth) PublicKeyPath() string { return au.publicPath }

// PrivateKeyPath is the SSM parameter holding the private key (PEM).
func (au *Auth) PrivateKeyPath() string { return au.privatePath }

func (au *Auth) id() string { return au.aid }

func (au *Auth) functions() []*Function {
	if au.fn == nil || au.fn.Cdk.Function == nil {
		return nil
	}
	return []*Function{au.fn}
}

func (au *Auth) describe() manifest.Construct {
	c := manifest.Construct{ID: au.aid, Type: "Auth", Path: au.aid, Data: map[string]string{
		manifest.AuthPublicKeyPath: au.publicPath, manifest.AuthPrivateKeyPath: au.privatePath, manifest.AuthPrefix: au.prefix,
	}}
	var apis []string
	for _, api := range au.apis {
		apis = append(apis, api.aid)
	}
	c.Data[manifest.AuthApis] = strings.Join(apis, ",")
	if au.fn != nil {
		c.Data[manifest.FunctionName] = au.fn.name
		c.Binds = bindIDs(au.fn.props.Bind)
	}
	return c
}
