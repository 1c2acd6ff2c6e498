// Processes queued jobs, reporting only the failed ones for retry.
export async function handler(event: { Records: { messageId: string; body: string }[] }) {
  const failed = event.Records.filter((r) => r.body === "fail").map((r) => ({ itemIdentifier: r.messageId }));
  return { batchItemFailures: failed };
}
