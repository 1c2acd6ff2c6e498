package runtime

import (
	"errors"
	"testing"
)

func TestRDSAccessors(t *testing.T) {
	t.Setenv("SST_RDS_clusterArn_my_db", "arn:aws:rds:us-east-1:123456789012:cluster:dev-app-my-db")
	t.Setenv("SST_RDS_secretArn_my_db", "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1")
	t.Setenv("SST_RDS_defaultDatabaseName_my_db", "app")
	for name, c := range map[string]struct {
		get  func(string) (string, error)
		want string
	}{
		"RDSClusterArn": {RDSClusterArn, "arn:aws:rds:us-east-1:123456789012:cluster:dev-app-my-db"},
		"RDSSecretArn":  {RDSSecretArn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1"},
		"RDSDatabase":   {RDSDatabase, "app"},
	} {
		if got, err := c.get("my-db"); err != nil || got != c.want {
			t.Errorf("%s(my-db) = %q, %v; want %q", name, got, err, c.want)
		}
		var nb *NotBoundError
		if _, err := c.get("Other"); !errors.As(err, &nb) || nb.Type != "RDS" {
			t.Errorf("%s(Other): want NotBoundError for RDS, got %v", name, err)
		}
	}
}
