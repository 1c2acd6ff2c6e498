package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

type secretsOptions struct {
	fallback bool
	show     bool
	force    bool
	// name is the secret of get and remove; values (in order) what set
	// and load write.
	name   string
	values map[string]string
	order  []string
}

func newSecretsCmd(f *Factory, g *Globals) *cobra.Command {
	o := &secretsOptions{}
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Manage secrets (sst.NewSecret) in SSM Parameter Store",
		Long: `Sets, reads, lists and removes the values of the app's secrets. They are
SecureString parameters at /sst/<app>/<stage>/Secret/<NAME>/value, written
straight through the AWS SDK — never through Terraform, so no value reaches
the synthesized JSON, the state or a plan. With --fallback the commands work
on /sst/<app>/.fallback/Secret/<NAME>/value instead: the value every stage
without its own uses.

Functions bound to a secret read it at cold start (runtime.Secret in Go,
after importing github.com/sst-tf/sst/runtime/ssm); functions already
running keep the value they read.`,
		Example: `  sst secrets set STRIPE_KEY sk_test_123
  sst secrets list --show
  sst secrets set STRIPE_KEY sk_live_456 --stage prod
  sst secrets load .env.prod --fallback`,
	}
	cmd.PersistentFlags().BoolVar(&o.fallback, "fallback", false, "use the app-wide fallback value instead of the stage's")

	set := &cobra.Command{
		Use:   "set NAME VALUE",
		Short: "Set a secret's value",
		Example: `  sst secrets set STRIPE_KEY sk_test_123
  sst secrets set STRIPE_KEY sk_test_123 --fallback   # every stage without its own`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.values, o.order = map[string]string{args[0]: args[1]}, []string{args[0]}
			return runCmd(f, g, cmd, o, runSecretsSet)
		},
	}
	set.Flags().BoolVar(&o.force, "force", false, "set it even though the stage has never been deployed")

	get := &cobra.Command{
		Use:   "get NAME",
		Short: "Print a secret's value",
		Long: `Prints the value a function of the stage would read: the stage's own, else
the fallback (said on stderr). With --fallback, only the fallback.`,
		Example: `  sst secrets get STRIPE_KEY --stage prod`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runCmd(f, g, cmd, o, runSecretsGet)
		},
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List the secrets of the stage (values only with --show)",
		Example: `  sst secrets list
  sst secrets list --show`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(f, g, cmd, o, runSecretsList)
		},
	}
	list.Flags().BoolVar(&o.show, "show", false, "print the values too")

	remove := &cobra.Command{
		Use:     "remove NAME",
		Short:   "Remove a secret's value",
		Example: `  sst secrets remove STRIPE_KEY`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runCmd(f, g, cmd, o, runSecretsRemove)
		},
	}

	load := &cobra.Command{
		Use:   "load FILE",
		Short: "Set every secret in a dotenv file (NAME=value lines)",
		Long: `Reads NAME=value lines ("export " prefixes, # comments, and single- or
double-quoted values are understood) and sets each secret. Every line is
checked before anything is written.`,
		Example: `  sst secrets load .env.dev`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.values, o.order, err = parseDotenv(args[0]); err != nil {
				return err
			}
			return runCmd(f, g, cmd, o, runSecretsSet)
		},
	}
	load.Flags().BoolVar(&o.force, "force", false, "set them even though the stage has never been deployed")

	cmd.AddCommand(set, get, list, remove, load)
	return cmd
}

// secretStore is one app's secrets for one stage (or its fallback).
type secretStore struct {
	s        *session
	o        *secretsOptions
	api      *ssm.Client
	app      string
	declared []string // secrets the app declares, from its manifest
}

// secretsRun is a secrets subcommand's runX: the store opened, then op.
func secretsRun(op func(context.Context, *secretStore) error) func(context.Context, *session, *secretsOptions) error {
	return func(ctx context.Context, s *session, o *secretsOptions) error {
		_, statErr := os.Stat(manifest.Path(s.outDir()))
		synthesized := errors.Is(statErr, os.ErrNotExist)
		st, err := openSecrets(ctx, s, o)
		if err == nil {
			err = op(ctx, st)
		}
		if err != nil && synthesized {
			// The synth only served to learn the app's name: a refused
			// command leaves no stage output behind, as if it never ran.
			_ = os.RemoveAll(s.outDir())
		}
		return err
	}
}

var (
	runSecretsSet    = secretsRun(func(ctx context.Context, st *secretStore) error { return st.set(ctx, st.o.values, st.o.order) })
	runSecretsGet    = secretsRun(func(ctx context.Context, st *secretStore) error { return st.get(ctx, st.o.name) })
	runSecretsList   = secretsRun(func(ctx context.Context, st *secretStore) error { return st.list(ctx) })
	runSecretsRemove = secretsRun(func(ctx context.Context, st *secretStore) error { return st.remove(ctx, st.o.name) })
)

