package runtime

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// reset clears process-wide state so tests stay independent.
func reset(t *testing.T) {
	t.Helper()
	cache.Lock()
	cache.values = nil
	cache.Unlock()
	old := SSMFetcher
	SSMFetcher = nil
	t.Cleanup(func() {
		SSMFetcher = old
		cache.Lock()
		cache.values = nil
		cache.Unlock()
	})
}

func TestMetadata(t *testing.T) {
	t.Setenv("SST_APP", "notes")
	t.Setenv("SST_STAGE", "dev")
	t.Setenv("SST_SSM_PREFIX", "/sst/notes/dev/")
	if App() != "notes" || Stage() != "dev" || SSMPrefix() != "/sst/notes/dev/" {
		t.Errorf("App/Stage/SSMPrefix = %q %q %q", App(), Stage(), SSMPrefix())
	}
}

// TestEnvName: runtime reads the names the binding contract writes
// (internal/binding tests every construct type's).
func TestEnvName(t *testing.T) {
	if got := EnvName("Bucket", "bucketName", "my-uploads"); got != "SST_Bucket_bucketName_my_uploads" {
		t.Errorf("EnvName = %q", got)
	}
}

func TestGet(t *testing.T) {
	reset(t)
	t.Setenv("SST_Table_tableName_Notes", "dev-notes-Notes")
	t.Setenv("SST_Api_url_Api", "https://abc.execute-api.us-east-1.amazonaws.com")
	t.Setenv("SST_Bucket_bucketName_my_uploads", "dev-notes-my-uploads")
	t.Setenv("SST_Queue_queueUrl_Jobs", "https://sqs/jobs")
	t.Setenv("SST_Topic_topicArn_Events", "arn:aws:sns:us-east-1:123456789012:events")
	t.Setenv("SST_Table_tableName_Empty", "")
	t.Setenv("SST_Service_url_Web", "https://web.example.com")

	tests := []struct {
		name string
		get  func() (string, error)
		want string
	}{
		{"Get", func() (string, error) { return Get("Table", "tableName", "Notes") }, "dev-notes-Notes"},
		{"TableName", func() (string, error) { return TableName("Notes") }, "dev-notes-Notes"},
		{"ApiURL", func() (string, error) { return ApiURL("Api") }, "https://abc.execute-api.us-east-1.amazonaws.com"},
		{"BucketName with dash id", func() (string, error) { return BucketName("my-uploads") }, "dev-notes-my-uploads"},
		{"QueueURL", func() (string, error) { return QueueURL("Jobs") }, "https://sqs/jobs"},
		{"TopicARN", func() (string, error) { return TopicARN("Events") }, "arn:aws:sns:us-east-1:123456789012:events"},
		{"ServiceURL", func() (string, error) { return ServiceURL("Web") }, "https://web.example.com"},
		{"set but empty", func() (string, error) { return TableName("Empty") }, ""},
	}
	for _, tt := range tests {
		got, err := tt.get()
		if err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if MustTableName("Notes") != "dev-notes-Notes" || MustApiURL("Api") == "" || MustServiceURL("Web") == "" {
		t.Error("Must accessors")
	}
}

func TestNotBound(t *testing.T) {
	reset(t)
	_, err := TableName("Notes")
	want := `runtime: Table "Notes" is not bound to this function (SST_Table_tableName_Notes is not set): add it to the function's Bind list`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	var nb *NotBoundError
	if !errors.As(err, &nb) || nb.Type != "Table" || nb.ID != "Notes" || nb.Prop != "tableName" {
		t.Errorf("err = %#v", err)
	}
	_, err = ApiURL("my-api")
	if err == nil || !strings.Contains(err.Error(), `Api "my-api" is not bound`) || !strings.Contains(err.Error(), "SST_Api_url_my_api is not set") {
		t.Errorf("err = %v", err)
	}
}

func TestMustPanicsWithMessage(t *testing.T) {
	reset(t)
	for name, f := range map[string]func(){
		"MustTableName": func() { MustTableName("Notes") },
		"MustApiURL":    func() { MustApiURL("Api") },
	} {
		func() {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok || !strings.Contains(err.Error(), "is not bound to this function") {
					t.Errorf("%s panicked with %v", name, r)
				}
			}()
			f()
		}()
	}
}

