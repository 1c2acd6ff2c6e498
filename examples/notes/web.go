package main

import sst "github.com/sst-tf/sst/constructs"

func init() { stacks = append(stacks, Web) }

// Web is the Next.js app in web/, built with OpenNext; its server code
// reads API_URL.
func Web(s *sst.Stack) any {
	api := sst.Use[*sst.Api](s, API)
	site := sst.NewNextjsSite(s, "Web", sst.NextjsSiteProps{
		Path: "web",
		// The install keeps a fresh checkout deployable in one command;
		// OpenNext comes from web/'s lockfile, never fetched ad hoc.
		BuildCommand: "npm install && npx --no-install open-next build",
		Environment:  map[string]any{"API_URL": api.URL()},
	})
	s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
	return site
}
