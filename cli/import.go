package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// importTypes maps the constructs sst import brings existing resources
// under to the resource that holds their data, whose address is the
// construct's id.
var importTypes = map[string]string{
	"Table":   "aws_dynamodb_table",
	"Bucket":  "aws_s3_bucket",
	"Queue":   "aws_sqs_queue",
	"Cognito": "aws_cognito_user_pool",
}

type importOptions struct {
	construct string
	id        string
	yes       bool
}

func newImportCmd(f *Factory, g *Globals) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import <construct-id> <aws-id>",
		Short: "Bring an existing table, bucket, queue or user pool under a construct",
		Long: `Adopts a resource that already exists in AWS into the stage's state as the
resource of a construct: a Table (by table name), Bucket (bucket name), Queue
(queue name or URL) or Cognito (user pool id). It plans the construct's stack
with a Terraform import block for that one resource and prints the plan before
anything changes; the plan is applied after confirmation (--yes skips it).
From then on sst deploy manages the resource, and changes to the construct
update it in place. Settings AWS cannot change in place (a table's name or
keys) must already match the construct's: a plan that would replace the
imported resource is refused and changes nothing.`,
		Example: `  sst import Notes dev-myapp-Notes --stage dev       # a table made by hand, under sst.NewTable(s, "Notes", …)
  sst import Jobs https://sqs.us-east-1.amazonaws.com/123456789012/dev-myapp-Jobs --yes`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.construct, o.id = args[0], args[1]
			return runCmd(f, g, cmd, o, runImport)
		},
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "apply the plan without asking for confirmation")
	return cmd
}

func runImport(ctx context.Context, s *session, o *importOptions) error {
	f := s.f
	// In CI a missing --yes should fail before the synth, not after it.
	if !o.yes && !f.IO.IsTTY {
		return fmt.Errorf("refusing to import into stage %q without confirmation: not running in a terminal, pass --yes", s.stage)
	}
	m, _, err := s.synthStacks(ctx, nil)
	if err != nil {
		return err
	}
	st, c, err := importTarget(m, o.construct)
	if err != nil {
		return err
	}
	typ := importTypes[c.Type]
	addr := typ + "." + c.ID
	pr := progress.New(f.IO.Out, f.IO.IsTTY, f.color(), []string{st.Name})
	r := s.stack(m, st, &progress.LockedWriter{W: f.IO.ErrOut}, pr.Printf)
	if tf.ConfiguredResource(r.dir, typ, c.ID) == nil {
		return fmt.Errorf("%s %q: stack %s has no %s for it to import into", strings.ToLower(c.Type), c.ID, st.Name, addr)
	}
	id := o.id
	if typ == "aws_sqs_queue" && !strings.Contains(id, "://") {
		if id, err = r.importID(ctx, typ, id); err != nil {
			return fmt.Errorf("queue %q: find the URL of queue %s: %w", c.ID, o.id, err)
		}
	}
	t, err := r.open(ctx)
	if err != nil {
		return err
	}
	have, err := t.StateList(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(have, addr) {
		return fmt.Errorf("%s %q is already in the state of stage %s (%s): nothing to import; `sst remove` or a retained removal is how a resource leaves it", strings.ToLower(c.Type), c.ID, s.stage, addr)
	}
	what := fmt.Sprintf("importing %s into %s %q (%s)", o.id, strings.ToLower(c.Type), c.ID, addr)
	sum, err := r.adopt(ctx, t, []tf.Import{{To: addr, ID: id}}, pr.Handler(st.Name), adoptMode{yes: o.yes, ask: askAtTerminal(f)}, what)
	if errors.Is(err, errDeclined) {
		return fmt.Errorf("not imported: declined; nothing changed")
	}
	if err != nil {
		return fmt.Errorf("stack %s: %s", st.Name, describeError(err))
	}
	if err := s.recordTarget(); err != nil {
		return err
	}
	// The stack was applied outside a deploy: the next deploy applies it
	// again rather than skipping it as unchanged, and records its outputs.
	if err := (deploy.Hashes{Dir: s.hashDir()}).Delete(st.Name); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "%s Imported %s into %s %q of stage %s (%s); sst deploy manages it from now on\n", s.style.Green("✓"), o.id, strings.ToLower(c.Type), c.ID, s.stage, changeCounts(sum))
	return nil
}

// importTarget finds the construct named id, with an error listing those
// that can be imported into when it is not one of them.
func importTarget(m *manifest.Manifest, id string) (*manifest.Stack, *manifest.Construct, error) {
	var can []string
	for i := range m.Stacks {
		st := &m.Stacks[i]
		for j := range st.Constructs {
			c := &st.Constructs[j]
			_, ok := importTypes[c.Type]
			if c.ID == id {
				if !ok {
					return nil, nil, fmt.Errorf("construct %q (%s): sst import brings existing tables, buckets, queues and Cognito user pools under a construct", id, c.Type)
				}
				return st, c, nil
			}
			if ok {
				can = append(can, fmt.Sprintf("%s (%s)", c.ID, c.Type))
			}
		}
	}
	sort.Strings(can)
	list := "none"
	if len(can) > 0 {
		list = strings.Join(can, ", ")
	}
	return nil, nil, fmt.Errorf("no construct %q in app %q: constructs that can import are %s", id, m.App, list)
}
