// Lambda@Edge origin-request handler of an SSR site whose server function
// URL requires AWS_IAM auth (SsrSiteRegional.EnableServerURLIAMAuth): it
// signs each request CloudFront forwards to the server with Signature
// Version 4, as this function's role, which may invoke that URL only.
// Lambda@Edge has no environment variables of its own: the region comes
// from the origin's host (<id>.lambda-url.<region>.on.aws) and the
// credentials from the runtime's.
import { createHash, createHmac } from "node:crypto";

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

// encode is RFC 3986 percent-encoding, which SigV4 canonical strings use
// (encodeURIComponent leaves !'()* alone).
const encode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

const decode = (s) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

// canonicalPath encodes each segment of the path as it arrived, already
// percent-encoded: SigV4 for services other than S3 encodes it twice.
const canonicalPath = (uri) => uri.split("/").map(encode).join("/") || "/";

// canonicalQuery is the query's pairs, each side encoded once, sorted.
const canonicalQuery = (qs) =>
  qs
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf("=");
      const [k, v] = i < 0 ? [pair, ""] : [pair.slice(0, i), pair.slice(i + 1)];
      return [encode(decode(k)), encode(decode(v))];
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => k + "=" + v)
    .join("&");

export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  const body = request.body;
  if (body && body.inputTruncated) {
    // CloudFront shows an origin-request function at most 1 MB of the
    // body: the rest cannot be hashed, so the signature would not match.
    return {
      status: "413",
      statusDescription: "Payload Too Large",
      headers: { "content-type": [{ key: "Content-Type", value: "text/plain" }] },
      body: "The request body is over the 1 MB this site's server accepts.",
    };
  }
  const payload = body && body.data ? Buffer.from(body.data, body.encoding === "text" ? "utf8" : "base64") : Buffer.alloc(0);
  const host = request.origin.custom.domainName;
  const region = host.split(".")[2];
  const stamp = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = stamp.slice(0, 8);
  const headers = { host, "x-amz-content-sha256": sha256(payload), "x-amz-date": stamp };
  if (process.env.AWS_SESSION_TOKEN) {
    headers["x-amz-security-token"] = process.env.AWS_SESSION_TOKEN;
  }
  const names = Object.keys(headers).sort();
  const canonical = [
    request.method,
    canonicalPath(request.uri),
    canonicalQuery(request.querystring || ""),
    names.map((n) => n + ":" + headers[n] + "\n").join(""),
    names.join(";"),
    headers["x-amz-content-sha256"],
  ].join("\n");
  const scope = `${day}/${region}/lambda/aws4_request`;
  let key = hmac("AWS4" + process.env.AWS_SECRET_ACCESS_KEY, day);
  for (const part of [region, "lambda", "aws4_request"]) {
    key = hmac(key, part);
  }
  const signature = createHmac("sha256", key)
    .update(["AWS4-HMAC-SHA256", stamp, scope, sha256(canonical)].join("\n"))
    .digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  for (const [name, value] of Object.entries(headers)) {
    request.headers[name] = [{ key: name, value }];
  }
  return request;
};
