// Calls a built Lambda handler the way a function URL would (payload
// format 2.0) and prints the response as JSON. Used by
// tests/adapters_test.go on a copy of the server bundle that has no
// node_modules beside it, so it proves the bundle is what Lambda runs.
//
//   node invoke.mjs <server dir> <file.export> <path>
import path from "node:path";
import { pathToFileURL } from "node:url";
import fs from "node:fs";

const [dir, handler, rawPath = "/"] = process.argv.slice(2);
const dot = handler.lastIndexOf(".");
const base = path.join(dir, handler.slice(0, dot));
const file = [".mjs", ".js", ".cjs"].map((e) => base + e).find((f) => fs.existsSync(f));
if (!file) throw new Error(`no handler file for ${base}`);
const mod = await import(pathToFileURL(file).href);
const fn = mod[handler.slice(dot + 1)];
if (typeof fn !== "function") throw new Error(`${file} exports no ${handler.slice(dot + 1)}`);

const host = "site.example.com";
const event = {
  version: "2.0",
  routeKey: "$default",
  rawPath,
  rawQueryString: "",
  cookies: [],
  headers: { host, "x-forwarded-host": host, "x-forwarded-proto": "https", accept: "text/html", "user-agent": "sst-test" },
  requestContext: {
    accountId: "anonymous",
    apiId: "fnurl",
    domainName: host,
    domainPrefix: "site",
    http: { method: "GET", path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "sst-test" },
    requestId: "req-1",
    routeKey: "$default",
    stage: "$default",
    time: "01/Jan/2026:00:00:00 +0000",
    timeEpoch: 1767225600000,
  },
  isBase64Encoded: false,
};
const context = { functionName: "server", awsRequestId: "req-1", getRemainingTimeInMillis: () => 10000 };
const res = await fn(event, context);
let body = res.body ?? "";
if (res.isBase64Encoded) body = Buffer.from(body, "base64").toString("utf8");
process.stdout.write(JSON.stringify({ statusCode: res.statusCode, headers: res.headers ?? {}, body }) + "\n");
