package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sst-tf/sst/cli/internal/project"
	"github.com/sst-tf/sst/templates"
)

// ciProviders maps `sst init --ci` values to their workflow file in
// templates.CI and where it goes in the project.
var ciProviders = map[string][2]string{
	"github": {"ci/github/sst.yml", ".github/workflows/sst.yml"},
}

// ciScript is the commands every provider's workflow runs.
const ciScript = ".github/sst-ci.sh"

// runInitCI writes the CI recipe into the project around the working
// directory: the workflow and the script of sst commands it runs.
func runInitCI(f *Factory, o *initOptions) error {
	src, ok := ciProviders[o.ci]
	if !ok {
		return fmt.Errorf("--ci %q: the CI recipes are: github", o.ci)
	}
	wd, err := f.Getwd()
	if err != nil {
		return err
	}
	dir, err := project.Find(wd)
	if err != nil {
		return fmt.Errorf("--ci: %w (run it inside an sst project)", err)
	}
	files := [][2]string{src, {"ci/sst-ci.sh", ciScript}}
	if !o.force {
		for _, fl := range files {
			if _, err := os.Stat(filepath.Join(dir, fl[1])); err == nil {
				return fmt.Errorf("%s already exists: pass --force to overwrite it with the recipe", fl[1])
			}
		}
	}
	for _, fl := range files {
		b, err := templates.CI.ReadFile(fl[0])
		if err != nil {
			return err
		}
		path := filepath.Join(dir, filepath.FromSlash(fl[1]))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o755); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.Out, "%s wrote %s\n", styleFor(f).Green("✓"), fl[1])
	}
	fmt.Fprintln(f.IO.Out, `
Next: give the app a remote state backend (CI keeps no local state), set the
repository variables AWS_ROLE_ARN and AWS_REGION, and add required reviewers
to the "production" environment: merges to main then deploy the reviewed plan.
See the README's "Teams" section.`)
	return nil
}