func TestSSMWithoutFetcher(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/sst/notes/dev/")
	t.Setenv("SST_Secret_value_StripeKey", SSMPlaceholder)
	_, err := Secret("StripeKey")
	if !errors.Is(err, ErrNoSSMFetcher) {
		t.Fatalf("err = %v, want ErrNoSSMFetcher", err)
	}
	for _, want := range []string{`Secret "StripeKey"`, "/sst/notes/dev/Secret/StripeKey/value", "SSMFetcher"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q lacks %q", err, want)
		}
	}
}

func TestSSMFetchAndCache(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/sst/notes/dev/")
	t.Setenv("SST_Secret_value_StripeKey", SSMPlaceholder)
	t.Setenv("SST_Table_tableName_Big", SSMPlaceholder)
	var calls atomic.Int32
	var asked [][]string
	var mu sync.Mutex
	SSMFetcher = func(ctx context.Context, names []string) (map[string]string, error) {
		calls.Add(1)
		mu.Lock()
		asked = append(asked, append([]string(nil), names...))
		mu.Unlock()
		return map[string]string{
			"/sst/notes/dev/Secret/StripeKey/value": "sk_test",
			"/sst/notes/dev/Table/Big/tableName":    "big-table",
			"/unrelated":                            "ignored",
		}, nil
	}
	for i := 0; i < 3; i++ {
		v, err := Secret("StripeKey")
		if err != nil || v != "sk_test" {
			t.Fatalf("Secret = %q, %v", v, err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("fetcher called %d times, want 1 (cached)", calls.Load())
	}
	if !reflect.DeepEqual(asked[0], []string{"/sst/notes/dev/Secret/StripeKey/value"}) {
		t.Errorf("asked for %v", asked[0])
	}
	if v, err := TableName("Big"); err != nil || v != "big-table" {
		t.Errorf("TableName(Big) = %q, %v", v, err)
	}
	// Only requested names are cached.
	if _, ok := cached("/unrelated"); ok {
		t.Error("cached a value nobody asked for")
	}
}

func TestSSMMissingParameter(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/sst/notes/dev/")
	t.Setenv("SST_Secret_value_Unset", SSMPlaceholder)
	SSMFetcher = func(ctx context.Context, names []string) (map[string]string, error) {
		return map[string]string{}, nil
	}
	_, err := Secret("Unset")
	if err == nil || !strings.Contains(err.Error(), "SSM parameter /sst/notes/dev/Secret/Unset/value does not exist") {
		t.Errorf("err = %v", err)
	}
}

func TestSSMErrorsAreNotCached(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/p/")
	t.Setenv("SST_Secret_value_K", SSMPlaceholder)
	boom := errors.New("throttled")
	fail := true
	SSMFetcher = func(ctx context.Context, names []string) (map[string]string, error) {
		if fail {
			return nil, boom
		}
		return map[string]string{"/p/Secret/K/value": "v"}, nil
	}
	if _, err := Secret("K"); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapping %v", err, boom)
	}
	fail = false
	if v, err := Secret("K"); err != nil || v != "v" {
		t.Errorf("retry = %q, %v", v, err)
	}
}

func TestSSMContextPassed(t *testing.T) {
	reset(t)
	t.Setenv("SST_Secret_value_K", SSMPlaceholder)
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "x")
	SSMFetcher = func(c context.Context, names []string) (map[string]string, error) {
		if c.Value(key{}) != "x" {
			t.Error("context not passed through")
		}
		return map[string]string{names[0]: "v"}, nil
	}
	if v, err := GetContext(ctx, "Secret", "value", "K"); err != nil || v != "v" {
		t.Errorf("GetContext = %q, %v", v, err)
	}
}

