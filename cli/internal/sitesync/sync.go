// Package sitesync puts a site's build into its bucket after the deploy
// created the bucket: it uploads the files whose content or headers
// changed, deletes the objects the build no longer has, and reports the
// URL paths CloudFront must drop.
//
// Terraform could hold one aws_s3_object per file, but planning a
// thousand of them takes it minutes; a bucket listing answers "what is
// there already" with one request per 1,000 keys.
package sitesync

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sst-tf/sst/manifest"
)

// Workers is how many uploads run at once: S3 takes far more, but the
// files are read and hashed on this machine too.
const Workers = 16

// Record is what the last successful sync of a site wrote, kept by the
// CLI between deploys: per key the MD5 and headers it uploaded, and the
// server bundle's hash. The bucket listing says whether content changed;
// only the record says whether a header rule did.
type Record struct {
	Server string            `json:"server,omitempty"`
	Files  map[string]string `json:"files"`
}

// Result is what a sync did.
type Result struct {
	Uploaded, Deleted, Unchanged int
	// Paths are the CloudFront paths to invalidate ("/index.html", "/"),
	// or ["/*"] when any page may have changed.
	Paths []string
	// Record describes the bucket after the sync.
	Record Record
}

// Options are the inputs of one sync.
type Options struct {
	Bucket string
	Plan   manifest.SiteUpload
	// StackDir resolves the plan's relative sources.
	StackDir string
	// Values replace the plan's placeholders: placeholder → deployed
	// value.
	Values map[string]string
	// Previous is the last sync's record; nil when there is none (a first
	// deploy or a fresh checkout).
	Previous *Record
	// DryRun: see Compare.
	DryRun bool
}

// MaxPaths: past this many changed paths one wildcard is cheaper
// (CloudFront bills per path) and just as correct.
const MaxPaths = 100

type upload struct {
	file manifest.SiteFile
	body []byte
	md5  string
}

// Changes are what a sync would do, from comparing the plan with the
// bucket.
type Changes struct {
	upload    []upload
	Upload    []string // keys to put
	Delete    []string // stale keys
	Unchanged int
	// Paths are the CloudFront paths that change with them ("/*" when any
	// page may).
	Paths  []string
	record Record
}

// Compare reads every file (filling in placeholders) and lists the
// bucket; it writes nothing. With DryRun a missing deployed value counts
// its file as changed instead of failing (`sst diff` before the deploy
// that creates the value).
func Compare(ctx context.Context, client *s3.Client, o Options) (Changes, error) {
	want := make([]upload, 0, len(o.Plan.Files))
	keys := map[string]bool{}
	for _, f := range o.Plan.Files {
		u, err := prepare(f, o.StackDir, o.Plan.Replace, o.Values, o.DryRun)
		if err != nil {
			return Changes{}, err
		}
		want = append(want, u)
		keys[f.Key] = true
	}
	have, err := list(ctx, client, o.Bucket)
	if err != nil {
		return Changes{}, err
	}
	c := Changes{record: Record{Server: o.Plan.Server, Files: map[string]string{}}}
	for _, u := range want {
		sig := signature(u)
		c.record.Files[u.file.Key] = sig
		etag, exists := have[u.file.Key]
		headersChanged := o.Previous != nil && o.Previous.Files[u.file.Key] != sig
		if exists && etag == u.md5 && !headersChanged {
			c.Unchanged++
			continue
		}
		c.upload = append(c.upload, u)
		c.Upload = append(c.Upload, u.file.Key)
	}
	for k := range have {
		if !keys[k] && !kept(o.Plan.Keep, k) {
			c.Delete = append(c.Delete, k)
		}
	}
	sort.Strings(c.Delete)
	serverChanged := o.Plan.Server != "" && (o.Previous == nil || o.Previous.Server != o.Plan.Server)
	c.Paths = invalidation(o.Plan, append(slices.Clone(c.Upload), c.Delete...), serverChanged)
	return c, nil
}

// Sync brings the bucket in line with the plan. Every file is read (and
// its placeholders replaced) before anything is written, so a missing
// source or value changes nothing.
func Sync(ctx context.Context, client *s3.Client, o Options) (Result, error) {
	o.DryRun = false
	c, err := Compare(ctx, client, o)
	if err != nil {
		return Result{}, err
	}
	if err := put(ctx, client, o.Bucket, c.upload); err != nil {
		return Result{}, err
	}
	if err := remove(ctx, client, o.Bucket, c.Delete); err != nil {
		return Result{}, err
	}
	return Result{Uploaded: len(c.Upload), Deleted: len(c.Delete), Unchanged: c.Unchanged, Paths: c.Paths, Record: c.record}, nil
}

