package sst

import (
	"reflect"
	"testing"
	"time"
)

func TestTableKeysAndIndexes(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		tb := NewTable(s, "Notes", TableProps{
			Fields: map[string]string{
				"userId": "string", "noteId": "string", "createdAt": "number",
				"status": "string", "blob": "binary", "title": "string", "unindexed": "number",
			},
			PrimaryIndex: TableIndex{PartitionKey: "userId", SortKey: "noteId"},
			GlobalIndexes: map[string]TableGlobalIndex{
				"byStatus":  {PartitionKey: "status", SortKey: "createdAt"},
				"byBlob":    {PartitionKey: "blob", Projection: "keys_only"},
				"withTitle": {PartitionKey: "status", Projection: "include", NonKeyAttributes: []string{"title"}},
			},
			LocalIndexes: map[string]TableLocalIndex{
				"byCreated": {SortKey: "createdAt"},
				"byTitle":   {SortKey: "title", Projection: "include", NonKeyAttributes: []string{"status"}},
			},
			TimeToLiveAttribute: "expiresAt",
			PointInTimeRecovery: true,
		})
		if tb.TableName() != "test-notes-Notes" || tb.ID() != "Notes" {
			t.Errorf("TableName/ID = %s/%s", tb.TableName(), tb.ID())
		}
		return tb
	})...)
	tb := s.resource(t, "First", "aws_dynamodb_table", "Notes")
	want := map[string]any{
		"//":           tb["//"],
		"name":         "test-notes-Notes",
		"billing_mode": "PAY_PER_REQUEST",
		"hash_key":     "userId",
		"range_key":    "noteId",
		// Only fields some index uses, sorted: "unindexed" is left out.
		"attribute": []map[string]string{
			{"name": "blob", "type": "B"},
			{"name": "createdAt", "type": "N"},
			{"name": "noteId", "type": "S"},
			{"name": "status", "type": "S"},
			{"name": "title", "type": "S"},
			{"name": "userId", "type": "S"},
		},
		"global_secondary_index": []map[string]any{
			{"hash_key": "blob", "name": "byBlob", "projection_type": "KEYS_ONLY"},
			{"hash_key": "status", "name": "byStatus", "projection_type": "ALL", "range_key": "createdAt"},
			{"hash_key": "status", "name": "withTitle", "non_key_attributes": []string{"title"}, "projection_type": "INCLUDE"},
		},
		"local_secondary_index": []map[string]any{
			{"name": "byCreated", "projection_type": "ALL", "range_key": "createdAt"},
			{"name": "byTitle", "non_key_attributes": []string{"status"}, "projection_type": "INCLUDE", "range_key": "title"},
		},
		"point_in_time_recovery": map[string]any{"enabled": true},
		"ttl":                    map[string]any{"attribute_name": "expiresAt", "enabled": true},
	}
	wantJSON(t, "table", tb, want)
	if got := s.manifestStack(t, "First").Retained; len(got) != 0 {
		t.Errorf("Retained = %v, want none by default", got)
	}
}

func TestTableMinimal(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		return NewTable(s, "Notes", TableProps{
			Fields:       map[string]string{"pk": "string", "extra": "string"},
			PrimaryIndex: TableIndex{PartitionKey: "pk"},
		})
	})...)
	tb := s.resource(t, "First", "aws_dynamodb_table", "Notes")
	wantJSON(t, "attribute", tb["attribute"], []map[string]string{{"name": "pk", "type": "S"}})
	for _, k := range []string{"range_key", "global_secondary_index", "local_secondary_index", "ttl", "stream_enabled", "stream_view_type"} {
		if v, ok := tb[k]; ok {
			t.Errorf("minimal table has %s = %v", k, v)
		}
	}
	wantJSON(t, "point_in_time_recovery", tb["point_in_time_recovery"], map[string]any{"enabled": false})
	if tb["billing_mode"] != "PAY_PER_REQUEST" {
		t.Errorf("billing_mode = %v", tb["billing_mode"])
	}
}

