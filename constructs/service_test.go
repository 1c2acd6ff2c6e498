package sst

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/image"
	"github.com/sst-tf/sst/manifest"
)

// TestServiceSynth: a Go service built without Docker behind a load
// balancer on a custom domain, scaling, bound to a table, and a worker
// without a load balancer in an existing VPC; a function bound to the
// first gets its URL.
func TestServiceSynth(t *testing.T) {
	opts := testOptions(t)
	var web, worker *ContainerService
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		tb := notesTable(s)
		web = NewService(s, "Web", ServiceProps{
			Path:         "services/web",
			CPU:          "1 vCPU",
			Memory:       "2 GB",
			Storage:      "30 GB",
			Port:         8080,
			Scaling:      ServiceScaling{MinContainers: 2, MaxContainers: 6, CPUUtilization: 50, RequestsPerContainer: 800},
			Environment:  map[string]string{"LOG_LEVEL": "debug"},
			Bind:         []Bindable{tb},
			CustomDomain: &CustomDomain{DomainName: "web.example.com"},
		})
		web.AttachPermissions(Allow([]string{"ses:SendEmail"}, "*"))
		worker = NewService(s, "Worker", ServiceProps{
			Path:           "services/web",
			Go:             &ServiceGo{Tags: []string{"worker"}},
			Architecture:   ArchX86_64,
			NoLoadBalancer: true,
			VPC:            &ServiceVPC{ID: "vpc-1", PublicSubnetIDs: []string{"subnet-a"}, PrivateSubnetIDs: []string{"subnet-p1", "subnet-p2"}},
		})
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{web}})
		return nil
	})...)

	repo := s.resource(t, "First", "aws_ecr_repository", "Web_repository")
	if repo["name"] != "test-app-web" || repo["force_delete"] != true {
		t.Errorf("repository %v", repo)
	}
	td := s.resource(t, "First", "aws_ecs_task_definition", "Web_task")
	if td["cpu"] != "1024" || td["memory"] != "2048" || td["network_mode"] != "awsvpc" || td["family"] != "test-app-Web" ||
		!reflect.DeepEqual(td["requires_compatibilities"], []any{"FARGATE"}) ||
		at(td, "runtime_platform", "cpu_architecture") != "ARM64" || at(td, "ephemeral_storage", "size_in_gib") != float64(30) ||
		td["task_role_arn"] != "${aws_iam_role.Web_task_role.arn}" || td["execution_role_arn"] != "${aws_iam_role.Web_execution_role.arn}" {
		t.Errorf("task definition %v", td)
	}
	var defs []struct {
		Name, Image      string
		Essential        bool
		PortMappings     []struct{ ContainerPort int }
		Environment      []struct{ Name, Value string }
		LogConfiguration struct {
			LogDriver string
			Options   map[string]string
		}
	}
	if err := json.Unmarshal([]byte(td["container_definitions"].(string)), &defs); err != nil || len(defs) != 1 {
		t.Fatalf("container_definitions %v: %v", td["container_definitions"], err)
	}
	c := defs[0]
	mc := manifestConstruct(t, s.m, "Web")
	if c.Image != "${aws_ecr_repository.Web_repository.repository_url}@"+mc.Data[manifest.ServiceDigest] || !strings.Contains(c.Image, "@sha256:") {
		t.Errorf("image %q, manifest digest %q", c.Image, mc.Data[manifest.ServiceDigest])
	}
	env := map[string]string{}
	for _, e := range c.Environment {
		env[e.Name] = e.Value
	}
	for k, v := range map[string]string{"PORT": "8080", "LOG_LEVEL": "debug", "SST_APP": "app", "SST_STAGE": "test",
		"SST_SSM_PREFIX": "/sst/app/test/", "SST_Table_tableName_Notes": "test-app-Notes"} {
		if env[k] != v {
			t.Errorf("container env %s = %q, want %q (all: %v)", k, env[k], v, env)
		}
	}
	if c.Name != "app" || !c.Essential || len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != 8080 ||
		c.LogConfiguration.LogDriver != "awslogs" || c.LogConfiguration.Options["awslogs-group"] != "${aws_cloudwatch_log_group.Web_logs.name}" {
		t.Errorf("container %+v", c)
	}
	// The task role: the binding's and the attached permissions, nothing
	// more; the execution role: this repository and log group.
	p := s.policy(t, "First", "Web_task")
	if got := p.grants("dynamodb:PutItem"); !slices.Contains(got, "${aws_dynamodb_table.Notes.arn}") {
		t.Errorf("task role dynamodb:PutItem on %v", got)
	}
	if got := p.grants("ses:SendEmail"); !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("task role ses:SendEmail on %v", got)
	}
	ep := s.policy(t, "First", "Web_execution")
	if got := ep.grants("ecr:BatchGetImage"); !reflect.DeepEqual(got, []string{"${aws_ecr_repository.Web_repository.arn}"}) {
		t.Errorf("execution role pulls %v", got)
	}
	if got := ep.grants("logs:PutLogEvents"); !reflect.DeepEqual(got, []string{"${aws_cloudwatch_log_group.Web_logs.arn}:*"}) {
		t.Errorf("execution role logs to %v", got)
	}
	wantContains(t, jsonString(t, s.resource(t, "First", "aws_iam_role", "Web_task_role")), `ecs-tasks.amazonaws.com`)

	svc := s.resource(t, "First", "aws_ecs_service", "Web_service")
	if svc["launch_type"] != "FARGATE" || svc["desired_count"] != float64(2) ||
		!reflect.DeepEqual(at(svc, "lifecycle", "ignore_changes"), []any{"desired_count"}) ||
		at(svc, "network_configuration", "assign_public_ip") != true ||
		at(svc, "load_balancer", 0, "container_port") != float64(8080) ||
		at(svc, "load_balancer", 0, "target_group_arn") != "${aws_lb_target_group.Web_targets.arn}" ||
		!reflect.DeepEqual(svc["depends_on"], []any{"aws_lb_listener.Web_https"}) {
		t.Errorf("service %v", svc)
	}
	wantContains(t, jsonString(t, at(svc, "network_configuration")), `"${aws_subnet.Web_public_1.id}"`, `"${aws_subnet.Web_public_2.id}"`, `"${aws_security_group.Web_task_sg.id}"`)
	lbr := s.resource(t, "First", "aws_lb", "Web_lb")
	if lbr["name"] != "test-app-Web" || lbr["load_balancer_type"] != "application" {
		t.Errorf("lb %v", lbr)
	}
	tg := s.resource(t, "First", "aws_lb_target_group", "Web_targets")
	if tg["port"] != float64(8080) || tg["target_type"] != "ip" || at(tg, "health_check", "path") != "/" {
		t.Errorf("target group %v", tg)
	}
	http := s.resource(t, "First", "aws_lb_listener", "Web_http")
	if at(http, "default_action", 0, "type") != "redirect" || at(http, "default_action", 0, "redirect", "protocol") != "HTTPS" {
		t.Errorf("http listener %v", http)
	}
	https := s.resource(t, "First", "aws_lb_listener", "Web_https")
	if https["port"] != float64(443) || https["certificate_arn"] != "${aws_acm_certificate_validation.Web_certificate_validation.certificate_arn}" {
		t.Errorf("https listener %v", https)
	}
	rec := s.resource(t, "First", "aws_route53_record", "Web_domain_record")
	if rec["name"] != "web.example.com" || at(rec, "alias", "name") != "${aws_lb.Web_lb.dns_name}" {
		t.Errorf("record %v", rec)
	}
	// Tasks accept only the load balancer, on the container port.
	tsg := s.resource(t, "First", "aws_security_group", "Web_task_sg")
	if at(tsg, "ingress", 0, "from_port") != float64(8080) || !reflect.DeepEqual(at(tsg, "ingress", 0, "security_groups"), []any{"${aws_security_group.Web_lb_sg.id}"}) {
		t.Errorf("task security group %v", tsg)
	}
	st := s.resource(t, "First", "aws_appautoscaling_target", "Web_scaling")
	if st["min_capacity"] != float64(2) || st["max_capacity"] != float64(6) || st["resource_id"] != "service/${aws_ecs_cluster.Web_cluster.name}/${aws_ecs_service.Web_service.name}" {
		t.Errorf("scaling target %v", st)
	}
	for id, want := range map[string][]any{
		"Web_scaling_cpu":      {"ECSServiceAverageCPUUtilization", float64(50)},
		"Web_scaling_memory":   {"ECSServiceAverageMemoryUtilization", float64(70)},
		"Web_scaling_requests": {"ALBRequestCountPerTarget", float64(800)},
	} {
		pol := s.resource(t, "First", "aws_appautoscaling_policy", id)
		cfg := at(pol, "target_tracking_scaling_policy_configuration")
		if at(cfg, "predefined_metric_specification", "predefined_metric_type") != want[0] || at(cfg, "target_value") != want[1] {
			t.Errorf("%s: %v", id, pol)
		}
	}
	if got := at(s.resource(t, "First", "aws_appautoscaling_policy", "Web_scaling_requests"), "target_tracking_scaling_policy_configuration", "predefined_metric_specification", "resource_label"); got != "${aws_lb.Web_lb.arn_suffix}/${aws_lb_target_group.Web_targets.arn_suffix}" {
		t.Errorf("requests label %v", got)
	}

	// The worker: no load balancer, no scaling, its tasks in the private
	// subnets given, x86_64.
	wsvc := s.resource(t, "First", "aws_ecs_service", "Worker_service")
	if wsvc["load_balancer"] != nil || wsvc["lifecycle"] != nil || at(wsvc, "network_configuration", "assign_public_ip") != false ||
		!reflect.DeepEqual(at(wsvc, "network_configuration", "subnets"), []any{"subnet-p1", "subnet-p2"}) {
		t.Errorf("worker service %v", wsvc)
	}
	if at(s.resource(t, "First", "aws_ecs_task_definition", "Worker_task"), "runtime_platform", "cpu_architecture") != "X86_64" {
		t.Error("worker is not x86_64")
	}
	for _, typ := range []string{"aws_lb", "aws_vpc", "aws_appautoscaling_target", "aws_iam_role_policy"} {
		for id := range s.resources("First", typ) {
			if strings.HasPrefix(id, "Worker_") && id != "Worker_execution_policy" {
				t.Errorf("worker has %s.%s", typ, id)
			}
		}
	}
	if tsg := s.resource(t, "First", "aws_security_group", "Worker_task_sg"); tsg["ingress"] != nil && len(tsg["ingress"].([]any)) != 0 {
		t.Errorf("worker accepts traffic: %v", tsg["ingress"])
	}
	if worker.URL() != "" || len(worker.Binding().Variables) != 0 {
		t.Errorf("worker URL %q", worker.URL())
	}

	// The url binding, SST v2's SST_Service_url_<id>.
	if got := s.env(t, "First", "Fn")["SST_Service_url_Web"]; got != "https://web.example.com" {
		t.Errorf("SST_Service_url_Web = %v", got)
	}
	out := at(s.stack(t, "First"), "output", "Web_image_repository", "value")
	if out != "${aws_ecr_repository.Web_repository.repository_url}" {
		t.Errorf("repository output %v", out)
	}

	// The image the task definition names, as an OCI layout the CLI
	// pushes: the Go binary for the service's arch on the base.
	if mc.Data[manifest.ServiceRepository] != "@output:First/Web_image_repository" || mc.Data[manifest.ServiceURL] != "@output:First/Web_url" ||
		!slices.Equal(mc.Binds, []string{"Notes"}) {
		t.Errorf("manifest %+v", mc)
	}
	dir := filepath.Join(opts.OutDir, "stacks", "First", filepath.FromSlash(mc.Data[manifest.ServiceImage]))
	img, err := image.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := img.Digest(); d.String() != mc.Data[manifest.ServiceDigest] {
		t.Errorf("layout digest %s", d)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Architecture != "arm64" || !slices.Equal(cfg.Config.Entrypoint, []string{"/app/web"}) {
		t.Errorf("image config %+v", cfg)
	}
	wc, err := image.Read(filepath.Join(opts.OutDir, "stacks", "First", filepath.FromSlash(manifestConstruct(t, s.m, "Worker").Data[manifest.ServiceImage])))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := image.Platform(wc); p.Architecture != "amd64" {
		t.Errorf("worker image %v", p)
	}
}

