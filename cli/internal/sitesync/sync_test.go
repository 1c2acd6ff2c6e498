package sitesync

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

var client *s3.Client

func TestMain(m *testing.M) {
	moto, err := testenv.StartMoto()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sitesync tests need moto_server:", err)
		os.Exit(1)
	}
	client = s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(moto.URL()),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	code := m.Run()
	moto.Stop()
	os.Exit(code)
}

// site is a build output on disk and the plan a synth would write for it.
type site struct {
	t    *testing.T
	dir  string
	plan manifest.SiteUpload
}

func newSite(t *testing.T, bucket string) *site {
	t.Helper()
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return &site{t: t, dir: t.TempDir(), plan: manifest.SiteUpload{Replace: map[string]string{"{{ API_URL }}": "Web_env_API_URL"}}}
}

// file writes key into the build and (re)places its plan entry.
func (s *site) file(key, body, contentType string) {
	s.t.Helper()
	p := filepath.Join(s.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		s.t.Fatal(err)
	}
	sum := md5.Sum([]byte(body))
	f := manifest.SiteFile{Key: key, Source: key, MD5: hex.EncodeToString(sum[:]), ContentType: contentType, CacheControl: "public,max-age=0,must-revalidate", Replace: strings.Contains(body, "{{ ")}
	s.drop(key)
	s.plan.Files = append(s.plan.Files, f)
}

func (s *site) drop(key string) {
	s.plan.Files = slices.DeleteFunc(s.plan.Files, func(f manifest.SiteFile) bool { return f.Key == key })
}

func (s *site) sync(bucket string, prev *Record, values map[string]string) Result {
	s.t.Helper()
	res, err := Sync(context.Background(), client, Options{Bucket: bucket, Plan: s.plan, StackDir: s.dir, Values: values, Previous: prev})
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

type object struct{ body, contentType, cacheControl string }

func objects(t *testing.T, bucket string) map[string]object {
	t.Helper()
	ctx := context.Background()
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]object{}
	for _, o := range list.Contents {
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		out[aws.ToString(o.Key)] = object{string(b), aws.ToString(got.ContentType), aws.ToString(got.CacheControl)}
	}
	return out
}

