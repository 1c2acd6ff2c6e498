package sst

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsavailabilityzones"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrrepository"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecsservice"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecstaskdefinition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/internetgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lb"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lbtargetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/internal/image"
	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/manifest"
)

// ServiceProps configure a container service (SST v2's Service): an image
// built from Path, run on ECS Fargate behind an Application Load Balancer.
type ServiceProps struct {
	// Path is the directory holding the Dockerfile, relative to the
	// project (default "."). Without a Dockerfile there, or with Go set, it
	// is a Go main package built into an image without Docker.
	Path string
	// File is the Dockerfile's name inside Path (default "Dockerfile").
	File string
	// BuildArgs are the Dockerfile's --build-arg values.
	BuildArgs map[string]string
	// Go builds Path as a Go main package (cross-compiled, CGO off) on a
	// distroless-style base, without Docker, even when Path also holds a
	// Dockerfile.
	Go *ServiceGo
	// Architecture of the image and of the Fargate tasks: ArchArm64
	// (default) or ArchX86_64.
	Architecture Architecture
	// CPU and Memory as SST v2 spelled them: "0.25 vCPU" … "16 vCPU",
	// "0.5 GB" … "120 GB"; the pair must be one Fargate offers. Default
	// "0.25 vCPU" and "0.5 GB".
	CPU, Memory string
	// Storage is the tasks' ephemeral storage, "20 GB" (default) to
	// "200 GB".
	Storage string
	// Port the container listens on (default 3000); the load balancer
	// forwards to it and it is passed as PORT.
	Port int
	// HealthCheckPath is what the load balancer asks for to tell a task
	// is healthy (default "/"; any 200–399 answer).
	HealthCheckPath string
	// Scaling bounds the number of tasks and the targets that move it.
	Scaling ServiceScaling
	// Environment of the container, beside SST's own and the bindings'.
	Environment map[string]string
	// Bind gives the container the constructs' values (SST_* variables)
	// and its task role their permissions.
	Bind []Bindable
	// Permissions are granted to the task role.
	Permissions []Permission
	// CustomDomain serves the service on a domain of a Route53 zone over
	// HTTPS (HTTP redirects to it).
	CustomDomain *CustomDomain
	// NoLoadBalancer runs the tasks with no load balancer in front (a
	// worker): no URL, no inbound traffic.
	NoLoadBalancer bool
	// VPC places the service in an existing network; default a VPC of its
	// own with two public subnets (no NAT gateway to pay for: tasks get
	// public IPs and accept traffic only from the load balancer).
	VPC *ServiceVPC
	// LogRetention of the container's log group (default: never expire).
	LogRetention time.Duration
}

// ServiceGo builds a Go service without Docker: the binary, built for
// linux and the service's architecture with CGO off, is the image's
// entrypoint on a base holding the machine's CA certificates and a
// nonroot user.
type ServiceGo struct {
	Tags    []string // go build -tags
	LDFlags []string // linker flags added to -s -w
}

// ServiceScaling is SST v2's scaling: task counts and the average
// utilization (or requests per task) Application Auto Scaling tracks.
type ServiceScaling struct {
	MinContainers int // default 1
	MaxContainers int // default MinContainers (no scaling)
	// CPUUtilization and MemoryUtilization are percentages (default 70);
	// RequestsPerContainer is per minute (default 500, with a load
	// balancer). They apply only when MaxContainers > MinContainers.
	CPUUtilization, MemoryUtilization, RequestsPerContainer int
}

// ServiceVPC is an existing network: the load balancer goes into
// PublicSubnetIDs, the tasks into PrivateSubnetIDs when given (they then
// need a NAT gateway or VPC endpoints to pull their image), else into the
// public ones with public IPs.
type ServiceVPC struct {
	ID               string
	PublicSubnetIDs  []string
	PrivateSubnetIDs []string
}

// ContainerService is a container service on ECS Fargate, made by
// NewService (SST v2's Service; the name Service is the permission
// shorthand sst.Service("s3")).
type ContainerService struct {
	stack *Stack
	sid   string
	name  string
	props ServiceProps
	dir   string // Path, absolute
	build struct {
		goReq  *build.Request // set for Go services
		docker bool
	}
	image  *image.Result
	cpu    int // Fargate units
	memory int // MiB
	url    string

	Cdk struct {
		Repository     ecrrepository.EcrRepository
		Cluster        ecscluster.EcsCluster
		TaskDefinition ecstaskdefinition.EcsTaskDefinition
		Service        ecsservice.EcsService
		TaskRole       iamrole.IamRole
		ExecutionRole  iamrole.IamRole
		LogGroup       cloudwatchloggroup.CloudwatchLogGroup
		LoadBalancer   lb.Lb
		TargetGroup    lbtargetgroup.LbTargetGroup
		ScalingTarget  appautoscalingtarget.AppautoscalingTarget
	}
}

