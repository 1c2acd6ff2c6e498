package sst

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsavailabilityzones"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsvpc"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbsubnetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdsclusterinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygrouprule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/manifest"
)

// RDSProps configure an Aurora Serverless v2 database.
type RDSProps struct {
	// Engine is "postgresql<major>.<minor>" (13.12+, 14.9+, 15.4+, 16.1+,
	// 17.4+: the versions with the Data API on Serverless v2) or "mysql8.0"
	// (Aurora MySQL 3.08.0), or a pinned "mysql8.0.mysql_aurora.3.0X.Y"
	// (3.07 or later). Required. SST v2's Serverless v1 names
	// ("postgresql11.13", "postgresql13.9", "mysql5.7", …) build as the
	// nearest of these, with a notice.
	Engine string
	// DefaultDatabaseName is the database created with the cluster and the
	// one bound functions and migrations use. Required.
	DefaultDatabaseName string
	// Scaling bounds the capacity in Aurora capacity units (ACU).
	Scaling RDSScaling
	// Migrations is a directory of *.sql files, relative to the project
	// root, that `sst deploy` and `sst migrate` apply in file-name order,
	// once each (see package internal/migrate for the rules).
	Migrations string
	// VPC places the cluster in an existing network. Nil creates one for
	// the database: a VPC with two private subnets in two availability
	// zones and a security group open to the engine's port from inside the
	// VPC only.
	VPC *RDSVPC
	// RemovalPolicy: RemovalDestroy (default: the app's) deletes the
	// cluster on `sst remove` without a final snapshot; RemovalRetain keeps
	// it (and its network) in AWS, and a plain `terraform destroy` takes a
	// final snapshot.
	RemovalPolicy RemovalPolicy
	// Cdk passes raw Terraform arguments through to the resources, for
	// what these props do not cover.
	Cdk RDSCdkProps
}

// RDSScaling is the Serverless v2 capacity range, in steps of 0.5 ACU.
type RDSScaling struct {
	// Min is 0.5 to 256 ACU; default 0.5.
	Min float64
	// Max is 1 to 256 ACU and at least Min; default 4.
	Max float64
}

// RDSVPC is an existing network for the cluster.
type RDSVPC struct {
	// VpcID is required unless SecurityGroupIDs is set.
	VpcID string
	// SubnetIDs are at least two private subnets in different
	// availability zones, as RDS requires.
	SubnetIDs []string
	// SecurityGroupIDs for the cluster; when empty a security group
	// allowing the engine's port from the VPC's CIDR block is created.
	SecurityGroupIDs []string
}

// RDSCdkProps are raw Terraform arguments (snake_case, as in the AWS
// provider's documentation) set on the generated resources after ours,
// e.g. Cluster: {"backup_retention_period": 7,
// "preferred_backup_window": "03:00-04:00"}.
type RDSCdkProps struct {
	Cluster  map[string]any
	Instance map[string]any
}

// RDS is an Aurora Serverless v2 cluster (PostgreSQL or MySQL) with the
// Data API enabled and its master credentials in Secrets Manager.
//
// The master password is managed by RDS itself (manage_master_user_password):
// RDS generates it, stores it in a Secrets Manager secret it owns and
// rotates, and the password never appears in Terraform's configuration,
// plan or state. A generated secret of our own would need the random
// provider or keep the password in state.
type RDS struct {
	stack      *Stack
	rid        string
	identifier string
	database   string
	engine     rdsEngine
	migrations string // relative to the project root, slash-separated
	outputs    map[string]string
	Cdk        struct {
		Cluster  rdscluster.RdsCluster
		Instance rdsclusterinstance.RdsClusterInstance
		// Network resources; nil when RDSProps.VPC supplied them.
		Vpc           vpc.Vpc
		Subnets       []subnet.Subnet
		SubnetGroup   dbsubnetgroup.DbSubnetGroup
		SecurityGroup securitygroup.SecurityGroup
	}
}

