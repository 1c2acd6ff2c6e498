package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/sst-tf/sst/internal/atomicfile"
)

// cacheVersion is bumped whenever what we build from the same inputs
// changes, so records written by an older build of this package are
// ignored rather than trusted.
const cacheVersion = 1

// record is what one successful build leaves in OutDir: enough to decide
// next time, without running any tool, that nothing changed.
type record struct {
	Version int       `json:"version"`
	Runtime string    `json:"runtime"`
	Handler string    `json:"handler"`
	Zip     string    `json:"zip"` // file name inside OutDir, so the record survives a moved OutDir
	Hash    string    `json:"hash"`
	Files   []fileSum `json:"files"`
	Dirs    []dirSum  `json:"dirs,omitempty"`
}

type fileSum struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// dirSum catches files that change a build without any recorded file
// changing: a new .go file in a package directory, a new file under an
// embedded directory.
type dirSum struct {
	Path   string `json:"path"`
	Filter string `json:"filter"` // "go": .go files only; "all": every visible entry
	SHA256 string `json:"sha256"`
}

type cache struct {
	path string
}

func cacheFor(r Request, builderKey any) cache {
	k := struct {
		Version int
		Name    string
		Handler string
		Runtime string
		Builder any
	}{cacheVersion, r.Name, filepath.ToSlash(r.Handler), r.Runtime, builderKey}
	b, err := json.Marshal(k)
	if err != nil {
		panic(err) // keys are plain structs; failing here is a bug
	}
	sum := sha256.Sum256(b)
	return cache{path: filepath.Join(r.OutDir, sanitize(r.Name)+"-"+hex.EncodeToString(sum[:])[:12]+".json")}
}

// lookup returns the recorded artifact when every recorded input still
// hashes the same and the zip is still there.
func (c cache) lookup() (*Result, bool) {
	b, err := os.ReadFile(c.path)
	if err != nil {
		return nil, false
	}
	var rec record
	if json.Unmarshal(b, &rec) != nil || rec.Version != cacheVersion || rec.Zip == "" || len(rec.Files) == 0 {
		return nil, false
	}
	outDir := filepath.Dir(c.path)
	if fi, err := os.Stat(filepath.Join(outDir, rec.Zip)); err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	for _, f := range rec.Files {
		if sum, err := hashFile(f.Path); err != nil || sum != f.SHA256 {
			return nil, false
		}
	}
	for _, d := range rec.Dirs {
		if sum, err := hashDir(d.Path, d.Filter); err != nil || sum != d.SHA256 {
			return nil, false
		}
	}
	return rec.result(outDir, true), true
}

func (c cache) store(rec *record) error {
	rec.Version = cacheVersion
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(c.path, b, 0o644)
}

func (rec *record) result(outDir string, cached bool) *Result {
	in := make([]string, len(rec.Files))
	for i, f := range rec.Files {
		in[i] = f.Path
	}
	return &Result{
		Runtime: rec.Runtime,
		Handler: rec.Handler,
		ZipPath: filepath.Join(outDir, rec.Zip),
		Hash:    rec.Hash,
		Cached:  cached,
		Inputs:  in,
	}
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashDir(dir, filter string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		// The go tool and go:embed both skip names starting with . or _,
		// so editor droppings there must not force a rebuild.
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			continue
		}
		if filter == "go" && (e.IsDir() || !strings.HasSuffix(n, ".go")) {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	sum := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

// hashFiles records paths' contents, sorted and de-duplicated so the
// record is stable.
func hashFiles(paths []string) ([]fileSum, error) {
	seen := map[string]bool{}
	var out []fileSum
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		sum, err := hashFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, fileSum{Path: p, SHA256: sum})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func hashDirs(dirs map[string]string) ([]dirSum, error) {
	var out []dirSum
	for d, filter := range dirs {
		sum, err := hashDir(d, filter)
		if err != nil {
			return nil, err
		}
		out = append(out, dirSum{Path: d, Filter: filter, SHA256: sum})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// esbuildVersion ties cached Node bundles to the bundler that made them.
func esbuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/evanw/esbuild" {
			return d.Version
		}
	}
	return ""
}
