package sst

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var appSyncSchema = []string{"graphql/schema.graphql", "graphql/mutations.graphql"}

func TestAppSyncApiSynth(t *testing.T) {
	opts := testOptions(t)
	expires := time.Date(2099, 1, 2, 3, 45, 0, 0, time.UTC)
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		notes := NewTable(s, "Notes", TableProps{Fields: map[string]string{"id": "string"}, PrimaryIndex: TableIndex{PartitionKey: "id"}})
		db := rdsPostgres(s)
		api := NewAppSyncApi(s, "Graph", AppSyncApiProps{
			Schema:   appSyncSchema,
			Defaults: AppSyncApiDefaults{Function: FunctionProps{Timeout: 20 * time.Second}},
			Auth:     AppSyncApiAuth{Type: "user_pool", UserPool: AppSyncUserPool{ID: "us-east-1_abc", AppIDClientRegex: "web.*"}},
			AdditionalAuth: []AppSyncApiAuth{
				{Type: "api_key", ApiKeyExpires: expires},
				{Type: "iam"},
				{Type: "oidc", OIDC: AppSyncOIDC{Issuer: "https://accounts.google.com", ClientID: "c1", IatTTL: time.Hour}},
				{Type: "lambda", Handler: nodeHandler, ResultsCacheTTL: time.Minute},
			},
			DataSources: map[string]AppSyncApiDataSource{
				"notesFn": {Handler: nodeHandler},
				"table":   {Table: notes},
				"db":      {RDS: db},
				"weather": {Endpoint: "https://api.weather.example.com"},
				"local":   {Type: "none"},
			},
			Resolvers: map[string]AppSyncApiResolver{
				"Query listNotes":     {Handler: nodeHandler},
				"Query getNote":       {DataSource: "table", Code: "graphql/getNote.js"},
				"Query weather":       {DataSource: "weather", RequestMapping: AppSyncMappingTemplate{File: "graphql/weather.req.vtl"}, ResponseMapping: AppSyncMappingTemplate{Inline: "$ctx.result.body"}},
				"Query rows":          {DataSource: "db", RequestMapping: AppSyncMappingTemplate{Inline: `{"version":"2018-05-29","statements":["select 1"]}`}, ResponseMapping: AppSyncMappingTemplate{Inline: "$utils.toJson($ctx.result)"}},
				"Mutation createNote": {DataSource: "notesFn"},
			},
		})
		api.AddResolvers(map[string]AppSyncApiResolver{"Mutation ping": {DataSource: "local", RequestMapping: AppSyncMappingTemplate{Inline: `{"version":"2018-05-29","payload":{}}`}, ResponseMapping: AppSyncMappingTemplate{Inline: `"pong"`}}})
		NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api}})
		return nil
	})...)

	gql := s.resource(t, "First", "aws_appsync_graphql_api", "Graph")
	if gql["name"] != "test-app-Graph" || gql["authentication_type"] != "AMAZON_COGNITO_USER_POOLS" || gql["xray_enabled"] != true {
		t.Errorf("graphql api = %v", gql)
	}
	// Both files, in order.
	schema, _ := gql["schema"].(string)
	if !strings.Contains(schema, "type Query") || strings.Index(schema, "type Query") > strings.Index(schema, "type Mutation") {
		t.Errorf("schema = %q", schema)
	}
	wantContains(t, jsonString(t, gql["user_pool_config"]), `"default_action":"ALLOW"`, `"user_pool_id":"us-east-1_abc"`, `"app_id_client_regex":"web.*"`, `"aws_region":"us-east-1"`)
	extra := jsonString(t, gql["additional_authentication_provider"])
	wantContains(t, extra, `"authentication_type":"API_KEY"`, `"authentication_type":"AWS_IAM"`, `"authentication_type":"OPENID_CONNECT"`, `"iat_ttl":3600000`,
		`"issuer":"https://accounts.google.com"`, `"authentication_type":"AWS_LAMBDA"`, `"authorizer_result_ttl_in_seconds":60`,
		`"authorizer_uri":"${aws_lambda_function.Graph_authorizer.arn}"`)
	if strings.Contains(extra, "default_action") {
		t.Errorf("an additional user pool mode has no default action: %s", extra)
	}
	perm := s.resource(t, "First", "aws_lambda_permission", "Graph_authorizer_permission")
	if perm["principal"] != "appsync.amazonaws.com" || perm["source_arn"] != "${aws_appsync_graphql_api.Graph.arn}" {
		t.Errorf("authorizer permission = %v", perm)
	}

	key := s.resource(t, "First", "aws_appsync_api_key", "Graph_api_key")
	if key["expires"] != "2099-01-02T03:00:00Z" || key["lifecycle"] != nil {
		t.Errorf("api key = %v (a given date, rounded down to the hour)", key)
	}
	param := s.resource(t, "First", "aws_ssm_parameter", "Graph_api_key_parameter")
	if param["name"] != "/sst/app/test/AppSyncApi/Graph/apiKey" || param["type"] != "SecureString" || param["value"] != "${aws_appsync_api_key.Graph_api_key.key}" {
		t.Errorf("api key parameter = %v", param)
	}

	ds := s.resources("First", "aws_appsync_datasource")
	wantTypes := map[string]string{"Graph_ds_notesFn": "AWS_LAMBDA", "Graph_ds_table": "AMAZON_DYNAMODB", "Graph_ds_db": "RELATIONAL_DATABASE", "Graph_ds_weather": "HTTP", "Graph_ds_local": "NONE", "Graph_ds_Query_listNotes": "AWS_LAMBDA"}
	for id, typ := range wantTypes {
		if ds[id]["type"] != typ {
			t.Errorf("data source %s = %v, want type %s", id, ds[id], typ)
		}
	}
	if len(ds) != len(wantTypes) {
		t.Errorf("data sources = %v", keys(ds))
	}
	wantContains(t, jsonString(t, ds["Graph_ds_table"]), `"table_name":"test-app-Notes"`, `"service_role_arn":"${aws_iam_role.Graph_ds_table_role.arn}"`)
	wantContains(t, jsonString(t, ds["Graph_ds_db"]), `"source_type":"RDS_HTTP_ENDPOINT"`, `"database_name":"app"`, `"db_cluster_identifier":"${aws_rds_cluster.Db.arn}"`)
	if ds["Graph_ds_weather"]["service_role_arn"] != nil || ds["Graph_ds_local"]["service_role_arn"] != nil {
		t.Errorf("http/none data sources need no role: %v / %v", ds["Graph_ds_weather"], ds["Graph_ds_local"])
	}
	// Each role may reach exactly its source.
	tablePolicy := s.resource(t, "First", "aws_iam_role_policy", "Graph_ds_table_policy")["policy"].(string)
	wantContains(t, tablePolicy, "dynamodb:GetItem", "aws_dynamodb_table.Notes.arn")
	fnPolicy := s.resource(t, "First", "aws_iam_role_policy", "Graph_ds_notesFn_policy")["policy"].(string)
	wantContains(t, fnPolicy, "lambda:InvokeFunction", "aws_lambda_function.Graph_notesFn.arn")
	if strings.Contains(fnPolicy, "dynamodb") {
		t.Errorf("function data source's role reaches the table: %s", fnPolicy)
	}
	wantContains(t, s.resource(t, "First", "aws_iam_role_policy", "Graph_ds_db_policy")["policy"].(string), "rds-data:ExecuteStatement", "secretsmanager:GetSecretValue")
	if r := s.resource(t, "First", "aws_iam_role", "Graph_ds_table_role"); !strings.Contains(r["assume_role_policy"].(string), "appsync.amazonaws.com") {
		t.Errorf("role = %v", r)
	}

	res := s.resources("First", "aws_appsync_resolver")
	if len(res) != 6 {
		t.Errorf("resolvers = %v", keys(res))
	}
	direct := res["Graph_resolver_Query_listNotes"]
	if direct["type"] != "Query" || direct["field"] != "listNotes" || direct["data_source"] != "${aws_appsync_datasource.Graph_ds_Query_listNotes.name}" || direct["request_template"] != nil {
		t.Errorf("direct Lambda resolver = %v", direct)
	}
	js := res["Graph_resolver_Query_getNote"]
	wantContains(t, jsonString(t, js), `"name":"APPSYNC_JS"`, `"runtime_version":"1.0.0"`, "ddb.get")
	vtl := res["Graph_resolver_Query_weather"]
	if !strings.Contains(vtl["request_template"].(string), "/weather/") || vtl["response_template"] != "$ctx.result.body" {
		t.Errorf("VTL resolver = %v", vtl)
	}
	if res["Graph_resolver_Mutation_ping"]["data_source"] != "${aws_appsync_datasource.Graph_ds_local.name}" {
		t.Errorf("added resolver = %v", res["Graph_resolver_Mutation_ping"])
	}
	fn := s.resource(t, "First", "aws_lambda_function", "Graph_Query_listNotes")
	if fn["timeout"] != float64(20) {
		t.Errorf("Defaults.Function: resolver function timeout = %v", fn["timeout"])
	}

	caller := jsonString(t, s.resource(t, "First", "aws_lambda_function", "Caller"))
	wantContains(t, caller, `"SST_AppSyncApi_url_Graph":"${aws_appsync_graphql_api.Graph.uris[\"GRAPHQL\"]}"`, `"SST_AppSyncApi_apiId_Graph":"${aws_appsync_graphql_api.Graph.id}"`, `"SST_AppSyncApi_apiKey_Graph":"__FETCH_FROM_SSM__"`)
	callerPolicy := jsonString(t, s.resources("First", "aws_iam_role_policy"))
	wantContains(t, callerPolicy, "ssm:GetParameters", "aws_ssm_parameter.Graph_api_key_parameter.arn", "appsync:GraphQL", "aws_appsync_graphql_api.Graph.arn}/types/*")
	found := false
	for _, c := range s.manifestStack(t, "First").Constructs {
		if c.ID == "Graph" {
			found = true
			if c.Type != "AppSyncApi" || c.Data["url"] == "" || len(c.Binds) != 0 {
				t.Errorf("manifest construct = %+v", c)
			}
		}
	}
	if !found {
		t.Error("AppSyncApi Graph is not in the manifest")
	}
}

