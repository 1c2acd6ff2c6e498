// Command rds is a test app: one Aurora Serverless v2 PostgreSQL database
// in its own VPC, with SQL migrations, and a Cognito user pool with a
// trigger, a client and an identity pool whose signed-in users may read one
// prefix, guarding an Api with the pool's JWTs: Cognito and RDS are the
// two constructs the emulator-aware defaults exist for.
package main

import sst "github.com/sst-tf/sst/constructs"

// Database holds the cluster, the user pool and the Api it guards, in one
// stack so that one apply and one destroy cover all of them.
func Database(s *sst.Stack) any {
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
	return sst.NewRDS(s, "Db", sst.RDSProps{
		Engine:              "postgresql15.4",
		DefaultDatabaseName: "app",
		Scaling:             sst.RDSScaling{Min: 0.5, Max: 2},
		Migrations:          "migrations",
	})
}

func main() { sst.Run(sst.Config{Name: "rdsapp"}, Database) }
