#!/usr/bin/env bash
# sst dev queue benchmark (BENCHMARKS.md): how long from SendMessage to the
# local consumer's first log line for that message, on examples/queue
# (a Go consumer, batch size 10, no batching window) against a moto_server
# this script starts. RUNS sets the number of messages, sent one at a time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
example=queue
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

"$sst" dev --stage bench --port 0 >"$work/dev.log" 2>&1 &
cleanup_pids+=($!)
for _ in $(seq 1 1200); do grep -q "sst dev is running" "$work/dev.log" && break; sleep 0.5; done
grep -q "Queue Jobs: polled here" "$work/dev.log" || { echo "sst dev did not poll the queue:" >&2; cat "$work/dev.log" >&2; exit 1; }

# One process sends and watches the log, so the figure holds no client
# start-up: t0 is just before SendMessage, t1 when the line is in the log.
RUNS="$runs" LOG="$work/dev.log" python3 - <<'PY'
import os, statistics, time, boto3
sqs = boto3.client("sqs", endpoint_url=os.environ["SST_ENDPOINT"], region_name=os.environ["AWS_REGION"])
url = sqs.get_queue_url(QueueName="bench-queue-Jobs")["QueueUrl"]
log = os.environ["LOG"]
# A first message warms the worker (the first invocation starts it).
sqs.send_message(QueueUrl=url, MessageBody='{"kind":"warm"}')
secs = []
for i in range(int(os.environ["RUNS"]) + 1):
    want = f'ran job "bench-{i}"'
    time.sleep(1)
    t0 = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody=f'{{"kind":"bench-{i}"}}')
    while want not in open(log).read():
        if time.monotonic() - t0 > 60:
            raise SystemExit(f"never saw {want}")
        time.sleep(0.005)
    if i > 0:
        secs.append(time.monotonic() - t0)
runs = ", ".join(f"{s:.3f}" for s in secs)
print("| measure | median of %d (s) | runs (s) |" % len(secs))
print("|---|---|---|")
print(f"| sst dev: SendMessage → the local consumer's line for it (target ≤ 1 s) | **{statistics.median(secs):.3f}** | {runs} |")
PY
