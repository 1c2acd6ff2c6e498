package synth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

// BundleReport is what RefreshBundles did; functions are named
// "<stack>/<function id>".
type BundleReport struct {
	// Checked is how many bundles it checked.
	Checked int
	// Built are the bundles whose sources changed (no build-cache hit).
	Built []string
	// Changed are those whose bytes changed: placed at their stable path.
	Changed []string
}

// RefreshBundles brings the function bundles of a reused synthesis up to
// date without running the app: it repeats the build the app made of each
// function (build.RequestFor its manifest entry, with the app's
// environment and artifact directory: a build-cache hit unless one of the
// sources that build read changed) and puts every bundle whose bytes
// differ at the stable path the stack's Terraform reads. A changed bundle
// changes its stack's deploy hash, so deploy applies that stack and diff
// plans it. Nothing is placed unless every build succeeds. A synthesis
// whose bundles are not at stable paths (an older sst's) or whose build
// no longer fits the JSON (another Lambda runtime) is a *StaleError, which
// a caller answers by running the app.
func RefreshBundles(ctx context.Context, o Options, m *manifest.Manifest) (BundleReport, error) {
	type job struct {
		stack string
		fn    manifest.Function
		dst   string
		res   *build.Result
		err   error
	}
	stable := filepath.Join(o.OutDir, "functions") + string(filepath.Separator)
	var jobs []*job
	for _, st := range m.Stacks {
		for _, f := range st.Functions {
			// No handler: built from a site, whose tree is an input of
			// the synthesis.
			if f.Handler == "" || f.Artifact == "" {
				continue
			}
			dst := filepath.Join(o.OutDir, filepath.FromSlash(st.Dir), filepath.FromSlash(f.Artifact))
			if !strings.HasPrefix(dst, stable) {
				// Never write over a content-addressed artifact.
				return BundleReport{}, &StaleError{Reason: fmt.Sprintf("function %q's bundle is not at a stable path (a synthesis by an older sst)", f.ID)}
			}
			jobs = append(jobs, &job{stack: st.Name, fn: f, dst: dst})
		}
	}
	env := Env(o.Env, o, o.OutDir)
	artifacts := appArtifactDir(o, env)
	// One scheduler: functions on one handler share a compile.
	sched := build.NewScheduler(0)
	defer sched.Close()
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := build.RequestFor(o.ProjectDir, artifacts, j.fn)
			r.Env = env
			j.res, j.err = sched.Build(ctx, r)
		}()
	}
	wg.Wait()
	var errs []error
	for _, j := range jobs {
		var be *build.Error
		switch {
		case errors.As(j.err, &be) && be.Function == j.fn.ID:
			errs = append(errs, fmt.Errorf("stack %s: %w", j.stack, j.err))
		case j.err != nil:
			errs = append(errs, fmt.Errorf("stack %s: function %q: %w", j.stack, j.fn.ID, j.err))
		case j.res.Runtime != j.fn.Runtime:
			errs = append(errs, &StaleError{Reason: fmt.Sprintf("function %q now builds for %s, synthesized for %s", j.fn.ID, j.res.Runtime, j.fn.Runtime)})
		}
	}
	rep := BundleReport{Checked: len(jobs)}
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	for _, j := range jobs {
		name := j.stack + "/" + j.fn.ID
		if !j.res.Cached {
			rep.Built = append(rep.Built, name)
		}
		same, err := sameBundle(j.res, j.dst)
		if err != nil {
			return rep, fmt.Errorf("stack %s: function %q: %w", j.stack, j.fn.ID, err)
		}
		if same {
			continue
		}
		if err := build.Place(j.res.ZipPath, j.dst); err != nil {
			return rep, fmt.Errorf("stack %s: function %q: place its bundle: %w", j.stack, j.fn.ID, err)
		}
		rep.Changed = append(rep.Changed, name)
	}
	return rep, nil
}

// StaleError says a reused synthesis no longer fits a bundle: the app
// must run.
type StaleError struct{ Reason string }

func (e *StaleError) Error() string { return e.Reason }

// sameBundle reports whether dst already holds the built bundle: the same
// file (the hard link Place makes), or the same bytes (its copy).
func sameBundle(res *build.Result, dst string) (bool, error) {
	di, err := os.Stat(dst)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	si, err := os.Stat(res.ZipPath)
	if err != nil {
		return false, err
	}
	if os.SameFile(si, di) {
		return true, nil
	}
	if si.Size() != di.Size() {
		return false, nil
	}
	f, err := os.Open(dst)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)) == res.Hash, nil
}
