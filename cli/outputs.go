package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/manifest"
)

type outputsOptions struct {
	asJSON bool
	all    bool
}

func newOutputsCmd(f *Factory, g *Globals) *cobra.Command {
	o := &outputsOptions{}
	cmd := &cobra.Command{
		Use:   "outputs",
		Short: "Print the outputs of the last deploy of a stage",
		Long: `Prints .sst/outputs/<stage>.json, written by the last "sst deploy": the
outputs the app declared (AddOutputs), and with --all also those constructs
add for sst itself. It runs neither the app nor terraform, so it is instant
and works offline.`,
		Example: `  sst outputs --stage prod
  sst outputs --all --json | jq .API`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(f, g, cmd, o, runOutputs)
		},
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the outputs file as JSON")
	cmd.Flags().BoolVar(&o.all, "all", false, "include the outputs constructs add for sst itself (a site's bucket, an RDS cluster's ARNs)")
	return cmd
}

func runOutputs(_ context.Context, s *session, o *outputsOptions) error {
	path := s.outputsPath()
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no outputs for stage %q (%s): run \"sst deploy --stage %s\" first", s.stage, path, s.stage)
	}
	outs, err := deploy.ReadOutputs(path)
	if err != nil {
		return err
	}
	w := s.f.IO.Out
	// The last synth's manifest says which outputs are the app's own; with
	// none (never synthesized here, or unreadable) everything is shown.
	m, _ := manifest.Read(s.outDir())
	shown := appOutputs(outs, m, o.all)
	if o.asJSON {
		b, err := json.MarshalIndent(shown, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	printOutputs(w, s.style, shown, nil)
	printHidden(w, outs, shown)
	return nil
}

// appOutputs is what a person is shown of outs by default: the app's own
// outputs (manifest Stack.AppOutput), or everything with all.
func appOutputs(outs deploy.Outputs, m *manifest.Manifest, all bool) deploy.Outputs {
	if all || m == nil {
		return outs
	}
	shown := deploy.Outputs{}
	for stack, vals := range outs {
		st, ok := m.Stack(stack)
		for n, v := range vals {
			if ok && !st.AppOutput(n) {
				continue
			}
			if shown[stack] == nil {
				shown[stack] = map[string]json.RawMessage{}
			}
			shown[stack][n] = v
		}
	}
	return shown
}

// printHidden says how many outputs appOutputs left out, and how to see them.
func printHidden(w io.Writer, outs, shown deploy.Outputs) {
	hidden := 0
	for stack, vals := range outs {
		hidden += len(vals) - len(shown[stack])
	}
	if hidden > 0 {
		fmt.Fprintf(w, "(%d output(s) sst uses itself not shown: --all shows them)\n", hidden)
	}
}

// printOutputs prints stacks' outputs, sorted, with URLs highlighted since
// they are what a person wants to click. only limits the stacks printed
// (nil: all).
func printOutputs(w io.Writer, style progress.Style, outs deploy.Outputs, only []string) {
	stacks := only
	if stacks == nil {
		for name := range outs {
			stacks = append(stacks, name)
		}
		sort.Strings(stacks)
	}
	printed := false
	for _, stack := range stacks {
		vals := outs[stack]
		if len(vals) == 0 {
			continue
		}
		if !printed {
			fmt.Fprintln(w, style.Bold("Outputs:"))
			printed = true
		}
		fmt.Fprintf(w, "  %s\n", style.Bold(stack))
		names := make([]string, 0, len(vals))
		width := 0
		for n := range vals {
			names = append(names, n)
			width = max(width, len(n))
		}
		sort.Strings(names)
		for _, n := range names {
			v := formatValue(vals[n])
			if isURL(v) {
				v = style.Cyan(v)
			}
			fmt.Fprintf(w, "    %-*s  %s\n", width+1, n+":", v)
		}
	}
	if !printed {
		fmt.Fprintln(w, "No outputs.")
	}
}

// formatValue prints JSON strings bare and anything else as compact JSON.
func formatValue(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err == nil {
		return buf.String()
	}
	return string(raw)
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}
