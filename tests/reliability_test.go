package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/sst-tf/sst/internal/testenv"
)

// The reliability tests deploy tests/testdata/reliability (two queues and a
// topic; the queues keep an apply busy for ~25 s on moto) and interfere
// with the deploy while terraform is applying: a second deploy, SIGINT,
// SIGKILL, the emulator going away. Afterwards the state must be valid and
// the next deploy must converge on exactly the app's resources.

var relFixture = filepath.Join("testdata", "reliability")

// applying is the first progress line of the fixture's apply: the topic is
// done in a second, the queues are then in flight for ~25 s.
const applying = "Work | aws_sns_topic.Events created"

// relResources are the emulator's names of the fixture's resources, sorted:
// the queues and topic, and the SSM copies of their binding values.
func relResources(stage string) []string {
	p := relParams(stage)
	return []string{p + "Queue/Jobs/queueUrl", p + "Queue/Retry/queueUrl", p + "Topic/Events/topicArn", stage + "-rel-Events", stage + "-rel-Jobs", stage + "-rel-Retry"}
}

// relParams is the stage's SSM path.
func relParams(stage string) string { return "/sst/rel/" + stage + "/" }

// withTable adds the fixture's table (WITH_TABLE) and its binding value.
func withTable(stage string, names []string) []string {
	out := append(slices.Clone(names), stage+"-rel-Items", relParams(stage)+"Table/Items/tableName")
	slices.Sort(out)
	return out
}