func TestConcurrentGet(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/p/")
	t.Setenv("SST_Secret_value_K", SSMPlaceholder)
	SSMFetcher = func(ctx context.Context, names []string) (map[string]string, error) {
		return map[string]string{"/p/Secret/K/value": "v"}, nil
	}
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := Secret("K"); err != nil || v != "v" {
				t.Errorf("Secret = %q, %v", v, err)
			}
		}()
	}
	wg.Wait()
}

func TestPreload(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/p/")
	t.Setenv("SST_Secret_value_A", SSMPlaceholder)
	t.Setenv("SST_Secret_value_B", SSMPlaceholder)
	t.Setenv("SST_Table_tableName_Notes", "plain")
	var calls atomic.Int32
	SSMFetcher = func(ctx context.Context, names []string) (map[string]string, error) {
		calls.Add(1)
		got := append([]string(nil), names...)
		if len(got) != 2 {
			t.Errorf("Preload asked for %v, want both secrets at once", got)
		}
		return map[string]string{"/p/Secret/A/value": "a", "/p/Secret/B/value": "b"}, nil
	}
	if err := Preload(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, _ := Secret("A")
	b, _ := Secret("B")
	if a != "a" || b != "b" || calls.Load() != 1 {
		t.Errorf("after Preload: %q %q, %d calls", a, b, calls.Load())
	}
	// Nothing left to fetch: no call.
	if err := Preload(context.Background()); err != nil || calls.Load() != 1 {
		t.Errorf("second Preload: %v, %d calls", err, calls.Load())
	}
}

func TestPreloadWithoutFetcher(t *testing.T) {
	reset(t)
	if err := Preload(context.Background()); err != nil {
		t.Errorf("no SSM bindings: %v", err)
	}
	t.Setenv("SST_Secret_value_A", SSMPlaceholder)
	if err := Preload(context.Background()); !errors.Is(err, ErrNoSSMFetcher) {
		t.Errorf("err = %v", err)
	}
}

func TestBound(t *testing.T) {
	reset(t)
	t.Setenv("SST_APP", "notes")
	t.Setenv("SST_STAGE", "dev")
	t.Setenv("SST_SSM_PREFIX", "/p/")
	t.Setenv("SST_REGION", "us-east-1")
	t.Setenv("SST_Table_tableName_Notes", "dev-notes-Notes")
	t.Setenv("SST_Table_tableName_my_table", "dev-notes-my-table")
	t.Setenv("SST_Table_streamArn_Notes", "arn:stream")
	t.Setenv("SST_Table_tableName_Secretive", SSMPlaceholder)
	t.Setenv("SST_Api_url_Api", "https://x")
	t.Setenv("SST_Table_", "broken")
	t.Setenv("SST_Table_tableName_", "broken")
	t.Setenv("NOT_SST_Table_tableName_X", "nope")

	got := Bound("Table")
	want := map[string]map[string]string{
		"Notes":     {"tableName": "dev-notes-Notes", "streamArn": "arn:stream"},
		"my_table":  {"tableName": "dev-notes-my-table"},
		"Secretive": {"tableName": SSMPlaceholder},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Bound(Table) = %v\nwant %v", got, want)
	}
	if got := Bound("Api"); !reflect.DeepEqual(got, map[string]map[string]string{"Api": {"url": "https://x"}}) {
		t.Errorf("Bound(Api) = %v", got)
	}
	if got := Bound("Queue"); len(got) != 0 {
		t.Errorf("Bound(Queue) = %v", got)
	}
	// SST_SSM_PREFIX and friends are not resources.
	if got := Bound("SSM"); len(got) != 0 {
		t.Errorf("Bound(SSM) = %v", got)
	}
	// Fetched SSM values replace the placeholder.
	store(map[string]string{"/p/Table/Secretive/tableName": "real"})
	if got := Bound("Table")["Secretive"]["tableName"]; got != "real" {
		t.Errorf("after fetch: %q", got)
	}
}
