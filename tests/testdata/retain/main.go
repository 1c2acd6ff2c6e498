// Command retain is a test app whose data store outlives its stage.
package main

import sst "github.com/sst-tf/sst/constructs"

// Data holds one retained table and one that is destroyed with the stage.
func Data(s *sst.Stack) any {
	sst.NewTable(s, "Kept", sst.TableProps{
		Fields:       map[string]string{"id": "string"},
		PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
	})
	sst.NewTable(s, "Scratch", sst.TableProps{
		Fields:        map[string]string{"id": "string"},
		PrimaryIndex:  sst.TableIndex{PartitionKey: "id"},
		RemovalPolicy: sst.RemovalDestroy,
	})
	return nil
}

func main() {
	sst.Run(sst.Config{Name: "retain", Defaults: sst.Defaults{RemovalPolicy: sst.RemovalRetain}}, Data)
}
