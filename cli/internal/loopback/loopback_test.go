package loopback

import (
	"net"
	"net/http"
	"strconv"
	"testing"
)

func TestHostAllowed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for host, want := range map[string]bool{
		"127.0.0.1:" + port:         true,
		"localhost:" + port:         true,
		"127.0.0.1":                 false, // no port: not what a client of this server sends
		"127.0.0.1:1":               false,
		"rebind.example:" + port:    false, // DNS rebinding
		"localhost.example:" + port: false,
		"[::1]:" + port:             false, // the server listens on IPv4 only
		"":                          false,
	} {
		if got := HostAllowed(&http.Request{Host: host}, ln); got != want {
			t.Errorf("HostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
}
