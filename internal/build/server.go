package build

import (
	"bytes"
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ServerBundle is the file BundleServer writes next to an adapter's
// server entry.
const ServerBundle = "sst-server.mjs"

// BundleServer makes an SSR adapter's server directory runnable on its
// own and zips it. Adapters (astro-sst, svelte-kit-sst) leave their entry
// importing the framework from the app's node_modules, which a zip of the
// directory does not hold; esbuild bundles the entry with everything it
// imports (the AWS SDK excepted: Lambda has it) into ServerBundle beside
// the entry, so paths the server resolves relative to its own file still
// point into the directory. handler is relative to dir
// ("lambda-handler/index.handler"); the returned Result's Handler names
// the bundle. The file is rewritten only when its content changes, so an
// unchanged build reuses the zip.
func BundleServer(ctx context.Context, dir, handler, outDir, name, runtime string) (*Result, error) {
	nb, err := newNodeBuilder(Request{ProjectDir: dir, Handler: handler, Runtime: runtime, Name: name, OutDir: outDir})
	if err != nil {
		return nil, err
	}
	out, err := nb.build(ctx)
	if err != nil {
		return nil, err
	}
	var code []byte
	for _, f := range out.files {
		if strings.HasSuffix(f.name, ".mjs") {
			code = f.data
		}
	}
	entryDir := path.Dir(filepath.ToSlash(strings.TrimSuffix(handler, "."+nb.export)))
	dest := filepath.Join(dir, filepath.FromSlash(entryDir), ServerBundle)
	if old, err := os.ReadFile(dest); err != nil || !bytes.Equal(old, code) {
		if err := os.WriteFile(dest, code, 0o644); err != nil {
			return nil, err
		}
	}
	return ZipDir(dir, outDir, name, path.Join(entryDir, strings.TrimSuffix(ServerBundle, ".mjs"))+"."+nb.export, runtime)
}
