package sst

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sst-tf/sst/internal/testenv"
	"github.com/sst-tf/sst/manifest"
)

func rdsPostgres(s *Stack) *RDS {
	return NewRDS(s, "Db", RDSProps{Engine: "postgresql15.4", DefaultDatabaseName: "app", Migrations: "migrations"})
}

func TestRDSPostgresDefaults(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		db := rdsPostgres(s)
		if db.ClusterIdentifier() != "test-notes-db" || db.DefaultDatabaseName() != "app" || db.ID() != "Db" {
			t.Errorf("identifier/database/id = %s/%s/%s", db.ClusterIdentifier(), db.DefaultDatabaseName(), db.ID())
		}
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{db}})
		return db
	})...)

	cluster := s.resource(t, "First", "aws_rds_cluster", "Db")
	wantJSON(t, "cluster", cluster, map[string]any{
		"//":                          cluster["//"],
		"apply_immediately":           true,
		"cluster_identifier":          "test-notes-db",
		"copy_tags_to_snapshot":       true,
		"database_name":               "app",
		"db_subnet_group_name":        "${aws_db_subnet_group.Db_subnets.name}",
		"enable_http_endpoint":        true,
		"engine":                      "aurora-postgresql",
		"engine_mode":                 "provisioned",
		"engine_version":              "15.4",
		"manage_master_user_password": true,
		"master_username":             "postgres",
		"serverlessv2_scaling_configuration": map[string]any{
			"max_capacity": 4, "min_capacity": 0.5,
		},
		"skip_final_snapshot":    true,
		"storage_encrypted":      true,
		"vpc_security_group_ids": []string{"${aws_security_group.Db_sg.id}"},
	})
	inst := s.resource(t, "First", "aws_rds_cluster_instance", "Db_instance")
	wantJSON(t, "instance", inst, map[string]any{
		"//":                  inst["//"],
		"apply_immediately":   true,
		"cluster_identifier":  "${aws_rds_cluster.Db.id}",
		"engine":              "${aws_rds_cluster.Db.engine}",
		"engine_version":      "${aws_rds_cluster.Db.engine_version}",
		"identifier":          "test-notes-db-writer",
		"instance_class":      "db.serverless",
		"publicly_accessible": false,
	})

	// Its own network: one VPC, two private subnets in two different
	// zones, and the engine port open to the VPC's range only.
	if n := len(s.resources("First", "aws_vpc")); n != 1 {
		t.Errorf("%d VPCs", n)
	}
	subnets := s.resources("First", "aws_subnet")
	if len(subnets) != 2 {
		t.Fatalf("subnets: %v", keys(subnets))
	}
	zones := map[any]bool{}
	for _, sn := range subnets {
		zones[sn["availability_zone"]] = true
		if sn["vpc_id"] != "${aws_vpc.Db_vpc.id}" || sn["map_public_ip_on_launch"] == true {
			t.Errorf("subnet %v", sn)
		}
	}
	if len(zones) != 2 {
		t.Errorf("subnets share an availability zone: %v", zones)
	}
	wantJSON(t, "subnet group ids", s.resource(t, "First", "aws_db_subnet_group", "Db_subnets")["subnet_ids"],
		[]string{"${aws_subnet.Db_subnet1.id}", "${aws_subnet.Db_subnet2.id}"})
	rule := s.resource(t, "First", "aws_security_group_rule", "Db_ingress")
	wantJSON(t, "ingress", []any{rule["type"], rule["protocol"], rule["from_port"], rule["to_port"], rule["cidr_blocks"], rule["security_group_id"]},
		[]any{"ingress", "tcp", 5432, 5432, []string{"${aws_vpc.Db_vpc.cidr_block}"}, "${aws_security_group.Db_sg.id}"})
	if eg := s.resources("First", "aws_security_group")["Db_sg"]["egress"]; eg != nil {
		t.Errorf("the database security group allows egress: %v", eg)
	}

	// Outputs for the CLI, named like the binding variables.
	outs := asMap(s.stack(t, "First")["output"])
	for name, want := range map[string]string{
		"SST_RDS_clusterArn_Db":          "${aws_rds_cluster.Db.arn}",
		"SST_RDS_secretArn_Db":           "${aws_rds_cluster.Db.master_user_secret[0].secret_arn}",
		"SST_RDS_defaultDatabaseName_Db": "${aws_rds_cluster.Db.database_name}",
	} {
		if got := asMap(outs[name])["value"]; got != want {
			t.Errorf("output %s = %v, want %s", name, got, want)
		}
	}
	// They are sst's, not the app's: printed only with --all.
	for _, o := range s.manifestStack(t, "First").Outputs {
		if strings.HasPrefix(o.Name, "SST_RDS_") != o.Internal {
			t.Errorf("manifest output %+v: internal should be %v", o, !o.Internal)
		}
	}
	var c manifest.Construct
	for _, mc := range s.manifestStack(t, "First").Constructs {
		if mc.ID == "Db" {
			c = mc
		}
	}
	wantJSON(t, "manifest", c, manifest.Construct{ID: "Db", Type: "RDS", Path: "Db", Data: map[string]string{
		"engine": "postgresql15.4", "clusterEngine": "aurora-postgresql", "clusterIdentifier": "test-notes-db",
		"defaultDatabaseName": "app", "migrations": "migrations",
		"clusterArnOutput": "SST_RDS_clusterArn_Db", "secretArnOutput": "SST_RDS_secretArn_Db", "databaseOutput": "SST_RDS_defaultDatabaseName_Db",
	}})
	if r := s.manifestStack(t, "First").Retained; len(r) != 0 {
		t.Errorf("retained by default: %v", r)
	}

	// Binding: SST v2's variables, the Data API on this cluster and this
	// cluster's secret, nothing wider.
	env := s.env(t, "First", "Fn")
	wantJSON(t, "env", []any{env["SST_RDS_clusterArn_Db"], env["SST_RDS_secretArn_Db"], env["SST_RDS_defaultDatabaseName_Db"]},
		[]any{"${aws_rds_cluster.Db.arn}", "${aws_rds_cluster.Db.master_user_secret[0].secret_arn}", "app"})
	pol := s.policy(t, "First", "Fn")
	for _, a := range rdsDataActions {
		wantJSON(t, a, pol.grants(a), []string{"${aws_rds_cluster.Db.arn}"})
	}
	wantJSON(t, "GetSecretValue", pol.grants("secretsmanager:GetSecretValue"), []string{"${aws_rds_cluster.Db.master_user_secret[0].secret_arn}"})
	for _, st := range pol.Statement {
		for _, r := range st.Resource {
			if r == "*" {
				t.Errorf("policy grants %v on *", st.Action)
			}
		}
	}
}

