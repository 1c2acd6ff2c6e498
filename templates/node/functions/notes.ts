// Notes handlers for API Gateway's HTTP API (payload format 2.0).
// The AWS SDK v3 ships with Lambda's Node.js runtime, so it is not bundled.
import { randomUUID } from "node:crypto";
import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";

const db = new DynamoDBClient({});

// Binding the Notes table sets this variable (SST v2's name for it); run
// `sst types` for a typed declaration of every bound name.
function tableName(): string {
  const name = process.env.SST_Table_tableName_Notes;
  if (!name) throw new Error("the Notes table is not bound to this function: add it to Bind");
  return name;
}

type Event = { body?: string; isBase64Encoded?: boolean };
type Result = { statusCode: number; headers: Record<string, string>; body: string };

const reply = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export async function list(): Promise<Result> {
  const out = await db.send(new ScanCommand({ TableName: tableName() }));
  const notes = (out.Items ?? []).map((i) => ({
    noteId: i.noteId?.S,
    content: i.content?.S,
    createdAt: i.createdAt?.S,
  }));
  return reply(200, notes);
}

export async function create(event: Event): Promise<Result> {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString() : event.body;
  let content: unknown;
  try {
    content = JSON.parse(raw ?? "").content;
  } catch {
    content = undefined;
  }
  if (typeof content !== "string" || content === "") {
    return reply(400, { error: 'body must be JSON like {"content": "…"}' });
  }
  const note = { noteId: randomUUID(), content, createdAt: new Date().toISOString() };
  await db.send(
    new PutItemCommand({
      TableName: tableName(),
      Item: { noteId: { S: note.noteId }, content: { S: note.content }, createdAt: { S: note.createdAt } },
    }),
  );
  return reply(201, note);
}
