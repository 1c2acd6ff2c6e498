#!/usr/bin/env bash
# sst dev event delivery benchmark (BENCHMARKS.md): how long from sending
# an event to the local handler's line for it, against a moto_server this
# script starts. SOURCE picks the source and its example:
#   queue  (default) examples/queue: SendMessage → the Go consumer's
#          `ran job "bench-N"` line (batch size 10, no batching window);
#   bucket examples/bucket-notifications: PutObject under uploads/ → the
#          invocation line of the Go notification handler (S3 → the
#          dev-only queue → the CLI).
# RUNS sets the number of events, sent one at a time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
source_kind="${SOURCE:-queue}"
case "$source_kind" in
  queue) example=queue ready="Queue Jobs: polled here" ;;
  bucket) example=bucket-notifications ready="bucket Uploads uploaded:" ;;
  *) echo "SOURCE=$source_kind: use queue or bucket" >&2; exit 2 ;;
esac
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

"$sst" dev --stage bench --port 0 >"$work/dev.log" 2>&1 &
cleanup_pids+=($!)
for _ in $(seq 1 1200); do grep -q "sst dev is running" "$work/dev.log" && break; sleep 0.5; done
grep -q "$ready" "$work/dev.log" || { echo "sst dev does not run the $source_kind handler:" >&2; cat "$work/dev.log" >&2; exit 1; }

# One process sends and watches the log, so the figure holds no client
# start-up: t0 is just before the send, t1 when the line is in the log.
RUNS="$runs" LOG="$work/dev.log" SOURCE="$source_kind" python3 - <<'PY'
import os, statistics, time, boto3
kind, log = os.environ["SOURCE"], os.environ["LOG"]
ep, region = os.environ["SST_ENDPOINT"], os.environ["AWS_REGION"]
if kind == "queue":
    sqs = boto3.client("sqs", endpoint_url=ep, region_name=region)
    url = sqs.get_queue_url(QueueName="bench-queue-Jobs")["QueueUrl"]
    send = lambda name: sqs.send_message(QueueUrl=url, MessageBody=f'{{"kind":"{name}"}}')
    line = lambda name: f'ran job "{name}"'
    what = "SendMessage → the local consumer's line for it"
else:
    s3 = boto3.client("s3", endpoint_url=ep, region_name=region)
    bucket = "bench-bucket-notifications-uploads"
    # moto has no TLS, so it refuses every object request under the
    # bucket's TLS-only policy.
    s3.delete_bucket_policy(Bucket=bucket)
    send = lambda name: s3.put_object(Bucket=bucket, Key=f"uploads/{name}", Body=b"x")
    line = lambda name: None
    what = "PutObject → the local notification handler's invocation line"
# A first event warms the worker (the first invocation starts it).
count = lambda: open(log).read().count("bucket Uploads uploaded ")
send("warm")
secs = []
for i in range(int(os.environ["RUNS"]) + 1):
    name = f"bench-{i}"
    time.sleep(1)
    before = count()
    t0 = time.monotonic()
    send(name)
    want = line(name)
    while (want not in open(log).read()) if want else count() == before:
        if time.monotonic() - t0 > 60:
            raise SystemExit(f"never saw the line for {name}")
        time.sleep(0.005)
    if i > 0:
        secs.append(time.monotonic() - t0)
runs = ", ".join(f"{s:.3f}" for s in secs)
print("| measure | median of %d (s) | runs (s) |" % len(secs))
print("|---|---|---|")
print(f"| sst dev ({kind}): {what} (target ≤ 1 s) | **{statistics.median(secs):.3f}** | {runs} |")
PY