// rdsEngine is a parsed RDSProps.Engine.
type rdsEngine struct {
	spec    string
	engine  string // aurora-postgresql | aurora-mysql
	version string
	port    int
	user    string
	postgre bool
}

var (
	rdsPostgresSpec = regexp.MustCompile(`^postgresql(\d+)\.(\d+)$`)
	rdsMySQLSpec    = regexp.MustCompile(`^mysql8\.0(?:\.mysql_aurora\.3\.(\d\d)\.(\d+))?$`)
	// rdsPostgresDataAPI is the first minor of each major with the Data API
	// on Aurora Serverless v2.
	rdsPostgresDataAPI = map[int]int{13: 12, 14: 9, 15: 4, 16: 1, 17: 4}
	rdsDatabaseName    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// rdsDefaultMySQL is the Aurora MySQL release "mysql8.0" means.
const rdsDefaultMySQL = "8.0.mysql_aurora.3.08.0"

func parseRDSEngine(spec string) (rdsEngine, error) {
	if m := rdsPostgresSpec.FindStringSubmatch(spec); m != nil {
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		first, ok := rdsPostgresDataAPI[major]
		if !ok {
			return rdsEngine{}, fmt.Errorf("unsupported major version, Aurora PostgreSQL %d: use 13, 14, 15, 16 or 17, e.g. \"postgresql16.4\"", major)
		}
		if minor < first {
			return rdsEngine{}, fmt.Errorf("version %d.%d has no Data API on Aurora PostgreSQL Serverless v2: use %d.%d or later", major, minor, major, first)
		}
		return rdsEngine{spec: spec, engine: "aurora-postgresql", version: m[1] + "." + m[2], port: 5432, user: "postgres", postgre: true}, nil
	}
	if m := rdsMySQLSpec.FindStringSubmatch(spec); m != nil {
		version := rdsDefaultMySQL
		if m[1] != "" {
			if minor, _ := strconv.Atoi(m[1]); minor < 7 {
				return rdsEngine{}, fmt.Errorf("version 3.%s has no Data API on Aurora MySQL Serverless v2: use 3.07 or later, or just \"mysql8.0\"", m[1])
			}
			version = strings.TrimPrefix(spec, "mysql")
		}
		return rdsEngine{spec: spec, engine: "aurora-mysql", version: version, port: 3306, user: "admin"}, nil
	}
	return rdsEngine{}, fmt.Errorf("use \"postgresql<major>.<minor>\" (e.g. \"postgresql16.4\") or \"mysql8.0\"")
}

// halfStep reports whether v is a multiple of 0.5, as ACU settings must be.
func halfStep(v float64) bool { return v*2 == math.Trunc(v*2) }

// NewRDS declares an Aurora Serverless v2 database: it checks the props,
// then creates the network (unless VPC names one), the cluster, its
// writer instance and the outputs `sst deploy` runs migrations with.
func NewRDS(s *Stack, id string, props RDSProps) *RDS {
	r := &RDS{stack: s, rid: id}
	if !s.app.claimID(s, id, "RDS") {
		return r
	}
	a := s.app
	where := fmt.Sprintf("stack %s: RDS %q", s.name, id)
	errs := len(a.errs)
	r.checkEngine(where, props.Engine)
	r.checkDatabaseName(where, props.DefaultDatabaseName)
	scaling := checkScaling(a, where, props.Scaling)
	r.resolveMigrations(where, props.Migrations)
	checkRDSVPC(a, where, props.VPC)
	removal := a.removalPolicy(where, props.RemovalPolicy)
	checkRawArguments(a, where, props.Cdk)
	if len(a.errs) > errs {
		return r
	}

	r.identifier = a.names.RDSCluster(naming.KindRDSCluster, a.owner(id), id)
	var networkRes []cdktf.TerraformResource
	subnetGroup, securityGroups := r.network(props.VPC, &networkRes)
	r.createCluster(scaling, removal, subnetGroup, securityGroups)
	r.createWriter()
	r.applyRawArguments(props.Cdk)
	if removal == RemovalRetain {
		// The cluster cannot outlive the network it sits in.
		for _, res := range append([]cdktf.TerraformResource{r.Cdk.Cluster, r.Cdk.Instance}, networkRes...) {
			s.retain(res)
		}
	}
	r.addOutputs()
	s.add(r)
	return r
}

func (r *RDS) checkEngine(where, spec string) {
	a := r.stack.app
	var err error
	if v2, ok := rdsServerlessV1Engines[spec]; ok {
		a.warnings = append(a.warnings, fmt.Sprintf("%s: Engine %q is SST v2's Aurora Serverless v1 engine; AWS has retired Serverless v1, so this is %q on Serverless v2 (%s) — write that to silence this notice. A v1 cluster's data does not move by itself: dump it and restore it into the new cluster", where, spec, v2.spec, v2.why))
		spec = v2.spec
	}
	if spec == "" {
		a.errorf("%s: Engine is required: e.g. \"postgresql16.4\" or \"mysql8.0\"", where)
	} else if r.engine, err = parseRDSEngine(spec); err != nil {
		a.errorf("%s: Engine %q: %v", where, spec, err)
	}
}

// rdsServerlessV1Engines are SST v2's engine names, all Aurora Serverless
// v1 releases, and the nearest Serverless v2 release with the Data API
// each builds as.
var rdsServerlessV1Engines = map[string]struct{ spec, why string }{
	"mysql5.6":        {"mysql8.0", "Aurora MySQL 1 and 2 are end of life; 3 is MySQL 8.0"},
	"mysql5.7":        {"mysql8.0", "Aurora MySQL 2 is end of life; 3 is MySQL 8.0"},
	"postgresql10.14": {"postgresql13.12", "13.12 is the oldest PostgreSQL with the Data API on Serverless v2"},
	"postgresql11.13": {"postgresql13.12", "13.12 is the oldest PostgreSQL with the Data API on Serverless v2"},
	"postgresql11.16": {"postgresql13.12", "13.12 is the oldest PostgreSQL with the Data API on Serverless v2"},
	"postgresql13.9":  {"postgresql13.12", "the first 13.x with the Data API on Serverless v2"},
}

// checkDatabaseName applies the engine's rules to the default database's
// name (MySQL's when the engine is not known).
func (r *RDS) checkDatabaseName(where, db string) {
	a := r.stack.app
	maxName := 63
	if !r.engine.postgre && r.engine.engine != "" {
		maxName = 64
	}
	switch {
	case db == "":
		a.errorf("%s: DefaultDatabaseName is required: the database the cluster creates, e.g. \"app\"", where)
	case !rdsDatabaseName.MatchString(db) || len(db) > maxName:
		a.errorf("%s: DefaultDatabaseName %q: use a letter followed by letters, digits or \"_\", at most %d characters", where, db, maxName)
	case r.engine.postgre && (db == "template0" || db == "template1" || db == "postgres" || db == "rdsadmin"):
		a.errorf("%s: DefaultDatabaseName %q is reserved by PostgreSQL/RDS: pick another name, e.g. \"app\"", where, db)
	case !r.engine.postgre && (strings.EqualFold(db, "mysql") || strings.EqualFold(db, "sys") || strings.EqualFold(db, "information_schema") || strings.EqualFold(db, "performance_schema")):
		a.errorf("%s: DefaultDatabaseName %q is reserved by MySQL: pick another name, e.g. \"app\"", where, db)
	}
	r.database = db
}

// checkScaling fills in the default capacity range (0.5–4 ACU, or up to
// Min when that is larger) and checks it.
func checkScaling(a *App, where string, given RDSScaling) RDSScaling {
	sc := given
	if sc.Min == 0 {
		sc.Min = 0.5
	}
	if sc.Max == 0 {
		sc.Max = max(4, sc.Min)
	}
	if sc.Min < 0.5 || sc.Min > 256 || !halfStep(sc.Min) {
		a.errorf("%s: Scaling.Min %v: use 0.5 to 256 ACU in steps of 0.5", where, given.Min)
	}
	if sc.Max < 1 || sc.Max > 256 || !halfStep(sc.Max) {
		a.errorf("%s: Scaling.Max %v: use 1 to 256 ACU in steps of 0.5", where, given.Max)
	} else if sc.Max < sc.Min {
		a.errorf("%s: Scaling.Max %v is below Scaling.Min %v", where, sc.Max, sc.Min)
	}
	return sc
}

// resolveMigrations keeps the migrations directory relative to the
// project, where every checkout finds it.
func (r *RDS) resolveMigrations(where, migrations string) {
	if migrations == "" {
		return
	}
	a := r.stack.app
	dir := migrations
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(a.opts.ProjectDir, dir)
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		a.errorf("%s: Migrations %q: the directory does not exist (paths are relative to the project root %s)", where, migrations, a.opts.ProjectDir)
	case !fi.IsDir():
		a.errorf("%s: Migrations %q is a file: point it at a directory of .sql files", where, migrations)
	default:
		if !inputs.Within(a.opts.ProjectDir, dir) {
			a.errorf("%s: Migrations %q is outside the project %s: keep migrations in the project so every checkout finds them", where, migrations, a.opts.ProjectDir)
		} else {
			rel, _ := filepath.Rel(a.opts.ProjectDir, dir)
			r.migrations = filepath.ToSlash(rel)
			// The CLI reads the files at deploy time, but a synth that
			// saw a different directory is not trusted to be current.
			a.readDir(dir)
		}
	}
}

