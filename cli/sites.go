package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sst-tf/sst/cli/internal/sitesync"
	"github.com/sst-tf/sst/manifest"
)

// uploadSites is the deploy step Terraform does not do: after a stack
// with sites was applied, put each site's build into its bucket (changed
// files only, stale ones deleted, placeholders filled with the deployed
// values) and tell CloudFront to drop exactly the paths that changed. The
// record of the sync is written only once CloudFront accepted, so an
// interrupted step is redone in full by the next deploy.
func (r *stackRunner) uploadSites(ctx context.Context, outs map[string]json.RawMessage) error {
	for _, c := range r.st.Constructs {
		if !slices.Contains(manifest.SiteTypes, c.Type) || c.Data[manifest.SiteAssets] == "" {
			continue
		}
		if err := r.uploadSite(ctx, c, outs); err != nil {
			return fmt.Errorf("%s %s: upload: %w", c.Type, c.ID, err)
		}
	}
	return nil
}

// siteTarget is a site's upload plan with what the stage's outputs say
// about it.
type siteTarget struct {
	plan           manifest.SiteUpload
	bucket, distID string
	values         map[string]string
	prev           *sitesync.Record
}

// siteTarget reads a site's plan and the outputs it names. With dryRun
// (`sst diff`) outputs that do not exist yet are left empty.
func (r *stackRunner) siteTarget(c manifest.Construct, outs map[string]json.RawMessage, dryRun bool) (*siteTarget, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(c.Data[manifest.SiteAssets])))
	if err != nil {
		return nil, err
	}
	t := &siteTarget{values: map[string]string{}}
	if err := json.Unmarshal(b, &t.plan); err != nil {
		return nil, fmt.Errorf("upload plan %s: %w", c.Data[manifest.SiteAssets], err)
	}
	output := func(name string) (string, bool, error) {
		var v string
		if err := json.Unmarshal(outs[name], &v); err != nil || v == "" {
			if dryRun {
				return "", false, nil
			}
			return "", false, fmt.Errorf("stack %s has no output %s", r.st.Name, name)
		}
		return v, true, nil
	}
	if t.bucket, _, err = output(t.plan.Bucket); err != nil {
		return nil, err
	}
	if t.distID, _, err = output(t.plan.Distribution); err != nil {
		return nil, err
	}
	for ph, name := range t.plan.Replace {
		v, ok, err := output(name)
		if err != nil {
			return nil, err
		}
		if ok {
			t.values[ph] = v
		}
	}
	if b, err := os.ReadFile(r.s.siteRecord(c.ID)); err == nil {
		t.prev = &sitesync.Record{}
		if err := json.Unmarshal(b, t.prev); err != nil {
			// A damaged record only costs a full comparison.
			t.prev = nil
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	return t, nil
}

func (r *stackRunner) uploadSite(ctx context.Context, c manifest.Construct, outs map[string]json.RawMessage) error {
	start := time.Now()
	s, printf := r.s, r.printf
	t, err := r.siteTarget(c, outs, false)
	if err != nil {
		return err
	}
	cfg, err := s.awsConfig(ctx, r.m)
	if err != nil {
		return err
	}
	res, err := sitesync.Sync(ctx, siteS3(cfg), sitesync.Options{Bucket: t.bucket, Plan: t.plan, StackDir: r.dir, Values: t.values, Previous: t.prev})
	if err != nil {
		return err
	}
	printf("%s %s: %d file(s) uploaded, %d deleted, %d unchanged in %s\n", c.Type, c.ID, res.Uploaded, res.Deleted, res.Unchanged, time.Since(start).Round(10*time.Millisecond))
	var inv *cftypes.Invalidation
	cf := cloudfront.NewFromConfig(cfg)
	if len(res.Paths) > 0 {
		out, err := cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
			DistributionId: aws.String(t.distID),
			InvalidationBatch: &cftypes.InvalidationBatch{
				CallerReference: aws.String(strconv.FormatInt(time.Now().UnixNano(), 10)),
				Paths:           &cftypes.Paths{Quantity: aws.Int32(int32(len(res.Paths))), Items: res.Paths},
			},
		})
		if err != nil {
			return fmt.Errorf("invalidate CloudFront: %w", err)
		}
		inv = out.Invalidation
		shown := strings.Join(res.Paths, " ")
		if len(res.Paths) > 5 {
			shown = strings.Join(res.Paths[:5], " ") + fmt.Sprintf(" … (%d paths)", len(res.Paths))
		}
		printf("%s %s: invalidated %s\n", c.Type, c.ID, shown)
	}
	rec, err := json.Marshal(res.Record)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.siteRecord(c.ID)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(s.siteRecord(c.ID), rec, 0o644); err != nil {
		return err
	}
	// Recorded first: the upload and the invalidation are done whether or
	// not the wait ends well.
	if t.plan.WaitForInvalidation && inv != nil {
		waited := time.Now()
		if err := waitInvalidation(ctx, cf, t.distID, inv); err != nil {
			return err
		}
		printf("%s %s: invalidation %s completed in %s\n", c.Type, c.ID, aws.ToString(inv.Id), time.Since(waited).Round(10*time.Millisecond))
	}
	return nil
}

