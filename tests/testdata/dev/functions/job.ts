// The queue consumer of the fixture: logs each message's body; a body
// starting with "fail" is reported failed (partial batch response).
type Record = { messageId: string; body: string; eventSource: string };

export async function handler(event: { Records: Record[] }) {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const r of event.Records) {
    console.log(`job-v1 handled ${r.body} (${r.eventSource})`);
    if (r.body.startsWith("fail")) batchItemFailures.push({ itemIdentifier: r.messageId });
  }
  return { batchItemFailures };
}

// The cron job of the fixture: logs the scheduled event's source and time.
export async function tick(event: { source: string; "detail-type": string; time: string }) {
  console.log(`tick-v1 ${event["detail-type"]} from ${event.source} at ${event.time}`);
}
