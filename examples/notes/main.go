// Command notes is the seed's notes app: an HTTP API whose Go handlers
// keep notes in Aurora PostgreSQL (schema in migrations/), and a Next.js
// frontend (web/) that reads the API's URL from API_URL.
package main

import (
	"time"

	sst "github.com/sst-tf/sst/constructs"
)

// stacks is what main deploys; web.go adds the Next.js site.
var stacks = []sst.StackFunc{Database, API}

// Database is PostgreSQL with the app's migrations, applied on deploy.
func Database(s *sst.Stack) any {
	return sst.NewRDS(s, "Db", sst.RDSProps{
		Engine:              "postgresql16.4",
		DefaultDatabaseName: "notes",
		Migrations:          "migrations",
	})
}

// API serves GET /notes and POST /notes, bound to the database.
func API(s *sst.Stack) any {
	db := sst.Use[*sst.RDS](s, Database)
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Defaults: sst.ApiDefaults{
			Function: sst.FunctionProps{Bind: []sst.Bindable{db}, Timeout: 20 * time.Second},
		},
		Routes: map[string]sst.ApiRoute{
			"GET /notes":  {Handler: "functions/list"},
			"POST /notes": {Handler: "functions/create"},
		},
	})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
	return api
}

func main() {
	sst.Run(sst.Config{Name: "notes", Region: "us-east-1"}, stacks...)
}