// Fargate's CPU units and, for each, the memory sizes (MiB) it runs with.
var fargateMemory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

func steps(from, to, by int) []int {
	var out []int
	for v := from; v <= to; v += by {
		out = append(out, v)
	}
	return out
}

// parseUnit reads SST v2's "0.25 vCPU" / "2 GB": a number and the unit.
func parseUnit(v, unit string, scale float64) (int, bool) {
	num, ok := strings.CutSuffix(strings.TrimSpace(v), " "+unit)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f <= 0 {
		return 0, false
	}
	n := f * scale
	if n != float64(int(n)) {
		return 0, false
	}
	return int(n), true
}

// memoryChoices spells the memory sizes a CPU size runs with for errors.
func memoryChoices(cpu int) string {
	ms := fargateMemory[cpu]
	gb := func(m int) string { return strconv.FormatFloat(float64(m)/1024, 'f', -1, 64) + " GB" }
	if len(ms) <= 3 {
		var out []string
		for _, m := range ms {
			out = append(out, strconv.Quote(gb(m)))
		}
		return strings.Join(out, ", ")
	}
	return fmt.Sprintf("%q to %q in steps of %s", gb(ms[0]), gb(ms[len(ms)-1]), gb(ms[1]-ms[0]))
}

// NewService declares a container service: its image built from Path and
// pushed to an ECR repository of its own after the deploy (the task
// definition names the image by digest), tasks on ECS Fargate, and
// unless NoLoadBalancer an Application Load Balancer in front.
func NewService(s *Stack, id string, props ServiceProps) *ContainerService {
	svc := &ContainerService{stack: s, sid: id, props: props}
	if !s.app.claimID(s, id, "Service") {
		return svc
	}
	a := s.app
	svc.name = naming.ECS(s.Stage(), a.cfg.Name, id)
	if !svc.validate() {
		return svc
	}
	s.add(svc)
	p := svc.props
	if svc.build.goReq != nil {
		// Compile while the stacks declare the rest; finalize joins it.
		a.startBuild(*svc.build.goReq)
	}

	svc.Cdk.Repository = ecrrepository.NewEcrRepository(s.tf, jsii.String(id+"_repository"), &ecrrepository.EcrRepositoryConfig{
		Name: jsii.String(a.names.Claim(naming.KindECRRepository, naming.ECRRepository(s.Stage(), a.cfg.Name, id), a.owner(id))),
		// Images are rebuilt from the code; a repository left behind by
		// removing the stage would only cost storage.
		ForceDelete: jsii.Bool(true),
	})
	svc.Cdk.Cluster = ecscluster.NewEcsCluster(s.tf, jsii.String(id+"_cluster"), &ecscluster.EcsClusterConfig{
		Name: jsii.String(a.names.Claim(naming.KindECSCluster, svc.name, a.owner(id))),
	})
	svc.Cdk.LogGroup = cloudwatchloggroup.NewCloudwatchLogGroup(s.tf, jsii.String(id+"_logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(a.names.Claim(naming.KindLogGroup, "/sst/service/"+svc.name, a.owner(id))),
		RetentionInDays: jsii.Number(float64(p.LogRetention / Day)),
	})
	svc.Cdk.ExecutionRole = iamrole.NewIamRole(s.tf, jsii.String(id+"_execution_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(id), id+"-exec")),
		AssumeRolePolicy: jsii.String(assumeRolePolicy("ecs-tasks.amazonaws.com")),
	})
	// What ECS needs to start a task: pull this repository's image, write
	// this log group. Nothing else.
	iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(id+"_execution_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("sst-service-execution"),
		Role: svc.Cdk.ExecutionRole.Name(),
		Policy: jsii.String(policyDocument([]Statement{
			Allow([]string{"ecr:GetAuthorizationToken"}, "*"),
			Allow([]string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}, *svc.Cdk.Repository.Arn()),
			Allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, *svc.Cdk.LogGroup.Arn()+":*"),
		})),
	})
	svc.Cdk.TaskRole = iamrole.NewIamRole(s.tf, jsii.String(id+"_task_role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(a.names.IAMRole(a.owner(id), id)),
		AssumeRolePolicy: jsii.String(assumeRolePolicy("ecs-tasks.amazonaws.com")),
	})
	td := &ecstaskdefinition.EcsTaskDefinitionConfig{
		Family:                  jsii.String(svc.name),
		RequiresCompatibilities: jsii.Strings("FARGATE"),
		NetworkMode:             jsii.String("awsvpc"),
		Cpu:                     jsii.String(strconv.Itoa(svc.cpu)),
		Memory:                  jsii.String(strconv.Itoa(svc.memory)),
		ExecutionRoleArn:        svc.Cdk.ExecutionRole.Arn(),
		TaskRoleArn:             svc.Cdk.TaskRole.Arn(),
		RuntimePlatform: &ecstaskdefinition.EcsTaskDefinitionRuntimePlatform{
			CpuArchitecture:       jsii.String(map[Architecture]string{ArchArm64: "ARM64", ArchX86_64: "X86_64"}[p.Architecture]),
			OperatingSystemFamily: jsii.String("LINUX"),
		},
		// The image and environment are known once the app is declared
		// and the image built (finalize).
		ContainerDefinitions: jsii.String("[]"),
	}
	if gb, _ := parseUnit(p.Storage, "GB", 1); gb > 20 {
		td.EphemeralStorage = &ecstaskdefinition.EcsTaskDefinitionEphemeralStorage{SizeInGib: jsii.Number(float64(gb))}
	}
	svc.Cdk.TaskDefinition = ecstaskdefinition.NewEcsTaskDefinition(s.tf, jsii.String(id+"_task"), td)

	net := svc.network()
	sc := &ecsservice.EcsServiceConfig{
		Name:           jsii.String(svc.name),
		Cluster:        svc.Cdk.Cluster.Arn(),
		TaskDefinition: svc.Cdk.TaskDefinition.Arn(),
		DesiredCount:   jsii.Number(float64(p.Scaling.MinContainers)),
		LaunchType:     jsii.String("FARGATE"),
		NetworkConfiguration: &ecsservice.EcsServiceNetworkConfiguration{
			Subnets:        jsii.Strings(net.taskSubnets...),
			SecurityGroups: jsii.Strings(*net.taskSG.Id()),
			AssignPublicIp: jsii.Bool(net.publicIP),
		},
		// A deployment whose tasks keep failing rolls back to the last
		// one that ran instead of retrying for ever.
		DeploymentCircuitBreaker: &ecsservice.EcsServiceDeploymentCircuitBreaker{Enable: jsii.Bool(true), Rollback: jsii.Bool(true)},
	}
	if !p.NoLoadBalancer {
		listener := svc.loadBalancer(net)
		sc.LoadBalancer = &[]*ecsservice.EcsServiceLoadBalancer{{
			TargetGroupArn: svc.Cdk.TargetGroup.Arn(),
			ContainerName:  jsii.String(containerName),
			ContainerPort:  jsii.Number(float64(p.Port)),
		}}
		// The target group must belong to a load balancer (through a
		// listener) before a service can register in it.
		sc.DependsOn = &[]cdktf.ITerraformDependable{listener}
		sc.HealthCheckGracePeriodSeconds = jsii.Number(60)
	}
	scaling := p.Scaling.MaxContainers > p.Scaling.MinContainers
	if scaling {
		// Auto Scaling owns the count once it runs; a deploy must not set
		// it back to MinContainers.
		sc.Lifecycle = &cdktf.TerraformResourceLifecycle{IgnoreChanges: jsii.Strings("desired_count")}
	}
	svc.Cdk.Service = ecsservice.NewEcsService(s.tf, jsii.String(id+"_service"), sc)
	if scaling {
		svc.autoscaling()
	}
	s.AddOutput(id+"_image_repository", *svc.Cdk.Repository.RepositoryUrl(), OutputOptions{Description: id + " image repository", internal: true})
	if svc.url != "" {
		s.AddOutput(id+"_url", svc.url, OutputOptions{Description: id + " URL", internal: true})
	}
	return svc
}

