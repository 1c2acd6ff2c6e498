// Command rds is a test app: one Aurora Serverless v2 PostgreSQL database
// in its own VPC, with SQL migrations, and a Cognito user pool with its
// identity pool: the two constructs the emulator-aware defaults exist for.
package main

import sst "github.com/sst-tf/sst/constructs"

// Database holds the cluster.
func Database(s *sst.Stack) any {
	auth := sst.NewCognito(s, "Auth", sst.CognitoProps{})
	s.AddOutputs(map[string]any{"IdentityPoolId": auth.IdentityPoolID()})
	return sst.NewRDS(s, "Db", sst.RDSProps{
		Engine:              "postgresql15.4",
		DefaultDatabaseName: "app",
		Scaling:             sst.RDSScaling{Min: 0.5, Max: 2},
		Migrations:          "migrations",
	})
}

func main() { sst.Run(sst.Config{Name: "rdsapp"}, Database) }
