// $connect and $disconnect: keep the table of open connections.
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";

const db = new DynamoDBClient({});
const table = process.env.SST_Table_tableName_Connections;

type Event = { requestContext: { connectionId: string } };

export async function connect(event: Event) {
  await db.send(new PutItemCommand({ TableName: table, Item: { connectionId: { S: event.requestContext.connectionId } } }));
  return { statusCode: 200 };
}

export async function disconnect(event: Event) {
  await db.send(new DeleteItemCommand({ TableName: table, Key: { connectionId: { S: event.requestContext.connectionId } } }));
  return { statusCode: 200 };
}