// containerName is the one container of a service's task.
const containerName = "app"

// validate checks props and fills in defaults; false stops the service
// (the errors are recorded).
func (svc *ContainerService) validate() bool {
	s, p := svc.stack, &svc.props
	a := s.app
	where := fmt.Sprintf("stack %s: service %q", s.name, svc.sid)
	ok := true
	fail := func(format string, args ...any) {
		a.errorf(where+": "+format, args...)
		ok = false
	}
	if p.Path == "" {
		p.Path = "."
	}
	if p.File == "" {
		p.File = "Dockerfile"
	}
	svc.dir = p.Path
	if !filepath.IsAbs(svc.dir) {
		svc.dir = filepath.Join(a.opts.ProjectDir, p.Path)
	}
	if fi, err := os.Stat(svc.dir); err != nil || !fi.IsDir() {
		fail("Path %q: no such directory in the project (%s): point it at the directory holding the Dockerfile or the Go main package", p.Path, svc.dir)
	} else {
		_, dockerErr := os.Stat(filepath.Join(svc.dir, p.File))
		switch {
		case p.Go == nil && dockerErr != nil && hasGoFiles(svc.dir) && filepath.Clean(svc.dir) == filepath.Clean(a.opts.ProjectDir):
			// The project root's Go package is the infrastructure app
			// itself: building it into the service is never what was meant.
			fail("Path %q holds no %s, and its Go package is this app's own (the project root): point Path at the service's directory, or set Go: &sst.ServiceGo{} to build the root package anyway", p.Path, p.File)
		case p.Go != nil || (dockerErr != nil && hasGoFiles(svc.dir)):
			if len(p.BuildArgs) > 0 {
				fail("BuildArgs are Dockerfile --build-arg values; a Go service built without Docker takes Go.Tags and Go.LDFlags")
			}
			g := p.Go
			if g == nil {
				g = &ServiceGo{}
			}
			rel, _ := filepath.Rel(a.opts.ProjectDir, svc.dir)
			r := build.RequestFor(a.opts.ProjectDir, a.opts.ArtifactDir, manifest.Function{
				ID: svc.sid, Handler: filepath.ToSlash(rel), Arch: string(p.Architecture),
				Build: &manifest.FunctionBuild{Runtime: string(RuntimeGo), Tags: g.Tags, LDFlags: g.LDFlags},
			})
			svc.build.goReq = &r
		case dockerErr == nil:
			svc.build.docker = true
		default:
			fail("Path %q holds neither %s nor a Go main package: add a Dockerfile (or set File to its name), or point Path at a Go main package", p.Path, p.File)
		}
	}
	if p.Architecture == "" {
		p.Architecture = ArchArm64
	}
	if p.Architecture == archArm64V2 {
		p.Architecture = ArchArm64
	}
	if !p.Architecture.valid() {
		fail("Architecture %q: use sst.ArchArm64 (%q, SST v2's %q) or sst.ArchX86_64 (%q)", p.Architecture, ArchArm64, archArm64V2, ArchX86_64)
	}
	if p.CPU == "" {
		p.CPU = "0.25 vCPU"
	}
	if p.Memory == "" {
		p.Memory = "0.5 GB"
	}
	cpu, cpuOK := parseUnit(p.CPU, "vCPU", 1024)
	if _, valid := fargateMemory[cpu]; !cpuOK || !valid {
		fail("CPU %q: Fargate runs \"0.25 vCPU\", \"0.5 vCPU\", \"1 vCPU\", \"2 vCPU\", \"4 vCPU\", \"8 vCPU\" or \"16 vCPU\"", p.CPU)
	} else if mem, memOK := parseUnit(p.Memory, "GB", 1024); !memOK {
		fail("Memory %q: write it as SST v2 did, e.g. \"0.5 GB\" or \"2 GB\"", p.Memory)
	} else if !slices.Contains(fargateMemory[cpu], mem) {
		fail("Memory %q with CPU %q: Fargate runs %s with %s", p.Memory, p.CPU, p.CPU, memoryChoices(cpu))
	} else {
		svc.cpu, svc.memory = cpu, mem
	}
	if p.Storage != "" {
		if gb, sok := parseUnit(p.Storage, "GB", 1); !sok || gb < 20 || gb > 200 {
			fail("Storage %q: Fargate gives tasks \"20 GB\" to \"200 GB\" of ephemeral storage", p.Storage)
		}
	}
	if p.Port == 0 {
		p.Port = 3000
	}
	if p.Port < 1 || p.Port > 65535 {
		fail("Port %d: must be 1–65535", p.Port)
	}
	if p.HealthCheckPath == "" {
		p.HealthCheckPath = "/"
	}
	if !strings.HasPrefix(p.HealthCheckPath, "/") {
		fail("HealthCheckPath %q: must start with /", p.HealthCheckPath)
	}
	sp := &p.Scaling
	if sp.MinContainers == 0 {
		sp.MinContainers = 1
	}
	if sp.MaxContainers == 0 {
		sp.MaxContainers = sp.MinContainers
	}
	if sp.MinContainers < 0 || sp.MaxContainers < sp.MinContainers {
		fail("Scaling: MinContainers %d and MaxContainers %d: want 0 < MinContainers ≤ MaxContainers", sp.MinContainers, sp.MaxContainers)
	}
	for name, v := range map[string]*int{"CPUUtilization": &sp.CPUUtilization, "MemoryUtilization": &sp.MemoryUtilization} {
		if *v == 0 {
			*v = 70
		}
		if *v < 1 || *v > 100 {
			fail("Scaling.%s %d: a percentage, 1–100", name, *v)
		}
	}
	if sp.RequestsPerContainer == 0 {
		sp.RequestsPerContainer = 500
	}
	if sp.RequestsPerContainer < 0 {
		fail("Scaling.RequestsPerContainer %d: must be positive", sp.RequestsPerContainer)
	}
	if p.NoLoadBalancer && p.CustomDomain != nil {
		fail("CustomDomain needs the load balancer: drop NoLoadBalancer or CustomDomain")
	}
	if v := p.VPC; v != nil && (v.ID == "" || len(v.PublicSubnetIDs) == 0) {
		fail("VPC: ID and PublicSubnetIDs are required (an ALB needs subnets in at least two Availability Zones)")
	} else if v != nil && !p.NoLoadBalancer && len(v.PublicSubnetIDs) < 2 {
		fail("VPC.PublicSubnetIDs: an Application Load Balancer needs subnets in at least two Availability Zones, got %d", len(v.PublicSubnetIDs))
	}
	if _, err := checkRetention("LogRetention", p.LogRetention); err != nil {
		fail("%v", err)
	}
	for k := range p.Environment {
		if k == "" || strings.ContainsAny(k, "= ") {
			fail("Environment: %q is not a variable name", k)
		}
	}
	for i, b := range p.Bind {
		if problem := checkBindable(s, b); problem != "" {
			fail("Bind[%d] %s", i, problem)
		}
	}
	if !checkPermissions(s, where+": Permissions", p.Permissions) {
		ok = false
	}
	return ok
}

