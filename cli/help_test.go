package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command's help shows how to use it, and help names the variables
// a user may need where they apply.
func TestHelpHasExamples(t *testing.T) {
	root := NewRootCmd(&Factory{IO: &IOStreams{}})
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Name() != "help" && c.Name() != "completion" && !c.Hidden {
			n++
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%q has no examples", c.CommandPath())
			}
			for _, line := range strings.Split(c.Example, "\n") {
				if !strings.Contains(line, "sst ") {
					t.Errorf("%q: example line %q runs no sst command", c.CommandPath(), line)
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 20 {
		t.Errorf("only %d commands walked", n)
	}
}

func TestHelpMentionsEnvironment(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Examples:", "SST_PROVIDER_MIRROR", "SST_ENDPOINT", "SST_RDS_CONNECTION", "sst deploy --stage dev --endpoint http://127.0.0.1:5000"}},
		{[]string{"deploy", "--help"}, []string{"Examples:", "SST_PROVIDER_MIRROR=", "--endpoint http://127.0.0.1:5000", "$SST_ENDPOINT", "--all"}},
		{[]string{"diff", "--help"}, []string{"Examples:", "SST_PROVIDER_MIRROR="}},
		{[]string{"migrate", "--help"}, []string{"Examples:", "SST_RDS_CONNECTION"}},
		{[]string{"console", "--help"}, []string{"Examples:", "SST_RDS_CONNECTION"}},
		{[]string{"outputs", "--help"}, []string{"Examples:", "--all"}},
		{[]string{"secrets", "set", "--help"}, []string{"Examples:", "sst secrets set STRIPE_KEY"}},
	} {
		h := newHarness(t, t.TempDir())
		h.mustRun(c.args...)
		for _, w := range c.want {
			if !strings.Contains(h.out.String(), w) {
				t.Errorf("sst %s lacks %q:\n%s", strings.Join(c.args, " "), w, h.out.String())
			}
		}
	}
}
