package tests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/internal/testenv"
)

// npmCacheEnv names the directory holding installed node_modules trees of
// locked fixtures; "off" installs every time.
const npmCacheEnv = "SST_TEST_NODE_MODULES_CACHE"

// npmInstallDir installs dir's dependencies. A fixture with a lock file gets
// the node_modules that `npm ci` produced for the same lock file, package
// manifest and Node version on this machine, copied rather than installed
// again: npm ci extracts tens of thousands of files (≈ 19 CPU s for one
// site fixture), a copy is a fraction of that, and the copy serves every
// later run of the suite on this machine. A full copy, not hard links,
// because builds may write into node_modules.
func npmInstallDir(dir string) error {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return npmRun(dir, "install")
	}
	root := npmCacheRoot()
	if root == "" {
		return npmRun(dir, "ci")
	}
	pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return err
	}
	node, err := nodeVersion()
	if err != nil {
		return err
	}
	h := sha256.New()
	for _, b := range [][]byte{[]byte(node), pkg, lock} {
		fmt.Fprintf(h, "%d\n", len(b))
		h.Write(b)
	}
	cached := filepath.Join(root, hex.EncodeToString(h.Sum(nil))[:32])
	if _, err := os.Stat(filepath.Join(cached, "node_modules")); err == nil {
		return copyTree(filepath.Join(cached, "node_modules"), dir)
	}
	if err := npmRun(dir, "ci"); err != nil {
		return err
	}
	// Filled before any build can write into the fixture's node_modules,
	// and renamed into place whole, so a reader never sees half a tree.
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(root, "fill-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(filepath.Join(dir, "node_modules"), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, cached); err != nil && !os.IsExist(err) && !strings.Contains(err.Error(), "directory not empty") {
		return err
	}
	return nil
}

// npmCacheRoot is where installed trees are kept: $SST_TEST_NODE_MODULES_CACHE,
// else the user cache directory; "" when caching is off or impossible.
func npmCacheRoot() string {
	switch v := os.Getenv(npmCacheEnv); v {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "sst-tf-tests", "node_modules")
	default:
		return v
	}
}

// nodeVersion keys the cache: packages with native parts install per Node.
var nodeVersion = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("node --version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})

// copyTree copies the directory src into the directory dst (as
// dst/<base of src>), keeping symlinks (node_modules/.bin) and modes.
func copyTree(src, dst string) error {
	if out, err := exec.Command("cp", "-a", src, dst+"/").CombinedOutput(); err != nil {
		return fmt.Errorf("cp -a %s %s: %v\n%s", src, dst, err, out)
	}
	return nil
}

func npmRun(dir, verb string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", verb, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	cmd.Env = testenv.Environ(baseEnv)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm %s in %s: %v\n%s", verb, dir, err, out)
	}
	return nil
}