// hasGoFiles is whether dir holds a .go file (tests aside).
func hasGoFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

// serviceNetwork is where the tasks and the load balancer run.
type serviceNetwork struct {
	vpcID         string
	publicSubnets []string
	taskSubnets   []string
	publicIP      bool
	lbSG, taskSG  securitygroup.SecurityGroup
}

// network builds (or adopts) the VPC and the two security groups: the
// load balancer's open to the web on 80/443, the tasks' open only to the
// load balancer on the container port.
func (svc *ContainerService) network() *serviceNetwork {
	s, id, p := svc.stack, svc.sid, svc.props
	n := &serviceNetwork{}
	if v := p.VPC; v != nil {
		n.vpcID, n.publicSubnets = v.ID, v.PublicSubnetIDs
		n.taskSubnets, n.publicIP = v.PrivateSubnetIDs, false
		if len(n.taskSubnets) == 0 {
			n.taskSubnets, n.publicIP = v.PublicSubnetIDs, true
		}
	} else {
		azs := dataawsavailabilityzones.NewDataAwsAvailabilityZones(s.tf, jsii.String(id+"_azs"), &dataawsavailabilityzones.DataAwsAvailabilityZonesConfig{State: jsii.String("available")})
		v := vpc.NewVpc(s.tf, jsii.String(id+"_vpc"), &vpc.VpcConfig{
			CidrBlock:          jsii.String("10.0.0.0/16"),
			EnableDnsHostnames: jsii.Bool(true),
			EnableDnsSupport:   jsii.Bool(true),
			Tags:               &map[string]*string{"Name": jsii.String(svc.name)},
		})
		igw := internetgateway.NewInternetGateway(s.tf, jsii.String(id+"_igw"), &internetgateway.InternetGatewayConfig{VpcId: v.Id()})
		rt := routetable.NewRouteTable(s.tf, jsii.String(id+"_routes"), &routetable.RouteTableConfig{
			VpcId: v.Id(),
			Route: &[]*routetable.RouteTableRoute{{CidrBlock: jsii.String("0.0.0.0/0"), GatewayId: igw.Id()}},
		})
		for i := range 2 {
			sn := subnet.NewSubnet(s.tf, jsii.String(fmt.Sprintf("%s_public_%d", id, i+1)), &subnet.SubnetConfig{
				VpcId:               v.Id(),
				CidrBlock:           jsii.String(fmt.Sprintf("10.0.%d.0/24", i)),
				AvailabilityZone:    cdktf.Token_AsString(cdktf.Fn_Element(azs.Names(), jsii.Number(float64(i))), nil),
				MapPublicIpOnLaunch: jsii.Bool(false),
			})
			routetableassociation.NewRouteTableAssociation(s.tf, jsii.String(fmt.Sprintf("%s_public_%d_routes", id, i+1)), &routetableassociation.RouteTableAssociationConfig{
				SubnetId: sn.Id(), RouteTableId: rt.Id(),
			})
			n.publicSubnets = append(n.publicSubnets, *sn.Id())
		}
		n.vpcID, n.taskSubnets, n.publicIP = *v.Id(), n.publicSubnets, true
	}
	egress := &[]*securitygroup.SecurityGroupEgress{{
		FromPort: jsii.Number(0), ToPort: jsii.Number(0), Protocol: jsii.String("-1"),
		CidrBlocks: jsii.Strings("0.0.0.0/0"), Ipv6CidrBlocks: jsii.Strings("::/0"),
	}}
	var ingress []*securitygroup.SecurityGroupIngress
	if !p.NoLoadBalancer {
		ports := []int{80}
		if p.CustomDomain != nil {
			ports = append(ports, 443)
		}
		var lbIn []*securitygroup.SecurityGroupIngress
		for _, port := range ports {
			lbIn = append(lbIn, &securitygroup.SecurityGroupIngress{
				FromPort: jsii.Number(float64(port)), ToPort: jsii.Number(float64(port)), Protocol: jsii.String("tcp"),
				CidrBlocks: jsii.Strings("0.0.0.0/0"), Ipv6CidrBlocks: jsii.Strings("::/0"),
			})
		}
		n.lbSG = securitygroup.NewSecurityGroup(s.tf, jsii.String(id+"_lb_sg"), &securitygroup.SecurityGroupConfig{
			Name: jsii.String(svc.name + "-lb"), Description: jsii.String("sst service " + svc.sid + ": load balancer"),
			VpcId: jsii.String(n.vpcID), Ingress: &lbIn, Egress: egress,
		})
		ingress = append(ingress, &securitygroup.SecurityGroupIngress{
			FromPort: jsii.Number(float64(p.Port)), ToPort: jsii.Number(float64(p.Port)), Protocol: jsii.String("tcp"),
			SecurityGroups: jsii.Strings(*n.lbSG.Id()),
		})
	}
	n.taskSG = securitygroup.NewSecurityGroup(s.tf, jsii.String(id+"_task_sg"), &securitygroup.SecurityGroupConfig{
		Name: jsii.String(svc.name + "-task"), Description: jsii.String("sst service " + svc.sid + ": tasks"),
		VpcId: jsii.String(n.vpcID), Ingress: &ingress, Egress: egress,
	})
	return n
}

