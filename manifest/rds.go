package manifest

// Keys of Construct.Data for constructs of type "RDS". The CLI reads them to
// run the database's migrations after a deploy and in `sst migrate`.
const (
	// RDSEngine is the engine as the app wrote it, e.g. "postgresql15.4"
	// or "mysql8.0"; its prefix gives the SQL dialect.
	RDSEngine = "engine"
	// RDSClusterEngine is the RDS engine, "aurora-postgresql" or "aurora-mysql".
	RDSClusterEngine = "clusterEngine"
	// RDSClusterIdentifier is the physical cluster identifier.
	RDSClusterIdentifier = "clusterIdentifier"
	// RDSDefaultDatabaseName is the database created with the cluster.
	RDSDefaultDatabaseName = "defaultDatabaseName"
	// RDSMigrations is the migrations directory relative to the project
	// root, slash-separated; absent when the construct has none.
	RDSMigrations = "migrations"
	// RDSClusterArnOutput, RDSSecretArnOutput and RDSDatabaseOutput name
	// the outputs of the construct's stack that carry the deployed
	// cluster ARN, master secret ARN and database name.
	RDSClusterArnOutput = "clusterArnOutput"
	RDSSecretArnOutput  = "secretArnOutput"
	RDSDatabaseOutput   = "databaseOutput"
)

// RDSTypeName is Construct.Type of RDS constructs.
const RDSTypeName = "RDS"