// TestSyncLifecycle: a first sync uploads everything with its headers and
// placeholders filled in; an unchanged build uploads nothing; an edit, a
// new file and a removed file touch exactly those keys and paths; a new
// deployed value re-uploads only the file holding its placeholder; a
// header rule change re-uploads with the new header.
func TestSyncLifecycle(t *testing.T) {
	const bucket = "lifecycle"
	s := newSite(t, bucket)
	s.file("index.html", "<script src=/app.js></script>", "text/html; charset=utf-8")
	s.file("docs/index.html", "docs", "text/html; charset=utf-8")
	s.file("app.js", `fetch("{{ API_URL }}")`, "text/javascript; charset=utf-8")
	s.file("logo.svg", "<svg/>", "image/svg+xml")
	vals := map[string]string{"{{ API_URL }}": "https://api.example.com"}

	first := s.sync(bucket, nil, vals)
	if first.Uploaded != 4 || first.Deleted != 0 || first.Unchanged != 0 {
		t.Errorf("first sync = %+v", first)
	}
	wantPaths := []string{"/", "/app.js", "/docs", "/docs/", "/docs/index.html", "/index.html", "/logo.svg"}
	if !slices.Equal(first.Paths, wantPaths) {
		t.Errorf("first paths = %v, want %v", first.Paths, wantPaths)
	}
	objs := objects(t, bucket)
	if o := objs["app.js"]; o.body != `fetch("https://api.example.com")` || o.contentType != "text/javascript; charset=utf-8" || o.cacheControl != "public,max-age=0,must-revalidate" {
		t.Errorf("app.js = %+v", o)
	}
	if o := objs["logo.svg"]; o.contentType != "image/svg+xml" || o.body != "<svg/>" {
		t.Errorf("logo.svg = %+v", o)
	}

	same := s.sync(bucket, &first.Record, vals)
	if same.Uploaded != 0 || same.Deleted != 0 || same.Unchanged != 4 || len(same.Paths) != 0 {
		t.Errorf("unchanged sync = %+v", same)
	}
	// With no record (a fresh checkout) the listing alone finds nothing to do.
	if fresh := s.sync(bucket, nil, vals); fresh.Uploaded != 0 || len(fresh.Paths) != 0 {
		t.Errorf("sync without a record = %+v", fresh)
	}

	s.file("docs/index.html", "docs v2", "text/html; charset=utf-8")
	s.file("new.txt", "new", "text/plain; charset=utf-8")
	s.drop("logo.svg")
	edit := s.sync(bucket, &same.Record, vals)
	if edit.Uploaded != 2 || edit.Deleted != 1 || edit.Unchanged != 2 {
		t.Errorf("edit sync = %+v", edit)
	}
	if want := []string{"/docs", "/docs/", "/docs/index.html", "/logo.svg", "/new.txt"}; !slices.Equal(edit.Paths, want) {
		t.Errorf("edit paths = %v, want %v", edit.Paths, want)
	}
	objs = objects(t, bucket)
	if _, ok := objs["logo.svg"]; ok || objs["docs/index.html"].body != "docs v2" || objs["new.txt"].body != "new" {
		t.Errorf("objects after the edit = %v", objs)
	}

	moved := s.sync(bucket, &edit.Record, map[string]string{"{{ API_URL }}": "https://api2.example.com"})
	if moved.Uploaded != 1 || !slices.Equal(moved.Paths, []string{"/app.js"}) {
		t.Errorf("new Api URL sync = %+v", moved)
	}
	if got := objects(t, bucket)["app.js"].body; got != `fetch("https://api2.example.com")` {
		t.Errorf("app.js = %q", got)
	}

	for i := range s.plan.Files {
		if s.plan.Files[i].Key == "new.txt" {
			s.plan.Files[i].CacheControl = "public,max-age=31536000,immutable"
		}
	}
	rule := s.sync(bucket, &moved.Record, map[string]string{"{{ API_URL }}": "https://api2.example.com"})
	if rule.Uploaded != 1 || objects(t, bucket)["new.txt"].cacheControl != "public,max-age=31536000,immutable" {
		t.Errorf("header change sync = %+v", rule)
	}

	// A dry run (sst diff) before the value exists: the file holding it
	// counts as changed, and nothing is written.
	before := objects(t, bucket)
	c, err := Compare(context.Background(), client, Options{Bucket: bucket, Plan: s.plan, StackDir: s.dir, Previous: &rule.Record, DryRun: true})
	if err != nil || !slices.Equal(c.Upload, []string{"app.js"}) || len(c.Delete) != 0 || c.Unchanged != 3 {
		t.Errorf("dry run = %+v, %v", c, err)
	}
	if after := objects(t, bucket); len(after) != len(before) || after["app.js"] != before["app.js"] {
		t.Errorf("a dry run wrote: %v", after)
	}
}