func checkRDSVPC(a *App, where string, v *RDSVPC) {
	if v == nil {
		return
	}
	if len(v.SubnetIDs) < 2 {
		a.errorf("%s: VPC.SubnetIDs has %d subnet(s): RDS needs at least two, in different availability zones", where, len(v.SubnetIDs))
	}
	if v.VpcID == "" && len(v.SecurityGroupIDs) == 0 {
		a.errorf("%s: VPC.VpcID is required to create the database's security group (or pass VPC.SecurityGroupIDs)", where)
	}
	for i, sid := range append(append([]string{}, v.SubnetIDs...), v.SecurityGroupIDs...) {
		if strings.TrimSpace(sid) == "" {
			a.errorf("%s: VPC: id #%d of SubnetIDs/SecurityGroupIDs is empty", where, i+1)
		}
	}
}

func checkRawArguments(a *App, where string, raw RDSCdkProps) {
	for _, k := range sortedKeys(raw.Cluster) {
		if k == "" {
			a.errorf("%s: Cdk.Cluster has an empty key: use Terraform argument names such as \"backup_retention_period\"", where)
		}
	}
	for _, k := range sortedKeys(raw.Instance) {
		if k == "" {
			a.errorf("%s: Cdk.Instance has an empty key: use Terraform argument names such as \"performance_insights_enabled\"", where)
		}
	}
}

