package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sst-tf/sst/manifest"
)

// maxItems bounds one page of items or objects.
const maxItems = 100

type tablesView struct {
	Tables   []manifest.Construct
	Selected *manifest.Construct
	Name     string
	Keys     []string // partition key, then sort key
	PK       string
	Columns  []string
	Rows     [][]string
	More     bool
}

// tablesPage scans a Table, or queries it by a partition key value.
func (s *Server) tablesPage(w http.ResponseWriter, r *http.Request) {
	v := tablesView{Tables: s.constructs("Table"), PK: r.URL.Query().Get("pk")}
	id := r.URL.Query().Get("table")
	if id == "" {
		s.render(w, "tables", "Tables", v, nil)
		return
	}
	c, ok := find(v.Tables, id)
	if !ok {
		s.render(w, "tables", "Tables", v, fmt.Errorf("no Table %q in stage %s", id, s.cur().m.Stage))
		return
	}
	v.Selected, v.Name = &c, c.Data[manifest.TableName]
	err := s.readTable(r.Context(), &v)
	s.render(w, "tables", "Tables", v, err)
}

func (s *Server) readTable(ctx context.Context, v *tablesView) error {
	client := dynamodb.NewFromConfig(s.cfg.AWS)
	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(v.Name)})
	if err != nil {
		return fmt.Errorf("describe table %s: %w", v.Name, err)
	}
	types := map[string]ddbtypes.ScalarAttributeType{}
	for _, a := range desc.Table.AttributeDefinitions {
		types[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	for _, k := range desc.Table.KeySchema {
		if k.KeyType == ddbtypes.KeyTypeHash {
			v.Keys = append([]string{aws.ToString(k.AttributeName)}, v.Keys...)
		} else {
			v.Keys = append(v.Keys, aws.ToString(k.AttributeName))
		}
	}
	var items []map[string]ddbtypes.AttributeValue
	var last map[string]ddbtypes.AttributeValue
	if v.PK != "" && len(v.Keys) > 0 {
		pk := v.Keys[0]
		var val ddbtypes.AttributeValue = &ddbtypes.AttributeValueMemberS{Value: v.PK}
		if types[pk] == ddbtypes.ScalarAttributeTypeN {
			if _, err := strconv.ParseFloat(v.PK, 64); err != nil {
				return fmt.Errorf("partition key %s is a number: %q is not one", pk, v.PK)
			}
			val = &ddbtypes.AttributeValueMemberN{Value: v.PK}
		}
		out, err := client.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(v.Name), KeyConditionExpression: aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": pk},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": val},
			Limit:                     aws.Int32(maxItems),
		})
		if err != nil {
			return fmt.Errorf("query table %s: %w", v.Name, err)
		}
		items, last = out.Items, out.LastEvaluatedKey
	} else {
		out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(v.Name), Limit: aws.Int32(maxItems)})
		if err != nil {
			return fmt.Errorf("scan table %s: %w", v.Name, err)
		}
		items, last = out.Items, out.LastEvaluatedKey
	}
	v.More = len(last) > 0
	// Columns: the keys, then every other attribute any item has.
	seen := map[string]bool{}
	v.Columns = append(v.Columns, v.Keys...)
	for _, k := range v.Keys {
		seen[k] = true
	}
	var rest []string
	for _, it := range items {
		for k := range it {
			if !seen[k] {
				seen[k] = true
				rest = append(rest, k)
			}
		}
	}
	sort.Strings(rest)
	v.Columns = append(v.Columns, rest...)
	for _, it := range items {
		row := make([]string, len(v.Columns))
		for i, col := range v.Columns {
			if a, ok := it[col]; ok {
				row[i] = attrText(a)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return nil
}

// attrText shows an attribute value: scalars as themselves, the rest as JSON.
func attrText(a ddbtypes.AttributeValue) string {
	switch a := a.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return a.Value
	case *ddbtypes.AttributeValueMemberN:
		return a.Value
	case *ddbtypes.AttributeValueMemberBOOL:
		return strconv.FormatBool(a.Value)
	case *ddbtypes.AttributeValueMemberNULL:
		return "null"
	case *ddbtypes.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(a.Value)
	}
	b, _ := json.Marshal(attrPlain(a))
	return string(b)
}

func attrPlain(a ddbtypes.AttributeValue) any {
	switch a := a.(type) {
	case *ddbtypes.AttributeValueMemberM:
		m := map[string]any{}
		for k, x := range a.Value {
			m[k] = attrPlain(x)
		}
		return m
	case *ddbtypes.AttributeValueMemberL:
		l := make([]any, len(a.Value))
		for i, x := range a.Value {
			l[i] = attrPlain(x)
		}
		return l
	case *ddbtypes.AttributeValueMemberSS:
		return a.Value
	case *ddbtypes.AttributeValueMemberNS:
		return a.Value
	case *ddbtypes.AttributeValueMemberBS:
		return a.Value
	case *ddbtypes.AttributeValueMemberBOOL:
		return a.Value
	case *ddbtypes.AttributeValueMemberNULL:
		return nil
	}
	return attrText(a)
}

type object struct {
	Key      string
	Size     int64
	Modified string
}

type bucketsView struct {
	Buckets  []manifest.Construct
	Selected *manifest.Construct
	Name     string
	Prefix   string
	Objects  []object
	More     bool
}

// bucketsPage lists a Bucket's objects under a prefix.
func (s *Server) bucketsPage(w http.ResponseWriter, r *http.Request) {
	v := bucketsView{Buckets: s.constructs("Bucket"), Prefix: r.URL.Query().Get("prefix")}
	id := r.URL.Query().Get("bucket")
	if id == "" {
		s.render(w, "buckets", "Buckets", v, nil)
		return
	}
	c, ok := find(v.Buckets, id)
	if !ok {
		s.render(w, "buckets", "Buckets", v, fmt.Errorf("no Bucket %q in stage %s", id, s.cur().m.Stage))
		return
	}
	v.Selected, v.Name = &c, c.Data[manifest.BucketName]
	out, err := s3.NewFromConfig(s.cfg.AWS, pathStyle).ListObjectsV2(r.Context(), &s3.ListObjectsV2Input{
		Bucket: aws.String(v.Name), Prefix: aws.String(v.Prefix), MaxKeys: aws.Int32(maxItems),
	})
	if err != nil {
		s.render(w, "buckets", "Buckets", v, fmt.Errorf("list bucket %s: %w", v.Name, err))
		return
	}
	v.More = aws.ToBool(out.IsTruncated)
	for _, o := range out.Contents {
		v.Objects = append(v.Objects, object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified).Local().Format(time.DateTime)})
	}
	s.render(w, "buckets", "Buckets", v, nil)
}