func TestAppSyncApiDefaultsAndDomain(t *testing.T) {
	opts := testOptions(t)
	opts.Region = "eu-west-1"
	s := synthOK(t, Config{Name: "app"}, opts, stacks(t, func(s *Stack) any {
		api := NewAppSyncApi(s, "Graph", AppSyncApiProps{
			Schema:       appSyncSchema[:1],
			Resolvers:    map[string]AppSyncApiResolver{"Query me": {Handler: nodeHandler}},
			CustomDomain: &CustomDomain{DomainName: "graph.example.com", HostedZone: "example.com"},
		})
		NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api}})
		return nil
	})...)
	gql := s.resource(t, "First", "aws_appsync_graphql_api", "Graph")
	if gql["authentication_type"] != "API_KEY" || gql["additional_authentication_provider"] != nil {
		t.Errorf("default mode: %v", gql)
	}
	key := s.resource(t, "First", "aws_appsync_api_key", "Graph_api_key")
	if key["expires"] != `${timeadd(plantimestamp(), "8760h")}` || !strings.Contains(jsonString(t, key["lifecycle"]), `"ignore_changes":["expires"]`) {
		t.Errorf("default api key = %v: a year from its creation, then left alone", key)
	}
	dn := s.resource(t, "First", "aws_appsync_domain_name", "Graph_domain")
	if dn["domain_name"] != "graph.example.com" || !strings.Contains(dn["certificate_arn"].(string), "aws_acm_certificate_validation.Graph_certificate_validation") {
		t.Errorf("domain = %v", dn)
	}
	// AppSync's domains sit behind CloudFront: the certificate comes from us-east-1.
	cert := s.resource(t, "First", "aws_acm_certificate", "Graph_certificate")
	if cert["provider"] != "aws.Graph_us_east_1" {
		t.Errorf("certificate provider = %v", cert["provider"])
	}
	rec := s.resource(t, "First", "aws_route53_record", "Graph_domain_record")
	wantContains(t, jsonString(t, rec), "aws_appsync_domain_name.Graph_domain.appsync_domain_name", "aws_appsync_domain_name.Graph_domain.hosted_zone_id")
	if a := s.resource(t, "First", "aws_appsync_domain_name_api_association", "Graph_domain_association"); a["api_id"] != "${aws_appsync_graphql_api.Graph.id}" {
		t.Errorf("association = %v", a)
	}
	caller := jsonString(t, s.resource(t, "First", "aws_lambda_function", "Caller"))
	wantContains(t, caller, `"SST_AppSyncApi_url_Graph":"https://graph.example.com/graphql"`)
	// No iam mode: binding grants only the key's parameter.
	if strings.Contains(jsonString(t, s.resources("First", "aws_iam_role_policy")), "appsync:GraphQL") {
		t.Error("a binding to an API without an iam mode grants appsync:GraphQL")
	}
}