// loadBalancer builds the ALB, its target group and listeners, the custom
// domain when set, and the URL; it returns the listener that forwards.
func (svc *ContainerService) loadBalancer(n *serviceNetwork) lblistener.LbListener {
	s, id, p := svc.stack, svc.sid, svc.props
	a := s.app
	lbName := naming.LoadBalancer(s.Stage(), a.cfg.Name, id)
	svc.Cdk.LoadBalancer = lb.NewLb(s.tf, jsii.String(id+"_lb"), &lb.LbConfig{
		Name:             jsii.String(a.names.Claim(naming.KindLoadBalancer, lbName, a.owner(id))),
		LoadBalancerType: jsii.String("application"),
		Subnets:          jsii.Strings(n.publicSubnets...),
		SecurityGroups:   jsii.Strings(*n.lbSG.Id()),
	})
	svc.Cdk.TargetGroup = lbtargetgroup.NewLbTargetGroup(s.tf, jsii.String(id+"_targets"), &lbtargetgroup.LbTargetGroupConfig{
		Name:       jsii.String(a.names.Claim(naming.KindTargetGroup, lbName, a.owner(id))),
		Port:       jsii.Number(float64(p.Port)),
		Protocol:   jsii.String("HTTP"),
		TargetType: jsii.String("ip"),
		VpcId:      jsii.String(n.vpcID),
		// ECS drains a stopping task; ALB's default 300 s would make every
		// deploy wait five minutes for nothing.
		DeregistrationDelay: jsii.String("30"),
		HealthCheck: &lbtargetgroup.LbTargetGroupHealthCheck{
			Path: jsii.String(p.HealthCheckPath), Matcher: jsii.String("200-399"),
		},
	})
	forward := &[]*lblistener.LbListenerDefaultAction{{Type: jsii.String("forward"), TargetGroupArn: svc.Cdk.TargetGroup.Arn()}}
	if p.CustomDomain == nil {
		svc.url = "http://" + *svc.Cdk.LoadBalancer.DnsName()
		return lblistener.NewLbListener(s.tf, jsii.String(id+"_http"), &lblistener.LbListenerConfig{
			LoadBalancerArn: svc.Cdk.LoadBalancer.Arn(), Port: jsii.Number(80), Protocol: jsii.String("HTTP"), DefaultAction: forward,
		})
	}
	d := newDomain(s, id, *p.CustomDomain)
	if d == nil {
		return nil
	}
	lblistener.NewLbListener(s.tf, jsii.String(id+"_http"), &lblistener.LbListenerConfig{
		LoadBalancerArn: svc.Cdk.LoadBalancer.Arn(), Port: jsii.Number(80), Protocol: jsii.String("HTTP"),
		DefaultAction: &[]*lblistener.LbListenerDefaultAction{{Type: jsii.String("redirect"), Redirect: &lblistener.LbListenerDefaultActionRedirect{
			Port: jsii.String("443"), Protocol: jsii.String("HTTPS"), StatusCode: jsii.String("HTTP_301"),
		}}},
	})
	https := lblistener.NewLbListener(s.tf, jsii.String(id+"_https"), &lblistener.LbListenerConfig{
		LoadBalancerArn: svc.Cdk.LoadBalancer.Arn(), Port: jsii.Number(443), Protocol: jsii.String("HTTPS"),
		SslPolicy: jsii.String("ELBSecurityPolicy-TLS13-1-2-2021-06"), CertificateArn: jsii.String(d.cert), DefaultAction: forward,
	})
	route53record.NewRoute53Record(s.tf, jsii.String(id+"_domain_record"), &route53record.Route53RecordConfig{
		ZoneId: d.zone.ZoneId(),
		Name:   jsii.String(d.name),
		Type:   jsii.String("A"),
		Alias: &route53record.Route53RecordAlias{
			Name: svc.Cdk.LoadBalancer.DnsName(), ZoneId: svc.Cdk.LoadBalancer.ZoneId(), EvaluateTargetHealth: jsii.Bool(true),
		},
	})
	svc.url = "https://" + d.name
	return https
}

