package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, ConfigFile), []byte(`{"app":"go run ."}`), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := Find(deep)
	if err != nil || dir != root {
		t.Fatalf("Find = %q, %v; want %q", dir, err, root)
	}
}

func TestFindNone(t *testing.T) {
	dir := t.TempDir()
	_, err := Find(dir)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	want := "no cdktf.json found in " + dir + ` or any parent directory: run "sst init" or cd into your project`
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"malformed", "{\n  \"app\": \"go run .\",\n}", "line 3"},
		{"wrong type", `{"app": 42}`, "invalid JSON"},
		{"missing app", `{"language":"go"}`, `missing "app"`},
		{"empty app", `{"app":"  "}`, `missing "app"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, ConfigFile)
			os.WriteFile(path, []byte(tc.content), 0o644)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v; want it to name %s and contain %q", err, path, tc.want)
			}
		})
	}
}

func TestValidateEndpoint(t *testing.T) {
	for s, ok := range map[string]bool{
		"":                          true,
		"http://127.0.0.1:5000":     true,
		"https://localstack:4566/":  true,
		"ftp://x":                   false,
		"http://":                   false,
		"127.0.0.1:5000":            false,
		"localhost":                 false,
		"http://127.0.0.1:5000/x":   false,
		"http://127.0.0.1:5000?a=1": false,
		"http://u:p@127.0.0.1:5000": false,
		"http://127.0.0.1:5000#f":   false,
	} {
		if err := ValidateEndpoint(s); (err == nil) != ok {
			t.Errorf("ValidateEndpoint(%q) = %v", s, err)
		}
	}
}