// TestConcurrentDeploys: two deploys of one stage at once. From one
// checkout, the second is refused by the stage lock before it synthesizes;
// from another checkout sharing the state (a network drive, or S3 with a
// DynamoDB lock) it reaches terraform and fails on the state lock. Either
// way it fails while the first is still applying, names the holder and how
// to release the lock, and the first deploy's state is intact.
func TestConcurrentDeploys(t *testing.T) {
	t.Parallel()
	t.Run("local", func(t *testing.T) {
		t.Parallel()
		const stage = "rl-lock"
		state := t.TempDir()
		env := map[string]string{"STATE_DIR": state}
		a, b := copyProject(t, relFixture), copyProject(t, relFixture)
		first := startSST(t, a, env, "deploy", "--stage", stage)
		first.waitFor(t, "Stack Work: deploying")

		same := sstEnv(t, a, env, "deploy", "--stage", stage)
		wantFailure(t, same, `stage "rl-lock" is in use by `+"`sst deploy --stage rl-lock`", fmt.Sprintf("pid %d", first.cmd.Process.Pid), "released when that process exits")
		if strings.Contains(same.stderr, "Synthesizing") {
			t.Errorf("the refused deploy synthesized over the running one's output:\n%s", same)
		}
		other := sstEnv(t, b, env, "deploy", "--stage", stage)
		wantFailure(t, other, "the state is locked by", "running apply", "lock ID", "sst unlock --stage rl-lock")
		if first.exited() {
			t.Errorf("the second deploy only failed after the first had finished")
		}

		mustFinish(t, first)
		path := filepath.Join(state, "Work", stage, "terraform.tfstate")
		checkState(t, readFile(t, path), relResources(stage))
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), ".terraform.tfstate.lock.info")); err == nil {
			t.Error("the lock record outlived the deploy")
		}
		checkInventory(t, awsConfig(), stage, relResources(stage))
	})
	t.Run("s3 with DynamoDB lock", func(t *testing.T) {
		t.Parallel()
		const stage = "rl-s3lock"
		env := s3State(t, awsConfig(), "sst-rel-lock", true)
		a, b := copyProject(t, relFixture), copyProject(t, relFixture)
		first := startSST(t, a, env, "deploy", "--stage", stage)
		first.waitFor(t, "Stack Work: deploying")
		other := sstEnv(t, b, env, "deploy", "--stage", stage)
		wantFailure(t, other, "Stack Work:", "the state is locked by", "running apply", "lock ID", "sst unlock --stage rl-s3lock")
		if first.exited() {
			t.Errorf("the second deploy only failed after the first had finished")
		}
		mustFinish(t, first)
		key := "env:/" + stage + "/rel/Work/terraform.tfstate"
		checkState(t, s3Object(t, awsConfig(), env["STATE_BUCKET"], key), relResources(stage))
		item, err := dynamodb.NewFromConfig(awsConfig()).GetItem(context.Background(), &dynamodb.GetItemInput{
			TableName: aws.String(env["LOCK_TABLE"]),
			Key:       map[string]types.AttributeValue{"LockID": &types.AttributeValueMemberS{Value: env["STATE_BUCKET"] + "/" + key}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, held := item.Item["Info"]; held {
			t.Errorf("the lock is still held after both deploys ended: %v", item.Item)
		}
		checkInventory(t, awsConfig(), stage, relResources(stage))
	})
}

// TestInterruptedDeploys: Ctrl-C stops terraform gracefully; SIGKILL of the
// CLI (terraform dies with it) leaves a stale lock on S3 backends that the
// next deploy names and `sst unlock --stage` releases. In every case the
// next deploy converges on exactly the app's resources.
func TestInterruptedDeploys(t *testing.T) {
	t.Parallel()
	t.Run("SIGINT", func(t *testing.T) {
		t.Parallel()
		const stage = "rl-int"
		dir := copyProject(t, relFixture)
		run := startSST(t, dir, nil, "deploy", "--stage", stage)
		run.waitFor(t, applying)
		if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		r := run.wait(t)
		wantFailure(t, r, "interrupted")
		if left := terraformProcesses(t, dir); len(left) > 0 {
			t.Errorf("terraform still running after the CLI exited: pids %v", left)
		}
		stateDir := filepath.Join(dir, ".sst", "state", "Work", stage)
		// Terraform finished what it had started, wrote state and released
		// its lock: a killed terraform would leave the record behind.
		if _, err := os.Stat(filepath.Join(stateDir, ".terraform.tfstate.lock.info")); err == nil {
			t.Error("terraform did not release its lock: it was killed, not stopped")
		}
		checkStateJSON(t, readFile(t, filepath.Join(stateDir, "terraform.tfstate")))

		mustSST(t, dir, "deploy", "--stage", stage)
		checkState(t, readFile(t, filepath.Join(stateDir, "terraform.tfstate")), relResources(stage))
		checkInventory(t, awsConfig(), stage, relResources(stage))
	})
	for _, tc := range []struct {
		name, stage string
		dynamo      bool
		where       string // how `sst unlock` names the lock
		// table adds the fixture's table, killed after it was created and
		// before the state was saved: an orphan the next deploy adopts.
		table bool
	}{
		{"SIGKILL, S3 with DynamoDB lock", "rl-kill-ddb", true, "DynamoDB table", true},
		{"SIGKILL, S3 lock file", "rl-kill-lf", false, "S3 lock file s3://", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := s3State(t, awsConfig(), "sst-"+tc.stage, tc.dynamo)
			dir := copyProject(t, relFixture)
			after, want := applying, relResources(tc.stage)
			if tc.table {
				env["WITH_TABLE"] = "1"
				after = "aws_dynamodb_table."
				want = withTable(tc.stage, want)
			}
			killMidApply(t, dir, env, tc.stage, after, "")

			r := sstEnv(t, dir, env, "deploy", "--stage", tc.stage)
			wantFailure(t, r, "the state is locked by", "running apply", "sst unlock --stage "+tc.stage)
			r = sstEnv(t, dir, env, "unlock", "--stage", tc.stage)
			wantFailure(t, r, "without confirmation", "--yes")
			u := mustSSTEnv(t, dir, env, "unlock", "--stage", tc.stage, "--yes")
			for _, want := range []string{"stack Work: locked by", "running apply", tc.where, "Released lock"} {
				if !strings.Contains(u.stdout, want) {
					t.Errorf("unlock output lacks %q:\n%s", want, u)
				}
			}
			if u := mustSSTEnv(t, dir, env, "unlock", "--stage", tc.stage, "--yes"); !strings.Contains(u.stdout, "No state locks held") {
				t.Errorf("a second unlock found locks:\n%s", u)
			}

			if tc.table {
				adoptOrphan(t, dir, env, tc.stage)
			} else {
				// Whether or not the killed run got to it, a binding
				// value's parameter outside the state (as a run killed
				// right after creating it leaves) is overwritten by the
				// next create, with no --adopt.
				params := ssm.NewFromConfig(awsConfig())
				orphan := relParams(tc.stage) + "Topic/Events/topicArn"
				if _, err := params.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(orphan), Value: aws.String("orphan"), Type: "String", Overwrite: aws.Bool(true)}); err != nil {
					t.Fatal(err)
				}
				mustSSTEnv(t, dir, env, "deploy", "--stage", tc.stage)
				p, err := params.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(orphan)})
				if err != nil {
					t.Fatal(err)
				}
				if v := aws.ToString(p.Parameter.Value); v != "arn:aws:sns:us-east-1:123456789012:"+tc.stage+"-rel-Events" {
					t.Errorf("%s = %q after the deploy, want the topic's ARN", orphan, v)
				}
			}
			checkState(t, s3Object(t, awsConfig(), env["STATE_BUCKET"], "env:/"+tc.stage+"/rel/Work/terraform.tfstate"), want)
			checkInventory(t, awsConfig(), tc.stage, want)
			if !tc.table {
				// The converged stage then takes a table made by hand.
				importTable(t, dir, env, tc.stage)
			}
		})
	}
	// Local state needs no unlock: terraform locks it with fcntl, which
	// the kernel releases when terraform dies, so the next deploy just
	// proceeds (seen by hand; not repeated here to keep the suite short).
	// What is left is the lock record, which `sst unlock` reports as dead
	// and removes without running terraform or the app.
	t.Run("SIGKILL, local", func(t *testing.T) {
		t.Parallel()
		const stage = "rl-kill-loc"
		dir := copyProject(t, relFixture)
		stateDir := filepath.Join(dir, ".sst", "state", "Work", stage)
		killMidApply(t, dir, nil, stage, applying, filepath.Join(stateDir, "terraform.tfstate"))
		record := filepath.Join(stateDir, ".terraform.tfstate.lock.info")
		if _, err := os.Stat(record); err != nil {
			t.Fatalf("no lock record left by the killed terraform (the test no longer covers that case): %v", err)
		}
		checkStateJSON(t, readFile(t, filepath.Join(stateDir, "terraform.tfstate")))
		u := mustSST(t, dir, "unlock", "--stage", stage, "--yes")
		for _, want := range []string{"stack Work: locked by", "running apply", record[:len(record)-len(".terraform.tfstate.lock.info")], "Released lock"} {
			if !strings.Contains(u.stdout, want) {
				t.Errorf("unlock output lacks %q:\n%s", want, u)
			}
		}
		if strings.Contains(u.stderr, "Synthesizing") {
			t.Errorf("unlock ran the app:\n%s", u)
		}
		if _, err := os.Stat(record); err == nil {
			t.Error("the lock record survived unlock")
		}
	})
}

