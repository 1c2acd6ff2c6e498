package manifest

import "strings"

// Keys of Construct.Data for sites (types StaticSite, NextjsSite,
// RemixSite, AstroSite, SolidStartSite, SvelteKitSite). `sst env` and
// `sst dev` read them to run a frontend with the deployed stage's values;
// `sst deploy` reads them to invalidate what changed.
const (
	// SitePath is the site's directory relative to the project root,
	// slash-separated.
	SitePath = "path"
	// SiteURL is an output reference (OutputRef) to the site's URL.
	SiteURL = "url"
	// SiteEnvPrefix starts one key per Environment entry: "env.NAME" is the
	// literal value, or an output reference when the value is known only
	// after deploy (the site adds that output itself).
	SiteEnvPrefix = "env."
	// SiteDistribution is an output reference to the CloudFront
	// distribution id.
	SiteDistribution = "distributionId"
	// SiteAssets is the site's upload plan (JSON, SiteUpload), relative to
	// the stack directory.
	SiteAssets = "assets"
)

// SiteUpload is what a deploy puts into a site's bucket once Terraform has
// created it. Files are uploaded by the CLI rather than as one Terraform
// resource each: planning thousands of objects takes Terraform minutes,
// comparing MD5s with a bucket listing takes one request per 1,000 keys.
type SiteUpload struct {
	// Bucket and Distribution name the stack outputs holding the bucket
	// name and the CloudFront distribution id.
	Bucket       string `json:"bucket"`
	Distribution string `json:"distribution"`
	// Files are the build's files, sorted by key.
	Files []SiteFile `json:"files"`
	// Replace maps a placeholder the build wrote ("{{ API_URL }}") to the
	// stack output whose value replaces it in files marked Replace.
	Replace map[string]string `json:"replace,omitempty"`
	// Keep are key prefixes the site's code writes at run time (Next.js's
	// ISR cache): objects under them are never pruned, nor served.
	Keep []string `json:"keep,omitempty"`
	// OriginPath is the bucket folder CloudFront serves the site from
	// ("" for the bucket's root).
	OriginPath string `json:"originPath,omitempty"`
	// Server is the hash of an SSR site's server bundle: when it changes
	// any page may render differently, so everything is invalidated.
	Server string `json:"server,omitempty"`
	// WaitForInvalidation: the deploy waits until CloudFront reports the
	// invalidation of the changed paths completed (StaticSite's
	// WaitForInvalidation), so the new files are what viewers get once
	// the deploy returns.
	WaitForInvalidation bool `json:"waitForInvalidation,omitempty"`
}

// SiteFile is one file of a site's build.
type SiteFile struct {
	Key string `json:"key"`
	// Source is the file's path relative to the stack directory.
	Source       string `json:"source"`
	MD5          string `json:"md5"`
	ContentType  string `json:"contentType"`
	CacheControl string `json:"cacheControl"`
	// Replace: the file holds placeholders, its content is known only
	// after the apply.
	Replace bool `json:"replace,omitempty"`
	// Search are the placeholders (keys of SiteUpload.Replace) replaced
	// in this file; empty means every one (plans of older versions).
	Search []string `json:"search,omitempty"`
}

// ServedPath is the URL path (without the leading slash) CloudFront
// serves an object key at; ok is false for keys it does not serve.
func (u SiteUpload) ServedPath(key string) (p string, ok bool) {
	for _, k := range u.Keep {
		if strings.HasPrefix(key, k) {
			return "", false
		}
	}
	if u.OriginPath == "" {
		return key, true
	}
	return strings.CutPrefix(key, u.OriginPath+"/")
}

// SiteTypes are the Construct.Type values of sites.
var SiteTypes = []string{"StaticSite", "NextjsSite", "RemixSite", "AstroSite", "SolidStartSite", "SvelteKitSite"}

// OutputRefPrefix starts a value that names a stack output,
// "@output:<Stack>/<Output>", found in .sst/outputs/<stage>.json once the
// stack is deployed.
const OutputRefPrefix = "@output:"

// ParseOutputRef splits "@output:Stack/Output"; ok is false for a literal.
func ParseOutputRef(v string) (stack, output string, ok bool) {
	rest, found := strings.CutPrefix(v, OutputRefPrefix)
	if !found {
		return "", "", false
	}
	stack, output, ok = strings.Cut(rest, "/")
	return stack, output, ok && stack != "" && output != ""
}
