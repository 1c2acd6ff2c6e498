// Package job starts and runs Jobs (sst.NewJob): work that may outlast
// Lambda's 15 minutes, run on CodeBuild.
//
// A function bound to a Job starts it with Run:
//
//	buildID, err := job.Run(ctx, "Report", map[string]any{"month": "2026-11"})
//
// Deployed, Run starts a build of the Job's CodeBuild project
// (SST_Job_projectName_<id>) with the payload, JSON-encoded, in
// SST_PAYLOAD. Under `sst dev` (SST_DEV=true) it invokes the Job's invoker
// function (SST_Job_functionName_<id>) asynchronously instead, which the
// dev server's Lambda API answers by running the handler on this machine —
// the same path SST v2's Node client (sst/node/job) takes deployed and
// locally.
//
// A Go Job's handler is a main package that calls Start:
//
//	func main() {
//		job.Start(func(ctx context.Context, p struct{ Month string }) error {
//			return report(ctx, p.Month)
//		})
//	}
//
// It lives apart from package runtime so that handlers which do not start
// jobs do not link the AWS SDK's CodeBuild and Lambda clients.
package job

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sst-tf/sst/runtime"
)

// PayloadEnv carries a run's payload, JSON-encoded, into the job.
const PayloadEnv = "SST_PAYLOAD"

// LocalRun is the id Run returns for a run `sst dev` started locally.
const LocalRun = "local"

// Run starts one run of the bound Job id with payload (encoded as JSON)
// and returns the CodeBuild build id, or LocalRun under `sst dev`. The AWS
// configuration comes from the environment, as in any handler.
func Run(ctx context.Context, id string, payload any) (string, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("job %s: payload: %w", id, err)
	}
	dev := os.Getenv("SST_DEV") == "true"
	prop := "projectName"
	if dev {
		prop = "functionName"
	}
	name, err := runtime.GetContext(ctx, "Job", prop, id)
	if err != nil {
		return "", err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("job %s: AWS configuration: %w", id, err)
	}
	if dev {
		_, err = awslambda.NewFromConfig(cfg).Invoke(ctx, &awslambda.InvokeInput{
			FunctionName: aws.String(name), InvocationType: lambdatypes.InvocationTypeEvent, Payload: body,
		})
		if err != nil {
			return "", fmt.Errorf("job %s: start it under sst dev: %w", id, err)
		}
		return LocalRun, nil
	}
	return startBuild(ctx, cfg, name, body)
}

// StartBuild starts a run of a Job's CodeBuild project with payload: what
// Run does deployed, for callers that hold the project's name and their
// own AWS configuration (scripts, tests).
func StartBuild(ctx context.Context, cfg aws.Config, project string, payload any) (string, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("job project %s: payload: %w", project, err)
	}
	return startBuild(ctx, cfg, project, body)
}

func startBuild(ctx context.Context, cfg aws.Config, project string, body []byte) (string, error) {
	out, err := codebuild.NewFromConfig(cfg).StartBuild(ctx, &codebuild.StartBuildInput{
		ProjectName: aws.String(project),
		EnvironmentVariablesOverride: []cbtypes.EnvironmentVariable{
			{Name: aws.String(PayloadEnv), Value: aws.String(string(body)), Type: cbtypes.EnvironmentVariableTypePlaintext},
		},
	})
	if err != nil {
		return "", fmt.Errorf("job project %s: start build: %w", project, err)
	}
	return aws.ToString(out.Build.Id), nil
}

// Start runs a Go Job's handler: once with SST_PAYLOAD in CodeBuild, or as
// a Lambda handler where the Lambda Runtime API is (`sst dev` runs jobs in
// its local Lambda runtime). A failed run exits with status 1, which fails
// the build.
func Start[T any](handler func(ctx context.Context, payload T) error) {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(func(ctx context.Context, p T) error { return handler(ctx, p) })
		return
	}
	if err := RunOnce(context.Background(), os.Getenv(PayloadEnv), handler); err != nil {
		fmt.Fprintln(os.Stderr, "job failed:", err)
		os.Exit(1)
	}
}

// RunOnce decodes raw (SST_PAYLOAD; empty means null) and runs handler on it.
func RunOnce[T any](ctx context.Context, raw string, handler func(ctx context.Context, payload T) error) error {
	var p T
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return fmt.Errorf("%s: %w", PayloadEnv, err)
		}
	}
	return handler(ctx, p)
}
