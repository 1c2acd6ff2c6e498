package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/console"
	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/manifest"
)

type consoleOptions struct {
	port       int
	connection string
}

func newConsoleCmd(f *Factory, g *Globals) *cobra.Command {
	o := &consoleOptions{}
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Serve a local web console to see and operate the deployed stage",
		Long: `Serves the Console for the stage's last deploy on 127.0.0.1: its stacks,
constructs and outputs; functions to invoke (in AWS); their CloudWatch logs
with live tail; tables, buckets, the RDS SQL editor and migrations; secrets.
It deploys nothing and reads the manifest and outputs of the last deploy.

The printed URL carries a token valid for this run only; the browser keeps
it in a cookie. Ctrl-C stops the server. sst dev serves the same console,
where functions run locally and invocations show up live.

The RDS page connects directly with --connection (or $SST_RDS_CONNECTION,
or $DATABASE_URL), else through the Data API, like sst migrate.`,
		Example: `  sst console --stage dev
  sst console --port 4000 --connection postgres://localhost/app  # RDS page without the Data API
  SST_RDS_CONNECTION=postgres://localhost/app sst console`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkConsolePort("--port", o.port); err != nil {
				return err
			}
			return runCmd(f, g, cmd, o, runConsole)
		},
	}
	cmd.Flags().IntVar(&o.port, "port", 0, "port to listen on (default: a free one)")
	cmd.Flags().StringVar(&o.connection, "connection", "", "database URL for the RDS page instead of the Data API (default: $SST_RDS_CONNECTION, then $DATABASE_URL)")
	return cmd
}

func runConsole(ctx context.Context, s *session, o *consoleOptions) error {
	m, err := manifest.Read(s.outDir())
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stage %q has never been deployed from here (no %s): run \"sst deploy --stage %s\" first, or sst dev", s.stage, relTo(s.project.Dir, manifest.Path(s.outDir())), s.stage)
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(s.outputsPath()); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stage %q has never been deployed from here (no %s): run \"sst deploy --stage %s\" first, or sst dev", s.stage, relTo(s.project.Dir, s.outputsPath()), s.stage)
	}
	cfg, err := s.consoleConfig(ctx, m, o.connection)
	if err != nil {
		return err
	}
	cfg.Port = o.port
	srv, err := console.Start(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	printConsoleURL(s, s.f.IO.Out, srv)
	fmt.Fprintln(s.f.IO.Out, "Ctrl-C stops it.")
	<-ctx.Done()
	return nil
}

// consoleConfig is what the console needs from a session and a manifest;
// sst dev adds its local runtime.
func (s *session) consoleConfig(ctx context.Context, m *manifest.Manifest, connFlag string) (console.Config, error) {
	outs, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		return console.Config{}, err
	}
	cfg, err := s.awsConfig(ctx, m)
	if err != nil {
		return console.Config{}, err
	}
	conn, source := s.rdsConnection(connFlag)
	return console.Config{
		Manifest: m, Outputs: outs, AWS: cfg, ProjectDir: s.project.Dir,
		StateDir:   filepath.Join(s.project.Path(manifest.SSTDir), "console", s.stage),
		Connection: conn, ConnectionSource: source,
	}, nil
}

// rdsConnection is the direct database URL: the flag, else
// $SST_RDS_CONNECTION, else $DATABASE_URL, with where it came from.
func (s *session) rdsConnection(flag string) (conn, source string) {
	switch {
	case flag != "":
		return flag, "--connection"
	case s.f.Getenv(EnvRDSConnection) != "":
		return s.f.Getenv(EnvRDSConnection), "$" + EnvRDSConnection
	case s.f.Getenv(EnvDatabaseURL) != "":
		return s.f.Getenv(EnvDatabaseURL), "$" + EnvDatabaseURL
	}
	return "", ""
}

// checkConsolePort refuses a port out of range or in use before anything
// (a deploy under sst dev) runs; 0 picks a free one later.
func checkConsolePort(flag string, port int) error {
	if port < 0 || port > 65535 {
		return fmt.Errorf("%s %d: use a TCP port between 1 and 65535 (0 picks a free one)", flag, port)
	}
	if port == 0 {
		return nil
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("%s %d: the port is in use: stop what holds it or pass another port", flag, port)
	}
	return ln.Close()
}

func printConsoleURL(s *session, w io.Writer, srv *console.Server) {
	fmt.Fprintf(w, "%s %s\n", s.style.Bold("Console:"), srv.URL())
}

// refreshConsole shows a redeployed stage in sst dev's console.
func refreshConsole(s *session, srv *dev.Server, con *console.Server, m *manifest.Manifest) {
	if con == nil {
		return
	}
	outs, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		srv.Printf("%s console: %v\n", s.style.Yellow("warning:"), err)
		return
	}
	con.Update(m, outs)
}

// startDevConsole serves the console with invocations going through the
// local runtime, so they show in its live feed and can be replayed.
func startDevConsole(ctx context.Context, s *session, srv *dev.Server, port int) (*console.Server, error) {
	cfg, err := s.consoleConfig(ctx, srv.Manifest(), "")
	if err != nil {
		return nil, err
	}
	cfg.Port, cfg.Invoke, cfg.History = port, srv.Invoke, srv.History()
	con, err := console.Start(cfg)
	if err != nil {
		return nil, fmt.Errorf("--console-port: %w", err)
	}
	srv.Printf("%s %s\n", s.style.Bold("Console:"), con.URL())
	return con, nil
}
