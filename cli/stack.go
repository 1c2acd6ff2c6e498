package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"sync"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/cli/internal/tfenv"
	"github.com/sst-tf/sst/manifest"
)

// terraformSetup is what every terraform run of a command shares.
type terraformSetup struct {
	bin string
	env map[string]string
}

// terraform finds the binary and builds its environment once per
// command, with an error that says what to do.
func (s *session) terraform() (*terraformSetup, error) {
	if s.tf != nil {
		return s.tf, nil
	}
	bin, err := findEngine(s.f, s.engine)
	if err != nil {
		return nil, err
	}
	env, err := tfenv.Build(tfenv.Options{
		Base:       s.f.Environ(),
		ProjectDir: s.project.Dir,
		Endpoint:   s.endpoint,
		Profile:    s.profile,
		Engine:     s.engine,
	})
	if err != nil {
		return nil, err
	}
	s.tf = &terraformSetup{bin: bin, env: env}
	return s.tf, nil
}

// synthStacks is the start of every command that runs terraform on the
// app: a current synthesis (under the stage lock; reused when nothing it
// read changed), the stacks named (all when none are), and terraform
// found.
func (s *session) synthStacks(ctx context.Context, names []string) (*manifest.Manifest, []*manifest.Stack, error) {
	res, err := s.synthOrReuse(ctx)
	if err != nil {
		return nil, nil, err
	}
	stacks, err := selectStacks(res.Manifest, names)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.terraform(); err != nil {
		return nil, nil, err
	}
	return res.Manifest, stacks, nil
}

// stackRunner is one stack in one command: terraform on it, and what a
// deploy does around an apply that Terraform does not (migrations, site
// uploads, outputs).
type stackRunner struct {
	s  *session
	m  *manifest.Manifest
	st *manifest.Stack
	// dir is the stack's synthesized directory.
	dir string
	// raw receives terraform's own output with --verbose.
	raw *progress.LockedWriter
	// printf reports progress (the command's progress printer).
	printf func(string, ...any)
}

func (s *session) stack(m *manifest.Manifest, st *manifest.Stack, raw *progress.LockedWriter, printf func(string, ...any)) *stackRunner {
	return &stackRunner{s: s, m: m, st: st, dir: filepath.Join(s.outDir(), filepath.FromSlash(st.Dir)), raw: raw, printf: printf}
}

// initMu serializes `terraform init` across the stacks of one command:
// terraform's plugin cache is not safe for concurrent first installs, and
// with a warm cache an init is cheap, so applies stay parallel. A stack
// initialized by an earlier command for the same configuration is not
// initialized again (tf.EnsureInit).
var initMu sync.Mutex

// open is terraform for the stack, initialized and switched to the stage's
// workspace: the start of everything that touches state. With --verbose,
// terraform's raw output goes to stderr, each line prefixed with the stack
// so parallel stacks stay readable.
func (r *stackRunner) open(ctx context.Context) (*tf.Terraform, error) {
	t, err := r.init(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.Workspace(ctx, r.s.workspace(r.st)); err != nil {
		return nil, err
	}
	return t, nil
}

// init is terraform for the stack, initialized, on whatever workspace it
// last had.
func (r *stackRunner) init(ctx context.Context) (*tf.Terraform, error) {
	setup, err := r.s.terraform()
	if err != nil {
		return nil, err
	}
	opts := tf.Options{Dir: r.dir, Binary: setup.bin, Env: setup.env}
	if r.s.g.Verbose {
		opts.Log = &progress.PrefixWriter{W: r.raw, Prefix: r.st.Name + " | "}
	}
	t, err := tf.New(opts)
	if err != nil {
		return nil, err
	}
	// Import blocks are only ever meant for the run that wrote them.
	t.ClearImports()
	initMu.Lock()
	err = t.EnsureInit(ctx)
	initMu.Unlock()
	if err != nil {
		return nil, err
	}
	return t, nil
}

// openExisting is open for commands that must not create a stage: it
// returns no Terraform, having created nothing, when the backend has no
// workspace for the stage.
// The backend's workspaces are returned either way.
func (r *stackRunner) openExisting(ctx context.Context) (*tf.Terraform, []string, error) {
	t, err := r.init(ctx)
	if err != nil {
		return nil, nil, err
	}
	have, err := t.Workspaces(ctx)
	if err != nil {
		return nil, nil, err
	}
	ws := r.s.workspace(r.st)
	if !slices.Contains(have, ws) {
		return nil, have, nil
	}
	if err := t.Workspace(ctx, ws); err != nil {
		return nil, nil, err
	}
	return t, have, nil
}

// outputs are the stack's outputs a person may see: sensitive and
// cross-stack ones are left out.
func (r *stackRunner) outputs(ctx context.Context, t *tf.Terraform) (map[string]json.RawMessage, error) {
	outs, err := t.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	vals := map[string]json.RawMessage{}
	for k, v := range outs {
		if deploy.Visible(k, v.Sensitive) {
			vals[k] = v.Value
		}
	}
	return vals, nil
}

// afterApply is what follows an apply (or an unchanged stack): pending
// migrations, with the stack's outputs, and — when the stack was applied
// now — the sites' files.
func (r *stackRunner) afterApply(ctx context.Context, outs map[string]json.RawMessage, applied bool) error {
	if err := r.migrate(ctx, outs); err != nil {
		return err
	}
	if !applied {
		return nil
	}
	if err := r.pushImages(ctx, outs, false); err != nil {
		return err
	}
	return r.uploadSites(ctx, outs)
}
