// A Vite + React site whose build needs the Api's URL, known only after
// the API stack is deployed.
package main

import sst "github.com/sst-tf/sst/constructs"

func API(s *sst.Stack) any {
	api := sst.NewApi(s, "Api", sst.ApiProps{Routes: map[string]sst.ApiRoute{"GET /": {Handler: "functions/hello.handler"}}})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
	return api
}

func Web(s *sst.Stack) any {
	api := sst.Use[*sst.Api](s, API)
	site := sst.NewStaticSite(s, "Site", sst.StaticSiteProps{
		Path:         "web",
		BuildCommand: "npm run build",
		BuildOutput:  "dist",
		Environment:  map[string]any{"VITE_API_URL": api.URL(), "VITE_STAGE": s.Stage()},
		SPA:          true,
		// The emulator completes invalidations at once; this runs the
		// deploy's wait on it.
		WaitForInvalidation: true,
	})
	s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
	return site
}

func main() { sst.Run(sst.Config{Name: "sites"}, API, Web) }
