// Command auth is the Auth's authenticator: a magic link whose Send
// answers with the link itself (a real app emails it), and a session in a
// cookie on success.
package main

import (
	"io"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sst-tf/sst/runtime"
	"github.com/sst-tf/sst/runtime/auth"
	_ "github.com/sst-tf/sst/runtime/ssm"
)

func main() {
	h := auth.New(auth.Config{
		Providers: map[string]auth.Provider{
			"link": &auth.Link{Send: func(w http.ResponseWriter, r *http.Request, link string, claims map[string]string) error {
				_, err := io.WriteString(w, link)
				return err
			}},
		},
		OnSuccess: func(w http.ResponseWriter, r *http.Request, res auth.Result) error {
			return auth.SessionCookie(w, r, runtime.Session{Type: "user", Properties: map[string]any{"email": res.Claims["email"]}}, "/items")
		},
	})
	lambda.Start(h.Lambda)
}
