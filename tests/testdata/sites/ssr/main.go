// A Next.js app built with OpenNext, bound to a table, with a warmer.
package main

import sst "github.com/sst-tf/sst/constructs"

func Web(s *sst.Stack) any {
	table := sst.NewTable(s, "Visits", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
	site := sst.NewNextjsSite(s, "Next", sst.NextjsSiteProps{
		Path:         "next",
		BuildCommand: "npx --no-install open-next build",
		Environment:  map[string]any{"SITE_STAGE": s.Stage(), "VISITS_TABLE": table.TableName()},
		Bind:         []sst.Bindable{table},
		Warm:         2,
		// The emulator has no CloudFront cache policies or functions: use
		// AWS's managed CachingDisabled policy and an existing function ARN
		// (moto stores no function associations).
		Cdk: sst.SsrSiteCdkProps{
			ServerCachePolicyID:      "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
			ViewerRequestFunctionARN: "arn:aws:cloudfront::123456789012:function/forwarded-host",
		},
	})
	s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
	return site
}

func main() { sst.Run(sst.Config{Name: "ssr"}, Web) }
