// Invoked by Terraform's aws_lambda_invocation (lifecycle_scope CRUD): the
// provider adds {"tf": {"action": "create" | "update" | "delete"}} to the
// input, and this runs the Script's function for that phase with SST v2's
// payload, {params}, plus the phase. A failing function fails the deploy.
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";

const client = new LambdaClient({});
const targets = {
  create: process.env.SST_SCRIPT_CREATE,
  update: process.env.SST_SCRIPT_UPDATE,
  delete: process.env.SST_SCRIPT_DELETE,
};

export async function handler(event) {
  const phase = event && event.tf ? event.tf.action : undefined;
  const fn = targets[phase];
  if (!fn) return { phase, invoked: null };
  const res = await client.send(
    new InvokeCommand({
      FunctionName: fn,
      Payload: JSON.stringify({ params: event.params ?? {}, phase }),
    }),
  );
  const body = res.Payload ? Buffer.from(res.Payload).toString() : "";
  if (res.FunctionError) {
    throw new Error(`script ${phase} function ${fn} failed: ${body}`);
  }
  return { phase, invoked: fn };
}