// openSecrets resolves the app and its AWS configuration: the app name comes
// from the stage's synthesized manifest, or from synthesizing when there is
// none yet.
func openSecrets(ctx context.Context, s *session, o *secretsOptions) (*secretStore, error) {
	m, err := s.manifest(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := s.awsConfig(ctx, m)
	if err != nil {
		return nil, err
	}
	st := &secretStore{s: s, o: o, api: ssm.NewFromConfig(cfg), app: m.App}
	for _, stack := range m.Stacks {
		for _, c := range stack.Constructs {
			if c.Type == "Secret" {
				st.declared = append(st.declared, c.ID)
			}
		}
	}
	sort.Strings(st.declared)
	return st, nil
}

func (st *secretStore) stagePrefix() string { return binding.SSMPrefix(st.app, st.s.stage) }

func (st *secretStore) prefix(fallback bool) string {
	if fallback {
		return binding.FallbackPrefix(st.app) + "Secret/"
	}
	return st.stagePrefix() + "Secret/"
}

func (st *secretStore) path(name string, fallback bool) string {
	return st.prefix(fallback) + name + "/value"
}

// where names the target in messages.
func (st *secretStore) where(fallback bool) string {
	if fallback {
		return fmt.Sprintf("the fallback of app %q", st.app)
	}
	return fmt.Sprintf("stage %q of app %q", st.s.stage, st.app)
}

// validateSecretName is the rule sst.NewSecret applies.
func validateSecretName(name string) error {
	ok := name != "" && len(name) <= 64
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("invalid secret name %q: names start with a letter and contain only letters, digits and \"_\" (at most 64), as in sst.NewSecret", name)
	}
	return nil
}

// checkStage refuses to write secrets for a stage nobody has deployed, the
// usual sign of a mistyped --stage: a stage is known when this checkout has
// deployed it or when SSM already holds something of it.
func (st *secretStore) checkStage(ctx context.Context) error {
	if st.o.fallback || st.o.force {
		return nil
	}
	if _, err := os.Stat(st.s.outputsPath()); err == nil {
		return nil
	}
	out, err := st.api.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(strings.TrimSuffix(st.stagePrefix(), "/")), Recursive: aws.Bool(true), MaxResults: aws.Int32(1)})
	if err != nil {
		return fmt.Errorf("checking stage %q in SSM: %w", st.s.stage, err)
	}
	if len(out.Parameters) > 0 {
		return nil
	}
	return fmt.Errorf("stage %q of app %q has never been deployed from here (no %s) and has nothing in SSM under %s: check --stage, use --fallback to set a value for every stage, or pass --force to set it before the first deploy",
		st.s.stage, st.app, relTo(st.s.project.Dir, st.s.outputsPath()), st.stagePrefix())
}

func relTo(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil {
		return r
	}
	return p
}

func (st *secretStore) set(ctx context.Context, values map[string]string, order []string) error {
	for _, name := range order {
		if err := validateSecretName(name); err != nil {
			return err
		}
		if values[name] == "" {
			return fmt.Errorf("secret %s: the value is empty (SSM stores no empty values); to unset it run \"sst secrets remove %s\"", name, name)
		}
	}
	if err := st.checkStage(ctx); err != nil {
		return err
	}
	w := st.s.f.IO.Out
	for _, name := range order {
		if _, err := st.api.PutParameter(ctx, &ssm.PutParameterInput{
			Name:      aws.String(st.path(name, st.o.fallback)),
			Value:     aws.String(values[name]),
			Type:      types.ParameterTypeSecureString,
			Overwrite: aws.Bool(true),
		}); err != nil {
			return fmt.Errorf("set secret %s for %s: %w", name, st.where(st.o.fallback), err)
		}
		fmt.Fprintf(w, "Set %s for %s\n", name, st.where(st.o.fallback))
		if !slices.Contains(st.declared, name) {
			has := "it declares none"
			if len(st.declared) > 0 {
				has = "it has " + strings.Join(st.declared, ", ")
			}
			fmt.Fprintf(st.s.f.IO.ErrOut, "%s the app declares no secret %s (%s); no function can read it until one binds sst.NewSecret(s, %q)\n",
				st.s.style.Yellow("warning:"), name, has, name)
		}
	}
	return nil
}

func (st *secretStore) read(ctx context.Context, name string, fallback bool) (string, bool, error) {
	out, err := st.api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(st.path(name, fallback)), WithDecryption: aws.Bool(true)})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read secret %s of %s: %w", name, st.where(fallback), err)
	}
	return aws.ToString(out.Parameter.Value), true, nil
}