func manifestConstruct(t *testing.T, m *manifest.Manifest, id string) manifest.Construct {
	t.Helper()
	for _, st := range m.Stacks {
		for _, c := range st.Constructs {
			if c.ID == id {
				return c
			}
		}
	}
	t.Fatalf("no construct %s in the manifest", id)
	return manifest.Construct{}
}

func TestServiceErrors(t *testing.T) {
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewService(s, "A", ServiceProps{Path: "services/web", CPU: "3 vCPU"})
		NewService(s, "B", ServiceProps{Path: "services/web", CPU: "0.25 vCPU", Memory: "4 GB"})
		NewService(s, "C", ServiceProps{Path: "services/web", CPU: "1 vCPU", Memory: "1.5 GB"})
		NewService(s, "D", ServiceProps{Path: "services/web", Memory: "512 MB", Storage: "10 GB", Port: 70000})
		NewService(s, "E", ServiceProps{Path: "services/web", Scaling: ServiceScaling{MinContainers: 3, MaxContainers: 2, CPUUtilization: 120}})
		NewService(s, "F", ServiceProps{Path: "services/web", NoLoadBalancer: true, CustomDomain: &CustomDomain{DomainName: "x.example.com"}})
		NewService(s, "G", ServiceProps{Path: "nowhere"})
		NewService(s, "H", ServiceProps{Path: "migrations"})
		NewService(s, "I", ServiceProps{Path: "services/web", BuildArgs: map[string]string{"A": "1"}, Architecture: "sparc", HealthCheckPath: "health"})
		NewService(s, "J", ServiceProps{Path: "services/web", VPC: &ServiceVPC{ID: "vpc-1", PublicSubnetIDs: []string{"subnet-a"}}})
		var tb *Table
		NewService(s, "K", ServiceProps{Path: "services/web", Bind: []Bindable{tb}, Environment: map[string]string{"A=B": "x"}})
		return nil
	})...)
	wantContains(t, msg,
		`stack First: service "A": CPU "3 vCPU": Fargate runs "0.25 vCPU", "0.5 vCPU", "1 vCPU", "2 vCPU", "4 vCPU", "8 vCPU" or "16 vCPU"`,
		`service "B": Memory "4 GB" with CPU "0.25 vCPU": Fargate runs 0.25 vCPU with "0.5 GB", "1 GB", "2 GB"`,
		`service "C": Memory "1.5 GB" with CPU "1 vCPU": Fargate runs 1 vCPU with "2 GB" to "8 GB" in steps of 1 GB`,
		`service "D": Memory "512 MB": write it as SST v2 did, e.g. "0.5 GB" or "2 GB"`,
		`service "D": Storage "10 GB": Fargate gives tasks "20 GB" to "200 GB" of ephemeral storage`,
		`service "D": Port 70000: must be 1–65535`,
		`service "E": Scaling: MinContainers 3 and MaxContainers 2: want 0 < MinContainers ≤ MaxContainers`,
		`service "E": Scaling.CPUUtilization 120: a percentage, 1–100`,
		`service "F": CustomDomain needs the load balancer: drop NoLoadBalancer or CustomDomain`,
		`service "G": Path "nowhere": no such directory in the project`,
		`service "H": Path "migrations" holds neither Dockerfile nor a Go main package`,
		`service "I": BuildArgs are Dockerfile --build-arg values`,
		`service "I": Architecture "sparc": use sst.ArchArm64`,
		`service "I": HealthCheckPath "health": must start with /`,
		`service "J": VPC.PublicSubnetIDs: an Application Load Balancer needs subnets in at least two Availability Zones, got 1`,
		`service "K": Bind[0] is a nil *sst.Table`,
		`service "K": Environment: "A=B" is not a variable name`,
	)
}

