// The dev runtime's Node test handler: "gw" answers with the event it got
// (for the API Gateway tests), "return" answers with a value the test
// chose, an SQS batch is consumed (for the queue poller tests), the rest
// mirror the Go handler.
type Event = {
  Records?: {
    messageId: string;
    body: string;
    eventSource: string;
    eventSourceARN: string;
    Sns?: { Message: string; TopicArn: string };
    s3?: { bucket: { name: string }; object: { key: string } };
    kinesis?: { data: string; partitionKey: string };
  }[];
  "detail-type"?: string;
  detail?: { say?: string };
  action?: string;
  ms?: number;
  log?: string;
  body?: string;
  queryStringParameters?: Record<string, string>;
};

function parse(body?: string): { action?: string; value?: unknown } {
  try {
    return body ? JSON.parse(body) : {};
  } catch {
    return {};
  }
}

export async function handler(event: Event) {
  const sns = event.Records?.[0]?.Sns;
  if (sns) {
    // An SNS notification: logged; "throw" fails it.
    console.log(`sns ${sns.Message} from ${sns.TopicArn}`);
    if (sns.Message === "throw") throw new Error("notification failed on purpose");
    return null;
  }
  if (event.Records?.[0]?.kinesis) {
    // A Kinesis batch: each record's data is logged; a "throw" record
    // fails the batch.
    const data = event.Records.map((r) => Buffer.from(r.kinesis!.data, "base64").toString());
    console.log(`kinesis ${data.join(",")}`);
    if (data.includes("throw")) throw new Error("batch failed on purpose");
    return null;
  }
  const s3 = event.Records?.[0]?.s3;
  if (s3) {
    // An S3 notification: logged; a key containing "throw" fails it.
    console.log(`s3 ${s3.object.key} in ${s3.bucket.name}`);
    if (s3.object.key.includes("throw")) throw new Error("notification failed on purpose");
    return null;
  }
  if (event["detail-type"]) {
    // An EventBridge event: logged; detail.say "throw" fails it.
    console.log(`bus ${event["detail-type"]} says ${event.detail?.say}`);
    if (event.detail?.say === "throw") throw new Error("event failed on purpose");
    return null;
  }
  if (event.Records) {
    // An SQS batch: each record is logged; "fail…" bodies are reported
    // failed, a "throw" body fails the whole batch.
    const failed: { itemIdentifier: string }[] = [];
    for (const r of event.Records) {
      console.log(`got ${r.body} from ${r.eventSource} ${r.eventSourceARN}`);
      if (r.body === "throw") throw new Error("batch failed on purpose");
      if (r.body.startsWith("fail")) failed.push({ itemIdentifier: r.messageId });
    }
    return { batchItemFailures: failed };
  }
  if (event.log) console.log(event.log);
  const body = parse(event.body);
  switch (event.action ?? event.queryStringParameters?.action ?? body.action) {
    case "throw":
      throw new TypeError("handler threw on purpose");
    case "sleep":
      await new Promise((r) => setTimeout(r, event.ms ?? 0));
      return { pid: process.pid, api: process.env.AWS_LAMBDA_RUNTIME_API };
    case "return":
      return body.value;
    case "gw":
      return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(event) };
  }
  return {
    pid: process.pid,
    table: process.env.SST_Table_tableName_Notes,
    version: 1,
    api: process.env.AWS_LAMBDA_RUNTIME_API,
    sdkWarningDisabled: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED,
  };
}

export const other = async () => ({ version: 2 });

// A Lambda authorizer for the gateway tests: simple responses, or, given
// a payload format 1.0 event's methodArn, an IAM policy on it.
// A REST API's token authorizer gets the header as authorizationToken.
export const authorizer = async (event: { headers?: Record<string, string>; methodArn?: string; authorizationToken?: string }) => {
  const token = event.authorizationToken ?? event.headers?.authorization ?? event.headers?.Authorization;
  const allowed = token === "let-me-in";
  if (event.methodArn) {
    return {
      principalId: "u1",
      policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: allowed ? "Allow" : "Deny", Resource: event.methodArn }] },
      context: { user: "u1" },
    };
  }
  return { isAuthorized: allowed, context: { user: "u1" } };
};

// A WebSocket route handler: $connect refuses ?deny=1; a message is echoed
// back through the connection management API, as a chat handler would.
export async function ws(event: {
  requestContext: { routeKey: string; connectionId: string };
  queryStringParameters?: Record<string, string>;
  body?: string;
}) {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === "$connect") {
    return { statusCode: event.queryStringParameters?.deny ? 403 : 200 };
  }
  if (routeKey === "$disconnect") {
    console.log(`bye ${connectionId}`);
    return { statusCode: 200 };
  }
  const res = await fetch(`${process.env.WS_ENDPOINT}/@connections/${encodeURIComponent(connectionId)}`, {
    method: "POST",
    body: `${routeKey}:${event.body}`,
  });
  if (!res.ok) throw new Error(`post to connection: ${res.status}`);
  return { statusCode: 200 };
}
