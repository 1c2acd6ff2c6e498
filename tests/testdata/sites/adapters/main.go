// SSR sites built from real adapter output: Astro, SvelteKit, Remix and
// SolidStart (solid/BUILD.md), and a Next.js app built with OpenNext, bound
// to a table, with a warmer: one stack, so one apply and one destroy
// deploy and remove all five.
package main

import sst "github.com/sst-tf/sst/constructs"

// The emulator has no CloudFront cache policies or functions: use AWS's
// managed CachingDisabled policy and an existing function ARN.
var cdk = sst.SsrSiteCdkProps{
	ServerCachePolicyID:      "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	ViewerRequestFunctionARN: "arn:aws:cloudfront::123456789012:function/forwarded-host",
}

func Web(s *sst.Stack) any {
	astro := sst.NewAstroSite(s, "Astro", sst.AstroSiteProps{
		Path:        "astro",
		Environment: map[string]any{"SITE_STAGE": s.Stage(), "ASTRO_TELEMETRY_DISABLED": "1"},
		Cdk:         cdk,
	})
	svelte := sst.NewSvelteKitSite(s, "Svelte", sst.SvelteKitSiteProps{
		Path:        "svelte",
		Environment: map[string]any{"SITE_STAGE": s.Stage()},
		Cdk:         cdk,
	})
	remix := sst.NewRemixSite(s, "Remix", sst.RemixSiteProps{
		Path:        "remix",
		Environment: map[string]any{"SITE_STAGE": s.Stage()},
		Cdk:         cdk,
	})
	solid := sst.NewSolidStartSite(s, "Solid", sst.SolidStartSiteProps{
		Path:        "solid",
		Environment: map[string]any{"SITE_STAGE": s.Stage()},
		Cdk:         cdk,
	})
	table := sst.NewTable(s, "Visits", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
	next := sst.NewNextjsSite(s, "Next", sst.NextjsSiteProps{
		Path:         "next",
		BuildCommand: "npx --no-install open-next build",
		Environment:  map[string]any{"SITE_STAGE": s.Stage(), "VISITS_TABLE": table.TableName()},
		Bind:         []sst.Bindable{table},
		Warm:         2,
		Cdk:          cdk,
	})
	s.AddOutputs(map[string]any{"AstroUrl": astro.URL(), "SvelteUrl": svelte.URL(), "RemixUrl": remix.URL(), "SolidUrl": solid.URL(), "SiteUrl": next.URL()})
	return nil
}

func main() { sst.Run(sst.Config{Name: "adapters"}, Web) }
