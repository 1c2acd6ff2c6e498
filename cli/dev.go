package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/console"
	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// defaultDevPort is where the first local API Gateway listens unless
// --port says otherwise.
const defaultDevPort = 3000

type devOptions struct {
	port         int
	portExplicit bool
	runSites     bool
	consolePort  int
	force        bool
}

func newDevCmd(f *Factory, g *Globals) *cobra.Command {
	o := &devOptions{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Deploy the stage, then run its functions locally with live reload",
		Long: `Deploys the stage (like sst deploy), then runs every function's handler on
this machine, with the environment and bindings it has when deployed, so
handlers read and write the stage's real tables, buckets and queues.

Each Api gets a local HTTP server that plays API Gateway (payload format
2.0: routes, path parameters, query strings, cookies, base64 bodies, CORS,
JWT and Lambda authorizers). Queue consumers get the real queue's messages
(the CLI polls it: batch size and window, partial batch failures), Kinesis
consumers the stream's records (the CLI reads the shards: starting
position, batch size, bisect and retries, filters), topic subscribers, bus
rule targets and bucket notification handlers the events that pass their
filters (through a dev-only queue), and cron jobs fire on their schedule
(SST_DEV_TIME_SCALE=N runs that clock N times faster); their deployed
mappings, subscriptions, targets, notifications and rules are paused until
the next sst deploy. A Script's OnCreate/OnUpdate/OnDelete that one of its
deploys triggers runs here too (the deployed dispatcher calls nothing; the
deploy after sst dev restores it without running a phase). Each deployed
function's code is a stub relaying direct invocations (lambda:Invoke, the
AWS console) here through a dev-only queue, answered in a dev-only table;
they fail until sst deploy once sst dev stops. Edited handlers are rebuilt and the next request or event
runs the new code; edited stacks are synthesized and deployed again (only
the stacks that changed; the app itself runs only when something its last
synthesis read changed, --force always runs it). Every invocation is logged with its output and
kept in .sst/dev/<stage>/invocations.jsonl and shown live in the console
whose URL it prints (invoke, replay, logs, data). Ctrl-C stops everything.`,
		Example: `  sst dev --stage dev
  sst dev --endpoint http://127.0.0.1:5000   # against moto_server, no AWS account
  sst dev --port 4000 --run-sites`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.portExplicit = cmd.Flags().Changed("port")
			if o.port < 0 || o.port > 65535 {
				return fmt.Errorf("--port %d: use a TCP port between 1 and 65535 (0 picks a free one)", o.port)
			}
			return runCmd(f, g, cmd, o, runDev)
		},
	}
	cmd.Flags().IntVar(&o.port, "port", defaultDevPort, "port of the first Api's local server; later Apis take the next ones (a default port in use is skipped, an explicit one is an error)")
	cmd.Flags().IntVar(&o.consolePort, "console-port", 0, "port of the local console (default: a free one)")
	cmd.Flags().BoolVar(&o.force, "force", false, "run the app before each deploy even when nothing it read changed since its last synthesis")
	cmd.Flags().BoolVar(&o.runSites, "run-sites", false, "also run each site's `npm run dev` with its environment (local Api URLs)")
	return cmd
}

