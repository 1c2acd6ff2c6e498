package cli

import (
	"fmt"
	"reflect"
	"testing"
)

func TestChangedPaths(t *testing.T) {
	prev := map[string]string{"index.html": "a", "docs/index.html": "b", "assets/app-1.js": "c", "old.txt": "d", "env.js": ""}
	cur := map[string]string{"index.html": "a", "docs/index.html": "B", "assets/app-2.js": "e", "env.js": ""}
	got := changedPaths(prev, cur, true)
	want := []string{"/assets/app-1.js", "/assets/app-2.js", "/docs", "/docs/", "/docs/index.html", "/env.js", "/old.txt"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changedPaths = %v, want %v", got, want)
	}
	if got := changedPaths(nil, cur, false); !reflect.DeepEqual(got, []string{"/*"}) {
		t.Errorf("without a record = %v, want /*", got)
	}
	if got := changedPaths(cur, cur, true); len(got) != 1 || got[0] != "/env.js" {
		t.Errorf("unchanged = %v, want only the deploy-time file", got)
	}
	many := map[string]string{}
	for i := range maxInvalidationPaths + 1 {
		many[fmt.Sprintf("f%d.txt", i)] = "x"
	}
	if got := changedPaths(map[string]string{}, many, true); !reflect.DeepEqual(got, []string{"/*"}) {
		t.Errorf("%d changes = %d paths, want one wildcard", len(many), len(got))
	}
}
