package sst

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sst-tf/sst/internal/atomicfile"
	"github.com/sst-tf/sst/internal/inputs"
)

// A site's build is reused when nothing it could depend on changed since
// its last successful build: the same command, the same environment, and
// not one file of the project tree added, removed or touched. Builds of
// web frameworks are not reproducible (Next.js writes a random build id
// and preview keys), so rebuilding an unchanged site would give it new
// asset hashes, new uploads and a new deploy for nothing.
//
// The tree is compared by metadata (path, type, size, mtime, ctime, inode),
// not content: a stat walk of a Next.js project with its node_modules
// takes a fraction of a second where hashing it would take many. ctime and
// inode cannot be set back by tools that preserve mtimes (cp -p, rsync -a,
// tar), so a replaced file counts as touched. Like make, a file saved while
// the build runs is taken for what the build wrote; `--force` rebuilds.

// siteBuildRecordDir is where each site's last build is recorded, under
// the artifact directory: <stack>-<site>.json.
const siteBuildRecordDir = "site-builds"

// siteBuildRecord is what a successful build leaves for the next synth.
// It holds a digest, never the environment's values (which may be secret).
type siteBuildRecord struct {
	Fingerprint string    `json:"fingerprint"`
	Command     string    `json:"command"`
	Dir         string    `json:"dir"`
	Files       int       `json:"files"`
	Recorded    time.Time `json:"recorded"`
}

// siteBuildJob is one site's build as the synth sees it.
type siteBuildJob struct {
	name    string // the site's id, for messages
	dir     string
	command string
	env     map[string]string
	// roots are the trees whose state the build may depend on.
	roots  []string
	record string // the record's path
}

// buildEnviron is the environment the build command runs with: the synth's
// own, then the site's Environment on top.
func buildEnviron(env map[string]string) []string {
	out := os.Environ()
	for _, k := range sortedKeys(env) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// inputsDigest covers what the build sees besides files: command,
// directory and environment (the last value of a name wins, as for exec).
func (j *siteBuildJob) inputsDigest() string {
	vars := map[string]string{}
	for _, kv := range buildEnviron(j.env) {
		k, v, _ := strings.Cut(kv, "=")
		if !inputs.EnvIgnored(k) {
			vars[k] = v
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "command %q\ndir %q\n", j.command, j.dir)
	for _, k := range sortedKeys(vars) {
		fmt.Fprintf(h, "env %q=%q\n", k, vars[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fingerprint(inputs, tree string) string {
	sum := sha256.Sum256([]byte(inputs + "\n" + tree))
	return hex.EncodeToString(sum[:])
}

func readSiteBuildRecord(path string) (siteBuildRecord, bool) {
	var r siteBuildRecord
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &r) != nil || r.Fingerprint == "" {
		return siteBuildRecord{}, false
	}
	return r, true
}

// buildSite runs a site's build command unless the last successful build
// of this site can be reused; either way the site is recorded when the
// synth succeeds (recordSiteBuilds), as the tree is then final. extra are
// directories outside the project the build's output is read from.
func (s *Stack) buildSite(id, dir, command string, env map[string]string, extra ...string) error {
	a := s.app
	j := &siteBuildJob{
		name: id, dir: dir, command: command, env: env,
		roots:  append([]string{a.opts.ProjectDir, dir}, extra...),
		record: filepath.Join(a.opts.ArtifactDir, siteBuildRecordDir, s.name+"-"+id+".json"),
	}
	if !a.opts.Rebuild {
		start := time.Now()
		if prev, ok := readSiteBuildRecord(j.record); ok {
			tree, n, err := a.walk(j.roots)
			if err == nil && fingerprint(j.inputsDigest(), tree) == prev.Fingerprint {
				a.progressf("%s: build reused, no file changed since the last build (%d files checked in %s)", id, n, time.Since(start).Round(time.Millisecond))
				a.siteBuilds = append(a.siteBuilds, j)
				return nil
			}
		}
	}
	// Until this build succeeds, the site's output matches no record.
	if err := os.Remove(j.record); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the record of the last build: %w", err)
	}
	start := time.Now()
	if err := runSiteBuild(dir, command, env); err != nil {
		return err
	}
	a.progressf("%s: built in %s", id, time.Since(start).Round(time.Millisecond))
	a.siteBuilds = append(a.siteBuilds, j)
	return nil
}

// recordSiteBuilds records every site built or reused in this synth, once
// nothing of the synth writes into the project any more: the next synth
// reuses each as long as the tree stays as it is now.
func (a *App) recordSiteBuilds() error {
	trees := map[string]struct {
		sum string
		n   int
	}{}
	for _, j := range a.siteBuilds {
		key := strings.Join(j.roots, "\x00")
		t, ok := trees[key]
		if !ok {
			sum, n, err := a.walk(j.roots)
			if err != nil {
				return fmt.Errorf("site %s: recording its build: %w", j.name, err)
			}
			t.sum, t.n = sum, n
			trees[key] = t
		}
		// The site's build command sees the whole environment.
		a.read.Add(inputs.Set{Trees: []inputs.Tree{{Roots: j.roots, Skip: a.treeSkip(), Sum: t.sum}}, EnvAll: true})
		b, err := json.MarshalIndent(siteBuildRecord{
			Fingerprint: fingerprint(j.inputsDigest(), t.sum),
			Command:     j.command, Dir: j.dir, Files: t.n, Recorded: time.Now().UTC(),
		}, "", " ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(j.record), 0o755); err != nil {
			return err
		}
		if err := atomicfile.Write(j.record, b, 0o644); err != nil {
			return fmt.Errorf("site %s: recording its build: %w", j.name, err)
		}
	}
	return nil
}

// walk fingerprints roots (see inputs.Walk), skipping what the synth
// itself writes.
func (a *App) walk(roots []string) (string, int, error) {
	return inputs.Walk(roots, a.treeSkip())
}

// treeSkip are the absolute directories the synth writes (output,
// artifacts, state): never part of what a build read.
func (a *App) treeSkip() []string {
	var out []string
	for _, d := range []string{a.opts.OutDir, a.opts.ArtifactDir, a.opts.StateDir} {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// progressf tells what the synth is doing on stderr, which the CLI shows
// with --verbose.
func (a *App) progressf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[sst] "+format+"\n", args...)
}
