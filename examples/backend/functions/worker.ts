// Background work: queue batches, topic messages, bus events, stream
// records, uploads, the nightly job and WebSocket messages all land here.
export async function handler(event: unknown) {
  console.log(JSON.stringify(event));
  return { ok: true };
}
