package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/sst-tf/sst/manifest"
)

type secretView struct {
	Name string
	// State is "set", "fallback" (only the app-wide value) or "not set".
	State    string
	Revealed bool
	Value    string
}

// secretsPage lists the app's secrets (sst.NewSecret) without values.
func (s *Server) secretsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.secrets(r.Context(), "")
	s.render(w, "secrets", "Secrets", list, err)
}

// secrets reads each declared secret's state; reveal names the one whose
// value is shown.
func (s *Server) secrets(ctx context.Context, reveal string) ([]secretView, error) {
	client := ssm.NewFromConfig(s.cfg.AWS)
	var out []secretView
	for _, c := range s.constructs("Secret") {
		v := secretView{Name: c.ID, State: "not set"}
		for _, p := range []struct{ path, state string }{{c.Data[manifest.SecretPath], "set"}, {c.Data[manifest.SecretFallbackPath], "fallback"}} {
			if p.path == "" {
				continue
			}
			res, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.path), WithDecryption: aws.Bool(c.ID == reveal)})
			var nf *ssmtypes.ParameterNotFound
			if errors.As(err, &nf) {
				continue
			}
			if err != nil {
				return out, fmt.Errorf("read secret %s: %w", c.ID, err)
			}
			v.State = p.state
			if c.ID == reveal {
				v.Revealed, v.Value = true, aws.ToString(res.Parameter.Value)
			}
			break
		}
		out = append(out, v)
	}
	return out, nil
}

// secretReveal shows one secret's value (the stage's, else the fallback).
func (s *Server) secretReveal(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	if _, ok := find(s.constructs("Secret"), name); !ok {
		list, _ := s.secrets(r.Context(), "")
		s.render(w, "secrets", "Secrets", list, fmt.Errorf("the app declares no secret %q", name))
		return
	}
	list, err := s.secrets(r.Context(), name)
	s.render(w, "secrets", "Secrets", list, err)
}

// secretSet writes the stage's value, where `sst secrets set` does.
func (s *Server) secretSet(w http.ResponseWriter, r *http.Request) {
	name, value := r.FormValue("name"), r.FormValue("value")
	c, ok := find(s.constructs("Secret"), name)
	var err error
	switch {
	case !ok:
		err = fmt.Errorf("the app declares no secret %q: declare it with sst.NewSecret first", name)
	case value == "":
		err = fmt.Errorf("secret %s: the value is empty (SSM stores no empty values)", name)
	}
	if err == nil {
		_, err = ssm.NewFromConfig(s.cfg.AWS).PutParameter(r.Context(), &ssm.PutParameterInput{
			Name: aws.String(c.Data[manifest.SecretPath]), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		})
		if err != nil {
			err = fmt.Errorf("set secret %s: %w", name, err)
		}
	}
	if err != nil {
		list, _ := s.secrets(r.Context(), "")
		s.render(w, "secrets", "Secrets", list, err)
		return
	}
	http.Redirect(w, r, "/secrets", http.StatusSeeOther)
}
