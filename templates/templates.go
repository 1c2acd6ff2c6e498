// Package templates embeds the project templates `sst init` writes. It sits
// at the module root, beside the template folders, because go:embed cannot
// reach outside a package's directory.
package templates

import (
	"embed"
	"io/fs"
	"sort"
)

// FS holds one top-level directory per template. "all:" keeps dotfiles
// such as .gitignore, which a project template needs.
//
//go:embed all:minimal all:node all:python all:standard
var FS embed.FS

// Names lists the available templates, sorted.
func Names() []string {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