func runDev(ctx context.Context, s *session, o *devOptions) error {
	s.resynth = o.force
	// For the whole session: its redeploys re-synthesize, and a deploy
	// from another terminal would change what its workers run against.
	if err := s.lockStage(); err != nil {
		return err
	}
	// Its deploys pause the deployed queue mappings and cron rules: the
	// CLI delivers their events to the local handlers instead.
	s.mode = manifest.ModeDev
	// Ports first: a taken explicit port should fail before a deploy.
	if o.portExplicit && o.port != 0 {
		if err := checkPort(o.port); err != nil {
			return err
		}
	}
	if err := checkConsolePort("--console-port", o.consolePort); err != nil {
		return err
	}
	clock, err := devClock(s.f.Getenv(timeScaleEnv))
	if err != nil {
		return err
	}
	var (
		srv *dev.Server
		con *console.Server
	)
	srv, err = dev.Start(ctx, dev.Options{
		ProjectDir:   s.project.Dir,
		Stage:        s.stage,
		Dir:          filepath.Join(s.project.Path(manifest.SSTDir), "dev", s.stage),
		OutputsPath:  s.outputsPath(),
		Endpoint:     s.endpoint,
		Port:         o.port,
		PortExplicit: o.portExplicit,
		RunSites:     o.runSites,
		Environ:      s.f.Environ(),
		Out:          s.f.IO.Out,
		Style:        s.style,
		Deploy: func(ctx context.Context) (*manifest.Manifest, []dev.Applied, error) {
			var mu sync.Mutex
			var applied []dev.Applied
			// Scripts' phases run locally: the deploy says which of their
			// invocations it created, updated or destroyed.
			s.applied = func(stack string, changes []tf.Change) {
				mu.Lock()
				defer mu.Unlock()
				for _, c := range changes {
					applied = append(applied, dev.Applied{Stack: stack, Address: c.Address, Action: c.Action})
				}
			}
			defer func() { s.applied = nil }()
			if err := runDeploy(ctx, s, &deployOptions{parallel: defaultParallel}); err != nil {
				return nil, nil, err
			}
			m, err := manifest.Read(s.outDir())
			return m, applied, err
		},
		AWSConfig: s.awsConfig,
		StackState: func(ctx context.Context, m *manifest.Manifest, st *manifest.Stack) ([]byte, error) {
			t, err := s.stack(m, st, &progress.LockedWriter{W: io.Discard}, nil).open(ctx)
			if err != nil {
				return nil, err
			}
			return t.StatePull(ctx)
		},
		Reloaded: func(m *manifest.Manifest) { refreshConsole(s, srv, con, m) },
		Clock:    clock,
	})
	if err != nil {
		srv.Close() // what started before the failure
		return err
	}
	defer srv.Close()
	if con, err = startDevConsole(ctx, s, srv, o.consolePort); err != nil {
		return err
	}
	defer con.Close()

	st := s.style
	srv.Printf("\n%s sst dev is running stage %s. Edit a handler or a stack and save; Ctrl-C stops.\n", st.Green("✓"), st.Bold(s.stage))
	srv.Run(ctx)
	srv.Printf("\nStopping…\n")
	if paused := srv.Paused(); len(paused) > 0 {
		srv.Printf("%s the deployed wiring of %s stays paused until `sst deploy --stage %s` (or the next sst dev)\n", st.Yellow("note:"), strings.Join(paused, ", "), s.stage)
	}
	if srv.Relayed() {
		srv.Printf("%s the deployed functions of stage %s relay to sst dev, so a direct invocation of one fails (\"sst dev did not answer\") until `sst deploy --stage %s` (or the next sst dev)\n", st.Yellow("note:"), s.stage, s.stage)
	}
	return nil
}

// timeScaleEnv speeds up the clock cron schedules fire by (60: a
// rate(1 minute) job fires every second), to watch a schedule without
// waiting for it; the end-to-end tests use it.
const timeScaleEnv = "SST_DEV_TIME_SCALE"

func devClock(v string) (dev.Clock, error) {
	if v == "" {
		return nil, nil
	}
	scale, err := strconv.ParseFloat(v, 64)
	if err != nil || scale < 1 || scale > 3600 {
		return nil, fmt.Errorf("%s=%q: use a speed-up factor from 1 to 3600 (60 fires a rate(1 minute) cron every second), or unset it", timeScaleEnv, v)
	}
	return dev.ScaledClock{Start: time.Now(), Scale: scale}, nil
}

func checkPort(port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("--port %d: the port is in use (another sst dev?): stop what holds it or pass another --port", port)
	}
	return ln.Close()
}
