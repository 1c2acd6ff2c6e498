package console

import (
	"net/http"
	"strings"

	"github.com/sst-tf/sst/manifest"
)

type stackView struct {
	Name      string
	DependsOn []string
	// Constructs with the functions each owns.
	Constructs []constructView
	Outputs    []outputView
}

type constructView struct {
	manifest.Construct
	Facts     []fact
	Functions []manifest.Function
	// BoundBy lists the constructs whose functions bind this one.
	BoundBy []string
}

type fact struct{ Key, Value string }

type outputView struct {
	Name, Value, Description string
}

// stacksPage shows each stack's constructs, their data and what they bind,
// and the deployed outputs.
func (s *Server) stacksPage(w http.ResponseWriter, r *http.Request) {
	snap := s.cur()
	boundBy := map[string][]string{}
	for _, st := range snap.m.Stacks {
		for _, c := range st.Constructs {
			for _, b := range c.Binds {
				boundBy[b] = appendOnce(boundBy[b], c.ID)
			}
		}
		for _, f := range st.Functions {
			for _, b := range f.Bindings {
				boundBy[b] = appendOnce(boundBy[b], f.Construct)
			}
		}
	}
	var stacks []stackView
	for _, st := range snap.m.Stacks {
		v := stackView{Name: st.Name, DependsOn: st.DependsOn}
		for _, c := range st.Constructs {
			cv := constructView{Construct: c, BoundBy: boundBy[c.ID]}
			for _, k := range sortedKeys(c.Data) {
				// Api dev data is JSON for sst dev, not for people.
				if k == manifest.DataApiDev {
					continue
				}
				v := c.Data[k]
				if strings.Contains(v, "${") {
					v = "(known after deploy)"
				}
				cv.Facts = append(cv.Facts, fact{Key: k, Value: v})
			}
			for _, f := range st.Functions {
				if f.Construct == c.ID {
					cv.Functions = append(cv.Functions, f)
				}
			}
			v.Constructs = append(v.Constructs, cv)
		}
		outs := snap.outs[st.Name]
		for _, o := range st.Outputs {
			if raw, ok := outs[o.Name]; ok {
				v.Outputs = append(v.Outputs, outputView{Name: o.Name, Value: jsonText(raw), Description: o.Description})
			}
		}
		stacks = append(stacks, v)
	}
	s.render(w, "stacks", "Stacks", stacks, nil)
}

func appendOnce(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
