// Node handlers of the fixture: list reads the bound table with the AWS
// SDK; boom throws; slow answers after a second with its process id.
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";

const db = new DynamoDBClient({});

export async function handler() {
  const out = await db.send(new ScanCommand({ TableName: process.env.SST_Table_tableName_Items }));
  const names = (out.Items ?? []).map((i) => i.name?.S).sort();
  return { names, by: "node-v1" };
}

export async function boom() {
  throw new Error("boom from the list handler");
}

export async function slow() {
  await new Promise((r) => setTimeout(r, 1000));
  return { pid: process.pid };
}
