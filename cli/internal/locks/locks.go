// Package locks finds the Terraform state lock of a stack for `sst unlock
// --stage`: it reads the stack's backend block from its cdk.tf.json and
// looks where that backend keeps its lock — a local .lock.info file, a
// DynamoDB item, or an S3 .tflock object — without running terraform.
package locks

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Info is terraform's lock record, the same JSON for every backend.
type Info struct {
	ID        string
	Operation string
	Who       string
	Version   string
	Created   string
	Path      string
}

// Lock is a held or left-behind state lock of one stack.
type Lock struct {
	Stack string
	Where string // the lock's location, for people
	Info  Info
	// PID is set for a local lock some process still holds: terraform
	// locks local state with fcntl, and only that process can release it.
	PID int
	// File is a local .lock.info whose terraform died: the kernel already
	// dropped the lock itself, the record is all that is left.
	File string
}

// Releasable says whether force-unlocking can help: not for a local lock
// a live process holds.
func (l *Lock) Releasable() bool { return l.PID == 0 }

// Describe is one line for the confirmation prompt.
func (l *Lock) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s: locked", l.Stack)
	if l.Info.Who != "" {
		b.WriteString(" by " + l.Info.Who)
	}
	var info []string
	if op := strings.TrimPrefix(l.Info.Operation, "OperationType"); op != "" {
		info = append(info, "running "+strings.ToLower(op))
	}
	if l.Info.Created != "" {
		info = append(info, "since "+l.Info.Created)
	}
	if l.Info.ID != "" {
		info = append(info, "lock ID "+l.Info.ID)
	}
	if l.PID != 0 {
		info = append(info, fmt.Sprintf("held by running process %d", l.PID))
	}
	if len(info) > 0 {
		b.WriteString(" (" + strings.Join(info, ", ") + ")")
	}
	b.WriteString(" in " + l.Where)
	return b.String()
}

// Stack says where a stack's synthesized JSON is and which workspace (stage)
// to look at.
type Stack struct {
	Name      string
	Dir       string // holds cdk.tf.json; relative backend paths resolve from it
	Workspace string
}

