package runtime

import (
	"context"
	"strings"
	"testing"
)

// The variable names are the ones the EventBus, KinesisStream and
// WebSocketApi constructs set, in SST v2's format.
func TestEventsAccessors(t *testing.T) {
	reset(t)
	t.Setenv("SST_EventBus_eventBusName_Bus", "dev-app-Bus")
	t.Setenv("SST_KinesisStream_streamName_my_stream", "dev-app-my-stream")
	t.Setenv("SST_WebSocketApi_url_Chat", "wss://abc.execute-api.us-east-1.amazonaws.com/dev")
	if got := MustEventBusName("Bus"); got != "dev-app-Bus" {
		t.Errorf("MustEventBusName = %q", got)
	}
	if got, err := StreamName("my-stream"); err != nil || got != "dev-app-my-stream" {
		t.Errorf("StreamName = %q, %v", got, err)
	}
	if got := MustStreamName("my-stream"); got != "dev-app-my-stream" {
		t.Errorf("MustStreamName = %q", got)
	}
	if got := MustWebSocketURL("Chat"); !strings.HasPrefix(got, "wss://") {
		t.Errorf("MustWebSocketURL = %q", got)
	}
	for name, f := range map[string]func(){
		"MustEventBusName": func() { MustEventBusName("Other") },
		"MustStreamName":   func() { MustStreamName("Other") },
		"MustWebSocketURL": func() { MustWebSocketURL("Other") },
	} {
		func() {
			defer func() {
				err, ok := recover().(error)
				if !ok || !strings.Contains(err.Error(), `"Other" is not bound to this function`) {
					t.Errorf("%s panicked with %v", name, err)
				}
			}()
			f()
		}()
	}
	if _, err := EventBusName("Other"); err == nil || !strings.Contains(err.Error(), "SST_EventBus_eventBusName_Other") {
		t.Errorf("EventBusName(Other) error = %v", err)
	}
}

// The management endpoint is the httpsUrl binding (a custom domain's
// https:// address), else derived from the URL for bindings without it.
func TestWebSocketManagementEndpoint(t *testing.T) {
	reset(t)
	t.Setenv("SST_WebSocketApi_url_Old", "wss://abc.execute-api.us-east-1.amazonaws.com/dev")
	t.Setenv("SST_WebSocketApi_url_New", "wss://ws.example.com")
	t.Setenv("SST_WebSocketApi_httpsUrl_New", "https://ws.example.com")
	if got, err := WebSocketManagementEndpoint("Old"); err != nil || got != "https://abc.execute-api.us-east-1.amazonaws.com/dev" {
		t.Errorf("derived endpoint = %q, %v", got, err)
	}
	if got, err := WebSocketManagementEndpoint("New"); err != nil || got != "https://ws.example.com" {
		t.Errorf("bound endpoint = %q, %v", got, err)
	}
}

// An AppSyncApi binds its URL and id as values and its API key as a
// secret, fetched from the construct's SSM path.
func TestAppSyncAccessors(t *testing.T) {
	reset(t)
	t.Setenv("SST_SSM_PREFIX", "/sst/notes/dev/")
	t.Setenv("SST_AppSyncApi_url_Graph", "https://abc.appsync-api.us-east-1.amazonaws.com/graphql")
	t.Setenv("SST_AppSyncApi_apiId_Graph", "abc")
	t.Setenv("SST_AppSyncApi_apiKey_Graph", SSMPlaceholder)
	var asked []string
	SSMFetcher = func(ctx context.Context, names []string) (map[string]string, error) {
		asked = append(asked, names...)
		return map[string]string{"/sst/notes/dev/AppSyncApi/Graph/apiKey": "da2-key"}, nil
	}
	if u, err := AppSyncURL("Graph"); err != nil || !strings.HasSuffix(u, "/graphql") {
		t.Errorf("AppSyncURL = %q, %v", u, err)
	}
	if id, err := AppSyncApiID("Graph"); err != nil || id != "abc" {
		t.Errorf("AppSyncApiID = %q, %v", id, err)
	}
	if k, err := AppSyncApiKey(context.Background(), "Graph"); err != nil || k != "da2-key" {
		t.Errorf("AppSyncApiKey = %q, %v", k, err)
	}
	if len(asked) != 1 || asked[0] != "/sst/notes/dev/AppSyncApi/Graph/apiKey" {
		t.Errorf("fetched %v", asked)
	}
	if _, err := AppSyncApiKey(context.Background(), "Other"); err == nil || !strings.Contains(err.Error(), `"Other" is not bound`) {
		t.Errorf("unbound key: %v", err)
	}
}
