// Bound to the bucket, the queue and the topic; reads them from its binding.
export async function handler() {
  return {
    bucket: process.env.SST_Bucket_bucketName_Uploads,
    queue: process.env.SST_Queue_queueUrl_Jobs,
    topic: process.env.SST_Topic_topicArn_Events,
  };
}
