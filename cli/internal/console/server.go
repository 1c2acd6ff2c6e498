// Package console is the local web Console of a stage: a dashboard served
// on the loopback interface by `sst console` and `sst dev` to see the
// stage's stacks and operate its functions, logs, tables, buckets,
// database and secrets.
//
// Security model: the server listens on 127.0.0.1 only, but any local
// user or any web page open in a local browser can reach loopback ports.
// So every request must carry the per-run token — once in the printed URL
// (?token=…), after which an HttpOnly SameSite=Strict cookie carries it, or
// as "Authorization: Bearer …" from scripts. Host headers other than
// 127.0.0.1:<port> and localhost:<port> are refused (DNS rebinding), and a
// cookie-authenticated POST must come from the console's own origin (CSRF).
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/cli/internal/loopback"
	"github.com/sst-tf/sst/manifest"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Invoker runs a function locally (sst dev's runtime and history).
type Invoker func(ctx context.Context, fnID string, payload []byte, source string) (*dev.Result, error)

// Config is what the console shows and how it reaches the stage.
type Config struct {
	// Manifest and Outputs are the stage as first shown (see Update).
	Manifest *manifest.Manifest
	Outputs  deploy.Outputs
	// AWS reaches the stage's account (or emulator).
	AWS aws.Config
	// ProjectDir is the app's root: migrations directories are relative to it.
	ProjectDir string
	// StateDir holds the console's own files (.sst/console/<stage>).
	StateDir string
	// Connection is a direct database URL for the RDS page (empty: the
	// Data API with the deployed ARNs); ConnectionSource names where it
	// came from for messages.
	Connection       string
	ConnectionSource string
	// Invoke and History are set under `sst dev`: invocations run locally
	// and the Functions page shows a live feed with replay. Without them
	// functions are invoked in AWS.
	Invoke  Invoker
	History *dev.History
	// Port to listen on; 0 picks a free one.
	Port int
	// Now is the clock for log queries (tests pin it); nil means time.Now.
	Now func() time.Time
}

// Server is a running console.
type Server struct {
	cfg   Config
	token string
	ln    net.Listener
	srv   *http.Server
	port  string
	pages map[string]*template.Template
	state atomic.Pointer[snapshot]
	// stop ends the requests in flight, live feeds above all, on Close.
	stop context.CancelFunc
}

// Start listens on 127.0.0.1 and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Manifest == nil {
		return nil, errors.New("console: no manifest")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, fmt.Errorf("console: port %d: %w", cfg.Port, err)
	}
	s := &Server{cfg: cfg, token: hex.EncodeToString(b), ln: ln, pages: pages}
	s.port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	s.Update(cfg.Manifest, cfg.Outputs)
	base, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.srv = &http.Server{
		BaseContext:       func(net.Listener) context.Context { return base },
		Handler:           s.guard(s.routes()),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(discard{}, "", 0),
	}
	go s.srv.Serve(ln)
	return s, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// snapshot is the stage as the console shows it: sst dev swaps in a new
// one after each redeploy.
type snapshot struct {
	m    *manifest.Manifest
	outs deploy.Outputs
	fns  []manifest.Function // sorted by id
}

// Update shows a new manifest and outputs (after a redeploy); requests in
// flight finish with the old ones.
func (s *Server) Update(m *manifest.Manifest, outs deploy.Outputs) {
	if outs == nil {
		outs = deploy.Outputs{}
	}
	snap := &snapshot{m: m, outs: outs}
	for _, st := range m.Stacks {
		snap.fns = append(snap.fns, st.Functions...)
	}
	sort.Slice(snap.fns, func(i, j int) bool { return snap.fns[i].ID < snap.fns[j].ID })
	s.state.Store(snap)
}

func (s *Server) cur() *snapshot { return s.state.Load() }

// URL is the address to open, with the token that logs the browser in.
func (s *Server) URL() string {
	return "http://127.0.0.1:" + s.port + "/?token=" + s.token
}

// Base is the console's address without the token.
func (s *Server) Base() string { return "http://127.0.0.1:" + s.port }

// Token is this run's token (for scripts: Authorization: Bearer <token>).
func (s *Server) Token() string { return s.token }