// TestEndpointGoesAway kills the emulator mid-apply: the deploy fails
// naming the resource and the unreachable endpoint, the state stays valid
// and unlocked, and a deploy against a fresh emulator (moto forgets
// everything on restart) converges.
func TestEndpointGoesAway(t *testing.T) {
	t.Parallel()
	const stage = "rl-gone"
	m, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	dir := copyProject(t, relFixture)
	run := startSST(t, dir, testenv.AWSEnv(m), "deploy", "--stage", stage)
	run.waitFor(t, applying)
	m.Stop()
	r := run.wait(t)
	host := strings.TrimPrefix(m.URL(), "http://")
	wantFailure(t, r, "Stack Work:", "aws_sqs_queue.", "AWS ("+host+") could not be reached", "run the command again")
	stateDir := filepath.Join(dir, ".sst", "state", "Work", stage)
	checkStateJSON(t, readFile(t, filepath.Join(stateDir, "terraform.tfstate")))
	if _, err := os.Stat(filepath.Join(stateDir, ".terraform.tfstate.lock.info")); err == nil {
		t.Error("the failed apply left its lock record")
	}

	fresh, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Stop() })
	mustSSTEnv(t, dir, testenv.AWSEnv(fresh), "deploy", "--stage", stage)
	checkState(t, readFile(t, filepath.Join(stateDir, "terraform.tfstate")), relResources(stage))
	cfg := awsConfig()
	cfg.BaseEndpoint = aws.String(fresh.URL())
	checkInventory(t, cfg, stage, relResources(stage))
}

