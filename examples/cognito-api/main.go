// Command cognito-api is the authentication example: a Cognito user pool
// whose JWTs an HTTP API checks before running its private routes.
package main

import sst "github.com/sst-tf/sst/constructs"

// Auth holds the user pool and the API it protects.
func Auth(s *sst.Stack) any {
	auth := sst.NewCognito(s, "Auth", sst.CognitoProps{
		Login:        []string{"email"},
		IdentityPool: sst.CognitoIdentityPool{Disabled: true},
	})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Authorizers: map[string]sst.ApiAuthorizer{"cognito": auth.JWTAuthorizer()},
		Defaults:    sst.ApiDefaults{Authorizer: "cognito"},
		Routes: map[string]sst.ApiRoute{
			"GET /me":     {Handler: "functions/me"},
			"GET /public": {Handler: "functions/public", Authorizer: "none"},
		},
	})
	s.AddOutputs(map[string]any{
		"ApiUrl":     api.URL(),
		"UserPoolId": auth.UserPoolID(),
		"ClientId":   auth.UserPoolClientID(),
	})
	return api
}

func main() {
	sst.Run(sst.Config{Name: "cognito-api", Region: "us-east-1"}, Auth)
}
