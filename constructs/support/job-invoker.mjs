// A Job's invoker: what SST v2's Node client (sst/node/job) invokes. It
// starts one run of the Job's CodeBuild project with the invocation's
// payload in SST_PAYLOAD, which the job's wrapper hands to the handler,
// and answers with the run's build id.
import { CodeBuildClient, StartBuildCommand } from "@aws-sdk/client-codebuild";

const client = new CodeBuildClient({});

export async function handler(event) {
  const out = await client.send(
    new StartBuildCommand({
      projectName: process.env.SST_JOB_PROJECT,
      environmentVariablesOverride: [
        { name: "SST_PAYLOAD", value: JSON.stringify(event ?? null), type: "PLAINTEXT" },
      ],
    }),
  );
  const id = out.build?.id ?? "";
  console.log(`started job run ${id}`);
  return { buildId: id };
}