// autoscaling tracks CPU, memory and (behind a load balancer) requests per
// task between MinContainers and MaxContainers.
func (svc *ContainerService) autoscaling() {
	s, id, sp := svc.stack, svc.sid, svc.props.Scaling
	t := appautoscalingtarget.NewAppautoscalingTarget(s.tf, jsii.String(id+"_scaling"), &appautoscalingtarget.AppautoscalingTargetConfig{
		ServiceNamespace:  jsii.String("ecs"),
		ResourceId:        jsii.String("service/" + *svc.Cdk.Cluster.Name() + "/" + *svc.Cdk.Service.Name()),
		ScalableDimension: jsii.String("ecs:service:DesiredCount"),
		MinCapacity:       jsii.Number(float64(sp.MinContainers)),
		MaxCapacity:       jsii.Number(float64(sp.MaxContainers)),
	})
	svc.Cdk.ScalingTarget = t
	policy := func(name, metric string, target int, label *string) {
		appautoscalingpolicy.NewAppautoscalingPolicy(s.tf, jsii.String(id+"_scaling_"+name), &appautoscalingpolicy.AppautoscalingPolicyConfig{
			Name:              jsii.String(svc.name + "-" + name),
			PolicyType:        jsii.String("TargetTrackingScaling"),
			ResourceId:        t.ResourceId(),
			ScalableDimension: t.ScalableDimension(),
			ServiceNamespace:  t.ServiceNamespace(),
			TargetTrackingScalingPolicyConfiguration: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration{
				TargetValue: jsii.Number(float64(target)),
				PredefinedMetricSpecification: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification{
					PredefinedMetricType: jsii.String(metric), ResourceLabel: label,
				},
			},
		})
	}
	policy("cpu", "ECSServiceAverageCPUUtilization", sp.CPUUtilization, nil)
	policy("memory", "ECSServiceAverageMemoryUtilization", sp.MemoryUtilization, nil)
	if svc.Cdk.TargetGroup != nil {
		label := *svc.Cdk.LoadBalancer.ArnSuffix() + "/" + *svc.Cdk.TargetGroup.ArnSuffix()
		policy("requests", "ALBRequestCountPerTarget", sp.RequestsPerContainer, &label)
	}
}

