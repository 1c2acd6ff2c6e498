// Command secrets is a test app binding a secret, a parameter and an
// Auth (whose signing keys are secrets the CLI makes) to a function. It also holds the retained-store fixture (a table kept by the
// app's default removal policy, one destroyed by its own), so that one
// deploy and one remove cover both.
package main

import sst "github.com/sst-tf/sst/constructs"

// Config declares the secrets, the function reading them and the tables.
func Config(s *sst.Stack) any {
	key := sst.NewSecret(s, "STRIPE_KEY")
	shared := sst.NewSecret(s, "SHARED")
	version := sst.NewParameter(s, "API_VERSION", sst.ParameterProps{Value: "v1"})
	api := sst.NewApi(s, "Api", sst.ApiProps{AccessLog: &sst.ApiAccessLog{Disabled: true}})
	auth := sst.NewAuth(s, "Auth", sst.AuthProps{Handler: "functions/reader/index.handler"})
	auth.Attach(api, sst.AuthAttach{})
	sst.NewFunction(s, "Reader", sst.FunctionProps{
		Handler: "functions/reader/index.handler",
		Bind:    []sst.Bindable{key, shared, version, auth},
	})
	sst.NewTable(s, "Kept", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
	sst.NewTable(s, "Scratch", sst.TableProps{
		Fields:        map[string]string{"id": "string"},
		PrimaryIndex:  sst.TableIndex{PartitionKey: "id"},
		RemovalPolicy: sst.RemovalDestroy,
	})
	return nil
}

func main() {
	sst.Run(sst.Config{Name: "secrets", Defaults: sst.Defaults{RemovalPolicy: sst.RemovalRetain}}, Config)
}
