package sst

import (
	"fmt"
	"reflect"
)

// Destination receives the record of an asynchronous invocation
// (FunctionProps.OnFailure, OnSuccess): a *Queue, *Topic, *EventBus or
// *Function, as SST v2's destinations were.
type Destination interface {
	destination() destinationTarget
}

// destinationTarget is where Lambda sends a record and the action its
// role needs for it.
type destinationTarget struct {
	arn     string
	actions []string
}

func (q *Queue) destination() destinationTarget {
	return destinationTarget{q.Arn(), []string{"sqs:SendMessage"}}
}

func (t *Topic) destination() destinationTarget {
	return destinationTarget{t.Arn(), []string{"sns:Publish"}}
}

func (b *EventBus) destination() destinationTarget {
	return destinationTarget{b.Arn(), []string{"events:PutEvents"}}
}

func (fn *Function) destination() destinationTarget {
	return destinationTarget{fn.Arn(), []string{"lambda:InvokeFunction"}}
}

// checkDestination is what is wrong with a destination, "" when nothing
// is (nil means none).
func checkDestination(s *Stack, d Destination) string {
	if d == nil {
		return ""
	}
	if v := reflect.ValueOf(d); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Sprintf("is a nil %s: %s", v.Type(), notBuilt(s, v.Type().String()))
	}
	if d.destination().arn == "" {
		return "is a construct that failed to build (see its error)"
	}
	return ""
}
