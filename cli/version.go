package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"
)

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of sst, Go and terraform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := f.IO.Out
			fmt.Fprintf(w, "sst %s\n", Version)
			fmt.Fprintf(w, "go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			bin, err := findTerraform(f)
			if err != nil {
				fmt.Fprintln(w, "terraform: not found on PATH")
				return nil
			}
			v, err := terraformVersion(cmd.Context(), bin)
			if err != nil {
				fmt.Fprintf(w, "terraform: %s (version unknown: %v)\n", bin, err)
				return nil
			}
			fmt.Fprintf(w, "terraform %s (%s)\n", v, bin)
			return nil
		},
	}
}

// terraformVersion asks the binary itself; -json skips the network version
// check and gives a stable format.
func terraformVersion(ctx context.Context, bin string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version", "-json")
	cmd.Env = append(cmd.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", err
	}
	return v.Version, nil
}
