package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sst-tf/sst/manifest"
)

// maxLogEvents bounds one page of logs.
const maxLogEvents = 500

// tailInterval is how often a live tail asks CloudWatch for new events.
var tailInterval = 2 * time.Second

type logEvent struct {
	ID      string
	Time    string
	Stream  string
	Message string
	Millis  int64
}

type logsView struct {
	Functions []manifest.Function
	Selected  *manifest.Function
	Group     string
	Minutes   int
	Events    []logEvent
	// Last is the newest event's timestamp (ms): the live tail starts there.
	Last int64
}

func logGroup(fn manifest.Function) string { return "/aws/lambda/" + fn.Name }

// logsPage shows a deployed function's recent CloudWatch log events.
func (s *Server) logsPage(w http.ResponseWriter, r *http.Request) {
	v := logsView{Functions: s.cur().fns, Minutes: 60}
	if m, err := strconv.Atoi(r.URL.Query().Get("minutes")); err == nil && m > 0 {
		v.Minutes = m
	}
	fnID := r.URL.Query().Get("fn")
	if fnID == "" {
		s.render(w, "logs", "Logs", v, nil)
		return
	}
	fn, ok := s.function(fnID)
	if !ok {
		s.render(w, "logs", "Logs", v, fmt.Errorf("no function %q in stage %s", fnID, s.cur().m.Stage))
		return
	}
	v.Selected, v.Group = &fn, logGroup(fn)
	since := s.cfg.Now().Add(-time.Duration(v.Minutes) * time.Minute).UnixMilli()
	evs, err := s.filterLogs(r.Context(), fn, since, maxLogEvents)
	v.Events = evs
	v.Last = since
	if len(evs) > 0 {
		v.Last = evs[len(evs)-1].Millis
	}
	s.render(w, "logs", "Logs", v, err)
}

// filterLogs reads a function's log events from since (ms), oldest first.
func (s *Server) filterLogs(ctx context.Context, fn manifest.Function, since int64, limit int) ([]logEvent, error) {
	client := cloudwatchlogs.NewFromConfig(s.cfg.AWS)
	p := cloudwatchlogs.NewFilterLogEventsPaginator(client, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(logGroup(fn)), StartTime: aws.Int64(since),
	})
	var out []logEvent
	for p.HasMorePages() && len(out) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			var nf *logtypes.ResourceNotFoundException
			if errors.As(err, &nf) {
				return nil, fmt.Errorf("no log group %s yet: function %s has not run in AWS (under sst dev its logs are on the Functions page)", logGroup(fn), fn.ID)
			}
			return nil, fmt.Errorf("read logs of %s: %w", fn.ID, err)
		}
		for _, e := range page.Events {
			ms := aws.ToInt64(e.Timestamp)
			out = append(out, logEvent{
				ID: aws.ToString(e.EventId), Millis: ms, Stream: aws.ToString(e.LogStreamName), Message: aws.ToString(e.Message),
				Time: time.UnixMilli(ms).Local().Format("2006-01-02 15:04:05.000"),
			})
		}
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// logsTail streams new log events of a function: CloudWatch has no push,
// so it polls from the newest timestamp seen, skipping events already sent.
func (s *Server) logsTail(w http.ResponseWriter, r *http.Request) {
	fn, ok := s.function(r.URL.Query().Get("fn"))
	if !ok {
		http.Error(w, "no such function", http.StatusNotFound)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	send, ok := sse(w)
	if !ok {
		return
	}
	sent := map[string]bool{}
	t := time.NewTicker(tailInterval)
	defer t.Stop()
	for {
		evs, err := s.filterLogs(r.Context(), fn, after, maxLogEvents)
		if r.Context().Err() != nil {
			return
		}
		if err != nil {
			send("problem", err.Error())
		}
		for _, e := range evs {
			if sent[e.ID] {
				continue
			}
			sent[e.ID] = true
			after = max(after, e.Millis)
			var b bytes.Buffer
			if err := s.pages["logs"].ExecuteTemplate(&b, "logrow", e); err == nil {
				send("log", b.String())
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}
