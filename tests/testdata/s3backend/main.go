// Command s3backend is a test app that keeps its state in S3 with a
// DynamoDB lock table, across two stacks that share a value.
package main

import (
	"os"

	sst "github.com/sst-tf/sst/constructs"
)

// Data holds the table the other stack's function is bound to.
func Data(s *sst.Stack) any {
	return sst.NewTable(s, "Items", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
}

// Compute reads the table; its policy needs the table's ARN from Data's state.
func Compute(s *sst.Stack) any {
	items := sst.Use[*sst.Table](s, Data)
	fn := sst.NewFunction(s, "Reader", sst.FunctionProps{
		Handler: "functions/reader/index.handler",
		Bind:    []sst.Bindable{items},
	})
	s.AddOutputs(map[string]any{"ReaderName": fn.FunctionName()})
	return fn
}

func main() {
	sst.Run(sst.Config{
		Name: "s3state",
		Backend: sst.S3Backend{
			Bucket:        os.Getenv("STATE_BUCKET"),
			DynamoDBTable: os.Getenv("LOCK_TABLE"),
		},
	}, Data, Compute)
}
