package synth

import (
	"path/filepath"
	"strings"

	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/manifest"
)

// prebuild starts, in the CLI, the builds of the functions of the stage's
// last synthesis (manifest.ReadLatest), with the app's environment and
// artifact directory: they then run while `go run` links and starts the
// app and its jsii child starts, rather than after the app's stacks are
// declared. The app's builds of the same requests wait for these (the
// build lock, internal/build) and find their records, so nothing is built
// twice; a build nobody asks for is canceled by Close when the app exits,
// and its error, if any, is not reported: the app reports its own.
func prebuild(o Options, env []string) *build.Scheduler {
	s := build.NewScheduler(0)
	m := manifest.ReadLatest(o.OutDir, o.Stage)
	if m == nil {
		return s
	}
	s.StartManifest(o.ProjectDir, appArtifactDir(o, env), env, m)
	return s
}

// appArtifactDir is the artifact directory the app builds into: its
// environment's SST_ARTIFACT_DIR (relative to the project, its working
// directory), else the default under the project.
func appArtifactDir(o Options, env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], manifest.EnvArtifactDir+"="); ok {
			if v == "" {
				break
			}
			if !filepath.IsAbs(v) {
				v = filepath.Join(o.ProjectDir, v)
			}
			return v
		}
	}
	return filepath.Join(o.ProjectDir, filepath.FromSlash(manifest.ArtifactDir))
}
