package tests

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sst-tf/sst/manifest"
)

// startRegistry serves the OCI distribution protocol on loopback
// (go-containerregistry's in-memory registry) for the service images
// sst deploy pushes: moto's ECR answers the control plane only, and its
// repository URLs name AWS's registry. Its host:port is the deploy's
// SST_IMAGE_REGISTRY.
func startRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u.Host
}

// checkService reads the events app's Service back: the image pushed to
// the registry by the digest its task definition names, the ECS cluster,
// service and task definition, the load balancer, and the task role's
// grant from its binding.
func checkService(t *testing.T, cfg aws.Config, dir, stage, prefix, regHost string, outputs map[string]string) {
	t.Helper()
	ctx := context.Background()
	m, err := manifest.Read(filepath.Join(dir, ".sst", "out", stage))
	if err != nil {
		t.Fatal(err)
	}
	var digest string
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			if c.ID == "Web" {
				digest = c.Data[manifest.ServiceDigest]
			}
		}
	}
	if !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("manifest has no Web image digest (%q)", digest)
	}
	repoName := strings.ToLower(prefix + "web")
	repos, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repoName}})
	if err != nil || len(repos.Repositories) != 1 {
		t.Fatalf("ECR repository %s: %v", repoName, err)
	}
	repoURI := aws.ToString(repos.Repositories[0].RepositoryUri)

	// The image, in the registry under the repository's path.
	ref, err := name.NewDigest(regHost+"/"+repoName+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("pushed image %s: %v", ref, err)
	}
	ic, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if ic.Architecture != "arm64" || !slices.Equal(ic.Config.Entrypoint, []string{"/app/web"}) || ic.Config.User != "65532:65532" {
		t.Errorf("pushed image config %+v", ic)
	}
	if tag, err := remote.Image(mustTag(t, regHost+"/"+repoName+":latest")); err != nil {
		t.Errorf("latest tag: %v", err)
	} else if d, _ := tag.Digest(); d.String() != digest {
		t.Errorf("latest is %s, want %s", d, digest)
	}

	svcName := prefix + "Web"
	e := ecs.NewFromConfig(cfg)
	svcs, err := e.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(svcName), Services: []string{svcName}})
	if err != nil || len(svcs.Services) != 1 {
		t.Fatalf("ECS service %s: %v %+v", svcName, err, svcs)
	}
	s := svcs.Services[0]
	if s.LaunchType != "FARGATE" || s.DesiredCount != 1 || len(s.LoadBalancers) != 1 || aws.ToInt32(s.LoadBalancers[0].ContainerPort) != 8080 ||
		s.NetworkConfiguration == nil || s.NetworkConfiguration.AwsvpcConfiguration == nil ||
		len(s.NetworkConfiguration.AwsvpcConfiguration.Subnets) != 2 || s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp != "ENABLED" {
		t.Errorf("ECS service %+v", s)
	}
	td, err := e.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: s.TaskDefinition})
	if err != nil {
		t.Fatal(err)
	}
	d := td.TaskDefinition
	if aws.ToString(d.Cpu) != "256" || aws.ToString(d.Memory) != "512" || d.NetworkMode != "awsvpc" || len(d.ContainerDefinitions) != 1 {
		t.Fatalf("task definition %+v", d)
	}
	c := d.ContainerDefinitions[0]
	if aws.ToString(c.Image) != repoURI+"@"+digest {
		t.Errorf("container image %s, want %s@%s", aws.ToString(c.Image), repoURI, digest)
	}
	env := map[string]string{}
	for _, kv := range c.Environment {
		env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	if env["PORT"] != "8080" || env["SST_STAGE"] != stage || !strings.HasSuffix(env["SST_Queue_queueUrl_Inbox"], "/"+prefix+"Inbox") {
		t.Errorf("container environment %v", env)
	}
	roleName := strings.TrimPrefix(aws.ToString(d.TaskRoleArn), "arn:aws:iam::123456789012:role/")
	pol, err := iam.NewFromConfig(cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("sst-service")})
	if err != nil {
		t.Fatalf("task role %s policy: %v", roleName, err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument)); !strings.Contains(doc, "sqs:SendMessage") || !strings.Contains(doc, ":"+prefix+"Inbox") {
		t.Errorf("task role policy %s", doc)
	}

	lbs, err := elb.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{prefix + "Web"}})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("load balancer: %v", err)
	}
	lb := lbs.LoadBalancers[0]
	if outputs["WebUrl"] != "http://"+aws.ToString(lb.DNSName) {
		t.Errorf("WebUrl %q, load balancer %s", outputs["WebUrl"], aws.ToString(lb.DNSName))
	}
	ls, err := elb.NewFromConfig(cfg).DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil || len(ls.Listeners) != 1 || aws.ToInt32(ls.Listeners[0].Port) != 80 || len(ls.Listeners[0].DefaultActions) != 1 ||
		aws.ToString(ls.Listeners[0].DefaultActions[0].TargetGroupArn) != aws.ToString(s.LoadBalancers[0].TargetGroupArn) {
		t.Errorf("listeners %+v %v", ls, err)
	}
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(prefix + "Chat_sendMessage")})
	if err != nil {
		t.Fatal(err)
	}
	if got := fn.Configuration.Environment.Variables["SST_Service_url_Web"]; got != outputs["WebUrl"] {
		t.Errorf("SST_Service_url_Web = %q, want %q", got, outputs["WebUrl"])
	}
}

func mustTag(t *testing.T, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

// serviceInventory lists the service resources left with the prefix:
// repositories, clusters, load balancers and target groups.
func serviceInventory(t *testing.T, cfg aws.Config, prefix string, add func(kind, name string)) {
	t.Helper()
	ctx := context.Background()
	repos, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range repos.Repositories {
		add("ecr repository", aws.ToString(r.RepositoryName))
	}
	clusters, err := ecs.NewFromConfig(cfg).DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{prefix + "Web"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters.Clusters {
		if aws.ToString(c.Status) != "INACTIVE" {
			add("ecs cluster", aws.ToString(c.ClusterName))
		}
	}
	lbs, err := elb.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lbs.LoadBalancers {
		add("load balancer", aws.ToString(l.LoadBalancerName))
	}
	tgs, err := elb.NewFromConfig(cfg).DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range tgs.TargetGroups {
		add("target group", aws.ToString(g.TargetGroupName))
	}
}
