package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHash(t *testing.T) {
	root := t.TempDir()
	stack := filepath.Join(root, "stacks", "Api")
	write(t, filepath.Join(stack, StackFile), `{"resource":{}}`)
	write(t, filepath.Join(root, "artifacts", "fn.zip"), "zip-1")
	arts := []string{"../../artifacts/fn.zip"}

	h1, err := Hash(stack, arts)
	if err != nil {
		t.Fatal(err)
	}
	if h2, _ := Hash(stack, arts); h2 != h1 {
		t.Fatal("hash is not stable")
	}
	write(t, filepath.Join(root, "artifacts", "fn.zip"), "zip-2")
	h3, _ := Hash(stack, arts)
	if h3 == h1 {
		t.Error("artifact change did not change the hash")
	}
	write(t, filepath.Join(stack, StackFile), `{"resource":{"x":{}}}`)
	if h4, _ := Hash(stack, arts); h4 == h3 {
		t.Error("cdk.tf.json change did not change the hash")
	}
	if _, err := Hash(stack, []string{"missing.zip"}); err == nil {
		t.Error("missing artifact: want error")
	}
}

func TestHashes(t *testing.T) {
	h := Hashes{Dir: filepath.Join(t.TempDir(), "deploys", "dev")}
	if h.Get("Api") != "" {
		t.Fatal("empty store returned a hash")
	}
	if err := h.Put("Api", "abc"); err != nil {
		t.Fatal(err)
	}
	if h.Get("Api") != "abc" {
		t.Fatalf("Get = %q", h.Get("Api"))
	}
	if err := h.Delete("Api"); err != nil || h.Get("Api") != "" {
		t.Fatalf("Delete: %v, %q", err, h.Get("Api"))
	}
	if err := h.Delete("Api"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestOutputsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outputs", "dev.json")
	o, err := ReadOutputs(path)
	if err != nil || len(o) != 0 {
		t.Fatalf("missing file: %v %v", o, err)
	}
	o["Api"] = map[string]json.RawMessage{"url": json.RawMessage(`"https://x"`)}
	if err := o.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadOutputs(path)
	if err != nil || string(back["Api"]["url"]) != `"https://x"` {
		t.Fatalf("read back %v %v", back, err)
	}
	if Visible("cross-stack-output-aws_s3_bucketBucketarn", false) || Visible("secret", true) || !Visible("url", false) {
		t.Error("Visible")
	}
}
