//go:build sst_sites

// ---------------------------------------------------------------------
// NEXT.JS SITE — compiled only with `-tags sst_sites` until the NextjsSite
// construct ships in sst. Once it does, delete the //go:build line above
// and this banner: web/ is then built with OpenNext and deployed with the
// Api's URL as API_URL.
// ---------------------------------------------------------------------

package main

import sst "github.com/sst-tf/sst/constructs"

func init() { stacks = append(stacks, Web) }

// Web is the Next.js app in web/; its server code reads API_URL.
func Web(s *sst.Stack) any {
	api := sst.Use[*sst.Api](s, API)
	site := sst.NewNextjsSite(s, "Web", sst.NextjsSiteProps{
		Path:        "web",
		Environment: map[string]any{"API_URL": api.URL()},
	})
	s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
	return site
}