// TestSyncKeepAndOriginPath: an SSR site's assets are served from a
// folder, its runtime cache is neither pruned nor invalidated, and a new
// server bundle invalidates everything.
func TestSyncKeepAndOriginPath(t *testing.T) {
	const bucket = "ssr"
	s := newSite(t, bucket)
	s.plan.OriginPath, s.plan.Keep, s.plan.Server = "_assets", []string{"_cache/"}, "server-1"
	s.file("_assets/favicon.ico", "ico", "image/x-icon")
	s.file("_cache/BUILD/index.cache", "{}", "application/octet-stream")
	first := s.sync(bucket, nil, nil)
	if !slices.Equal(first.Paths, []string{"/*"}) {
		t.Errorf("first SSR paths = %v, want everything (no record of the server)", first.Paths)
	}
	// The server wrote an ISR entry at run time.
	if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("_cache/BUILD/isr.cache"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	s.file("_assets/favicon.ico", "ico2", "image/x-icon")
	s.drop("_cache/BUILD/index.cache")
	next := s.sync(bucket, &first.Record, nil)
	if !slices.Equal(next.Paths, []string{"/favicon.ico"}) || next.Deleted != 0 {
		t.Errorf("asset edit = %+v, want only /favicon.ico and no deletion under _cache/", next)
	}
	if objs := objects(t, bucket); len(objs) != 3 {
		t.Errorf("objects = %v", objs)
	}
	s.plan.Server = "server-2"
	if got := s.sync(bucket, &next.Record, nil); !slices.Equal(got.Paths, []string{"/*"}) || got.Uploaded != 0 {
		t.Errorf("new server = %+v", got)
	}
}

// TestSyncManyFiles: past MaxPaths changed paths one wildcard is sent;
// more than one listing page and one delete batch are handled.
func TestSyncManyFiles(t *testing.T) {
	const bucket = "many"
	s := newSite(t, bucket)
	const n = 1100
	for i := range n {
		s.file(fmt.Sprintf("p/%04d.html", i), fmt.Sprint(i), "text/html; charset=utf-8")
	}
	first := s.sync(bucket, nil, nil)
	if first.Uploaded != n || !slices.Equal(first.Paths, []string{"/*"}) {
		t.Errorf("first = %d uploaded, paths %v", first.Uploaded, first.Paths)
	}
	s.plan.Files = s.plan.Files[:1]
	cut := s.sync(bucket, &first.Record, nil)
	if cut.Deleted != n-1 || cut.Unchanged != 1 {
		t.Errorf("after cutting to one file = %+v", cut)
	}
	if objs := objects(t, bucket); len(objs) != 1 {
		t.Errorf("%d objects left", len(objs))
	}
}

// TestSyncBadInput: a missing source, a source edited after synthesis, a
// missing deployed value and a missing bucket each fail naming the key or
// bucket, and write nothing.
func TestSyncBadInput(t *testing.T) {
	const bucket = "bad"
	s := newSite(t, bucket)
	s.file("a.txt", "a", "text/plain")
	s.file("env.js", "{{ API_URL }}", "text/javascript")
	cases := []struct {
		name   string
		mutate func() (Options, func())
		want   []string
	}{
		{"missing source", func() (Options, func()) {
			os.Rename(filepath.Join(s.dir, "a.txt"), filepath.Join(s.dir, "a.bak"))
			return Options{Bucket: bucket, Plan: s.plan, StackDir: s.dir, Values: map[string]string{"{{ API_URL }}": "x"}}, func() {
				os.Rename(filepath.Join(s.dir, "a.bak"), filepath.Join(s.dir, "a.txt"))
			}
		}, []string{"a.txt", "deploy again"}},
		{"edited after synthesis", func() (Options, func()) {
			os.WriteFile(filepath.Join(s.dir, "a.txt"), []byte("b"), 0o644)
			return Options{Bucket: bucket, Plan: s.plan, StackDir: s.dir, Values: map[string]string{"{{ API_URL }}": "x"}}, func() {
				os.WriteFile(filepath.Join(s.dir, "a.txt"), []byte("a"), 0o644)
			}
		}, []string{"a.txt", "changed after this deploy synthesized it"}},
		{"missing value", func() (Options, func()) {
			return Options{Bucket: bucket, Plan: s.plan, StackDir: s.dir}, func() {}
		}, []string{"env.js", "{{ API_URL }}", "Web_env_API_URL"}},
		{"missing bucket", func() (Options, func()) {
			return Options{Bucket: "no-such-bucket", Plan: s.plan, StackDir: s.dir, Values: map[string]string{"{{ API_URL }}": "x"}}, func() {}
		}, []string{"no-such-bucket"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, undo := c.mutate()
			defer undo()
			_, err := Sync(context.Background(), client, o)
			if err == nil {
				t.Fatal("sync succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if objs := objects(t, bucket); len(objs) != 0 {
				t.Errorf("a failed sync wrote %v", objs)
			}
		})
	}
}

// TestSyncScopedReplace: a file's Search limits the placeholders replaced
// in it (a StaticSite's ReplaceValues apply to the files their glob
// matches): the same text elsewhere stays as built.
func TestSyncScopedReplace(t *testing.T) {
	const bucket = "scoped-replace"
	s := newSite(t, bucket)
	s.plan.Replace["__API__"] = "Web_replace_0"
	s.file("app.js", `fetch("__API__")`, "text/javascript")
	s.file("notes.md", "write __API__ literally", "text/markdown")
	s.plan.Files[0].Replace, s.plan.Files[0].Search = true, []string{"__API__"}
	s.sync(bucket, nil, map[string]string{"__API__": "https://api.example.com", "{{ API_URL }}": "unused"})
	got := objects(t, bucket)
	if got["app.js"].body != `fetch("https://api.example.com")` || got["notes.md"].body != "write __API__ literally" {
		t.Errorf("objects = %+v", got)
	}
}
