// Package devrelay is the contract between the relay stub that a dev
// stage deploys in place of each function's code and `sst dev`, which
// runs the function locally: the stub sends each invocation to the
// stack's dev-only request queue and waits for the answer in its
// dev-only response table, which the CLI writes.
package devrelay

import _ "embed"

// Code is the stub (Node, no dependencies: it signs its two AWS calls
// itself), deployed as index.mjs with handler index.handler.
//
//go:embed relay.mjs
var Code []byte

const (
	// Runtime and Handler are the stub's Lambda settings.
	Runtime = "nodejs20.x"
	Handler = "index.handler"

	// EnvQueue, EnvTable and EnvFunction are the stub's environment: the
	// request queue's URL, the response table's name and the id of the
	// function it stands for.
	EnvQueue    = "SST_DEV_RELAY_QUEUE"
	EnvTable    = "SST_DEV_RELAY_TABLE"
	EnvFunction = "SST_DEV_RELAY_FUNCTION"
)

// Env lists the variables the stub adds to a function's environment, which
// are not the function's own (local workers and `sst bind` drop them).
var Env = []string{EnvQueue, EnvTable, EnvFunction}

// Request is the body of a request queue message.
type Request struct {
	// ID is the Lambda request id, the response's key.
	ID       string `json:"id"`
	Function string `json:"function"`
	// Payload is the invocation's event as JSON text.
	Payload string `json:"payload"`
	// Deadline (Unix milliseconds) is when the stub stops waiting: a
	// request found later is dropped, not run.
	Deadline int64 `json:"deadline"`
}

// Attributes of a response item: the key (string), the handler's JSON
// response (string) or its error (a string holding Lambda's error JSON,
// {"errorType", "errorMessage", "stackTrace"}), and when the table's TTL
// removes it (number, Unix seconds) if no stub reads it.
const (
	AttrID      = "id"
	AttrPayload = "payload"
	AttrError   = "error"
	AttrExpires = "expires"
)
