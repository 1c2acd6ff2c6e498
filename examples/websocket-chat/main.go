// Command websocket-chat is the WebSocket example: clients connect, and a
// message sent by one is posted to every connected client.
package main

import sst "github.com/sst-tf/sst/constructs"

// Chat holds the connections table and the WebSocket API.
func Chat(s *sst.Stack) any {
	connections := sst.NewTable(s, "Connections", sst.TableProps{
		Fields:       map[string]string{"connectionId": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "connectionId"},
	})
	chat := sst.NewWebSocketApi(s, "Chat", sst.WebSocketApiProps{
		Defaults: sst.WebSocketApiDefaults{
			Function: sst.FunctionProps{Bind: []sst.Bindable{connections}},
		},
		Routes: map[string]sst.WebSocketRoute{
			"$connect":    {Handler: "functions/connections.connect"},
			"$disconnect": {Handler: "functions/connections.disconnect"},
			"sendMessage": {Handler: "functions/send.handler"},
		},
	})
	// Binding the API to its own route gives that function the endpoint to
	// post to and execute-api:ManageConnections on this API only.
	chat.Function("sendMessage").Bind(chat)
	s.AddOutputs(map[string]any{"ChatUrl": chat.URL()})
	return chat
}

func main() {
	sst.Run(sst.Config{Name: "websocket-chat", Region: "us-east-1"}, Chat)
}