func TestTableStreams(t *testing.T) {
	views := map[string]string{
		"New": "new_image", "Old": "old_image", "Both": "new_and_old_images", "Keys": "keys_only",
	}
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		for _, id := range sortedKeys(views) {
			NewTable(s, id, TableProps{
				Fields:       map[string]string{"pk": "string"},
				PrimaryIndex: TableIndex{PartitionKey: "pk"},
				Stream:       views[id],
			})
		}
		return nil
	})...)
	for id, view := range map[string]string{"New": "NEW_IMAGE", "Old": "OLD_IMAGE", "Both": "NEW_AND_OLD_IMAGES", "Keys": "KEYS_ONLY"} {
		tb := s.resource(t, "First", "aws_dynamodb_table", id)
		if tb["stream_enabled"] != true || tb["stream_view_type"] != view {
			t.Errorf("%s stream = %v/%v, want true/%s", id, tb["stream_enabled"], tb["stream_view_type"], view)
		}
	}
}

func TestTableConsumers(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewTable(s, "Notes", TableProps{
			Fields:       map[string]string{"pk": "string"},
			PrimaryIndex: TableIndex{PartitionKey: "pk"},
			Consumers: map[string]TableConsumer{
				"indexer": {Function: FunctionProps{Handler: nodeHandler, Timeout: time.Minute}},
				"audit": {
					Function:         FunctionProps{Handler: nodeHandler},
					BatchSize:        10,
					StartingPosition: "TRIM_HORIZON",
					Filters:          []string{`{"eventName":["INSERT"]}`},
				},
			},
		})
		return nil
	})...)
	tb := s.resource(t, "First", "aws_dynamodb_table", "Notes")
	if tb["stream_enabled"] != true || tb["stream_view_type"] != "NEW_AND_OLD_IMAGES" {
		t.Errorf("consumers need a stream; got %v/%v", tb["stream_enabled"], tb["stream_view_type"])
	}
	idx := s.resource(t, "First", "aws_lambda_event_source_mapping", "Notes_consumer_indexer_mapping")
	wantJSON(t, "indexer mapping", idx, map[string]any{
		"//":                idx["//"],
		"batch_size":        100,
		"depends_on":        []string{"aws_iam_role_policy.Notes_consumer_indexer_policy"},
		"event_source_arn":  "${aws_dynamodb_table.Notes.stream_arn}",
		"function_name":     "${aws_lambda_function.Notes_consumer_indexer.arn}",
		"starting_position": "LATEST",
	})
	audit := s.resource(t, "First", "aws_lambda_event_source_mapping", "Notes_consumer_audit_mapping")
	if audit["batch_size"] != 10.0 || audit["starting_position"] != "TRIM_HORIZON" {
		t.Errorf("audit mapping = %v", jsonString(t, audit))
	}
	wantJSON(t, "filter", audit["filter_criteria"], map[string]any{"filter": []map[string]string{{"pattern": `{"eventName":["INSERT"]}`}}})
	if got := s.resource(t, "First", "aws_lambda_function", "Notes_consumer_indexer")["timeout"]; got != 60.0 {
		t.Errorf("consumer timeout = %v", got)
	}
	p := s.policy(t, "First", "Notes_consumer_indexer")
	for _, a := range []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"} {
		if got := p.grants(a); !reflect.DeepEqual(got, []string{"${aws_dynamodb_table.Notes.stream_arn}"}) {
			t.Errorf("%s on %v, want only the stream", a, got)
		}
	}
	if len(p.grants("dynamodb:PutItem")) != 0 {
		t.Error("a consumer gets item access without being bound")
	}
	var owners []string
	for _, f := range s.manifestStack(t, "First").Functions {
		owners = append(owners, f.Construct+"/"+f.ID)
	}
	if !reflect.DeepEqual(owners, []string{"Notes/Notes_consumer_audit", "Notes/Notes_consumer_indexer"}) {
		t.Errorf("manifest functions = %v", owners)
	}
}

func TestTableRetain(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewTable(s, "Keep", TableProps{
			Fields: map[string]string{"pk": "string"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}, RemovalPolicy: RemovalRetain,
		})
		notesTable(s)
		return nil
	})...)
	if got := s.manifestStack(t, "First").Retained; !reflect.DeepEqual(got, []string{"aws_dynamodb_table.Keep"}) {
		t.Errorf("Retained = %v, want [aws_dynamodb_table.Keep]", got)
	}
}
