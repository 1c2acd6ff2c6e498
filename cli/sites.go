package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/sst-tf/sst/manifest"
)

// maxInvalidationPaths: past this many changed paths one wildcard is
// cheaper (CloudFront bills per path) and just as correct.
const maxInvalidationPaths = 100

// invalidateSites is the deploy step Terraform cannot do: after a stack
// with sites was applied, tell CloudFront to drop exactly the paths whose
// files changed or went away since the last deploy of the stage. With no
// record of that deploy (first deploy, fresh checkout) everything is
// invalidated. The record is written only once CloudFront accepted.
func (s *session) invalidateSites(ctx context.Context, m *manifest.Manifest, st *manifest.Stack, stackDir string, outs map[string]json.RawMessage, printf func(string, ...any)) error {
	for _, c := range st.Constructs {
		if !slices.Contains(manifest.SiteTypes, c.Type) || c.Data[manifest.SiteAssets] == "" {
			continue
		}
		if err := s.invalidateSite(ctx, m, st, c, stackDir, outs, printf); err != nil {
			return fmt.Errorf("%s %s: invalidate CloudFront: %w", c.Type, c.ID, err)
		}
	}
	return nil
}

func (s *session) invalidateSite(ctx context.Context, m *manifest.Manifest, st *manifest.Stack, c manifest.Construct, stackDir string, outs map[string]json.RawMessage, printf func(string, ...any)) error {
	cur, err := readAssetIndex(filepath.Join(stackDir, filepath.FromSlash(c.Data[manifest.SiteAssets])))
	if err != nil {
		return err
	}
	_, out, ok := manifest.ParseOutputRef(c.Data[manifest.SiteDistribution])
	if !ok {
		return fmt.Errorf("manifest: %s %q is not an output reference", manifest.SiteDistribution, c.Data[manifest.SiteDistribution])
	}
	var distID string
	if err := json.Unmarshal(outs[out], &distID); err != nil || distID == "" {
		return fmt.Errorf("stack %s has no output %s with the distribution id", st.Name, out)
	}
	recPath := filepath.Join(s.project.Path(manifest.SSTDir), "sites", s.stage, c.ID+".json")
	prev, err := readAssetIndex(recPath)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	paths := changedPaths(prev, cur, err == nil)
	if len(paths) > 0 {
		cfg, err := s.awsConfig(ctx, m)
		if err != nil {
			return err
		}
		_, err = cloudfront.NewFromConfig(cfg).CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
			DistributionId: aws.String(distID),
			InvalidationBatch: &cftypes.InvalidationBatch{
				CallerReference: aws.String(strconv.FormatInt(time.Now().UnixNano(), 10)),
				Paths:           &cftypes.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths},
			},
		})
		if err != nil {
			return err
		}
		shown := strings.Join(paths, " ")
		if len(paths) > 5 {
			shown = strings.Join(paths[:5], " ") + fmt.Sprintf(" … (%d paths)", len(paths))
		}
		printf("%s %s: invalidated %s\n", c.Type, c.ID, shown)
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(recPath), 0o755); err != nil {
		return err
	}
	return os.WriteFile(recPath, b, 0o644)
}

func readAssetIndex(p string) (map[string]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var idx map[string]string
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return idx, nil
}

// changedPaths lists the CloudFront paths to invalidate: keys added with
// a different etag, removed, or rewritten at deploy (etag ""); an HTML
// index also stands for its directory ("/docs/" and "/docs").
func changedPaths(prev, cur map[string]string, havePrev bool) []string {
	if !havePrev {
		return []string{"/*"}
	}
	set := map[string]bool{}
	add := func(key string) {
		set["/"+key] = true
		if path.Base(key) == "index.html" {
			dir := path.Dir(key)
			if dir == "." {
				set["/"] = true
			} else {
				set["/"+dir] = true
				set["/"+dir+"/"] = true
			}
		}
	}
	for k, v := range cur {
		if old, ok := prev[k]; !ok || old != v || v == "" {
			if k == "*" {
				// A new server bundle: any page may render differently.
				return []string{"/*"}
			}
			add(k)
		}
	}
	for k := range prev {
		if _, ok := cur[k]; !ok {
			add(k)
		}
	}
	if len(set) > maxInvalidationPaths {
		return []string{"/*"}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
