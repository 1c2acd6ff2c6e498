// The fixture's WebSocket handler: answers every message on the same
// connection through the management API of the Api it is bound to.
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

type Event = { requestContext: { routeKey: string; connectionId: string }; body?: string };

export async function handler(event: Event) {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey !== "$default") return { statusCode: 200 };
  // wss://… deployed, ws://127.0.0.1:… under sst dev.
  const endpoint = (process.env.SST_WebSocketApi_url_Chat ?? "").replace(/^ws/, "http");
  const api = new ApiGatewayManagementApiClient({ endpoint });
  await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: `echo: ${event.body}` }));
  return { statusCode: 200 };
}