func TestRDSMySQLInExistingVPCRetained(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		return NewRDS(s, "Orders", RDSProps{
			Engine:              "mysql8.0",
			DefaultDatabaseName: "orders",
			Scaling:             RDSScaling{Min: 1, Max: 8},
			VPC:                 &RDSVPC{SubnetIDs: []string{"subnet-a", "subnet-b"}, SecurityGroupIDs: []string{"sg-1"}},
			RemovalPolicy:       RemovalRetain,
			Cdk: RDSCdkProps{
				Cluster:  map[string]any{"backup_retention_period": 7, "preferred_backup_window": "03:00-04:00"},
				Instance: map[string]any{"performance_insights_enabled": true},
			},
		})
	})...)
	c := s.resource(t, "First", "aws_rds_cluster", "Orders")
	for k, want := range map[string]any{
		"engine": "aurora-mysql", "engine_version": "8.0.mysql_aurora.3.08.0", "master_username": "admin",
		"skip_final_snapshot": false, "final_snapshot_identifier": "test-notes-orders-final",
		"backup_retention_period": 7, "preferred_backup_window": "03:00-04:00",
	} {
		if jsonString(t, c[k]) != jsonString(t, want) {
			t.Errorf("cluster %s = %v, want %v", k, c[k], want)
		}
	}
	wantJSON(t, "scaling", c["serverlessv2_scaling_configuration"], map[string]any{"max_capacity": 8, "min_capacity": 1})
	wantJSON(t, "security groups", c["vpc_security_group_ids"], []string{"sg-1"})
	wantJSON(t, "subnets", s.resource(t, "First", "aws_db_subnet_group", "Orders_subnets")["subnet_ids"], []string{"subnet-a", "subnet-b"})
	if got := s.resource(t, "First", "aws_rds_cluster_instance", "Orders_instance")["performance_insights_enabled"]; got != true {
		t.Errorf("instance override = %v", got)
	}
	for _, typ := range []string{"aws_vpc", "aws_subnet", "aws_security_group", "aws_security_group_rule"} {
		if n := len(s.resources("First", typ)); n != 0 {
			t.Errorf("%d %s created though the VPC was given", n, typ)
		}
	}
	wantJSON(t, "retained", s.manifestStack(t, "First").Retained,
		[]string{"aws_db_subnet_group.Orders_subnets", "aws_rds_cluster.Orders", "aws_rds_cluster_instance.Orders_instance"})
	if _, ok := s.manifestStack(t, "First").Constructs[0].Data["migrations"]; ok {
		t.Error("manifest names a migrations dir the construct does not have")
	}
}

