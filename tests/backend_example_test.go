package tests

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestBackendExample deploys examples/backend — every backend construct in
// one app, three stacks — applies its migrations to a real PostgreSQL,
// checks the API function's bindings, and removes it. The per-construct
// tests read each resource back in detail; this one proves they compose.
//
// It runs on the suite's moto in Lambda echo mode, which the deploy
// script's invocation needs (see TestEvents).
func TestBackendExample(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, env := startEchoMoto(t)
	dbURL := postgresDatabase(t)

	env["SST_RDS_CONNECTION"] = dbURL

	dir := copyProject(t, filepath.Join(repo, "examples", "backend"))
	const stage = "bex"
	r := mustSSTEnv(t, dir, env, "deploy", "--stage", stage)
	for _, f := range []string{"0001_feedback.sql", "0002_feedback_rating.sql"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("deploy did not apply %s:\n%s", f, r.stdout)
		}
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cols int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'feedback'`).Scan(&cols); err != nil || cols != 5 {
		t.Errorf("feedback table has %d columns (%v), want 5 after both migrations", cols, err)
	}

	out := readOutputs(t, dir, stage)
	if !strings.HasPrefix(out["API"]["ApiUrl"], "http") || !strings.HasPrefix(out["API"]["ChatUrl"], "wss://") || out["API"]["UserPoolId"] == "" {
		t.Errorf("outputs = %v", out["API"])
	}
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("bex-backend-Api_POST_feedback")})
	if err != nil {
		t.Fatal(err)
	}
	vars := fn.Configuration.Environment.Variables
	for _, name := range []string{
		"SST_RDS_clusterArn_Db", "SST_RDS_secretArn_Db", "SST_RDS_defaultDatabaseName_Db",
		"SST_Bucket_bucketName_Uploads", "SST_Queue_queueUrl_Jobs", "SST_Topic_topicArn_Events",
		"SST_EventBus_eventBusName_Bus", "SST_KinesisStream_streamName_Clicks",
		"SST_Parameter_value_API_VERSION",
	} {
		if vars[name] == "" {
			t.Errorf("API function lacks %s", name)
		}
	}
	if vars["SST_Secret_value_STRIPE_KEY"] != "__FETCH_FROM_SSM__" {
		t.Errorf("secret binding = %q", vars["SST_Secret_value_STRIPE_KEY"])
	}

	mustSSTEnv(t, dir, env, "remove", "--stage", stage, "--yes")
	left := inventoryAt(t, cfg, "bex-backend-")
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
