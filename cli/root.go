package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Globals are the flags every command accepts.
type Globals struct {
	Stage string
	// StageSet says --stage was given, even as "": an explicitly empty
	// stage is an error, never the default.
	StageSet bool
	Region   string
	Profile  string
	Endpoint string
	Project  string
	Verbose  bool
	// Engine is --engine: terraform or tofu (see tfenv.ParseEngine).
	Engine string
}

// NewRootCmd builds the sst command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	g := &Globals{}
	root := &cobra.Command{
		Use:   "sst",
		Short: "Build and ship serverless apps on AWS with CDK for Terraform",
		Long: `sst synthesizes your app (the "app" command in cdktf.json) into Terraform
JSON per stage and deploys it with terraform.

Environment:
  SST_STAGE, SST_REGION, SST_PROFILE  defaults of --stage, --region, --profile
  SST_ENDPOINT         default of --endpoint: an emulator such as moto_server
                       (a stage remembers the endpoint of its first deploy)
  SST_ENGINE           default of --engine: terraform or tofu (OpenTofu); else
                       "sst": {"engine": ...} in cdktf.json, else terraform
  SST_PROVIDER_MIRROR  a local Terraform provider mirror, for machines that
                       cannot reach registry.terraform.io (the usual mirror
                       locations are found without it)
  SST_RDS_CONNECTION   a direct database URL for RDS migrations (sst migrate,
                       sst console) instead of the Data API`,
		Example: `  sst init my-app && cd my-app
  sst deploy --stage dev --endpoint http://127.0.0.1:5000   # to a local moto_server
  sst deploy --stage prod
  sst dev
  sst outputs
  sst remove --stage dev --yes`,
		// Errors are printed once by Main; usage on every failed deploy
		// would bury the message.
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			g.StageSet = cmd.Flags().Changed("stage")
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)

	pf := root.PersistentFlags()
	pf.StringVar(&g.Stage, "stage", "", "stage to use (default: $SST_STAGE, .sst/stage, or your user name)")
	pf.StringVar(&g.Region, "region", "", "AWS region (default: $SST_REGION, or the app's)")
	pf.StringVar(&g.Profile, "profile", "", "AWS profile (default: $SST_PROFILE, or the app's)")
	pf.StringVar(&g.Endpoint, "endpoint", "", "AWS endpoint override for an emulator, e.g. http://127.0.0.1:5000 (default: $SST_ENDPOINT)")
	pf.StringVar(&g.Project, "project", "", "project directory (default: the nearest parent holding cdktf.json)")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "show the app's and terraform's raw output")
	pf.StringVar(&g.Engine, "engine", "", `run "terraform" or "tofu" (OpenTofu) (default: $SST_ENGINE, cdktf.json's "sst": {"engine"}, or terraform)`)

	root.AddCommand(
		newSynthCmd(f, g),
		newDiffCmd(f, g),
		newDeployCmd(f, g),
		newRemoveCmd(f, g),
		newImportCmd(f, g),
		newOutputsCmd(f, g),
		newMigrateCmd(f, g),
		newUnlockCmd(f, g),
		newVersionCmd(f),
		newInitCmd(f),
		newTypesCmd(f, g),
		newSecretsCmd(f, g),
		newDevCmd(f, g),
		newEnvCmd(f, g),
		newBindCmd(f, g),
		newConsoleCmd(f, g),
	)
	return root
}

// Main runs the CLI and returns the process exit code.
func Main() int {
	f := NewFactory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Execute(ctx, f, os.Args[1:])
}

// Execute runs one command line with f and returns the exit code, printing
// any error once. Tests call it like main does.
func Execute(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var exit *exitCodeError
		if errors.As(err, &exit) {
			return exit.code
		}
		fmt.Fprintln(f.IO.ErrOut, "Error:", err)
		return 1
	}
	return 0
}

// exitCodeError passes on the exit status of a command sst ran for the
// user (sst env, sst bind) without an error message of its own.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
