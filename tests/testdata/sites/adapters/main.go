// SSR sites built from real adapter output: Astro, SvelteKit, Remix and SolidStart (solid/BUILD.md).
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
	s.AddOutputs(map[string]any{"AstroUrl": astro.URL(), "SvelteUrl": svelte.URL(), "RemixUrl": remix.URL(), "SolidUrl": solid.URL()})
	return nil
}

func main() { sst.Run(sst.Config{Name: "adapters"}, Web) }