// createCluster is the Serverless v2 cluster with the Data API, its
// password managed by RDS and its storage encrypted.
func (r *RDS) createCluster(scaling RDSScaling, removal RemovalPolicy, subnetGroup *string, securityGroups *[]*string) {
	s, e := r.stack, r.engine
	cfg := &rdscluster.RdsClusterConfig{
		ClusterIdentifier:        jsii.String(r.identifier),
		Engine:                   jsii.String(e.engine),
		EngineVersion:            jsii.String(e.version),
		EngineMode:               jsii.String("provisioned"),
		DatabaseName:             jsii.String(r.database),
		MasterUsername:           jsii.String(e.user),
		ManageMasterUserPassword: jsii.Bool(true),
		EnableHttpEndpoint:       jsii.Bool(true),
		Serverlessv2ScalingConfiguration: &rdscluster.RdsClusterServerlessv2ScalingConfiguration{
			MinCapacity: jsii.Number(scaling.Min),
			MaxCapacity: jsii.Number(scaling.Max),
		},
		DbSubnetGroupName:   subnetGroup,
		VpcSecurityGroupIds: securityGroups,
		StorageEncrypted:    jsii.Bool(true),
		CopyTagsToSnapshot:  jsii.Bool(true),
		// A deploy that changes capacity should take effect now, not in
		// the next maintenance window.
		ApplyImmediately: jsii.Bool(true),
	}
	if removal == RemovalDestroy {
		cfg.SkipFinalSnapshot = jsii.Bool(true)
	} else {
		cfg.SkipFinalSnapshot = jsii.Bool(false)
		cfg.FinalSnapshotIdentifier = jsii.String(s.app.names.RDSCluster(naming.KindRDSSnapshot, s.app.owner(r.rid), r.rid+"-final"))
	}
	r.Cdk.Cluster = rdscluster.NewRdsCluster(s.tf, jsii.String(r.rid), cfg)
	if s.app.emulated() {
		// moto keeps the Data API only for Serverless v1 clusters and has no
		// EnableHttpEndpoint: every later plan would try to turn it on and
		// the update would wait for it until the provider's 120-minute timeout.
		emulatorIgnoreChanges(r.Cdk.Cluster, "enable_http_endpoint")
		emulatorTimeouts(r.Cdk.Cluster)
		s.app.emulatorWarn("RDS %q (aws_rds_cluster.%s): changes to enable_http_endpoint are ignored and waits are cut to %s: the emulator cannot enable the Data API on Serverless v2", r.rid, r.rid, emulatorTimeout)
	}
}