// TestServiceDockerfileWithoutDocker: a Dockerfile needs docker; on a
// machine without it the synth fails naming the prop and the way out.
func TestServiceDockerfileWithoutDocker(t *testing.T) {
	var dirs []string
	for _, tool := range []string{"go", "node"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s is not on PATH", tool)
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "docker")); err == nil {
			t.Skip("docker lives beside go or node here")
		}
	}
	t.Setenv("PATH", strings.Join(dirs, string(os.PathListSeparator)))
	msg := synthErr(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewService(s, "Site", ServiceProps{Path: "services/docker"})
		return nil
	})...)
	wantContains(t, msg, `stack First: service "Site": Path "services/docker" holds Dockerfile, which needs docker on PATH to build, and there is none on this machine: install Docker (with buildx), or for a Go service set Go: &sst.ServiceGo{} to build it without Docker`)
}

// TestServiceGoPathMistakes: the project root's package (the app itself)
// is refused unless Go asks for it, a library package is not a service,
// and a compile error shows the compiler's message.
func TestServiceGoPathMistakes(t *testing.T) {
	proj := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(proj, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proj, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module proj\n\ngo 1.22\n")
	write("main.go", "package main\n\nfunc main() {}\n")
	write("lib/lib.go", "package lib\n")
	write("broken/main.go", "package main\n\nfunc main() { undefined() }\n")
	opts := testOptions(t)
	opts.ProjectDir = proj
	msg := synthErr(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		NewService(s, "Root", ServiceProps{})
		return nil
	})...)
	wantContains(t, msg, `service "Root": Path "." holds no Dockerfile, and its Go package is this app's own (the project root): point Path at the service's directory, or set Go: &sst.ServiceGo{} to build the root package anyway`)
	msg = synthErr(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		NewService(s, "Lib", ServiceProps{Path: "lib"})
		NewService(s, "Broken", ServiceProps{Path: "broken", NoLoadBalancer: true})
		return nil
	})...)
	wantContains(t, msg,
		`service "Lib": Path "lib" is not a main package: a Go service is a main package whose main serves HTTP on $PORT`,
		`service "Broken": Path "broken": go build ./broken`, `undefined: undefined`)
}
