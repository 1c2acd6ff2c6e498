// Command secrets is a test app binding a secret and a parameter to a
// function.
package main

import sst "github.com/sst-tf/sst/constructs"

// Config declares the secrets and the function reading them.
func Config(s *sst.Stack) any {
	key := sst.NewSecret(s, "STRIPE_KEY")
	shared := sst.NewSecret(s, "SHARED")
	version := sst.NewParameter(s, "API_VERSION", sst.ParameterProps{Value: "v1"})
	sst.NewFunction(s, "Reader", sst.FunctionProps{
		Handler: "functions/reader/index.handler",
		Bind:    []sst.Bindable{key, shared, version},
	})
	return nil
}

func main() { sst.Run(sst.Config{Name: "secrets"}, Config) }
