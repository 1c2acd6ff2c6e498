// Receives S3 notifications for new uploads.
export async function handler(event: { Records?: { s3: { object: { key: string } } }[] }) {
  for (const r of event.Records ?? []) console.log("uploaded", r.s3.object.key);
}
