// Command jsii is a test app with no handlers to bundle, so that starting
// it measures the jsii kernel alone: a table, a queue and a topic.
package main

import sst "github.com/sst-tf/sst/constructs"

// Data declares the stack.
func Data(s *sst.Stack) any {
	t := sst.NewTable(s, "Items", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
	q := sst.NewQueue(s, "Jobs", sst.QueueProps{})
	tp := sst.NewTopic(s, "Events", sst.TopicProps{
		Subscribers: map[string]sst.TopicSubscriber{"jobs": {Queue: q}},
	})
	s.AddOutputs(map[string]any{"Table": t.TableName(), "Topic": tp.Arn()})
	return nil
}

func main() { sst.Run(sst.Config{Name: "jsii"}, Data) }
