// A Node handler beside the Go ones: the API's liveness check.
export async function handler() {
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ok: true, app: process.env.SST_APP, stage: process.env.SST_STAGE }),
  };
}
