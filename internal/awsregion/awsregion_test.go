package awsregion

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	if err := Check("eu-west-1", "--region"); err != nil {
		t.Errorf("known region refused: %v", err)
	}
	for typo, want := range map[string]string{
		"us-east1":    "us-east-1",
		"us-eats-1":   "us-east-1",
		"eu-west":     "eu-west-1",
		"EU-WEST-2":   "eu-west-2",
		"ap-sout-1":   "ap-south-1",
		"uswest2":     "us-west-2",
		"eu-centrl-1": "eu-central-1",
	} {
		err := Check(typo, "--region")
		if err == nil || !strings.Contains(err.Error(), `--region "`+typo+`" is not an AWS region: did you mean "`+want+`"?`) {
			t.Errorf("Check(%q) = %v, want a suggestion of %q", typo, err, want)
		}
	}
}
