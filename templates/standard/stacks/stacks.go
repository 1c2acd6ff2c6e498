// Package stacks declares the app's infrastructure, one function per
// stack: the function's name is the stack's name.
package stacks

import sst "github.com/sst-tf/sst/constructs"

// all lists the stacks in the order they are declared; web.go adds Web.
var all = []sst.StackFunc{Storage, API}

// All is every stack of the app, for sst.Run.
func All() []sst.StackFunc { return all }

// Storage holds the notes table.
func Storage(s *sst.Stack) any {
	return sst.NewTable(s, "Notes", sst.TableProps{
		Fields:       map[string]string{"noteId": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "noteId"},
	})
}

// API serves the notes over HTTP and announces new ones on an event bus,
// where a subscriber picks them up.
func API(s *sst.Stack) any {
	notes := sst.Use[*sst.Table](s, Storage)
	bus := sst.NewEventBus(s, "Bus", sst.EventBusProps{})
	bus.Subscribe("note.created", sst.FunctionProps{
		Handler: "packages/functions/events/created",
		Bind:    []sst.Bindable{notes},
	})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Defaults: sst.ApiDefaults{
			Function: sst.FunctionProps{Bind: []sst.Bindable{notes, bus}},
		},
		Routes: map[string]sst.ApiRoute{
			"GET /notes":  {Handler: "packages/functions/list"},
			"POST /notes": {Handler: "packages/functions/create"},
		},
	})
	s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
	return api
}