func TestRDSExistingVPCWithoutSecurityGroups(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		return NewRDS(s, "Db", RDSProps{Engine: "postgresql16.4", DefaultDatabaseName: "app",
			VPC: &RDSVPC{VpcID: "vpc-123", SubnetIDs: []string{"subnet-a", "subnet-b"}}})
	})...)
	if v := at(s.stack(t, "First"), "data", "aws_vpc", "Db_vpc", "id"); v != "vpc-123" {
		t.Errorf("data.aws_vpc id = %v", v)
	}
	if got := s.resource(t, "First", "aws_security_group", "Db_sg")["vpc_id"]; got != "vpc-123" {
		t.Errorf("security group vpc = %v", got)
	}
	wantJSON(t, "ingress cidr", s.resource(t, "First", "aws_security_group_rule", "Db_ingress")["cidr_blocks"], []string{"${data.aws_vpc.Db_vpc.cidr_block}"})
}

func TestRDSBadInput(t *testing.T) {
	ok := RDSProps{Engine: "postgresql15.4", DefaultDatabaseName: "app"}
	with := func(f func(p *RDSProps)) RDSProps {
		p := ok
		f(&p)
		return p
	}
	outside := t.TempDir()
	cases := []struct {
		name  string
		props RDSProps
		want  []string
	}{
		{"no engine", with(func(p *RDSProps) { p.Engine = "" }), []string{"Engine is required", "postgresql16.4"}},
		{"unknown engine", with(func(p *RDSProps) { p.Engine = "oracle19" }), []string{`Engine "oracle19"`, "mysql8.0"}},
		{"unsupported major", with(func(p *RDSProps) { p.Engine = "postgresql11.9" }), []string{"PostgreSQL 11", "13, 14, 15, 16 or 17"}},
		{"no data api in that minor", with(func(p *RDSProps) { p.Engine = "postgresql15.2" }), []string{"15.2 has no Data API", "15.4 or later"}},
		{"old aurora mysql", with(func(p *RDSProps) { p.Engine = "mysql8.0.mysql_aurora.3.05.2" }), []string{"3.05", "3.07 or later"}},
		{"no database name", with(func(p *RDSProps) { p.DefaultDatabaseName = "" }), []string{"DefaultDatabaseName is required"}},
		{"bad database name", with(func(p *RDSProps) { p.DefaultDatabaseName = "my-app" }), []string{`DefaultDatabaseName "my-app"`, "letters, digits"}},
		{"reserved database name", with(func(p *RDSProps) { p.DefaultDatabaseName = "template1" }), []string{"template1", "reserved"}},
		{"reserved mysql database name", with(func(p *RDSProps) { p.Engine, p.DefaultDatabaseName = "mysql8.0", "mysql" }), []string{`"mysql" is reserved by MySQL`}},
		{"min below 0.5", with(func(p *RDSProps) { p.Scaling.Min = 0.25 }), []string{"Scaling.Min 0.25", "0.5 to 256"}},
		{"max not a half step", with(func(p *RDSProps) { p.Scaling.Max = 3.3 }), []string{"Scaling.Max 3.3", "steps of 0.5"}},
		{"max above 256", with(func(p *RDSProps) { p.Scaling.Max = 512 }), []string{"Scaling.Max 512"}},
		{"max below min", with(func(p *RDSProps) { p.Scaling = RDSScaling{Min: 8, Max: 2} }), []string{"Scaling.Max 2 is below Scaling.Min 8"}},
		{"missing migrations dir", with(func(p *RDSProps) { p.Migrations = "nope" }), []string{`Migrations "nope"`, "does not exist"}},
		{"migrations is a file", with(func(p *RDSProps) { p.Migrations = "migrations/0001_init.sql" }), []string{"is a file", "directory of .sql files"}},
		{"migrations outside the project", with(func(p *RDSProps) { p.Migrations = outside }), []string{"outside the project"}},
		{"one subnet", with(func(p *RDSProps) { p.VPC = &RDSVPC{VpcID: "vpc-1", SubnetIDs: []string{"subnet-a"}} }), []string{"VPC.SubnetIDs has 1 subnet(s)", "at least two"}},
		{"no vpc id nor security groups", with(func(p *RDSProps) { p.VPC = &RDSVPC{SubnetIDs: []string{"a", "b"}} }), []string{"VPC.VpcID is required"}},
		{"empty subnet id", with(func(p *RDSProps) { p.VPC = &RDSVPC{VpcID: "vpc-1", SubnetIDs: []string{"a", " "}} }), []string{"id #2", "empty"}},
		{"bad removal policy", with(func(p *RDSProps) { p.RemovalPolicy = "snapshot" }), []string{`RemovalPolicy "snapshot"`}},
		{"empty cdk key", with(func(p *RDSProps) { p.Cdk.Cluster = map[string]any{"": 1} }), []string{"Cdk.Cluster has an empty key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
				return NewRDS(s, "Db", c.props)
			})...)
			wantContains(t, got, append([]string{`stack First: RDS "Db"`}, c.want...)...)
		})
	}
	t.Run("all errors at once", func(t *testing.T) {
		got := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
			return NewRDS(s, "Db", RDSProps{Scaling: RDSScaling{Min: 0.1}})
		})...)
		wantContains(t, got, "Engine is required", "DefaultDatabaseName is required", "Scaling.Min 0.1")
	})
}