func TestAppSyncApiNoKey(t *testing.T) {
	s := synthOK(t, Config{Name: "app"}, testOptions(t), stacks(t, func(s *Stack) any {
		api := NewAppSyncApi(s, "Graph", AppSyncApiProps{Schema: appSyncSchema[:1], Auth: AppSyncApiAuth{Type: "iam"}})
		NewFunction(s, "Caller", FunctionProps{Handler: nodeHandler, Bind: []Bindable{api}})
		return nil
	})...)
	if k := s.resources("First", "aws_appsync_api_key"); len(k) != 0 {
		t.Errorf("an iam-only API has an API key: %v", k)
	}
	caller := jsonString(t, s.resource(t, "First", "aws_lambda_function", "Caller"))
	if strings.Contains(caller, "SST_AppSyncApi_apiKey_Graph") {
		t.Errorf("apiKey bound without a key: %s", caller)
	}
}

func TestSchemaFields(t *testing.T) {
	got := schemaFields(`
"""Block "description" with type Fake { nope: X }"""
type Query implements Node @aws_iam {
  # type Commented { no: Int }
  list(limit: Int = 10, filter: In = {a: "x"}): [Note] @deprecated(reason: "use search: ok")
  search(q: String!): [Note]!
}
extend type Query { extra: Int }
input In { a: String }
type Empty
`)
	if q := got["Query"]; !slices.Equal(q, []string{"list", "search", "extra"}) {
		t.Errorf("Query fields = %v", q)
	}
	if _, ok := got["Fake"]; ok {
		t.Errorf("a type inside a description was read: %v", got)
	}
	if _, ok := got["Commented"]; ok {
		t.Errorf("a commented type was read: %v", got)
	}
}

