package console

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/manifest"
)

// invocation is one result as the Functions page shows it.
type invocation struct {
	ID       string
	Function string
	Source   string
	Time     string
	Request  string
	Response string
	Error    string
	Trace    []string
	Duration string
	Logs     []string
	// Truncated: the request was too large for the history to keep.
	Truncated bool
}

type functionsView struct {
	Functions []manifest.Function
	Selected  *manifest.Function
	Payload   string
	Saved     []string
	Result    *invocation
	// Dev is set under sst dev: Feed is the local invocation history,
	// newest first.
	Dev  bool
	Feed []invocation
}

// functionsPage lists the functions and, for the selected one, the invoke
// form with its saved payloads.
func (s *Server) functionsPage(w http.ResponseWriter, r *http.Request) {
	s.renderFunctions(w, r.URL.Query().Get("fn"), r.URL.Query().Get("payload"), "", nil, nil)
}

func (s *Server) renderFunctions(w http.ResponseWriter, fnID, savedName, payload string, res *invocation, err error) {
	v := functionsView{Functions: s.cur().fns, Result: res}
	if fn, ok := s.function(fnID); ok {
		v.Selected = &fn
		saved, perr := s.payloads().list(fnID)
		if perr != nil && err == nil {
			err = perr
		}
		v.Saved = sortedKeys(saved)
		if payload == "" {
			payload = saved[savedName]
		}
		if payload == "" {
			payload = "{}"
		}
		v.Payload = payload
	} else if fnID != "" && err == nil {
		err = fmt.Errorf("no function %q in stage %s", fnID, s.cur().m.Stage)
	}
	if s.cfg.History != nil {
		v.Dev = true
		recs := s.cfg.History.Records()
		for i := len(recs) - 1; i >= 0; i-- {
			v.Feed = append(v.Feed, recordView(recs[i]))
		}
	}
	s.render(w, "functions", "Functions", v, err)
}

// invoke runs the selected function with the posted payload: locally under
// sst dev, in AWS otherwise.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	fnID, payload := r.FormValue("fn"), strings.TrimSpace(r.FormValue("payload"))
	fn, ok := s.function(fnID)
	if !ok {
		s.renderFunctions(w, "", "", "", nil, fmt.Errorf("no function %q in stage %s", fnID, s.cur().m.Stage))
		return
	}
	if !json.Valid([]byte(payload)) {
		s.renderFunctions(w, fnID, "", payload, nil, errors.New("the payload is not valid JSON: fix it and invoke again"))
		return
	}
	var res *invocation
	var err error
	if s.cfg.Invoke != nil {
		res, err = s.invokeLocal(r.Context(), fnID, []byte(payload), "console")
	} else {
		res, err = s.invokeDeployed(r.Context(), fn, []byte(payload))
	}
	s.renderFunctions(w, fnID, "", payload, res, err)
}

func (s *Server) invokeLocal(ctx context.Context, fnID string, payload []byte, source string) (*invocation, error) {
	res, err := s.cfg.Invoke(ctx, fnID, payload, source)
	if err != nil {
		return nil, err
	}
	return s.localResult(fnID, source, payload, res), nil
}

func (s *Server) localResult(fnID, source string, payload []byte, res *dev.Result) *invocation {
	rec := dev.Record{ID: res.RequestID, Time: s.cfg.Now().UTC(), Function: fnID, Source: source, Request: payload,
		Response: res.Payload, Error: res.Err, Duration: float64(res.Duration.Microseconds()) / 1000, Logs: res.SettledLogs()}
	v := recordView(rec)
	return &v
}

func recordView(r dev.Record) invocation {
	v := invocation{
		ID: r.ID, Function: r.Function, Source: r.Source, Time: r.Time.Local().Format("15:04:05"),
		Request: prettyJSON(r.Request), Response: prettyJSON(r.Response),
		Duration: fmt.Sprintf("%.1f ms", r.Duration), Logs: r.Logs, Truncated: r.Truncated,
	}
	if r.Error != nil {
		v.Error, v.Trace = r.Error.Error(), r.Error.Trace
	}
	return v
}

