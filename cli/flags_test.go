package cli

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// parseFlags runs one command line with the runF hook: the options the
// command would run with, or the error its flag checks return, with no
// project, lock, synth or terraform involved.
func parseFlags(t *testing.T, args ...string) (cmd string, opts any, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &Factory{
		IO:      &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getwd:   func() (string, error) { return "", errors.New("flag tests have no working directory") },
		Environ: func() []string { return nil },
	}
	f.runF = func(c *cobra.Command, o any) error {
		cmd, opts = c.CommandPath(), o
		return nil
	}
	root := NewRootCmd(f)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return cmd, opts, err
}

func TestFlagsReachOptions(t *testing.T) {
	on, off := true, false
	for _, tc := range []struct {
		args []string
		cmd  string
		want any
	}{
		{[]string{"deploy", "--force", "--adopt", "--parallel", "2", "--connection", "postgres://u@h/db", "Api", "Web"}, "sst deploy", &deployOptions{force: true, adopt: true, parallel: 2, connection: "postgres://u@h/db", stacks: []string{"Api", "Web"}}},
		{[]string{"deploy"}, "sst deploy", &deployOptions{parallel: defaultParallel, stacks: []string{}}},
		{[]string{"diff", "--parallel", "1", "Api"}, "sst diff", &diffOptions{parallel: 1, stacks: []string{"Api"}}},
		{[]string{"diff", "--out", "plan"}, "sst diff", &diffOptions{out: "plan", parallel: defaultParallel, stacks: []string{}}},
		{[]string{"deploy", "--plan", "plan", "--allow-replace"}, "sst deploy", &deployOptions{plan: "plan", allowReplace: true, parallel: defaultParallel, stacks: []string{}}},
		{[]string{"remove", "-y", "Api"}, "sst remove", &removeOptions{yes: true, parallel: defaultParallel, stacks: []string{"Api"}}},
		{[]string{"unlock", "Api", "1234-abcd"}, "sst unlock", &unlockOptions{stack: "Api", id: "1234-abcd"}},
		{[]string{"unlock", "--yes"}, "sst unlock", &unlockOptions{yes: true}},
		{[]string{"migrate", "--dry-run", "Db"}, "sst migrate", &migrateOptions{dryRun: true, ids: []string{"Db"}}},
		{[]string{"outputs", "--json"}, "sst outputs", &outputsOptions{asJSON: true}},
		{[]string{"bind", "--function", "Api_GET", "--", "go", "test"}, "sst bind", &bindOptions{function: "Api_GET", args: []string{"go", "test"}}},
		{[]string{"env", "--site", "Web", "next dev"}, "sst env", &envOptions{site: "Web", args: []string{"next dev"}}},
		{[]string{"dev", "--port", "0", "--run-sites"}, "sst dev", &devOptions{port: 0, portExplicit: true, runSites: true}},
		{[]string{"secrets", "--fallback", "get", "TOKEN"}, "sst secrets get", &secretsOptions{fallback: true, name: "TOKEN"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd, opts, err := parseFlags(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if cmd != tc.cmd || !reflect.DeepEqual(opts, tc.want) {
				t.Errorf("%s %+v, want %s %+v", cmd, opts, tc.cmd, tc.want)
			}
		})
	}

	_, opts, err := parseFlags(t, "types", "--lang", "go", "--go-out", "gen")
	if err != nil {
		t.Fatal(err)
	}
	if o := opts.(*typesOptions); o.gen.GoDir != "gen" || !reflect.DeepEqual(o.gen.Go, &on) || !reflect.DeepEqual(o.gen.TS, &off) {
		t.Errorf("types --lang go --go-out gen: %+v", o.gen)
	}
	_, opts, _ = parseFlags(t, "types")
	if o := opts.(*typesOptions); o.gen.Go != nil || o.gen.TS != nil {
		t.Errorf("types without --lang chose languages itself: %+v", o.gen)
	}
}

// TestBadFlagsFailBeforeRunning: flag checks refuse before the command
// would load anything (runF is never reached).
func TestBadFlagsFailBeforeRunning(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "--parallel", "0"}, "--parallel 0: must be at least 1"},
		{[]string{"diff", "--parallel", "-1"}, "--parallel -1: must be at least 1"},
		{[]string{"remove", "--parallel", "0"}, "--parallel 0: must be at least 1"},
		{[]string{"deploy", "--allow-replace"}, "--allow-replace is for --plan"},
		{[]string{"deploy", "--plan", "p", "Api"}, "--plan applies every stack of the plan: to deploy fewer, save a plan of those (`sst diff --out DIR Api`)"},
		{[]string{"deploy", "--plan", "p", "--force"}, "--force cannot be combined with it"},
		{[]string{"deploy", "--plan", "p", "--refresh"}, "--refresh cannot be combined with it"},
		{[]string{"deploy", "--plan", "p", "--adopt"}, "--adopt cannot be combined with it"},
		{[]string{"unlock", "Api"}, "pass nothing (find the stage's locks) or the stack and the lock ID"},
		{[]string{"types", "--lang", "rust"}, `--lang "rust": use go, ts or both`},
		{[]string{"dev", "--port", "70000"}, "--port 70000: use a TCP port between 1 and 65535"},
		{[]string{"console", "--port", "-2"}, "--port -2: use a TCP port between 1 and 65535"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd, _, err := parseFlags(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if cmd != "" {
				t.Errorf("%s ran despite its bad flags", cmd)
			}
		})
	}
}
