package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBundleServer: an adapter entry importing a package (CommonJS, from
// the app's node_modules) and reading a file beside itself runs from the
// zip alone; an unchanged build reuses the zip; a missing export fails.
func TestBundleServer(t *testing.T) {
	app := t.TempDir()
	writeTree(t, app, map[string]string{
		"node_modules/greet/package.json": `{"name": "greet", "main": "index.js"}`,
		"node_modules/greet/index.js":     `module.exports = (who) => "hello " + who;`,
		"out/server/handler/index.js": `import greet from "greet";
import { readFileSync } from "node:fs";
const page = readFileSync(new URL("./page.txt", import.meta.url), "utf8");
export const handler = async () => ({ statusCode: 200, body: greet(page.trim()) });`,
		"out/server/handler/page.txt": "svelte",
		"out/server/package.json":     `{"type": "module"}`,
	})
	server := filepath.Join(app, "out", "server")
	out := t.TempDir()
	res, err := BundleServer(context.Background(), server, "handler/index.handler", out, "Site_server", "nodejs20.x")
	if err != nil {
		t.Fatal(err)
	}
	if res.Handler != "handler/sst-server.handler" || res.Runtime != "nodejs20.x" {
		t.Errorf("result = %+v", res)
	}
	files := unzip(t, res.ZipPath)
	for _, name := range []string{"handler/sst-server.mjs", "handler/index.js", "handler/page.txt", "package.json"} {
		if files[name] == nil {
			t.Errorf("zip lacks %s", name)
		}
	}
	// Run it from the unzipped directory, with no node_modules anywhere.
	run := t.TempDir()
	for name, f := range files {
		p := filepath.Join(run, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, readEntry(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := runNodeIn(t, run, `import { handler } from "./handler/sst-server.mjs";
console.log(JSON.stringify(await handler()));`)
	if got != `{"statusCode":200,"body":"hello svelte"}` {
		t.Errorf("handler answered %s", got)
	}

	again, err := BundleServer(context.Background(), server, "handler/index.handler", out, "Site_server", "nodejs20.x")
	if err != nil || !again.Cached || again.Hash != res.Hash {
		t.Errorf("unchanged rebuild = %+v, %v; want the cached zip", again, err)
	}

	_, err = BundleServer(context.Background(), server, "handler/index.main", out, "Site_server", "nodejs20.x")
	if err == nil || !strings.Contains(err.Error(), "main") {
		t.Errorf("missing export: %v", err)
	}
}
