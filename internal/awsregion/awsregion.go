// Package awsregion knows AWS's region names, so a typo in --region or
// SST_REGION fails at once with a suggestion instead of after a synth, as
// an endpoint-resolution error from the provider.
package awsregion

import (
	"fmt"
	"slices"
	"strings"
)

// Known lists the regions of the aws, aws-cn, aws-us-gov and aws-eusc
// partitions.
var Known = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"cn-north-1", "cn-northwest-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"eusc-de-east-1",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-gov-east-1", "us-gov-west-1",
	"us-west-1", "us-west-2",
}

// Check returns nil for a known region, and otherwise an error naming
// source (the flag or variable it came from), the closest known region and
// what to do about a region newer than this list.
func Check(region, source string) error {
	if slices.Contains(Known, region) {
		return nil
	}
	return fmt.Errorf("%s %q is not an AWS region: did you mean %q? (if AWS opened %q after this release of sst, set it as the app's Region option instead)", source, region, Closest(region), region)
}

// Closest is the known region with the smallest edit distance to s.
func Closest(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	best, bestD := Known[0], -1
	for _, r := range Known {
		if d := distance(s, r); bestD < 0 || d < bestD {
			best, bestD = r, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