// createWriter is the cluster's one db.serverless instance.
func (r *RDS) createWriter() {
	s := r.stack
	r.Cdk.Instance = rdsclusterinstance.NewRdsClusterInstance(s.tf, jsii.String(r.rid+"_instance"), &rdsclusterinstance.RdsClusterInstanceConfig{
		Identifier:         jsii.String(s.app.names.RDSCluster(naming.KindRDSInstance, s.app.owner(r.rid), r.rid+"-writer")),
		ClusterIdentifier:  r.Cdk.Cluster.Id(),
		InstanceClass:      jsii.String("db.serverless"),
		Engine:             r.Cdk.Cluster.Engine(),
		EngineVersion:      r.Cdk.Cluster.EngineVersion(),
		PubliclyAccessible: jsii.Bool(false),
		ApplyImmediately:   jsii.Bool(true),
	})
	if s.app.emulated() {
		emulatorTimeouts(r.Cdk.Instance)
	}
}

// applyRawArguments sets the Cdk props' Terraform arguments over ours.
func (r *RDS) applyRawArguments(raw RDSCdkProps) {
	for _, k := range sortedKeys(raw.Cluster) {
		r.Cdk.Cluster.AddOverride(jsii.String(k), raw.Cluster[k])
	}
	for _, k := range sortedKeys(raw.Instance) {
		r.Cdk.Instance.AddOverride(jsii.String(k), raw.Instance[k])
	}
}

// addOutputs are what the CLI reads after a deploy to run migrations
// through the Data API: ARNs and a name, not secrets.
func (r *RDS) addOutputs() {
	s, id := r.stack, r.rid
	r.outputs = map[string]string{
		manifest.RDSClusterArnOutput: EnvName("RDS", "clusterArn", id),
		manifest.RDSSecretArnOutput:  EnvName("RDS", "secretArn", id),
		manifest.RDSDatabaseOutput:   EnvName("RDS", "defaultDatabaseName", id),
	}
	s.AddOutput(r.outputs[manifest.RDSClusterArnOutput], r.ClusterArn(), OutputOptions{Description: "RDS " + id + " cluster ARN", internal: true})
	s.AddOutput(r.outputs[manifest.RDSSecretArnOutput], r.SecretArn(), OutputOptions{Description: "RDS " + id + " master secret ARN", internal: true})
	s.AddOutput(r.outputs[manifest.RDSDatabaseOutput], *r.Cdk.Cluster.DatabaseName(), OutputOptions{Description: "RDS " + id + " default database", internal: true})
}