// TestRDSTerraformValidate checks both network shapes and both engines
// against the real provider schema.
func TestRDSTerraformValidate(t *testing.T) {
	env := testenv.TerraformEnv(t)
	emu := testOptions(t)
	emu.Endpoint = "http://127.0.0.1:5000"
	m, err := Synth(Config{Name: "notes"}, emu, stacks(t,
		func(s *Stack) any {
			db := rdsPostgres(s)
			NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{db}})
			return db
		},
		func(s *Stack) any {
			NewRDS(s, "Shop", RDSProps{Engine: "mysql8.0.mysql_aurora.3.07.1", DefaultDatabaseName: "shop",
				Scaling: RDSScaling{Min: 2, Max: 16}, RemovalPolicy: RemovalRetain,
				VPC: &RDSVPC{VpcID: "vpc-123", SubnetIDs: []string{"subnet-a", "subnet-b"}},
				Cdk: RDSCdkProps{Cluster: map[string]any{"backup_retention_period": 7}}})
			return NewRDS(s, "Given", RDSProps{Engine: "postgresql16.4", DefaultDatabaseName: "app",
				VPC: &RDSVPC{SubnetIDs: []string{"subnet-a", "subnet-b"}, SecurityGroupIDs: []string{"sg-1"}}})
		},
	)...)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, st := range m.Stacks {
		dirs = append(dirs, filepath.Join(emu.OutDir, st.Dir))
	}
	validateStacks(t, env, dirs...)
}

func TestParseRDSEngine(t *testing.T) {
	for spec, want := range map[string]string{
		"postgresql13.12": "aurora-postgresql 13.12 5432", "postgresql17.4": "aurora-postgresql 17.4 5432",
		"mysql8.0": "aurora-mysql 8.0.mysql_aurora.3.08.0 3306", "mysql8.0.mysql_aurora.3.07.1": "aurora-mysql 8.0.mysql_aurora.3.07.1 3306",
	} {
		e, err := parseRDSEngine(spec)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if got := strings.Join([]string{e.engine, e.version, strconv.Itoa(e.port)}, " "); got != want {
			t.Errorf("%s = %s, want %s", spec, got, want)
		}
	}
}

// TestRDSServerlessV1Engines: SST v2's engine names (Aurora Serverless
// v1, retired) build as the nearest Serverless v2 release with the Data
// API, with a notice saying what to write and that data does not move.
func TestRDSServerlessV1Engines(t *testing.T) {
	s := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewRDS(s, "Pg", RDSProps{Engine: "postgresql11.13", DefaultDatabaseName: "app"})
		NewRDS(s, "My", RDSProps{Engine: "mysql5.7", DefaultDatabaseName: "app",
			VPC: &RDSVPC{SubnetIDs: []string{"subnet-a", "subnet-b"}, SecurityGroupIDs: []string{"sg-1"}}})
		return nil
	})...)
	for id, want := range map[string][2]string{"Pg": {"aurora-postgresql", "13.12"}, "My": {"aurora-mysql", "8.0.mysql_aurora.3.08.0"}} {
		c := s.resource(t, "First", "aws_rds_cluster", id)
		if c["engine"] != want[0] || c["engine_version"] != want[1] || c["engine_mode"] != "provisioned" {
			t.Errorf("%s: engine %v %v (%v), want %s %s on Serverless v2", id, c["engine"], c["engine_version"], c["engine_mode"], want[0], want[1])
		}
	}
	for _, c := range s.manifestStack(t, "First").Constructs {
		if c.ID == "Pg" && c.Data[manifest.RDSEngine] != "postgresql13.12" {
			t.Errorf("manifest engine %q, want the release it is", c.Data[manifest.RDSEngine])
		}
	}
	warn := strings.Join(s.m.Warnings, "\n")
	wantContains(t, warn, `RDS "Pg": Engine "postgresql11.13" is SST v2's Aurora Serverless v1 engine`, `"postgresql13.12" on Serverless v2`,
		`RDS "My": Engine "mysql5.7"`, `"mysql8.0"`, "dump it and restore it")
}
