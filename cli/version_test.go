package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	root, _ := filepath.Abs("..")
	saved := currentBuild
	t.Cleanup(func() { currentBuild = saved })
	h := newHarness(t, t.TempDir())
	for _, c := range []struct {
		build Build
		want  string
	}{
		{Build{Version: "v0.0.0-20261202082530-3c8c218dc9bb", Commit: "3c8c218dc9bb9e8492410cc01c2a8b45781c5193", Sources: []string{t.TempDir(), root}},
			"sst v0.0.0-20261202082530-3c8c218dc9bb (commit 3c8c218dc9bb9e8492410cc01c2a8b45781c5193)\nsource " + root + "\ngo go1."},
		{Build{Version: "v0.0.0-20261202082530-3c8c218dc9bb+dirty", Commit: "3c8c218dc9bb9e8492410cc01c2a8b45781c5193", Modified: true},
			"sst v0.0.0-20261202082530-3c8c218dc9bb+dirty (commit 3c8c218dc9bb9e8492410cc01c2a8b45781c5193, with uncommitted changes)\ngo go1."},
		{Build{Version: "v0.4.0", Release: true, Commit: "abc"}, "sst v0.4.0 (commit abc)\ngo go1."},
	} {
		currentBuild = func() Build { return c.build }
		h.mustRun("version")
		if !strings.HasPrefix(h.out.String(), c.want) {
			t.Errorf("version of %+v:\n%s\nwant prefix:\n%s", c.build, h.out.String(), c.want)
		}
	}
}

func TestReadBuildStamps(t *testing.T) {
	saved := [3]string{Version, Commit, SourceDir}
	t.Cleanup(func() { Version, Commit, SourceDir = saved[0], saved[1], saved[2] })
	Version, Commit, SourceDir = "v0.0.0-20261202082530-3c8c218dc9bb+dirty", "3c8c218dc9bb9e8492410cc01c2a8b45781c5193", "/somewhere"
	b := readBuild()
	if b.Version != Version || b.Commit != Commit || !b.Modified || b.Release || len(b.Sources) == 0 || b.Sources[0] != "/somewhere" {
		t.Errorf("readBuild() with make's stamps = %+v", b)
	}
}
