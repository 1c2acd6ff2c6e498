// The HTTP side: accepts feedback and hands it to the rest of the app
// through what it is bound to (queue, topic, bus, stream, bucket).
export async function handler(event: { routeKey?: string; body?: string }) {
  return {
    statusCode: 202,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      route: event.routeKey,
      queue: process.env.SST_Queue_queueUrl_Jobs,
      topic: process.env.SST_Topic_topicArn_Events,
      bus: process.env.SST_EventBus_eventBusName_Bus,
      stream: process.env.SST_KinesisStream_streamName_Clicks,
      bucket: process.env.SST_Bucket_bucketName_Uploads,
      apiVersion: process.env.SST_Parameter_value_API_VERSION,
    }),
  };
}