// Find returns the lock of st, or nil when its state is not locked. cfg is
// the AWS configuration for S3 backends (the backend block's own region and
// endpoints take precedence).
func Find(ctx context.Context, cfg aws.Config, st Stack) (*Lock, error) {
	b, err := os.ReadFile(filepath.Join(st.Dir, "cdk.tf.json"))
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w (run `sst synth` first)", st.Name, err)
	}
	var doc struct {
		Terraform struct {
			Backend map[string]json.RawMessage `json:"backend"`
		} `json:"terraform"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("stack %s: cdk.tf.json: %w", st.Name, err)
	}
	if len(doc.Terraform.Backend) == 0 {
		// Terraform's default: a local terraform.tfstate beside the JSON.
		return findLocal(st, localConfig{})
	}
	for kind, raw := range doc.Terraform.Backend {
		switch kind {
		case "local":
			var c localConfig
			if err := json.Unmarshal(raw, &c); err != nil {
				return nil, fmt.Errorf("stack %s: local backend: %w", st.Name, err)
			}
			return findLocal(st, c)
		case "s3":
			var c s3Config
			if err := json.Unmarshal(raw, &c); err != nil {
				return nil, fmt.Errorf("stack %s: s3 backend: %w", st.Name, err)
			}
			return findS3(ctx, cfg, st, c)
		default:
			return nil, fmt.Errorf("stack %s: the %s backend keeps its own locks; release them there (e.g. the HCP Terraform workspace's Unlock button) or with `terraform force-unlock` in %s", st.Name, kind, st.Dir)
		}
	}
	return nil, nil
}

type localConfig struct {
	Path         string `json:"path"`
	WorkspaceDir string `json:"workspace_dir"`
}

func findLocal(st Stack, c localConfig) (*Lock, error) {
	state := filepath.Join(st.Dir, cmp.Or(c.Path, "terraform.tfstate"))
	if st.Workspace != "" && st.Workspace != "default" {
		state = filepath.Join(st.Dir, cmp.Or(c.WorkspaceDir, "terraform.tfstate.d"), st.Workspace, "terraform.tfstate")
	}
	if !filepath.IsAbs(c.Path) && !filepath.IsAbs(c.WorkspaceDir) {
		state = filepath.Clean(state)
	}
	infoFile := filepath.Join(filepath.Dir(state), "."+filepath.Base(state)+".lock.info")
	pid, err := lockHolder(state)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %s: %w", st.Name, state, err)
	}
	l := &Lock{Stack: st.Name, Where: state, PID: pid}
	b, err := os.ReadFile(infoFile)
	switch {
	case err == nil:
		_ = json.Unmarshal(b, &l.Info)
		if pid == 0 {
			l.File = infoFile
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("stack %s: %w", st.Name, err)
	case pid == 0:
		return nil, nil
	}
	return l, nil
}

// RemoveRecord deletes a dead local lock's record.
func (l *Lock) RemoveRecord() error {
	if l.File == "" {
		return nil
	}
	if err := os.Remove(l.File); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

type s3Config struct {
	Bucket             string `json:"bucket"`
	Key                string `json:"key"`
	Region             string `json:"region"`
	DynamoDBTable      string `json:"dynamodb_table"`
	UseLockfile        bool   `json:"use_lockfile"`
	UsePathStyle       bool   `json:"use_path_style"`
	WorkspaceKeyPrefix string `json:"workspace_key_prefix"`
	Endpoints          struct {
		S3       string `json:"s3"`
		DynamoDB string `json:"dynamodb"`
	} `json:"endpoints"`
}

// stateKey is where terraform keeps a workspace's state: env:/<ws>/<key>.
func (c s3Config) stateKey(workspace string) string {
	if workspace == "" || workspace == "default" {
		return c.Key
	}
	return cmp.Or(c.WorkspaceKeyPrefix, "env:") + "/" + workspace + "/" + c.Key
}

func findS3(ctx context.Context, cfg aws.Config, st Stack, c s3Config) (*Lock, error) {
	if c.Region != "" {
		cfg.Region = c.Region
	}
	key := c.stateKey(st.Workspace)
	if c.DynamoDBTable != "" {
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			if c.Endpoints.DynamoDB != "" {
				o.BaseEndpoint = aws.String(c.Endpoints.DynamoDB)
			}
		})
		id := c.Bucket + "/" + key
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(c.DynamoDBTable),
			Key:            map[string]types.AttributeValue{"LockID": &types.AttributeValueMemberS{Value: id}},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("stack %s: read lock %q from DynamoDB table %s: %w", st.Name, id, c.DynamoDBTable, err)
		}
		if v, ok := out.Item["Info"].(*types.AttributeValueMemberS); ok {
			l := &Lock{Stack: st.Name, Where: fmt.Sprintf("DynamoDB table %s (LockID %s)", c.DynamoDBTable, id)}
			_ = json.Unmarshal([]byte(v.Value), &l.Info)
			return l, nil
		}
	}
	if c.UseLockfile {
		s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = c.UsePathStyle
			if c.Endpoints.S3 != "" {
				o.BaseEndpoint = aws.String(c.Endpoints.S3)
			}
		})
		obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(key + ".tflock")})
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("stack %s: read lock file s3://%s/%s.tflock: %w", st.Name, c.Bucket, key, err)
		}
		defer obj.Body.Close()
		b, err := io.ReadAll(obj.Body)
		if err != nil {
			return nil, fmt.Errorf("stack %s: read lock file: %w", st.Name, err)
		}
		l := &Lock{Stack: st.Name, Where: fmt.Sprintf("S3 lock file s3://%s/%s.tflock", c.Bucket, key)}
		_ = json.Unmarshal(b, &l.Info)
		return l, nil
	}
	return nil, nil
}
