package dev

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/manifest"
)

// OutputRef prefixes a manifest value that is a stack output:
// "@output:<Stack>/<Output>", read from .sst/outputs/<stage>.json.
const OutputRef = "@output:"

// SiteEnvPrefix starts the Data keys that hold a site's environment.
const SiteEnvPrefix = "env."

// Sites lists the app's site constructs: those whose Data names a path.
func Sites(m *manifest.Manifest) []manifest.Construct {
	var out []manifest.Construct
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			if strings.HasSuffix(c.Type, "Site") && c.Data[manifest.SitePath] != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// ResolveValue turns a manifest value into its deployed value: literals as
// they are, output references from the outputs file.
func ResolveValue(v string, outs deploy.Outputs) (string, error) {
	ref, ok := strings.CutPrefix(v, OutputRef)
	if !ok {
		return v, nil
	}
	stack, name, ok := strings.Cut(ref, "/")
	if !ok {
		return "", fmt.Errorf("malformed output reference %q (want %sStack/Output)", v, OutputRef)
	}
	raw, ok := outs[stack][name]
	if !ok {
		return "", fmt.Errorf("stack %s has no output %s yet: deploy the stage first (sst deploy)", stack, name)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	return string(raw), nil
}

// SiteEnv resolves a site's environment from the deployed outputs.
func SiteEnv(c manifest.Construct, outs deploy.Outputs) (map[string]string, error) {
	env := map[string]string{}
	keys := make([]string, 0, len(c.Data))
	for k := range c.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name, ok := strings.CutPrefix(k, SiteEnvPrefix)
		if !ok {
			continue
		}
		v, err := ResolveValue(c.Data[k], outs)
		if err != nil {
			return nil, fmt.Errorf("site %s: environment %s: %w", c.ID, name, err)
		}
		env[name] = v
	}
	return env, nil
}

// refPattern matches the simple Terraform references the manifest carries
// for values known only after deploy, e.g.
// "${aws_apigatewayv2_api.Api.api_endpoint}".
var refPattern = regexp.MustCompile(`\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}`)

// ResolveRefs replaces every reference in s whose value lookup knows.
// ok is false when any is left.
func ResolveRefs(s string, lookup func(typ, name, attr string) (string, bool)) (string, bool) {
	ok := true
	out := refPattern.ReplaceAllStringFunc(s, func(m string) string {
		p := refPattern.FindStringSubmatch(m)
		if v, found := lookup(p[1], p[2], p[3]); found {
			return v
		}
		ok = false
		return m
	})
	return out, ok && !strings.Contains(out, "${")
}

// stringMap is a map of strings attribute (an integration's
// request_parameters) as a state holds it.
func stringMap(v any) (map[string]string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

// stateAttrs reads attributes of single-instance managed resources from a
// pulled Terraform state (v4): nil for what it does not hold.
func stateAttrs(state []byte) func(typ, name, attr string) any {
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	_ = json.Unmarshal(state, &st)
	return func(typ, name, attr string) any {
		for _, r := range st.Resources {
			if r.Mode == "managed" && r.Type == typ && r.Name == name && len(r.Instances) == 1 {
				return r.Instances[0].Attributes[attr]
			}
		}
		return nil
	}
}

// State is what a running `sst dev` publishes in .sst/dev/<stage>/dev.json
// for `sst env`, `sst bind` and the console.
type State struct {
	PID int `json:"pid"`
	// Apis maps each Api id to its local and deployed URLs.
	Apis    map[string]ApiURLs `json:"apis"`
	Runtime string             `json:"runtime"`
	History string             `json:"history"`
}

// setGateway records the local gateway serving c (an Api or WebSocketApi)
// at local (httpURL is its http:// address) in place of deployed.
func (s *State) setGateway(c manifest.Construct, local, httpURL, deployed string) {
	if s.Apis == nil {
		s.Apis = map[string]ApiURLs{}
	}
	s.Apis[c.ID] = ApiURLs{Local: local, Deployed: deployed}
	if c.Type == "WebSocketApi" && deployed != "" {
		// Its connection management endpoint (the httpsUrl binding) is
		// the local gateway's http:// one.
		s.Apis[c.ID+" management"] = ApiURLs{Local: httpURL, Deployed: "https" + strings.TrimPrefix(deployed, "wss")}
	}
}

// ApiURLs are one Api's addresses.
type ApiURLs struct {
	Local    string `json:"local"`
	Deployed string `json:"deployed,omitempty"`
}

// StateFile is the dev state's name in the stage's dev directory.
const StateFile = "dev.json"

// Write publishes the state.
func (s *State) Write(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, StateFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, StateFile))
}

// ReadState returns the state of the `sst dev` running for a stage, or
// nil when none is (no file, or its process is gone).
func ReadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, StateFile), err)
	}
	if s.PID <= 0 || syscall.Kill(s.PID, 0) != nil {
		return nil, nil
	}
	return &s, nil
}

// Localize points values that are a deployed Api URL at the local gateway
// that `sst dev` runs for it, so a frontend in dev calls local handlers.
func (s *State) Localize(env map[string]string) {
	if s == nil {
		return
	}
	for k, v := range env {
		for _, u := range s.Apis {
			if u.Deployed != "" && strings.HasPrefix(v, u.Deployed) {
				env[k] = u.Local + strings.TrimPrefix(v, u.Deployed)
			}
		}
	}
}