// network returns the subnet group name and security groups for the
// cluster, creating whatever props.VPC does not supply. Created resources
// are appended to keep so a retained cluster keeps its network.
func (r *RDS) network(given *RDSVPC, keep *[]cdktf.TerraformResource) (*string, *[]*string) {
	s, id, e := r.stack, r.rid, r.engine
	var subnetIDs []*string
	var vpcID, cidr *string
	if given != nil {
		subnetIDs = *jsii.Strings(given.SubnetIDs...)
		if len(given.SecurityGroupIDs) == 0 {
			vpcID = jsii.String(given.VpcID)
			existing := dataawsvpc.NewDataAwsVpc(s.tf, jsii.String(id+"_vpc"), &dataawsvpc.DataAwsVpcConfig{Id: vpcID})
			cidr = existing.CidrBlock()
		}
	} else {
		v := vpc.NewVpc(s.tf, jsii.String(id+"_vpc"), &vpc.VpcConfig{
			CidrBlock:          jsii.String("10.0.0.0/16"),
			EnableDnsSupport:   jsii.Bool(true),
			EnableDnsHostnames: jsii.Bool(true),
			Tags:               &map[string]*string{"Name": jsii.String(r.identifier)},
		})
		azs := dataawsavailabilityzones.NewDataAwsAvailabilityZones(s.tf, jsii.String(id+"_azs"), &dataawsavailabilityzones.DataAwsAvailabilityZonesConfig{
			State: jsii.String("available"),
		})
		r.Cdk.Vpc = v
		*keep = append(*keep, v)
		// Private subnets: no internet gateway, no public IPs. /20s leave
		// room for functions placed in the VPC later.
		for i, block := range []string{"10.0.0.0/20", "10.0.16.0/20"} {
			sn := subnet.NewSubnet(s.tf, jsii.String(fmt.Sprintf("%s_subnet%d", id, i+1)), &subnet.SubnetConfig{
				VpcId:            v.Id(),
				CidrBlock:        jsii.String(block),
				AvailabilityZone: cdktf.Token_AsString(cdktf.Fn_Element(azs.Names(), jsii.Number(float64(i))), nil),
				Tags:             &map[string]*string{"Name": jsii.String(fmt.Sprintf("%s-private-%d", r.identifier, i+1))},
			})
			r.Cdk.Subnets = append(r.Cdk.Subnets, sn)
			*keep = append(*keep, sn)
			subnetIDs = append(subnetIDs, sn.Id())
		}
		vpcID, cidr = v.Id(), v.CidrBlock()
	}
	r.Cdk.SubnetGroup = dbsubnetgroup.NewDbSubnetGroup(s.tf, jsii.String(id+"_subnets"), &dbsubnetgroup.DbSubnetGroupConfig{
		Name:        jsii.String(r.identifier),
		Description: jsii.String("Subnets of RDS " + id),
		SubnetIds:   &subnetIDs,
	})
	*keep = append(*keep, r.Cdk.SubnetGroup)
	if given != nil && len(given.SecurityGroupIDs) > 0 {
		return r.Cdk.SubnetGroup.Name(), jsii.Strings(given.SecurityGroupIDs...)
	}
	name := r.identifier + "-db"
	if strings.HasPrefix(name, "sg-") {
		name = "db-" + name // AWS reserves the sg- prefix for ids
	}
	r.Cdk.SecurityGroup = securitygroup.NewSecurityGroup(s.tf, jsii.String(id+"_sg"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(name),
		Description: jsii.String(fmt.Sprintf("RDS %s: %s port %d from within the VPC", id, e.engine, e.port)),
		VpcId:       vpcID,
	})
	rule := securitygrouprule.NewSecurityGroupRule(s.tf, jsii.String(id+"_ingress"), &securitygrouprule.SecurityGroupRuleConfig{
		Type:            jsii.String("ingress"),
		Protocol:        jsii.String("tcp"),
		FromPort:        jsii.Number(float64(e.port)),
		ToPort:          jsii.Number(float64(e.port)),
		CidrBlocks:      &[]*string{cidr},
		SecurityGroupId: r.Cdk.SecurityGroup.Id(),
		Description:     jsii.String("database clients inside the VPC"),
	})
	*keep = append(*keep, r.Cdk.SecurityGroup, rule)
	return r.Cdk.SubnetGroup.Name(), &[]*string{r.Cdk.SecurityGroup.Id()}
}

