package tfconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// AliasDir is where Alias lays out mirrorDir for configurations that share
// pluginCacheDir: beside the cache, one directory per mirror, never inside
// a project. OpenTofu's cache entry for an aliased package is a link to the
// alias path it was installed from, and every project's .terraform links to
// that entry; an alias inside one project would leave every other
// project's OpenTofu runs reading a dangling link once that project (or its
// .sst) was deleted, and each project's install would repoint the entry
// under the others' running plans.
func AliasDir(pluginCacheDir, mirrorDir string) string {
	abs, err := filepath.Abs(mirrorDir)
	if err != nil {
		abs = mirrorDir
	}
	sum := sha256.Sum256([]byte(abs))
	cache := filepath.Clean(pluginCacheDir)
	return filepath.Join(filepath.Dir(cache), filepath.Base(cache)+"-opentofu-alias", hex.EncodeToString(sum[:6]))
}

// Alias lays out aliasDir as a filesystem mirror serving, under OpenTofu's
// registry host, every provider package mirrorDir holds under
// registry.terraform.io: OpenTofu reads an unqualified source such as
// "hashicorp/aws" as registry.opentofu.org/hashicorp/aws, and a mirror is
// searched by host directory.
//
// Packages are symbolic links to mirrorDir's, never copies (the AWS
// provider is ≈700 MB). The links sit where the mirror format expects a
// package (an unpacked platform directory, or a packed zip), the only
// depth at which OpenTofu's mirror search follows one. Alias is idempotent
// and safe to run concurrently with itself: each link is made under a
// temporary name and renamed into place.
func Alias(aliasDir, mirrorDir string) error {
	src := filepath.Join(mirrorDir, TerraformRegistry)
	dst := filepath.Join(aliasDir, OpenTofuRegistry)
	namespaces, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, ns := range namespaces {
		types, err := os.ReadDir(filepath.Join(src, ns.Name()))
		if err != nil {
			continue // a stray file: not a namespace
		}
		for _, typ := range types {
			rel := filepath.Join(ns.Name(), typ.Name())
			entries, err := os.ReadDir(filepath.Join(src, rel))
			if err != nil {
				continue
			}
			for _, e := range entries {
				if err := aliasEntry(filepath.Join(src, rel, e.Name()), filepath.Join(dst, rel, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// aliasEntry mirrors one entry of a provider's directory: a version
// directory of unpacked platforms (each linked), or a packed zip (linked).
func aliasEntry(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return link(src, dst)
	}
	targets, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, t := range targets {
		if err := link(filepath.Join(src, t.Name()), filepath.Join(dst, t.Name())); err != nil {
			return err
		}
	}
	return nil
}

func link(target, path string) error {
	if got, err := os.Readlink(path); err == nil && got == target {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// A private directory for the new link: CLI sessions in one process
	// (the tests run many) share a pid.
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), ".link-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "link")
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("link %s: %w", path, err)
	}
	return nil
}
