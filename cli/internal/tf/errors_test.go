package tf

import (
	"strings"
	"testing"
)

// TestEmulatorHint uses the diagnostic terraform 1.11 with AWS provider 5.x
// printed for an identity pool roles attachment applied to moto_server 5.2
// (which lacks SetIdentityPoolRoles and EnableHttpEndpoint): the hint names the action and the
// resource. A 500 from real AWS (a JSON body) gets no such hint.
func TestEmulatorHint(t *testing.T) {
	moto := Diagnostic{Severity: "error", Address: "aws_cognito_identity_pool_roles_attachment.Auth_roles",
		Summary: "creating Cognito Identity Pool Roles Association: operation error Cognito Identity: SetIdentityPoolRoles, exceeded maximum number of attempts, 5, https response error StatusCode: 500, RequestID: , deserialization failed, failed to decode response body, invalid character '<' looking for beginning of value"}
	e := &Error{Op: "apply", Diagnostics: []Diagnostic{moto}, Hint: emulatorHint([]Diagnostic{moto})}
	want := "\n  the emulator does not implement SetIdentityPoolRoles, which aws_cognito_identity_pool_roles_attachment.Auth_roles needs"
	if !strings.Contains(e.Error(), want) {
		t.Errorf("error = %s\nwant %q", e.Error(), want)
	}
	// The same gap in an XML-protocol service: a re-apply asking moto to
	// turn on an RDS cluster's Data API.
	xml := Diagnostic{Severity: "error", Address: "aws_rds_cluster.Db",
		Summary: "enabling HTTP endpoint for RDS Cluster (c1): operation error RDS: EnableHttpEndpoint, exceeded maximum number of attempts, 5, https response error StatusCode: 500, RequestID: , error while deserializing xml error response: XML syntax error on line 2: unquoted or missing attribute value in element"}
	if h := emulatorHint([]Diagnostic{xml}); !strings.Contains(h, "does not implement EnableHttpEndpoint, which aws_rds_cluster.Db needs") {
		t.Errorf("hint = %q", h)
	}
	notImpl := Diagnostic{Severity: "error", Summary: "enabling HTTP endpoint", Detail: "api error InternalFailure: The enable_http_endpoint action has not been implemented"}
	if h := emulatorHint([]Diagnostic{notImpl}); !strings.Contains(h, "does not implement enable_http_endpoint, which this resource needs") {
		t.Errorf("hint = %q", h)
	}
	aws := Diagnostic{Severity: "error", Summary: "operation error Lambda: CreateFunction, exceeded maximum number of attempts, 25, https response error StatusCode: 500, RequestID: 1, ServiceException: internal error"}
	if h := emulatorHint([]Diagnostic{aws}); h != "" {
		t.Errorf("real AWS 500 got hint %q", h)
	}
}