// Bind adds bindings after creation.
func (svc *ContainerService) Bind(b ...Bindable) {
	s := svc.stack
	for i, x := range b {
		if problem := checkBindable(s, x); problem != "" {
			s.app.errorf("stack %s: service %q: Bind[%d] %s", s.name, svc.sid, i, problem)
			return
		}
	}
	svc.props.Bind = append(svc.props.Bind, b...)
}

// AttachPermissions grants the task role more after creation.
func (svc *ContainerService) AttachPermissions(p ...Permission) {
	s := svc.stack
	if checkPermissions(s, fmt.Sprintf("stack %s: service %q: AttachPermissions", s.name, svc.sid), p) {
		svc.props.Permissions = append(svc.props.Permissions, p...)
	}
}

// URL is the service's URL: https://<CustomDomain>, else the load
// balancer's http:// address; "" with NoLoadBalancer.
func (svc *ContainerService) URL() string { return svc.url }

// ID is the construct id.
func (svc *ContainerService) ID() string { return svc.sid }

// ServiceName is the ECS service's (and cluster's) name.
func (svc *ContainerService) ServiceName() string { return svc.name }

// Binding gives a function (or another service) the service's URL, as
// SST v2's SST_Service_url_<id>; nothing to grant, the URL is public.
func (svc *ContainerService) Binding() Binding {
	vars := map[string]string{}
	if svc.url != "" {
		vars["url"] = svc.url
	}
	return Binding{Type: manifest.ServiceType, ID: svc.sid, Variables: vars}
}

func (svc *ContainerService) id() string { return svc.sid }

func (svc *ContainerService) describe() manifest.Construct {
	s := svc.stack
	ref := func(out string) string { return manifest.OutputRefPrefix + s.name + "/" + out }
	data := map[string]string{manifest.ServiceRepository: ref(svc.sid + "_image_repository")}
	if svc.url != "" {
		data[manifest.ServiceURL] = ref(svc.sid + "_url")
	}
	if svc.image != nil {
		data[manifest.ServiceImage] = s.rel(svc.image.Dir)
		data[manifest.ServiceDigest] = svc.image.Digest
	}
	return manifest.Construct{ID: svc.sid, Type: manifest.ServiceType, Path: svc.sid, Data: data, Binds: bindIDs(svc.props.Bind)}
}

// environment is the container's environment and the task role's
// statements: its own variables, SST's, PORT, and each binding's.
func (svc *ContainerService) environment() (map[string]string, []Statement) {
	a := svc.stack.app
	env := map[string]string{"PORT": strconv.Itoa(svc.props.Port)}
	for k, v := range svc.props.Environment {
		env[k] = v
	}
	env[binding.EnvApp] = a.cfg.Name
	env[binding.EnvStage] = a.opts.Stage
	env[binding.EnvSSMPrefix] = binding.SSMPrefix(a.cfg.Name, a.opts.Stage)
	perms := statementsOf(svc.props.Permissions)
	return env, bindInto(env, perms, svc.props.Bind)
}