func (st *secretStore) get(ctx context.Context, name string) error {
	if err := validateSecretName(name); err != nil {
		return err
	}
	v, ok, err := st.read(ctx, name, st.o.fallback)
	if err != nil {
		return err
	}
	if !ok && !st.o.fallback {
		if v, ok, err = st.read(ctx, name, true); err != nil {
			return err
		}
		if ok {
			fmt.Fprintf(st.s.f.IO.ErrOut, "%s has no value for stage %q; this is the fallback\n", name, st.s.stage)
		}
	}
	if !ok {
		return fmt.Errorf("secret %s is not set for %s: set it with \"sst secrets set %s VALUE\"%s", name, st.where(st.o.fallback), name, map[bool]string{true: " --fallback", false: ""}[st.o.fallback])
	}
	_, err = fmt.Fprintln(st.s.f.IO.Out, v)
	return err
}

// byPath lists name → value of every secret under prefix.
func (st *secretStore) byPath(ctx context.Context, fallback bool) (map[string]string, error) {
	prefix := st.prefix(fallback)
	out := map[string]string{}
	p := ssm.NewGetParametersByPathPaginator(st.api, &ssm.GetParametersByPathInput{
		Path: aws.String(strings.TrimSuffix(prefix, "/")), Recursive: aws.Bool(true), WithDecryption: aws.Bool(st.o.show),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list secrets of %s: %w", st.where(fallback), err)
		}
		for _, prm := range page.Parameters {
			name, ok := strings.CutSuffix(strings.TrimPrefix(aws.ToString(prm.Name), prefix), "/value")
			if ok && !strings.Contains(name, "/") {
				out[name] = aws.ToString(prm.Value)
			}
		}
	}
	return out, nil
}

func (st *secretStore) list(ctx context.Context) error {
	own, err := st.byPath(ctx, st.o.fallback)
	if err != nil {
		return err
	}
	fallback := map[string]string{}
	if !st.o.fallback {
		if fallback, err = st.byPath(ctx, true); err != nil {
			return err
		}
	}
	names := map[string]bool{}
	for n := range own {
		names[n] = true
	}
	for n := range fallback {
		names[n] = true
	}
	if !st.o.fallback {
		for _, n := range st.declared {
			names[n] = true
		}
	}
	if len(names) == 0 {
		fmt.Fprintf(st.s.f.IO.Out, "No secrets for %s.\n", st.where(st.o.fallback))
		return nil
	}
	tw := tabwriter.NewWriter(st.s.f.IO.Out, 0, 4, 2, ' ', 0)
	header := "NAME\tSOURCE"
	if st.o.show {
		header += "\tVALUE"
	}
	fmt.Fprintln(tw, header)
	for _, n := range sortedNames(names) {
		source, value := "", ""
		switch v, ok := own[n]; {
		case ok && st.o.fallback:
			source, value = "fallback", v
		case ok:
			source, value = "stage", v
		default:
			if v, ok := fallback[n]; ok {
				source, value = "fallback", v
			} else {
				source = "not set"
			}
		}
		line := n + "\t" + source
		if st.o.show {
			line += "\t" + value
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (st *secretStore) remove(ctx context.Context, name string) error {
	if err := validateSecretName(name); err != nil {
		return err
	}
	_, err := st.api.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(st.path(name, st.o.fallback))})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("secret %s is not set for %s: nothing to remove", name, st.where(st.o.fallback))
	}
	if err != nil {
		return fmt.Errorf("remove secret %s of %s: %w", name, st.where(st.o.fallback), err)
	}
	fmt.Fprintf(st.s.f.IO.Out, "Removed %s from %s\n", name, st.where(st.o.fallback))
	return nil
}

// parseDotenv reads NAME=value lines. Errors name the file and line.
func parseDotenv(path string) (map[string]string, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	values := map[string]string{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, raw, ok := strings.Cut(line, "=")
		if !ok {
			return nil, nil, fmt.Errorf("%s:%d: expected NAME=value", path, n)
		}
		name = strings.TrimSpace(name)
		if err := validateSecretName(name); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		value, err := dotenvValue(strings.TrimSpace(raw))
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %s: %w", path, n, name, err)
		}
		if _, dup := values[name]; !dup {
			order = append(order, name)
		}
		values[name] = value
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(order) == 0 {
		return nil, nil, fmt.Errorf("%s: no NAME=value lines", path)
	}
	return values, order, nil
}

func dotenvValue(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, `"`):
		end := strings.LastIndex(raw, `"`)
		if end == 0 {
			return "", errors.New("unterminated double quote")
		}
		v, err := strconv.Unquote(raw[:end+1])
		if err != nil {
			return "", fmt.Errorf("bad double-quoted value: %w", err)
		}
		return v, nil
	case strings.HasPrefix(raw, "'"):
		end := strings.LastIndex(raw, "'")
		if end == 0 {
			return "", errors.New("unterminated single quote")
		}
		return raw[1:end], nil
	}
	if i := strings.Index(raw, " #"); i >= 0 {
		raw = strings.TrimSpace(raw[:i])
	}
	return raw, nil
}