// adoptOrphan: the table a killed deploy created, before the state that
// would have recorded it was saved, blocks the next deploy, which fails
// naming it and the command that adopts it; `sst deploy --adopt` imports it
// (shown in the plan) and converges without recreating it.
func adoptOrphan(t *testing.T, dir string, env map[string]string, stage string) {
	t.Helper()
	table := stage + "-rel-Items"
	r := sstEnv(t, dir, env, "deploy", "--stage", stage)
	wantFailure(t, r, "Table already exists", "under the names stage "+stage+" gives them", "("+table+")", "`sst deploy --stage "+stage+" --adopt`")
	ddb := dynamodb.NewFromConfig(awsConfig())
	describe := func() *types.TableDescription {
		t.Helper()
		out, err := ddb.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Table
	}
	before := describe()
	a := mustSSTEnv(t, dir, env, "deploy", "--stage", stage, "--adopt")
	for _, w := range []string{"the plan with them adopted", "(import " + table + ")", "1 to import", "adopting 1 resource(s)"} {
		if !strings.Contains(a.stdout, w) {
			t.Errorf("deploy --adopt output lacks %q:\n%s", w, a)
		}
	}
	after := describe()
	if aws.ToString(after.TableArn) != aws.ToString(before.TableArn) || !aws.ToTime(after.CreationDateTime).Equal(aws.ToTime(before.CreationDateTime)) {
		t.Errorf("the table was recreated: %s created %v, now %s created %v", aws.ToString(before.TableArn), before.CreationDateTime, aws.ToString(after.TableArn), after.CreationDateTime)
	}
	if _, err := os.Stat(filepath.Join(dir, ".sst", "out", stage, "stacks", "Work", "sst-import.tf.json")); err == nil {
		t.Error("the import blocks outlived the deploy that adopted")
	}
}

