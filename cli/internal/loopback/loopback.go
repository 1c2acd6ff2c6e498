// Package loopback holds the checks every server sst runs on 127.0.0.1
// shares. Listening on loopback keeps other machines out, not other local
// processes nor web pages open in a local browser: a page on a name that
// resolves to 127.0.0.1 (DNS rebinding) reaches the port with its own name
// in the Host header.
package loopback

import (
	"net"
	"net/http"
	"strconv"
)

// HostAllowed reports whether r names the server listening on ln by a
// loopback name: 127.0.0.1:<port> or localhost:<port>, what sst prints and
// what its own clients send. Anything else is refused.
func HostAllowed(r *http.Request, ln net.Listener) bool {
	port := ""
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		port = strconv.Itoa(a.Port)
	}
	return port != "" && (r.Host == "127.0.0.1:"+port || r.Host == "localhost:"+port)
}