// Close stops the server; open live feeds end.
func (s *Server) Close() error {
	s.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return s.srv.Close()
	}
	return err
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.stacksPage)
	mux.HandleFunc("GET /functions", s.functionsPage)
	mux.HandleFunc("POST /functions/invoke", s.invoke)
	mux.HandleFunc("POST /functions/payloads", s.savePayload)
	mux.HandleFunc("POST /functions/replay", s.replay)
	mux.HandleFunc("GET /functions/feed", s.feed)
	mux.HandleFunc("GET /logs", s.logsPage)
	mux.HandleFunc("GET /logs/tail", s.logsTail)
	mux.HandleFunc("GET /tables", s.tablesPage)
	mux.HandleFunc("GET /buckets", s.bucketsPage)
	mux.HandleFunc("GET /buckets/download", s.download)
	mux.HandleFunc("GET /rds", s.rdsPage)
	mux.HandleFunc("POST /rds/query", s.rdsQuery)
	mux.HandleFunc("POST /rds/migrate", s.rdsMigrate)
	mux.HandleFunc("GET /secrets", s.secretsPage)
	mux.HandleFunc("POST /secrets/reveal", s.secretReveal)
	mux.HandleFunc("POST /secrets/set", s.secretSet)
	return mux
}

// guard enforces the security model described in the package comment.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopback.HostAllowed(r, s.ln) {
			http.Error(w, "console: unexpected Host header (open the URL sst printed)", http.StatusForbidden)
			return
		}
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		// "same-origin", not "no-referrer": with no referrer Chromium sends
		// "Origin: null" on form posts, and the CSRF check needs the origin.
		w.Header().Set("Referrer-Policy", "same-origin")
		if t := r.URL.Query().Get("token"); t != "" && r.Method == http.MethodGet {
			if !s.validToken(t) {
				http.Error(w, "console: wrong token (each run of sst prints a new one)", http.StatusUnauthorized)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			// Drop the token from the address bar and history.
			q := r.URL.Query()
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			if !s.validToken(bearer) {
				http.Error(w, "console: wrong token", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(s.cookieName())
		if err != nil || !s.validToken(c.Value) {
			http.Error(w, "console: not authorized: open the URL with ?token= that sst printed", http.StatusUnauthorized)
			return
		}
		// The cookie is ambient: a state-changing request must also come
		// from a page of the console itself.
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "http://"+r.Host {
				http.Error(w, "console: cross-origin request refused", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// cookieName carries the token after the first visit. Cookies are shared
// by every port of a host, so the name holds the port: sst dev's console
// and an sst console running beside it keep their own.
func (s *Server) cookieName() string { return "sst_console_" + s.port }

func (s *Server) validToken(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string
	App   string
	Stage string
	Dev   bool
	Error string
	Data  any
}

func parsePages() (map[string]*template.Template, error) {
	// No URL escaping helpers: html/template escapes a value for where it
	// lands (a query parameter in an href), and escaping first as well
	// encodes it twice.
	funcs := template.FuncMap{"join": strings.Join}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := filepath.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// render writes one page; err (if any) is shown at its top.
func (s *Server) render(w http.ResponseWriter, name, title string, data any, err error) {
	p := page{Title: title, Nav: name, App: s.cur().m.App, Stage: s.cur().m.Stage, Dev: s.cfg.Invoke != nil, Data: data}
	if err != nil {
		p.Error = err.Error()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages[name].Execute(w, p); err != nil {
		fmt.Fprintf(w, "<p>template %s: %s</p>", name, template.HTMLEscapeString(err.Error()))
	}
}

// function finds a function by id.
func (s *Server) function(id string) (manifest.Function, bool) {
	for _, f := range s.cur().fns {
		if f.ID == id {
			return f, true
		}
	}
	return manifest.Function{}, false
}

// constructs lists the stage's constructs of one type, in stack order.
func (s *Server) constructs(typ string) []manifest.Construct {
	var out []manifest.Construct
	for _, st := range s.cur().m.Stacks {
		for _, c := range st.Constructs {
			if c.Type == typ {
				out = append(out, c)
			}
		}
	}
	return out
}

// sse starts a server-sent events stream.
func sse(w http.ResponseWriter) (func(event, data string), bool) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return nil, false
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	return func(event, data string) {
		fmt.Fprintf(w, "event: %s\n", event)
		for _, l := range strings.Split(data, "\n") {
			fmt.Fprintf(w, "data: %s\n", l)
		}
		fmt.Fprint(w, "\n")
		fl.Flush()
	}, true
}