// importTable: `sst import Items <name>` brings a table created outside
// sst under the fixture's table construct, printing the plan (the import,
// an in-place update to the app's tags and settings, nothing else) before
// applying it; a setting then changed through the
// construct (a stream) updates that table in place, never recreating it.
func importTable(t *testing.T, dir string, env map[string]string, stage string) {
	t.Helper()
	table := stage + "-rel-Items"
	ctx := context.Background()
	ddb := dynamodb.NewFromConfig(awsConfig())
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	describe := func() *types.TableDescription {
		t.Helper()
		out, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Table
	}
	before := describe()
	env["WITH_TABLE"] = "1"
	r := sstEnv(t, dir, env, "import", "Items", table, "--stage", stage)
	wantFailure(t, r, "refusing to import into stage \""+stage+"\" without confirmation", "--yes")
	// An id naming nothing in the account fails in the plan, before
	// anything is applied.
	r = sstEnv(t, dir, env, "import", "Items", stage+"-rel-Nothing", "--stage", stage, "--yes")
	wantFailure(t, r, "Cannot import non-existent remote object", "check the id given to `sst import`")
	im := mustSSTEnv(t, dir, env, "import", "Items", table, "--stage", stage, "--yes")
	for _, w := range []string{"importing " + table + " into table \"Items\" (aws_dynamodb_table.Items)", "aws_dynamodb_table.Items  (import " + table + ")", "1 to import, 1 to add, 1 to change, 0 to destroy", "Imported " + table + " into table \"Items\" of stage " + stage} {
		if !strings.Contains(im.stdout, w) {
			t.Errorf("import output lacks %q:\n%s", w, im)
		}
	}
	env["TABLE_STREAM"] = "1"
	mustSSTEnv(t, dir, env, "deploy", "--stage", stage)
	after := describe()
	if aws.ToString(after.TableArn) != aws.ToString(before.TableArn) || !aws.ToTime(after.CreationDateTime).Equal(aws.ToTime(before.CreationDateTime)) {
		t.Errorf("the imported table was recreated: created %v, now %v", before.CreationDateTime, after.CreationDateTime)
	}
	if after.StreamSpecification == nil || !aws.ToBool(after.StreamSpecification.StreamEnabled) {
		t.Errorf("the construct's stream did not reach the imported table: %+v", after.StreamSpecification)
	}
	want := withTable(stage, relResources(stage))
	checkState(t, s3Object(t, awsConfig(), env["STATE_BUCKET"], "env:/"+stage+"/rel/Work/terraform.tfstate"), want)
	checkInventory(t, awsConfig(), stage, want)
}

// killMidApply starts a deploy and SIGKILLs the CLI while terraform is
// creating the queues, once the run printed after.
//
// localState, when set, is the stage's local state file: the kill waits
// until it holds a resource. Terraform creates that file empty when it
// takes the lock and writes it just after reporting a resource created,
// so a kill in between leaves an empty file (which terraform reads as no
// state; the adopt path covers that run) rather than the case of a state
// with resources this test is about.
func killMidApply(t *testing.T, dir string, env map[string]string, stage, after, localState string) {
	t.Helper()
	run := startSST(t, dir, env, "deploy", "--stage", stage)
	run.waitFor(t, after)
	for deadline := time.Now().Add(time.Minute); localState != "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var st tfState
		if b, err := os.ReadFile(localState); err == nil && json.Unmarshal(b, &st) == nil && len(st.Resources) > 0 {
			break
		}
	}
	if err := run.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	run.wait(t)
	if left := terraformProcesses(t, dir); len(left) > 0 {
		t.Errorf("terraform outlived the killed CLI: pids %v", left)
	}
}

// s3State creates a state bucket (and a DynamoDB lock table) and returns
// the fixture's environment selecting them.
func s3State(t *testing.T, cfg aws.Config, name string, dynamo bool) map[string]string {
	t.Helper()
	ctx := context.Background()
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if !dynamo {
		return map[string]string{"BACKEND": "s3lockfile", "STATE_BUCKET": name}
	}
	if _, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"BACKEND": "s3", "STATE_BUCKET": name, "LOCK_TABLE": name}
}

