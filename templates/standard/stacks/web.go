package stacks

import sst "github.com/sst-tf/sst/constructs"

func init() { all = append(all, Web) }

// Web is the React frontend in packages/web, built with Vite, with the
// Api's URL baked in as VITE_API_URL.
func Web(s *sst.Stack) any {
	api := sst.Use[*sst.Api](s, API)
	site := sst.NewStaticSite(s, "Web", sst.StaticSiteProps{
		Path:         "packages/web",
		BuildCommand: "npm install && npm run build",
		BuildOutput:  "dist",
		Environment:  map[string]any{"VITE_API_URL": api.URL()},
	})
	s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
	return site
}