// siteS3 is an S3 client for the site buckets; emulators need path-style
// addressing.
func siteS3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}

// diffSites prints, per site of a stack, what the next deploy would upload
// and delete, comparing the build with the bucket the last deploy wrote.
func (r *stackRunner) diffSites(ctx context.Context, outs map[string]json.RawMessage) ([]string, error) {
	var lines []string
	var client *s3.Client // made once, for the first deployed site
	for _, c := range r.st.Constructs {
		if !slices.Contains(manifest.SiteTypes, c.Type) || c.Data[manifest.SiteAssets] == "" {
			continue
		}
		t, err := r.siteTarget(c, outs, true)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.Type, c.ID, err)
		}
		if t.bucket == "" {
			lines = append(lines, fmt.Sprintf("%s %s: %d file(s) to upload (not deployed yet)", c.Type, c.ID, len(t.plan.Files)))
			continue
		}
		if client == nil {
			cfg, err := r.s.awsConfig(ctx, r.m)
			if err != nil {
				return nil, err
			}
			client = siteS3(cfg)
		}
		ch, err := sitesync.Compare(ctx, client, sitesync.Options{Bucket: t.bucket, Plan: t.plan, StackDir: r.dir, Values: t.values, Previous: t.prev, DryRun: true})
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.Type, c.ID, err)
		}
		line := fmt.Sprintf("%s %s: %d file(s) to upload, %d to delete, %d unchanged", c.Type, c.ID, len(ch.Upload), len(ch.Delete), ch.Unchanged)
		for i, k := range append(slices.Clone(ch.Upload), ch.Delete...) {
			if i == 10 {
				line += fmt.Sprintf("\n  … and %d more", len(ch.Upload)+len(ch.Delete)-10)
				break
			}
			mark := "+"
			if i >= len(ch.Upload) {
				mark = "-"
			}
			line += "\n  " + mark + " " + k
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// siteRecord is where the last upload of a site to this stage is
// recorded.
func (s *session) siteRecord(id string) string {
	return filepath.Join(s.project.Path(manifest.SSTDir), "sites", s.stage, id+".json")
}

// forgetSites drops the upload records of a removed stack's sites: their
// buckets are gone.
func (r *stackRunner) forgetSites() error {
	for _, c := range r.st.Constructs {
		if slices.Contains(manifest.SiteTypes, c.Type) {
			if err := os.Remove(r.s.siteRecord(c.ID)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}

// invalidationPoll is how often a waiting deploy asks CloudFront about an
// invalidation (AWS's own waiter asks every 20 s; most finish within a
// minute or two). A variable so tests need not wait.
var invalidationPoll = 10 * time.Second

// invalidationTimeout bounds the wait (a variable for tests): CloudFront
// finishes on its own, so past it the deploy fails only to say the new
// files may not be everywhere yet.
var invalidationTimeout = 30 * time.Minute

// waitInvalidation polls an invalidation until CloudFront reports it
// completed (AWS says "Completed", emulators may say "COMPLETED").
func waitInvalidation(ctx context.Context, cf *cloudfront.Client, dist string, inv *cftypes.Invalidation) error {
	id, status := aws.ToString(inv.Id), aws.ToString(inv.Status)
	deadline := time.Now().Add(invalidationTimeout)
	for !strings.EqualFold(status, "Completed") {
		if time.Now().After(deadline) {
			return fmt.Errorf("CloudFront invalidation %s of distribution %s is still %s after %s: the files are uploaded and CloudFront finishes on its own; set WaitForInvalidation false not to wait", id, dist, status, invalidationTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(invalidationPoll):
		}
		out, err := cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(dist), Id: aws.String(id)})
		if err != nil {
			return fmt.Errorf("CloudFront invalidation %s: %w", id, err)
		}
		status = aws.ToString(out.Invalidation.Status)
	}
	return nil
}
