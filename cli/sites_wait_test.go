package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// invalidationServer answers GetInvalidation as CloudFront does, "InProgress"
// until the n-th request, then "Completed". The emulator completes an
// invalidation at once, so only this stand-in shows the polling.
func invalidationServer(t *testing.T, n int32) (*cloudfront.Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/distribution/D1/invalidation/I1") {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		status := "InProgress"
		if calls.Add(1) >= n {
			status = "Completed"
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I1</Id><Status>%s</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/index.html</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>`, status)
	}))
	t.Cleanup(srv.Close)
	cf := cloudfront.New(cloudfront.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	return cf, &calls
}

func TestWaitInvalidation(t *testing.T) {
	poll, timeout := invalidationPoll, invalidationTimeout
	t.Cleanup(func() { invalidationPoll, invalidationTimeout = poll, timeout })
	invalidationPoll = time.Millisecond
	ctx := context.Background()
	inProgress := &cftypes.Invalidation{Id: aws.String("I1"), Status: aws.String("InProgress")}

	// Polled until completed, and no further.
	cf, calls := invalidationServer(t, 3)
	if err := waitInvalidation(ctx, cf, "D1", inProgress); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d GetInvalidation calls, want 3", n)
	}
	// Completed at creation (as the emulator answers, in capitals): not
	// asked again.
	cf, calls = invalidationServer(t, 1)
	if err := waitInvalidation(ctx, cf, "D1", &cftypes.Invalidation{Id: aws.String("I1"), Status: aws.String("COMPLETED")}); err != nil || calls.Load() != 0 {
		t.Errorf("completed at once: err %v, %d calls", err, calls.Load())
	}
	// Never completing: an error that names the invalidation, says the
	// files are uploaded and how not to wait.
	invalidationTimeout = 20 * time.Millisecond
	cf, _ = invalidationServer(t, 1<<30)
	err := waitInvalidation(ctx, cf, "D1", inProgress)
	if err == nil || !strings.Contains(err.Error(), "invalidation I1 of distribution D1 is still InProgress") || !strings.Contains(err.Error(), "WaitForInvalidation") {
		t.Errorf("timeout error = %v", err)
	}
	// A cancelled deploy stops waiting.
	invalidationPoll, invalidationTimeout = time.Minute, time.Hour
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := waitInvalidation(cctx, cf, "D1", inProgress); err != context.Canceled {
		t.Errorf("cancelled: err = %v", err)
	}
}
