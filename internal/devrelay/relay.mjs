// The code a dev stage deploys in place of each function's own while
// `sst dev` runs it locally: it sends the invocation to the stack's
// dev-only request queue, which sst dev polls, and waits for the answer
// sst dev writes to the dev-only response table, keyed by the request id.
// No dependencies: it signs its SQS and DynamoDB calls (AWS JSON 1.0)
// itself, so it runs the same in Lambda and in sst dev's own runtime.
import { createHash, createHmac, randomUUID } from "node:crypto";

const env = process.env;

export async function handler(event, context) {
  const id = (context && context.awsRequestId) || randomUUID();
  const left = context && context.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() : 60000;
  // Leave time to say why when nobody answers.
  const deadline = Date.now() + Math.max(left - 1000, 1000);
  await call("sqs", "AmazonSQS.SendMessage", {
    QueueUrl: env.SST_DEV_RELAY_QUEUE,
    MessageBody: JSON.stringify({
      id,
      function: env.SST_DEV_RELAY_FUNCTION,
      payload: JSON.stringify(event === undefined ? null : event),
      deadline,
    }),
  });
  const key = { id: { S: id } };
  for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
    const got = await call("dynamodb", "DynamoDB_20120810.GetItem", {
      TableName: env.SST_DEV_RELAY_TABLE,
      Key: key,
      ConsistentRead: true,
    });
    const item = got.Item;
    if (item) {
      await call("dynamodb", "DynamoDB_20120810.DeleteItem", { TableName: env.SST_DEV_RELAY_TABLE, Key: key });
      if (item.error) {
        const e = JSON.parse(item.error.S);
        const err = new Error(e.errorMessage);
        err.name = e.errorType || "Error";
        const trace = e.stackTrace || [];
        if (trace.length) err.stack = `${err.name}: ${err.message}\n${trace.join("\n")}`;
        throw err;
      }
      return JSON.parse(item.payload.S);
    }
    if (Date.now() + wait > deadline) {
      throw new Error(
        `sst dev did not answer: this function of stage ${env.SST_STAGE} runs on the machine running \`sst dev\`; ` +
          `start it, or deploy the function's own code with \`sst deploy --stage ${env.SST_STAGE}\``,
      );
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

// call makes one AWS JSON 1.0 request, signed with Signature Version 4
// with the function's credentials.
async function call(service, target, body) {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  const url = new URL(
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL || `https://${service}.${region}.amazonaws.com/`,
  );
  const payload = JSON.stringify(body);
  const now = new Date().toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = now.slice(0, 8);
  const headers = {
    "content-type": "application/x-amz-json-1.0",
    host: url.host,
    "x-amz-date": now,
    "x-amz-target": target,
  };
  if (env.AWS_SESSION_TOKEN) headers["x-amz-security-token"] = env.AWS_SESSION_TOKEN;
  const names = Object.keys(headers).sort();
  const canonical = [
    "POST",
    url.pathname || "/",
    "",
    ...names.map((n) => `${n}:${headers[n]}`),
    "",
    names.join(";"),
    sha256(payload),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", now, scope, sha256(canonical)].join("\n");
  let k = hmac(`AWS4${env.AWS_SECRET_ACCESS_KEY}`, day);
  for (const part of [region, service, "aws4_request"]) k = hmac(k, part);
  const signature = createHmac("sha256", k).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${env.AWS_ACCESS_KEY_ID}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  delete headers.host;
  const res = await fetch(url, { method: "POST", headers, body: payload });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

function sha256(s) {
  return createHash("sha256").update(s).digest("hex");
}

function hmac(key, s) {
  return createHmac("sha256", key).update(s).digest();
}