// ID is the construct id.
func (r *RDS) ID() string { return r.rid }

// ClusterIdentifier is the physical cluster identifier.
func (r *RDS) ClusterIdentifier() string { return r.identifier }

// DefaultDatabaseName is the database created with the cluster.
func (r *RDS) DefaultDatabaseName() string { return r.database }

// ClusterArn is the cluster's ARN (a token until deploy); "" when the
// construct failed validation, so code using it runs and every error is
// reported.
func (r *RDS) ClusterArn() string {
	if r.Cdk.Cluster == nil {
		return ""
	}
	return *r.Cdk.Cluster.Arn()
}

// SecretArn is the ARN of the Secrets Manager secret RDS keeps the master
// credentials in (a token until deploy).
func (r *RDS) SecretArn() string {
	if r.Cdk.Cluster == nil {
		return ""
	}
	return *r.Cdk.Cluster.MasterUserSecret().Get(jsii.Number(0)).SecretArn()
}

// ClusterEndpoint is the writer endpoint's host name, for clients inside
// the VPC.
func (r *RDS) ClusterEndpoint() string {
	if r.Cdk.Cluster == nil {
		return ""
	}
	return *r.Cdk.Cluster.Endpoint()
}

// rdsDataActions are the Data API calls a bound function may make.
var rdsDataActions = []string{
	"rds-data:BatchExecuteStatement", "rds-data:BeginTransaction", "rds-data:CommitTransaction",
	"rds-data:ExecuteStatement", "rds-data:RollbackTransaction",
}

// Binding gives functions SST_RDS_clusterArn_<id>, SST_RDS_secretArn_<id>
// and SST_RDS_defaultDatabaseName_<id>, the Data API on this cluster and
// read access to this cluster's secret only.
func (r *RDS) Binding() Binding {
	return Binding{
		Type: manifest.RDSTypeName,
		ID:   r.rid,
		Variables: map[string]string{
			"clusterArn":          r.ClusterArn(),
			"secretArn":           r.SecretArn(),
			"defaultDatabaseName": r.database,
		},
		Permissions: []Statement{
			Allow(rdsDataActions, r.ClusterArn()),
			Allow([]string{"secretsmanager:GetSecretValue"}, r.SecretArn()),
		},
	}
}

func (r *RDS) id() string { return r.rid }

func (r *RDS) describe() manifest.Construct {
	data := map[string]string{
		manifest.RDSEngine:              r.engine.spec,
		manifest.RDSClusterEngine:       r.engine.engine,
		manifest.RDSClusterIdentifier:   r.identifier,
		manifest.RDSDefaultDatabaseName: r.database,
	}
	if r.migrations != "" {
		data[manifest.RDSMigrations] = r.migrations
	}
	for k, v := range r.outputs {
		data[k] = v
	}
	return manifest.Construct{ID: r.rid, Type: manifest.RDSTypeName, Path: r.rid, Data: data}
}
