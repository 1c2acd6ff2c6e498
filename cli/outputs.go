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
)

type outputsOptions struct {
	asJSON bool
}

func newOutputsCmd(f *Factory, g *Globals) *cobra.Command {
	o := &outputsOptions{}
	cmd := &cobra.Command{
		Use:   "outputs",
		Short: "Print the outputs of the last deploy of a stage",
		Long: `Prints .sst/outputs/<stage>.json, written by the last "sst deploy". It runs
neither the app nor terraform, so it is instant and works offline.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(f, g, cmd, o, runOutputs)
		},
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the outputs file as JSON")
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
	if o.asJSON {
		b, err := json.MarshalIndent(outs, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	printOutputs(w, s.style, outs, nil)
	return nil
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