// download sends one object as an attachment.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	c, ok := find(s.constructs("Bucket"), r.URL.Query().Get("bucket"))
	if !ok {
		http.Error(w, "no such bucket", http.StatusNotFound)
		return
	}
	key := r.URL.Query().Get("key")
	bucket := c.Data[manifest.BucketName]
	out, err := s3.NewFromConfig(s.cfg.AWS, pathStyle).GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var missing *s3types.NoSuchKey
	switch {
	case errors.As(err, &missing):
		http.Error(w, fmt.Sprintf("no object %q in bucket %s: it was deleted or renamed since the list was shown; list the bucket again", key, bucket), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, fmt.Sprintf("download %q: %v", key, err), http.StatusBadGateway)
		return
	}
	defer out.Body.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	// FormatMediaType quotes the name, or encodes it as RFC 2231 when it is
	// not plain ASCII, so any key gives a header browsers read back.
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)}))
	_, _ = io.Copy(w, out.Body)
}

// pathStyle addresses buckets by path when an endpoint is set: emulators
// have no per-bucket host names.
func pathStyle(o *s3.Options) {
	if o.BaseEndpoint != nil {
		o.UsePathStyle = true
	}
}

func find(cs []manifest.Construct, id string) (manifest.Construct, bool) {
	for _, c := range cs {
		if c.ID == id {
			return c, true
		}
	}
	return manifest.Construct{}, false
}
