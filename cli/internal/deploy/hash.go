package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// StackFile is the Terraform JSON CDKTF writes for every stack.
const StackFile = "cdk.tf.json"

// Hash is the content hash of what a stack deploys: its Terraform JSON and
// every artifact it uploads. Two syntheses with the same hash would apply
// the same configuration, so the deploy can be skipped.
//
// Artifact paths are relative to the stack directory. Each file is framed by
// its name and length so that moving bytes between files changes the hash.
func Hash(stackDir string, artifacts []string) (string, error) {
	h := sha256.New()
	add := func(name string) error {
		return Frame(h, name, filepath.Join(stackDir, filepath.FromSlash(name)))
	}
	if err := add(StackFile); err != nil {
		return "", fmt.Errorf("hash stack: %w", err)
	}
	names := append([]string(nil), artifacts...)
	sort.Strings(names)
	for _, a := range names {
		if err := add(a); err != nil {
			return "", fmt.Errorf("hash artifact: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Hashes records the hash of each stack's last successful deploy of one
// stage, one file per stack under Dir (.sst/deploys/<stage>/<stack>.sha256).
type Hashes struct{ Dir string }

func (s Hashes) path(stack string) string { return filepath.Join(s.Dir, stack+".sha256") }

// Get returns the recorded hash, or "" when there is none.
func (s Hashes) Get(stack string) string {
	b, err := os.ReadFile(s.path(stack))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Put records a hash. Call it only after a successful deploy.
func (s Hashes) Put(stack, hash string) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(s.path(stack), []byte(hash+"\n"))
}

// Delete forgets a stack's hash, so its next deploy runs.
func (s Hashes) Delete(stack string) error {
	err := os.Remove(s.path(stack))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// writeFileAtomic writes via a temporary file so a crash never leaves a
// truncated file for the next run to misread.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}

// Frame writes the file at path into w framed by name and length
// ("name\x00size\x00bytes"), the unit of every content hash a deploy
// compares, so that moving bytes between files changes the hash.
func Frame(w io.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a file", name)
	}
	fmt.Fprintf(w, "%s\x00%d\x00", name, fi.Size())
	_, err = io.Copy(w, f)
	return err
}
