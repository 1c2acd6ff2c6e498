package build

import "github.com/sst-tf/sst/manifest"

// RequestFor is the request that builds fn, as a manifest describes it,
// for Lambda into outDir. The app builds its functions through it too, so
// a request made from the last synthesis's manifest is the one the app
// makes for the same function.
func RequestFor(projectDir, outDir string, fn manifest.Function) Request {
	r := Request{
		ProjectDir: projectDir,
		Handler:    fn.Handler,
		Arch:       fn.Arch,
		OutDir:     outDir,
		Name:       fn.ID,
	}
	if b := fn.Build; b != nil {
		r.Runtime = b.Runtime
		r.Node = NodeOptions{Format: b.Format, Minify: b.Minify, Sourcemap: b.Sourcemap, External: b.External,
			Install: b.Install, Loader: b.Loader, Banner: b.Banner}
		if e := b.ESBuild; e != nil {
			r.Node.Define, r.Node.KeepNames, r.Node.Target = e.Define, e.KeepNames, e.Target
			r.Node.MainFields, r.Node.Conditions, r.Node.Inject = e.MainFields, e.Conditions, e.Inject
		}
		r.Python = PythonOptions{InstallCommands: b.InstallCommands}
		r.Go = GoOptions{Tags: b.Tags, LDFlags: b.LDFlags}
		for _, c := range b.CopyFiles {
			r.CopyFiles = append(r.CopyFiles, CopyFile{From: c.From, To: c.To})
		}
	}
	return r
}

// StartManifest starts the build of every function m lists that is built
// from a handler (not a site's server, bundled by its framework), with env
// as the tools' environment (nil: this process's).
func (s *Scheduler) StartManifest(projectDir, outDir string, env []string, m *manifest.Manifest) {
	for _, st := range m.Stacks {
		for _, fn := range st.Functions {
			if fn.Handler != "" {
				r := RequestFor(projectDir, outDir, fn)
				r.Env = env
				s.Start(r)
			}
		}
	}
}