func s3Object(t *testing.T, cfg aws.Config, bucket, key string) []byte {
	t.Helper()
	obj, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("state s3://%s/%s: %v", bucket, key, err)
	}
	defer obj.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(obj.Body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tfState is the part of a terraform state file these tests read.
type tfState struct {
	Version   int `json:"version"`
	Resources []struct {
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// checkStateJSON: the state parses as terraform state.
func checkStateJSON(t *testing.T, b []byte) tfState {
	t.Helper()
	var st tfState
	if err := json.Unmarshal(b, &st); err != nil || st.Version != 4 {
		t.Fatalf("state is not valid terraform state (version %d, %v):\n%s", st.Version, err, b)
	}
	return st
}

// checkState: the state holds exactly one instance of each of names (by
// the resource's AWS name), no more.
func checkState(t *testing.T, b []byte, names []string) {
	t.Helper()
	st := checkStateJSON(t, b)
	var got []string
	for _, r := range st.Resources {
		if r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			name, _ := in.Attributes["name"].(string)
			got = append(got, name)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Errorf("state holds %v, want exactly %v", got, names)
	}
}

// checkInventory: the emulator holds exactly names for the stage: nothing
// duplicated, nothing orphaned outside the state.
func checkInventory(t *testing.T, cfg aws.Config, stage string, names []string) {
	t.Helper()
	prefix := stage + "-rel-"
	var got []string
	for _, item := range append(inventoryAt(t, cfg, prefix), messagingInventoryAt(t, cfg, prefix)...) {
		i := strings.LastIndexAny(item, "/: ")
		got = append(got, item[i+1:])
	}
	params, err := ssm.NewFromConfig(cfg).GetParametersByPath(context.Background(), &ssm.GetParametersByPathInput{Path: aws.String(relParams(stage)), Recursive: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range params.Parameters {
		got = append(got, aws.ToString(p.Name))
	}
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Errorf("emulator holds %v, want exactly %v", got, names)
	}
}

func wantFailure(t *testing.T, r result, wants ...string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("want a non-zero exit:\n%s", r)
	}
	for _, w := range wants {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("output lacks %q:\n%s", w, r)
		}
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		t.Errorf("a Go stack trace reached the user:\n%s", r)
	}
}

// terraformProcesses lists terraform processes (and providers) still
// running in dir, from /proc, after giving the kernel's SIGKILL of the
// orphans time to land.
func terraformProcesses(t *testing.T, dir string) []int {
	t.Helper()
	var pids []int
	for range 100 {
		if pids = procsIn(t, dir); len(pids) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return pids
}

func procsIn(t *testing.T, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to look for leftover processes in")
	}
	var pids []int
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd, dir) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		// Zombies (state Z) are dead; only their parent has not reaped them.
		if err == nil && strings.Contains(string(stat), "terraform") && !strings.Contains(string(stat), ") Z ") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// running is a CLI run in the background.
type running struct {
	cmd      *exec.Cmd
	mu       sync.Mutex
	out, err bytes.Buffer
	done     chan struct{}
	res      result
}

type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func startSST(t *testing.T, dir string, extra map[string]string, args ...string) *running {
	t.Helper()
	r := &running{done: make(chan struct{})}
	r.cmd = exec.Command(sstBin, args...)
	r.cmd.Dir = dir
	env := map[string]string{}
	for k, v := range baseEnv {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	r.cmd.Env = testenv.Environ(env)
	r.cmd.Stdout = lockedBuffer{&r.mu, &r.out}
	r.cmd.Stderr = lockedBuffer{&r.mu, &r.err}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := r.cmd.Wait()
		r.mu.Lock()
		r.res = result{stdout: r.out.String(), stderr: r.err.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.res.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				r.res.code = 128 + int(ws.Signal())
			}
		}
		r.mu.Unlock()
		close(r.done)
	}()
	t.Cleanup(func() {
		if !r.exited() {
			r.cmd.Process.Signal(os.Interrupt)
			<-r.done
		}
	})
	return r
}

func (r *running) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// waitFor blocks until the run printed s; the deadline only keeps a broken
// run from hanging the suite.
func (r *running) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(10 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		r.mu.Lock()
		seen := strings.Contains(r.out.String()+r.err.String(), s)
		r.mu.Unlock()
		if seen {
			return
		}
		select {
		case <-r.done:
			t.Fatalf("the run ended before printing %q:\n%s", s, r.res)
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("no %q after 10 minutes:\n%s\n%s", s, r.out.String(), r.err.String())
		case <-tick.C:
		}
	}
}

func (r *running) wait(t *testing.T) result {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(15 * time.Minute):
		t.Fatal("the run did not end")
	}
	return r.res
}

func mustFinish(t *testing.T, r *running) {
	t.Helper()
	if res := r.wait(t); res.code != 0 {
		t.Fatalf("the first deploy failed:\n%s", res)
	}
}
