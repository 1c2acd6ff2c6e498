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
	// SiteAssets is the asset index (JSON: object key → MD5, "" for files
	// rewritten at deploy), relative to the stack directory.
	SiteAssets = "assets"
)

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