func prepare(f manifest.SiteFile, stackDir string, placeholders, values map[string]string, dryRun bool) (upload, error) {
	src := filepath.Join(stackDir, filepath.FromSlash(f.Source))
	body, err := os.ReadFile(src)
	if err != nil {
		return upload{}, fmt.Errorf("%s: %w (was the build output removed after synthesis? deploy again)", f.Key, err)
	}
	sum := md5.Sum(body)
	if hex.EncodeToString(sum[:]) != f.MD5 && !f.Replace {
		return upload{}, fmt.Errorf("%s: %s changed after this deploy synthesized it (was the site rebuilt meanwhile?); deploy again", f.Key, src)
	}
	if f.Replace {
		names := slices.Clone(f.Search)
		if len(names) == 0 {
			for ph := range placeholders {
				names = append(names, ph)
			}
		}
		sort.Strings(names)
		for _, ph := range names {
			if !bytes.Contains(body, []byte(ph)) {
				continue
			}
			v, ok := values[ph]
			if !ok && dryRun {
				// Unknown until the deploy: the content will differ.
				return upload{file: f, body: body, md5: "unknown"}, nil
			}
			if !ok {
				return upload{}, fmt.Errorf("%s: no deployed value for %s (stack output %s)", f.Key, ph, placeholders[ph])
			}
			body = bytes.ReplaceAll(body, []byte(ph), []byte(v))
		}
		sum = md5.Sum(body)
	}
	return upload{file: f, body: body, md5: hex.EncodeToString(sum[:])}, nil
}

// signature is the part of an object the deploy decides: content and
// headers.
func signature(u upload) string {
	return u.md5 + " " + u.file.ContentType + " " + u.file.CacheControl
}

func base64MD5(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

func kept(prefixes []string, key string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// list returns every key of the bucket with its ETag (the MD5 of the
// content for objects put in one part, which is how they are put here).
func list(ctx context.Context, client *s3.Client, bucket string) (map[string]string, error) {
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list bucket %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = strings.Trim(aws.ToString(o.ETag), `"`)
		}
	}
	return out, nil
}

func put(ctx context.Context, client *s3.Client, bucket string, todo []upload) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan upload)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(Workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				sum := md5.Sum(u.body)
				_, err := client.PutObject(ctx, &s3.PutObjectInput{
					Bucket:       aws.String(bucket),
					Key:          aws.String(u.file.Key),
					Body:         bytes.NewReader(u.body),
					ContentType:  aws.String(u.file.ContentType),
					CacheControl: aws.String(u.file.CacheControl),
					// S3 refuses the object if it arrives different.
					ContentMD5: aws.String(base64MD5(sum[:])),
				})
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("upload %s to bucket %s: %w", u.file.Key, bucket, err)
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, u := range todo {
		if ctx.Err() != nil {
			break
		}
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	return first
}

func remove(ctx context.Context, client *s3.Client, bucket string, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		ids := make([]s3types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket),
			Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete %d stale objects from bucket %s: %w", n, bucket, err)
		}
		if len(out.Errors) > 0 {
			var errs []error
			for _, e := range out.Errors {
				errs = append(errs, fmt.Errorf("%s: %s", aws.ToString(e.Key), aws.ToString(e.Message)))
			}
			return fmt.Errorf("delete stale objects from bucket %s: %w", bucket, errors.Join(errs...))
		}
		keys = keys[n:]
	}
	return nil
}

// invalidation maps changed keys to the paths a viewer fetches them by;
// an HTML index also stands for its directory ("/docs/" and "/docs").
func invalidation(plan manifest.SiteUpload, changed []string, serverChanged bool) []string {
	if serverChanged {
		return []string{"/*"}
	}
	set := map[string]bool{}
	for _, key := range changed {
		p, ok := plan.ServedPath(key)
		if !ok {
			continue
		}
		set["/"+p] = true
		if path.Base(p) == "index.html" {
			if dir := path.Dir(p); dir == "." {
				set["/"] = true
			} else {
				set["/"+dir] = true
				set["/"+dir+"/"] = true
			}
		}
	}
	if len(set) > MaxPaths {
		return []string{"/*"}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