// invokeDeployed calls the deployed function; Tail logs give the last
// 4 KB of its log output.
func (s *Server) invokeDeployed(ctx context.Context, fn manifest.Function, payload []byte) (*invocation, error) {
	start := time.Now()
	out, err := lambda.NewFromConfig(s.cfg.AWS).Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(fn.Name), Payload: payload, LogType: lambdatypes.LogTypeTail,
	})
	if err != nil {
		return nil, fmt.Errorf("invoke %s (%s): %w", fn.ID, fn.Name, err)
	}
	v := &invocation{
		Function: fn.ID, Source: "console (deployed)", Time: start.Local().Format("15:04:05"),
		Request: prettyJSON(payload), Duration: fmt.Sprintf("%.1f ms", float64(time.Since(start).Microseconds())/1000),
	}
	if out.ExecutedVersion != nil {
		v.Source += " version " + *out.ExecutedVersion
	}
	if out.FunctionError != nil {
		v.Error = *out.FunctionError + ": " + string(out.Payload)
	} else {
		v.Response = prettyJSON(out.Payload)
	}
	if out.LogResult != nil {
		if b, err := base64.StdEncoding.DecodeString(*out.LogResult); err == nil {
			v.Logs = strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		}
	}
	return v, nil
}

// replay runs a recorded local invocation again (sst dev only).
func (s *Server) replay(w http.ResponseWriter, r *http.Request) {
	if s.cfg.History == nil {
		s.renderFunctions(w, "", "", "", nil, errors.New("replay needs the local runtime: run sst dev"))
		return
	}
	id := r.FormValue("id")
	var fnID string
	var payload []byte
	for _, rec := range s.cfg.History.Records() {
		if rec.ID == id {
			fnID, payload = rec.Function, rec.Request
		}
	}
	res, err := s.cfg.History.Replay(r.Context(), id)
	if err != nil {
		s.renderFunctions(w, fnID, "", "", nil, err)
		return
	}
	s.renderFunctions(w, fnID, "", string(payload), s.localResult(fnID, "replay "+id, payload, res), nil)
}

// feed streams local invocations as they happen (sst dev only). Each
// event is one rendered table row.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	if s.cfg.History == nil {
		http.Error(w, "no local invocations outside sst dev", http.StatusNotFound)
		return
	}
	recs, cancel := s.cfg.History.Subscribe()
	defer cancel()
	send, ok := sse(w)
	if !ok {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case rec := <-recs:
			var b bytes.Buffer
			if err := s.pages["functions"].ExecuteTemplate(&b, "feedrow", recordView(rec)); err != nil {
				send("problem", err.Error())
				continue
			}
			send("invocation", b.String())
		}
	}
}

// savePayload stores a named payload for a function.
func (s *Server) savePayload(w http.ResponseWriter, r *http.Request) {
	fnID, name, payload := r.FormValue("fn"), strings.TrimSpace(r.FormValue("name")), strings.TrimSpace(r.FormValue("payload"))
	if _, ok := s.function(fnID); !ok {
		s.renderFunctions(w, "", "", "", nil, fmt.Errorf("no function %q in stage %s", fnID, s.cur().m.Stage))
		return
	}
	switch {
	case name == "":
		s.renderFunctions(w, fnID, "", payload, nil, errors.New("name the payload to save it"))
		return
	case !json.Valid([]byte(payload)):
		s.renderFunctions(w, fnID, "", payload, nil, errors.New("the payload is not valid JSON: fix it before saving"))
		return
	}
	if err := s.payloads().save(fnID, name, payload); err != nil {
		s.renderFunctions(w, fnID, "", payload, nil, err)
		return
	}
	http.Redirect(w, r, "/functions?fn="+url.QueryEscape(fnID)+"&payload="+url.QueryEscape(name), http.StatusSeeOther)
}

// payloadStore is payloads.json: function id → name → JSON payload.
type payloadStore struct{ path string }

var payloadMu sync.Mutex

func (s *Server) payloads() payloadStore {
	return payloadStore{path: filepath.Join(s.cfg.StateDir, "payloads.json")}
}

func (p payloadStore) read() (map[string]map[string]string, error) {
	all := map[string]map[string]string{}
	b, err := os.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("saved payloads %s: %w (fix or delete the file)", p.path, err)
	}
	return all, nil
}

func (p payloadStore) list(fnID string) (map[string]string, error) {
	payloadMu.Lock()
	defer payloadMu.Unlock()
	all, err := p.read()
	if err != nil {
		return nil, err
	}
	return all[fnID], nil
}

func (p payloadStore) save(fnID, name, payload string) error {
	payloadMu.Lock()
	defer payloadMu.Unlock()
	all, err := p.read()
	if err != nil {
		return err
	}
	if all[fnID] == nil {
		all[fnID] = map[string]string{}
	}
	all[fnID][name] = payload
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p.path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p.path, append(b, '\n'), 0o600)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// prettyJSON indents JSON for reading; anything else is shown as is.
func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if len(b) == 0 {
		return ""
	}
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}

// jsonText shows a JSON string without its quotes, other values as JSON.
func jsonText(raw json.RawMessage) string {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	return string(raw)
}
