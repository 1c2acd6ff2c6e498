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

// Registry hosts: each engine reads an unqualified provider source such as
// "hashicorp/aws" as an address on its own registry, and lock files and
// states record the full address.
const (
	TerraformRegistry = "registry.terraform.io"
	OpenTofuRegistry  = "registry.opentofu.org"
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
	return render(mirrorDir, "", pluginCacheDir)
}

// RenderAliased is Render that also serves registry.opentofu.org providers,
// from aliasDir: the same packages as mirrorDir's registry.terraform.io laid
// out under OpenTofu's host (see Alias). OpenTofu reads "hashicorp/aws" as
// registry.opentofu.org/hashicorp/aws, terraform as registry.terraform.io;
// states and lock files each engine writes hold its own address, and the
// other engine must still install it to read them. With both hosts served
// from one mirror, Terraform and OpenTofu run the very same provider files.
func RenderAliased(mirrorDir, aliasDir, pluginCacheDir string) string {
	return render(mirrorDir, aliasDir, pluginCacheDir)
}

func render(mirrorDir, aliasDir, pluginCacheDir string) string {
	var b strings.Builder
	if mirrorDir != "" {
		hosts := []string{TerraformRegistry}
		b.WriteString("provider_installation {\n")
		fmt.Fprintf(&b, `  filesystem_mirror {
    path    = %s
    include = ["%s/*/*"]
  }
`, quote(mirrorDir), TerraformRegistry)
		if aliasDir != "" {
			hosts = append(hosts, OpenTofuRegistry)
			fmt.Fprintf(&b, `  filesystem_mirror {
    path    = %s
    include = ["%s/*/*"]
  }
`, quote(aliasDir), OpenTofuRegistry)
		}
		fmt.Fprintf(&b, "  direct {\n    exclude = [\"%s/*/*\"]\n  }\n}\n", strings.Join(hosts, `/*/*", "`))
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
	return write(path, mirrorDir, "", pluginCacheDir)
}

// WriteAliased is Write for RenderAliased: it also lays out aliasDir (see
// Alias).
func WriteAliased(path, mirrorDir, aliasDir, pluginCacheDir string) error {
	if mirrorDir == "" {
		return write(path, "", "", pluginCacheDir)
	}
	if err := Alias(aliasDir, mirrorDir); err != nil {
		return fmt.Errorf("provider mirror under %s: %w", OpenTofuRegistry, err)
	}
	return write(path, mirrorDir, aliasDir, pluginCacheDir)
}

func write(path, mirrorDir, aliasDir, pluginCacheDir string) error {
	if mirrorDir != "" {
		abs, err := filepath.Abs(mirrorDir)
		if err != nil {
			return err
		}
		mirrorDir = abs
	}
	if aliasDir != "" {
		abs, err := filepath.Abs(aliasDir)
		if err != nil {
			return err
		}
		aliasDir = abs
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
	if _, err := tmp.WriteString(render(mirrorDir, aliasDir, pluginCacheDir)); err != nil {
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
