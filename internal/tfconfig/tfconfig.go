// Package tfconfig writes Terraform CLI configuration files.
//
// It lives outside cli/ so that both the CLI's terraform driver and the shared
// test environment can use one writer: Go's internal rule keeps internal/testenv
// from importing cli/internal/tf.
package tfconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Render returns the text of a CLI configuration that installs every
// registry.terraform.io provider from mirrorDir (a filesystem mirror: the
// parent of a registry.terraform.io directory) and keeps a plugin cache in
// pluginCacheDir.
//
// The direct installer still exists but excludes registry.terraform.io, so a
// provider missing from the mirror fails fast instead of timing out against a
// registry that may be unreachable. With an unpacked mirror, terraform
// symlinks the cache entry to the mirror and each working directory to the
// cache, so a 700 MB provider is never copied.
// plugin_cache_may_break_dependency_lock_file lets terraform reuse cached
// packages even when the lock file only holds the checksum of the mirror's
// platform.
//
// An empty mirrorDir leaves provider installation at terraform's default; an
// empty pluginCacheDir disables the cache.
func Render(mirrorDir, pluginCacheDir string) string {
	var b strings.Builder
	if mirrorDir != "" {
		fmt.Fprintf(&b, `provider_installation {
  filesystem_mirror {
    path    = %s
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`, quote(mirrorDir))
	}
	if pluginCacheDir != "" {
		fmt.Fprintf(&b, "plugin_cache_dir = %s\n", quote(pluginCacheDir))
		b.WriteString("plugin_cache_may_break_dependency_lock_file = true\n")
	}
	return b.String()
}

// Write renders the configuration to path. It creates pluginCacheDir, because
// terraform silently disables caching when the directory is missing, and
// writes through a temporary file so that a terraform process reading path
// concurrently never sees half a file.
func Write(path, mirrorDir, pluginCacheDir string) error {
	if mirrorDir != "" {
		abs, err := filepath.Abs(mirrorDir)
		if err != nil {
			return err
		}
		mirrorDir = abs
	}
	if pluginCacheDir != "" {
		abs, err := filepath.Abs(pluginCacheDir)
		if err != nil {
			return err
		}
		pluginCacheDir = abs
		if err := os.MkdirAll(pluginCacheDir, 0o755); err != nil {
			return fmt.Errorf("terraform plugin cache: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".terraformrc-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(Render(mirrorDir, pluginCacheDir)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// quote renders s as an HCL string literal. Go's strconv.Quote is not enough:
// HCL has no \x escapes and treats "${" and "%{" as template sequences.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteRune(r)
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
