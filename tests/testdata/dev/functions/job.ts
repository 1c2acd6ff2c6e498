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

// The cron job of the fixture: logs what its target passes (its Input).
export async function tick(event: unknown) {
  console.log(`tick-v1 got ${JSON.stringify(event)}`);
}

// The Script's create and update handler: logs the phase and params.
export async function seed(event: { phase: string; params: unknown }) {
  console.log(`seed-v1 ${event.phase} ${JSON.stringify(event.params)}`);
}

// The topic subscriber of the fixture: logs each notification's message.
export async function audit(event: { Records: { EventSource: string; Sns: { Message: string } }[] }) {
  for (const r of event.Records) console.log(`audit-v1 got ${r.Sns.Message} (${r.EventSource})`);
}

// The event bus target of the fixture: logs the event's type and order.
export async function bill(event: { source: string; "detail-type": string; detail: { order: string } }) {
  console.log(`bill-v1 ${event["detail-type"]} ${event.detail.order} from ${event.source}`);
}

// The bucket notification of the fixture: logs each created object's key.
export async function thumb(event: { Records: { eventSource: string; s3: { object: { key: string } } }[] }) {
  for (const r of event.Records) console.log(`thumb-v1 ${decodeURIComponent(r.s3.object.key)} (${r.eventSource})`);
}

// The stream consumer of the fixture: logs each record's data.
export async function click(event: { Records: { eventSource: string; kinesis: { data: string } }[] }) {
  for (const r of event.Records) console.log(`click-v1 ${Buffer.from(r.kinesis.data, "base64").toString()} (${r.eventSource})`);
}
