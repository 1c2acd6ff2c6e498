// Command cognito is a test app: a user pool with a trigger, a client, an
// identity pool whose signed-in users may read one prefix, and an Api
// guarded by the pool's JWTs.
package main

import sst "github.com/sst-tf/sst/constructs"

// Auth declares the Cognito construct and the Api it guards.
func Auth(s *sst.Stack) any {
	auth := sst.NewCognito(s, "Auth", sst.CognitoProps{
		Login:    []string{"email"},
		Triggers: map[string]sst.FunctionProps{"preSignUp": {Handler: "functions/trigger/index.handler"}},
	})
	auth.AttachPermissionsForAuthUsers(sst.Allow([]string{"s3:GetObject"}, "arn:aws:s3:::authapp-uploads/private/*"))
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Authorizers: map[string]sst.ApiAuthorizer{"cognito": auth.JWTAuthorizer()},
		Defaults:    sst.ApiDefaults{Authorizer: "cognito", Function: sst.FunctionProps{Bind: []sst.Bindable{auth}}},
		Routes:      map[string]sst.ApiRoute{"GET /me": {Handler: "functions/trigger/index.handler"}},
	})
	s.AddOutputs(map[string]any{
		"UserPoolId":       auth.UserPoolID(),
		"UserPoolClientId": auth.UserPoolClientID(),
		"IdentityPoolId":   auth.IdentityPoolID(),
		"ApiId":            *api.Cdk.Api.Id(),
	})
	return nil
}

func main() { sst.Run(sst.Config{Name: "authapp"}, Auth) }
