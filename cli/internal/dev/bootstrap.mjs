// sst dev's Node worker: loads one bundled handler and serves requests from
// the local Lambda Runtime API until sst stops it. It plays the part of the
// managed Node.js runtime, so handlers run unchanged.
import { pathToFileURL } from "node:url";

const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const file = process.argv[2];
const exportName = process.argv[3];
let current = null;

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: e.name || "Error",
    errorMessage: e.message,
    stackTrace: String(e.stack || "").split("\n").slice(1).map((l) => l.trim()),
  };
}

async function post(path, body) {
  await fetch(api + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

// A throw outside the awaited promise (a timer, an event emitter) still
// belongs to the request being served; Lambda reports it and restarts.
async function crash(err) {
  console.error(err);
  try {
    await post(current ? `/invocation/${current}/error` : "/init/error", errorBody(err));
  } finally {
    process.exit(1);
  }
}
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

let handler;
try {
  const mod = await import(pathToFileURL(file).href);
  handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== "function") {
    throw new Error(`${file} has no exported function "${exportName}"`);
  }
} catch (err) {
  await crash(err);
}

for (;;) {
  const res = await fetch(api + "/invocation/next");
  if (res.status !== 200) process.exit(0);
  const id = res.headers.get("lambda-runtime-aws-request-id");
  const deadline = Number(res.headers.get("lambda-runtime-deadline-ms"));
  const event = await res.json();
  current = id;
  const context = {
    awsRequestId: id,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: res.headers.get("lambda-runtime-invoked-function-arn"),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await new Promise((resolve, reject) => {
      const callback = (err, value) => (err ? reject(err) : resolve(value));
      const out = handler(event, context, callback);
      if (out && typeof out.then === "function") out.then(resolve, reject);
      else if (handler.length < 3) resolve(out);
    });
    await post(`/invocation/${id}/response`, result === undefined ? null : result);
  } catch (err) {
    await post(`/invocation/${id}/error`, errorBody(err));
  }
  current = null;
}
