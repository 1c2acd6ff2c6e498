package sst

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/manifest"
)

// buildProject is a project with one site whose build counts its runs in
// a file outside the project, so a test sees whether it ran.
type buildProject struct {
	t       *testing.T
	dir     string // the project (where cdktf.json would be)
	site    string // its site directory
	counter string
	opts    Options
	env     map[string]string
	command string
}

func newBuildProject(t *testing.T) *buildProject {
	t.Helper()
	root := t.TempDir()
	p := &buildProject{t: t, dir: filepath.Join(root, "project"), counter: filepath.Join(root, "runs")}
	p.site = filepath.Join(p.dir, "web")
	for _, f := range []string{"web/src/page.js", "web/node_modules/lib/index.js", "packages/shared/util.js", "cdktf.json"} {
		write(t, filepath.Join(p.dir, f), "// "+f+"\n")
	}
	p.opts = Options{
		Stage: "test", ProjectDir: p.dir, OutDir: filepath.Join(p.dir, ".sst", "out", "test"),
		ArtifactDir: filepath.Join(p.dir, ".sst", "artifacts"), StateDir: filepath.Join(p.dir, ".sst", "state"),
	}
	p.env = map[string]string{"COUNTER": p.counter, "API_URL": placeholder("API_URL")}
	p.command = `echo run >> "$COUNTER" && mkdir -p dist && cat src/page.js > dist/index.html`
	return p
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// synth is what a synth does with the site: check or build, then record
// when the synth succeeds. It returns the build's error.
func (p *buildProject) synth() error {
	p.t.Helper()
	a := &App{opts: p.opts}
	s := &Stack{app: a, name: "Frontend"}
	if err := s.buildSite("Web", p.site, p.command, p.env); err != nil {
		return err
	}
	if err := a.recordSiteBuilds(); err != nil {
		p.t.Fatalf("recording: %v", err)
	}
	return nil
}

func (p *buildProject) runs() int {
	b, err := os.ReadFile(p.counter)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return strings.Count(string(b), "run\n")
}

// wantRuns synthesizes once and checks how many builds have run in all.
func (p *buildProject) wantRuns(why string, n int) {
	p.t.Helper()
	if err := p.synth(); err != nil {
		p.t.Fatalf("%s: %v", why, err)
	}
	if got := p.runs(); got != n {
		p.t.Errorf("%s: the build has run %d times, want %d", why, got, n)
	}
}

func (p *buildProject) record() string {
	return filepath.Join(p.opts.ArtifactDir, siteBuildRecordDir, "Frontend-Web.json")
}

// touch sets a file's mtime without changing its content or size.
func touch(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestSiteBuildReusedUntilAnythingChanges(t *testing.T) {
	p := newBuildProject(t)
	p.wantRuns("first synth", 1)
	p.wantRuns("nothing changed", 1)
	p.wantRuns("nothing changed, again", 1)

	// Each change, however small, rebuilds once; then the build is reused.
	later := time.Now().Add(time.Hour)
	steps := []struct {
		name   string
		change func()
	}{
		{"a source file touched (same content)", func() { touch(t, filepath.Join(p.site, "src/page.js"), later) }},
		{"a source file edited", func() { write(t, filepath.Join(p.site, "src/page.js"), "// v2\n") }},
		{"a file added", func() { write(t, filepath.Join(p.site, "src/new.js"), "x") }},
		{"a file removed", func() { os.Remove(filepath.Join(p.site, "src/new.js")) }},
		{"a dependency in node_modules changed", func() { write(t, filepath.Join(p.site, "node_modules/lib/index.js"), "// v2 //\n") }},
		{"a sibling package of the monorepo changed", func() { write(t, filepath.Join(p.dir, "packages/shared/util.js"), "// v2 //\n") }},
		{"the build output changed by hand", func() { write(t, filepath.Join(p.site, "dist/index.html"), "edited") }},
		{"the build output deleted", func() { os.RemoveAll(filepath.Join(p.site, "dist")) }},
		{"a file mode changed", func() { os.Chmod(filepath.Join(p.site, "src/page.js"), 0o600) }},
		{"the site's Environment changed", func() { p.env["STAGE_LABEL"] = "beta" }},
		{"the build command changed", func() { p.command += " && true" }},
		{"the synth's environment changed", func() { t.Setenv("NODE_ENV", "production") }},
	}
	runs := 1
	for _, st := range steps {
		st.change()
		runs++
		p.wantRuns(st.name, runs)
		p.wantRuns(st.name+", then nothing", runs)
	}

	// A file replaced by one with the same size and the old mtime (cp -p,
	// rsync -a) is still a change: its inode and ctime are new.
	page := filepath.Join(p.site, "src/page.js")
	fi, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	tmp := page + ".tmp"
	write(t, tmp, strings.Repeat("y", int(fi.Size())))
	touch(t, tmp, fi.ModTime())
	if err := os.Rename(tmp, page); err != nil {
		t.Fatal(err)
	}
	if statIdentityKnown(t) {
		runs++
		p.wantRuns("a file replaced keeping size and mtime", runs)
	}
}

// statIdentityKnown reports whether this platform gives ctime and inode.
func statIdentityKnown(t *testing.T) bool {
	fi, err := os.Stat(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, ino := inputs.StatIdentity(fi)
	return c != 0 || ino != 0
}

// What the synth writes itself (its output, artifacts, state, the records)
// and what the tool's own knobs say do not count as changes.
func TestSiteBuildIgnoresTheSynthsOwnWrites(t *testing.T) {
	p := newBuildProject(t)
	p.wantRuns("first synth", 1)
	write(t, filepath.Join(p.opts.OutDir, "stacks/Frontend/cdk.tf.json"), "{}")
	write(t, filepath.Join(p.dir, ".sst/stage"), "dev")
	write(t, filepath.Join(p.dir, ".git/index"), "x")
	t.Setenv(manifest.EnvOutDir, filepath.Join(p.dir, ".sst/out/.test.synth-123"))
	t.Setenv("JSII_DEBUG_TIMING", "1")
	t.Setenv("SST_FULL_PROVIDER", "1")
	t.Setenv("AWS_SESSION_TOKEN", "rotated")
	p.wantRuns("only the synth's own files and knobs changed", 1)

	// An artifact directory moved into the project is skipped too.
	p.opts.ArtifactDir = filepath.Join(p.dir, "build-cache")
	p.wantRuns("artifacts moved (no record there yet)", 2)
	p.wantRuns("records inside the project tree", 2)
}

// A build writing outside its site directory, into the project (a
// monorepo building a sibling package), is captured by the record.
func TestSiteBuildWritingOutsideItsDirectory(t *testing.T) {
	p := newBuildProject(t)
	p.command = `echo run >> "$COUNTER" && mkdir -p ../packages/shared/dist && date +%s%N > ../packages/shared/dist/lib.js`
	p.wantRuns("first synth", 1)
	p.wantRuns("the sibling's output as the build left it", 1)
	write(t, filepath.Join(p.dir, "packages/shared/dist/lib.js"), "edited")
	p.wantRuns("the sibling's output edited", 2)
}

func TestSiteBuildForced(t *testing.T) {
	p := newBuildProject(t)
	p.wantRuns("first synth", 1)
	p.opts.Rebuild = true
	p.wantRuns("forced", 2)
	p.wantRuns("forced again", 3)
	p.opts.Rebuild = false
	p.wantRuns("not forced: the forced build is reused", 3)

	t.Setenv(manifest.EnvRebuild, "1")
	o, err := OptionsFromEnv()
	if err != nil || !o.Rebuild {
		t.Errorf("%s=1: Rebuild = %v, err %v", manifest.EnvRebuild, o.Rebuild, err)
	}
	t.Setenv(manifest.EnvRebuild, "yes please")
	if _, err := OptionsFromEnv(); err == nil || !strings.Contains(err.Error(), manifest.EnvRebuild) {
		t.Errorf("%s=\"yes please\": err %v, want one naming the variable", manifest.EnvRebuild, err)
	}
}

// A failed build leaves no record: its half-written output must never be
// taken for a good build, even when the tree ends up as it was.
func TestSiteBuildFailureRecordsNothing(t *testing.T) {
	p := newBuildProject(t)
	p.wantRuns("first synth", 1)
	good, err := os.ReadFile(p.record())
	if err != nil {
		t.Fatal(err)
	}
	// Forced, so the tree is exactly the recorded one when the build
	// fails without writing anything.
	p.opts.Rebuild = true
	p.command = `echo run >> "$COUNTER"; echo "bundler: cannot resolve ./missing.js" >&2; exit 3`
	err = p.synth()
	if err == nil || !strings.Contains(err.Error(), "cannot resolve ./missing.js") {
		t.Fatalf("failing build: err %v, want its output", err)
	}
	if _, err := os.Stat(p.record()); !os.IsNotExist(err) {
		t.Errorf("a failed build left a record (err %v)", err)
	}
	p.opts.Rebuild = false
	p.command = `echo run >> "$COUNTER" && mkdir -p dist && cat src/page.js > dist/index.html`
	p.wantRuns("after the failure", 3)
	if now, _ := os.ReadFile(p.record()); bytes.Equal(now, good) {
		t.Error("the record was not rewritten by the new build")
	}
	p.wantRuns("after the rebuild", 3)
}

// A synth that fails after the build (another construct's error) records
// nothing either; the next synth builds again.
func TestSiteBuildUnrecordedWithoutASuccessfulSynth(t *testing.T) {
	p := newBuildProject(t)
	a := &App{opts: p.opts}
	s := &Stack{app: a, name: "Frontend"}
	if err := s.buildSite("Web", p.site, p.command, p.env); err != nil {
		t.Fatal(err)
	}
	// no recordSiteBuilds: the synth failed later
	if _, err := os.Stat(p.record()); !os.IsNotExist(err) {
		t.Errorf("record written before the synth succeeded (err %v)", err)
	}
	p.wantRuns("next synth", 2)
}

// Two sites of one app: building the second must not make the first
// rebuild next time.
func TestSiteBuildTwoSites(t *testing.T) {
	p := newBuildProject(t)
	admin := filepath.Join(p.dir, "admin")
	write(t, filepath.Join(admin, "src/page.js"), "admin")
	synth := func() {
		t.Helper()
		a := &App{opts: p.opts}
		s := &Stack{app: a, name: "Frontend"}
		for _, site := range []struct{ id, dir string }{{"Web", p.site}, {"Admin", admin}} {
			if err := s.buildSite(site.id, site.dir, p.command, p.env); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.recordSiteBuilds(); err != nil {
			t.Fatal(err)
		}
	}
	synth()
	if p.runs() != 2 {
		t.Fatalf("first synth: %d builds, want 2", p.runs())
	}
	synth()
	synth()
	if p.runs() != 2 {
		t.Errorf("unchanged: %d builds in all, want 2", p.runs())
	}
}

// BenchmarkSiteTreeWalk times the stat walk that decides reuse, over
// $SST_BENCH_TREE (e.g. examples/notes with web/node_modules installed),
// else this package's test project.
func BenchmarkSiteTreeWalk(b *testing.B) {
	root := os.Getenv("SST_BENCH_TREE")
	if root == "" {
		root = testProject(b)
	}
	var n int
	for b.Loop() {
		var err error
		if _, n, err = inputs.Walk([]string{root}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "files")
}

// Through a whole synth: the second synth of an unchanged StaticSite
// reuses its build and writes the same stack; `sst remove` builds nothing
// and leaves the record alone.
func TestStaticSiteBuildReusedBySynth(t *testing.T) {
	p := newBuildProject(t)
	p.opts.Region = "us-east-1"
	if err := os.MkdirAll(p.opts.OutDir, 0o755); err != nil { // the CLI makes it
		t.Fatal(err)
	}
	site := func(s *Stack) any {
		return NewStaticSite(s, "Web", StaticSiteProps{
			Path: "web",
			// Not reproducible, like real bundlers: every run differs.
			BuildCommand: `echo run >> "$COUNTER" && mkdir -p dist && date +%s%N > dist/index.html`,
			Environment:  map[string]any{"COUNTER": p.counter},
		})
	}
	stack := func() []byte {
		t.Helper()
		synthOK(t, Config{Name: "reuse"}, p.opts, stacks(t, site)...)
		b, err := os.ReadFile(filepath.Join(p.opts.OutDir, "stacks", "First", "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := stack()
	if p.runs() != 1 {
		t.Fatalf("first synth: %d builds, want 1", p.runs())
	}
	if second := stack(); !bytes.Equal(first, second) || p.runs() != 1 {
		t.Errorf("unchanged site: %d builds in all (want 1), same stack JSON: %v", p.runs(), bytes.Equal(first, second))
	}
	record, err := os.ReadFile(filepath.Join(p.opts.ArtifactDir, siteBuildRecordDir, "First-Web.json"))
	if err != nil {
		t.Fatal(err)
	}

	p.opts.Mode = manifest.ModeRemove
	stack()
	if p.runs() != 1 {
		t.Errorf("remove: %d builds in all, want 1", p.runs())
	}
	if now, _ := os.ReadFile(filepath.Join(p.opts.ArtifactDir, siteBuildRecordDir, "First-Web.json")); !bytes.Equal(now, record) {
		t.Error("remove rewrote the record")
	}
}
