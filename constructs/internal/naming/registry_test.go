package naming

import (
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	var errs []string
	r := NewRegistry("dev", "shop", func(err error) { errs = append(errs, err.Error()) })

	// Different kinds may share a name: a function and its role do.
	if got := r.Lambda("Function A", "Orders"); got != "dev-shop-Orders" {
		t.Fatalf("Lambda = %q", got)
	}
	r.IAMRole("Function A", "Orders")
	// An owner may ask for its own name again.
	r.Lambda("Function A", "Orders")
	// Lambda and DynamoDB names are case-sensitive in AWS.
	r.Lambda("Function B", "orders")
	r.DynamoDB("Table C", "Orders")
	r.DynamoDB("Table D", "orders")
	if len(errs) != 0 {
		t.Fatalf("no collision expected, got %q", errs)
	}

	// IAM role names ignore case.
	r.IAMRole("Function B", "orders")
	// S3 lower-cases and turns "_" into "-".
	r.Bucket("Bucket E", "My_Files")
	r.Bucket("Bucket F", "my-files")
	// A second derived name of the same two owners is not reported again.
	r.Claim(KindIAMRole, "dev-shop-ORDERS", "Function B")
	if len(errs) != 2 {
		t.Fatalf("want 2 collisions, got %d: %q", len(errs), errs)
	}
	for _, want := range []string{"Function A", "Function B", `IAM role "dev-shop-Orders" (and "dev-shop-orders": IAM role names ignore case)`} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("want %q in %q", want, errs[0])
		}
	}
	for _, want := range []string{"Bucket E", "Bucket F", `S3 bucket "dev-shop-my-files"`, "rename one"} {
		if !strings.Contains(errs[1], want) {
			t.Errorf("want %q in %q", want, errs[1])
		}
	}

	// Rules are unique per bus.
	errs = nil
	r.Claim(EventRuleOn("a"), "dev-shop-r", "Bus A")
	r.Claim(EventRuleOn("b"), "dev-shop-r", "Bus B")
	r.Claim(KindEventRule, "dev-shop-r", "Cron C")
	if len(errs) != 0 {
		t.Fatalf("rules on different buses collided: %q", errs)
	}
}