func TestAppSyncApiBadInput(t *testing.T) {
	api := func(props AppSyncApiProps) body {
		return func(s *Stack) any {
			if props.Schema == nil {
				props.Schema = appSyncSchema
			}
			return NewAppSyncApi(s, "Graph", props)
		}
	}
	fn := map[string]AppSyncApiResolver{"Query me": {Handler: nodeHandler}}
	tests := []struct {
		name  string
		props AppSyncApiProps
		want  []string
	}{
		{"no schema", AppSyncApiProps{Schema: []string{}}, []string{`AppSyncApi "Graph"`, "Schema is required"}},
		{"missing schema file", AppSyncApiProps{Schema: []string{"graphql/nope.graphql"}}, []string{`Schema "graphql/nope.graphql"`, "relative to the project root"}},
		{"schema outside the project", AppSyncApiProps{Schema: []string{"../../appsync.go"}}, []string{`Schema "../../appsync.go" is outside the project`}},
		{"bad resolver key", AppSyncApiProps{Resolvers: map[string]AppSyncApiResolver{"Query.me": {Handler: nodeHandler}}}, []string{`resolver "Query.me"`, `"Type field"`}},
		{"unknown type", AppSyncApiProps{Resolvers: map[string]AppSyncApiResolver{"Subscription me": {Handler: nodeHandler}}}, []string{`resolver "Subscription me"`, "no type Subscription", "Mutation, Note, Query"}},
		{"unknown field", AppSyncApiProps{Resolvers: map[string]AppSyncApiResolver{"Query listNotez": {Handler: nodeHandler}}}, []string{`resolver "Query listNotez"`, "no field listNotez", "listNotes"}},
		{"resolver without target", AppSyncApiProps{Resolvers: map[string]AppSyncApiResolver{"Query me": {}}}, []string{`resolver "Query me"`, "Handler, Function or Fn) or a DataSource"}},
		{"resolver with both", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"local": {Type: "none"}}, Resolvers: map[string]AppSyncApiResolver{"Query me": {Handler: nodeHandler, DataSource: "local"}}}, []string{`resolver "Query me"`, "not both"}},
		{"unknown data source", AppSyncApiProps{Resolvers: map[string]AppSyncApiResolver{"Query me": {DataSource: "nope"}}}, []string{`resolver "Query me"`, `DataSource "nope" is not in DataSources`}},
		{"table source without mapping", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"local": {Type: "none"}}, Resolvers: map[string]AppSyncApiResolver{"Query me": {DataSource: "local"}}},
			[]string{`resolver "Query me"`, `data source "local" is none`, "RequestMapping and ResponseMapping", "Code"}},
		{"half a mapping", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"local": {Type: "none"}}, Resolvers: map[string]AppSyncApiResolver{"Query me": {DataSource: "local", RequestMapping: AppSyncMappingTemplate{Inline: "{}"}}}},
			[]string{`resolver "Query me"`, "both RequestMapping and ResponseMapping"}},
		{"code and mapping", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"local": {Type: "none"}}, Resolvers: map[string]AppSyncApiResolver{"Query me": {DataSource: "local", Code: "graphql/getNote.js", RequestMapping: AppSyncMappingTemplate{Inline: "{}"}, ResponseMapping: AppSyncMappingTemplate{Inline: "{}"}}}},
			[]string{`resolver "Query me"`, "Code (APPSYNC_JS) or RequestMapping/ResponseMapping (VTL), not both"}},
		{"mapping inline and file", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"local": {Type: "none"}}, Resolvers: map[string]AppSyncApiResolver{"Query me": {DataSource: "local", RequestMapping: AppSyncMappingTemplate{Inline: "{}", File: "graphql/weather.req.vtl"}}}},
			[]string{`resolver "Query me"`, "RequestMapping: set Inline or File"}},
		{"missing code file", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"local": {Type: "none"}}, Resolvers: map[string]AppSyncApiResolver{"Query me": {DataSource: "local", Code: "graphql/nope.js"}}},
			[]string{`resolver "Query me"`, `Code "graphql/nope.js"`}},
		{"bad data source name", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"my-ds": {Type: "none"}}}, []string{`data source "my-ds"`, `try "my_ds"`}},
		{"unknown data source type", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {Type: "lambda"}}}, []string{`data source "x"`, `Type "lambda"`, `"function", "dynamodb", "rds", "http" or "none"`}},
		{"data source with nothing", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {}}}, []string{`data source "x"`, `Type ""`}},
		{"type and other props", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {Type: "none", Endpoint: "https://a.example.com"}}}, []string{`data source "x"`, `Type "none"`, "http data source are set"}},
		{"dynamodb without table", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {Type: "dynamodb"}}}, []string{`data source "x"`, "Table is required"}},
		{"rds without cluster", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {Type: "rds"}}}, []string{`data source "x"`, "RDS is required"}},
		{"http with a path", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {Endpoint: "https://a.example.com/v1"}}}, []string{`data source "x"`, `Endpoint "https://a.example.com/v1"`, "scheme and host only"}},
		{"http without scheme", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"x": {Type: "http", Endpoint: "a.example.com"}}}, []string{`data source "x"`, "give the scheme and host"}},
		{"resolver function data source name taken", AppSyncApiProps{DataSources: map[string]AppSyncApiDataSource{"Query_me": {Type: "none"}}, Resolvers: fn}, []string{`resolver "Query me"`, `"Query_me"`, "rename"}},
		{"unknown auth type", AppSyncApiProps{Auth: AppSyncApiAuth{Type: "cognito"}}, []string{`Auth.Type "cognito"`, `"api_key", "user_pool", "iam", "oidc" or "lambda"`}},
		{"mode twice", AppSyncApiProps{AdditionalAuth: []AppSyncApiAuth{{Type: "api_key"}}}, []string{`AdditionalAuth[0]`, `"api_key" is already a mode`}},
		{"user pool without id", AppSyncApiProps{Auth: AppSyncApiAuth{Type: "user_pool"}}, []string{"Auth.UserPool.ID is required"}},
		{"bad default action", AppSyncApiProps{Auth: AppSyncApiAuth{Type: "user_pool", UserPool: AppSyncUserPool{ID: "p", DefaultAction: "MAYBE"}}}, []string{`DefaultAction "MAYBE"`}},
		{"additional default action", AppSyncApiProps{AdditionalAuth: []AppSyncApiAuth{{Type: "user_pool", UserPool: AppSyncUserPool{ID: "p", DefaultAction: "DENY"}}}}, []string{"AdditionalAuth[0].UserPool.DefaultAction", "only the default mode"}},
		{"oidc without https issuer", AppSyncApiProps{Auth: AppSyncApiAuth{Type: "oidc", OIDC: AppSyncOIDC{Issuer: "accounts.google.com"}}}, []string{`Auth.OIDC.Issuer "accounts.google.com"`, "https URL"}},
		{"lambda without function", AppSyncApiProps{Auth: AppSyncApiAuth{Type: "lambda"}}, []string{"Auth: a lambda mode needs its authorizer"}},
		{"lambda cache TTL", AppSyncApiProps{Auth: AppSyncApiAuth{Type: "lambda", Handler: nodeHandler, ResultsCacheTTL: 2 * time.Hour}}, []string{"Auth.ResultsCacheTTL 2h"}},
		{"expired key", AppSyncApiProps{Auth: AppSyncApiAuth{ApiKeyExpires: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}}, []string{"Auth.ApiKeyExpires 2001-01-01T00:00:00Z is in the past"}},
		{"resolver function error", AppSyncApiProps{Resolvers: map[string]AppSyncApiResolver{"Query me": {Function: FunctionProps{Handler: nodeHandler, MemorySize: 64}}}}, []string{`function "Graph_Query_me"`, "MemorySize 64"}},
		{"domain without zone", AppSyncApiProps{CustomDomain: &CustomDomain{DomainName: "graph.example.com"}}, []string{"CustomDomain.HostedZone is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, api(tt.props))...)
			wantContains(t, msg, tt.want...)
		})
	}
}