// finalize builds the image and writes what depends on the whole app:
// the container definition (image digest, environment with every
// binding) and the task role's policy.
func (svc *ContainerService) finalize() {
	s := svc.stack
	a := s.app
	where := fmt.Sprintf("stack %s: service %q", s.name, svc.sid)
	img, err := svc.buildImage(context.Background())
	if err != nil {
		a.errorf("%s: %v", where, err)
		return
	}
	svc.image = img
	env, perms := svc.environment()
	type kv struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	var vars []kv
	for _, k := range sortedKeys(env) {
		vars = append(vars, kv{k, env[k]})
	}
	def := []map[string]any{{
		"name":         containerName,
		"image":        *svc.Cdk.Repository.RepositoryUrl() + "@" + img.Digest,
		"essential":    true,
		"portMappings": []map[string]any{{"containerPort": svc.props.Port, "protocol": "tcp"}},
		"environment":  vars,
		"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
			"awslogs-group": *svc.Cdk.LogGroup.Name(), "awslogs-region": a.opts.Region, "awslogs-stream-prefix": svc.sid,
		}},
	}}
	b, err := json.Marshal(def)
	if err != nil {
		a.errorf("%s: container definition: %v", where, err)
		return
	}
	svc.Cdk.TaskDefinition.SetContainerDefinitions(jsii.String(string(b)))
	if len(mergeStatements(perms)) > 0 {
		iamrolepolicy.NewIamRolePolicy(s.tf, jsii.String(svc.sid+"_task_policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String("sst-service"),
			Role:   svc.Cdk.TaskRole.Name(),
			Policy: jsii.String(policyDocument(perms)),
		})
	}
}

// imageDir is where the service's image is written: one OCI layout per
// service and stage, which the CLI pushes after the deploy.
func (svc *ContainerService) imageDir() string {
	return filepath.Join(svc.stack.app.opts.OutDir, "images", svc.sid)
}

// buildImage builds the service's image: a Go binary on the local base,
// or the Dockerfile with docker. What the build read is recorded as an
// input of the synthesis, since the image digest is in the JSON.
func (svc *ContainerService) buildImage(ctx context.Context) (*image.Result, error) {
	a, p := svc.stack.app, svc.props
	if svc.build.docker {
		// A Docker build may read any file of its context; it cannot be
		// listed, so such an app always runs.
		a.read.Add(inputs.Set{Unknown: fmt.Sprintf("service %q builds a Dockerfile, whose inputs are not recorded", svc.sid)})
		var args []string
		for _, k := range sortedKeys(p.BuildArgs) {
			args = append(args, k+"="+p.BuildArgs[k])
		}
		res, err := image.BuildDockerfile(ctx, svc.imageDir(), image.DockerOptions{Context: svc.dir, File: p.File, Arch: string(p.Architecture), BuildArgs: args})
		if errors.Is(err, image.ErrNoDocker) {
			return nil, fmt.Errorf("Path %q holds %s, which needs docker on PATH to build, and there is none on this machine: install Docker (with buildx), or for a Go service set Go: &sst.ServiceGo{} to build it without Docker", p.Path, p.File)
		}
		return res, err
	}
	res, err := a.builds.Build(ctx, *svc.build.goReq)
	if err != nil {
		var be *build.Error
		if errors.As(err, &be) && errors.Is(be.Kind, build.ErrNotMain) {
			return nil, fmt.Errorf("Path %q is not a main package: a Go service is a main package whose main serves HTTP on $PORT", p.Path)
		}
		if errors.As(err, &be) {
			return nil, fmt.Errorf("Path %q: %s%s", p.Path, be.Detail, outputSuffix(be.Output))
		}
		return nil, err
	}
	a.read.Add(res.Read)
	bin, err := readZipEntry(res.ZipPath, "bootstrap")
	if err != nil {
		return nil, err
	}
	ca, err := image.FindCABundle()
	if err != nil {
		return nil, err
	}
	if files, err := inputs.HashFiles([]string{ca}); err == nil {
		a.read.Add(inputs.Set{Files: files})
	}
	return image.BuildGo(svc.imageDir(), image.Options{
		Binary: bin, Name: strings.ToLower(svc.sid), Arch: string(p.Architecture),
		Ports: []int{p.Port}, CABundle: ca,
	})
}

func outputSuffix(out string) string {
	if out == "" {
		return ""
	}
	return "\n" + strings.TrimRight(out, "\n")
}

// readZipEntry is one file of a build artifact: the Go binary the function
// builder compiled and cached.
func readZipEntry(zipPath, name string) ([]byte, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	return nil, fmt.Errorf("%s has no %s", zipPath, name)
}
