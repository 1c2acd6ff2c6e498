package dev

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// LambdaAPI answers Lambda's Invoke API for the app's functions on this
// machine. Local handlers get its URL in AWS_ENDPOINT_URL_LAMBDA, so a
// handler invoking another function of the app through an AWS SDK runs
// that function's local code (in the terminal, history and console with
// source "lambda:Invoke"). Every other request (another function, another
// action) goes on to the real endpoint, signed again with the CLI's
// credentials.
type LambdaAPI struct {
	Inv Invoker
	// Resolve maps a physical function name to the app's function id.
	Resolve func(name string) (fnID string, ok bool)
	// Upstream is the real Lambda endpoint; Config signs what goes there.
	Upstream *url.URL
	Config   aws.Config
}

// ServeHTTP serves POST /2015-03-31/functions/{name}/invocations.
func (a *LambdaAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, underFunctions := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
	name, isInvoke := strings.CutSuffix(name, "/invocations")
	isInvoke = isInvoke && underFunctions
	if un, err := url.PathUnescape(name); err == nil {
		name = un
	}
	fnID, local := "", false
	if isInvoke && r.Method == http.MethodPost {
		fnID, local = a.Resolve(functionName(name))
	}
	if !local {
		a.forward(w, r)
		return
	}
	payload, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		lambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}
	switch r.Header.Get("X-Amz-Invocation-Type") {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		// Lambda queues it and answers at once; a failure shows in the
		// terminal (Lambda's two async retries are not played).
		go a.Inv.Invoke(context.WithoutCancel(r.Context()), fnID, payload, "lambda:Invoke")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	res, err := a.Inv.Invoke(r.Context(), fnID, payload, "lambda:Invoke")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if err != nil {
		// No good build (or the worker could not start): a function error,
		// as Lambda reports a function that cannot initialise.
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		b, _ := json.Marshal(FunctionError{Type: "Sst.LocalInvokeFailed", Message: err.Error()})
		w.Write(b)
		return
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		logs := []byte(strings.Join(res.SettledLogs(), "\n"))
		if len(logs) > 4096 {
			logs = logs[len(logs)-4096:]
		}
		w.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(logs))
	}
	if res.Err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		b, _ := json.Marshal(res.Err)
		w.Write(b)
		return
	}
	w.Write(res.Payload)
}

// functionName is the function name in any form Invoke accepts: a name,
// name:qualifier, account:function:name or a full ARN.
func functionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

func lambdaError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"Type": "User", "message": msg})
	w.Write(b)
}

// forward sends a request that is not for a local function to the real
// endpoint, signed again: the caller signed it for this server's host.
func (a *LambdaAPI) forward(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	creds, err := a.Config.Credentials.Retrieve(r.Context())
	if err != nil {
		lambdaError(w, http.StatusBadGateway, "ServiceException", "sst dev cannot sign the request for the real Lambda endpoint: "+err.Error())
		return
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(a.Upstream)
			pr.Out.Host = a.Upstream.Host
			pr.Out.Body = io.NopCloser(bytes.NewReader(body))
			pr.Out.ContentLength = int64(len(body))
			for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
				pr.Out.Header.Del(h)
			}
			sum := sha256.Sum256(body)
			if err := v4.NewSigner().SignHTTP(pr.Out.Context(), creds, pr.Out, hex.EncodeToString(sum[:]), "lambda", a.Config.Region, time.Now()); err != nil {
				pr.Out.Header.Set("X-Sst-Sign-Error", fmt.Sprint(err))
			}
		},
	}
	proxy.ServeHTTP(w, r)
}
