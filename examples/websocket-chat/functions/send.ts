// sendMessage: {"action": "sendMessage", "data": "hi"} is posted to every
// open connection; connections that are gone are removed.
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

const db = new DynamoDBClient({});
const table = process.env.SST_Table_tableName_Connections;
// The bound URL is wss://…/<stage>; the management API is its https twin.
const endpoint = (process.env.SST_WebSocketApi_url_Chat ?? "").replace(/^wss:/, "https:");
const api = new ApiGatewayManagementApiClient({ endpoint });

export async function handler(event: { body?: string }) {
  const data = JSON.parse(event.body ?? "{}").data ?? "";
  const conns = await db.send(new ScanCommand({ TableName: table, ProjectionExpression: "connectionId" }));
  await Promise.all(
    (conns.Items ?? []).map(async (item) => {
      const id = item.connectionId.S!;
      try {
        await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode(String(data)) }));
      } catch (e) {
        if (e instanceof GoneException) {
          await db.send(new DeleteItemCommand({ TableName: table, Key: { connectionId: { S: id } } }));
        } else {
          throw e;
        }
      }
    }),
  );
  return { statusCode: 200 };
}
