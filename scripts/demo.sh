#!/usr/bin/env bash
# The main job: deploy the example app to a local AWS emulator this script
# starts itself, print its outputs and the DynamoDB table it made, then
# remove the stage and stop the emulator. Every step it promises either
# happens or fails the demo (non-zero exit, saying which step).
set -euo pipefail
step="checking the tools it needs"
trap 'echo "demo: FAILED while $step (exit $?)" >&2' ERR

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
example="${EXAMPLE:-rest-api}"
stage="${STAGE:-demo}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "demo: $1 is not installed ($2)" >&2; exit 1; }; }
need go "https://go.dev/dl"
need terraform "Terraform >= 1.10"
need moto_server "pip install 'moto[server]'"
need node "Node.js 18+ (CDKTF's jsii runtime)"

# Without SST_PROVIDER_MIRROR, sst itself looks for a provider mirror in the
# usual places (/opt/*, terraform's plugin directories) before the registry.

step="building sst"
echo "==> $step"
make -C "$root" --no-print-directory build

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp -t moto.XXXXXX.log)"
step="starting moto_server"
echo "==> starting moto_server on 127.0.0.1:$port (log: $log)"
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; }
trap cleanup EXIT
up=""
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && { up=1; break; }
  sleep 0.1
done
[[ -n "$up" ]] || { echo "demo: moto_server did not answer within 10s; its log:" >&2; cat "$log" >&2; exit 1; }

export SST_ENDPOINT="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE

cd "$root/examples/$example"
# moto keeps everything in memory: a fresh emulator means a fresh account,
# so start from fresh local state too.
rm -rf .sst
step="deploying examples/$example to stage $stage"
"$root/bin/sst" deploy --stage "$stage"

step="printing the outputs"
echo "==> outputs"
"$root/bin/sst" outputs --stage "$stage"

step="showing the table the deploy made"
# The table's name is an output of whichever stack declares it (the API
# stack, next to the URL): find it by output name, not by stack.
table="$(python3 - ".sst/outputs/$stage.json" <<'PY'
import json, sys
outputs = json.load(open(sys.argv[1]))
names = [o["TableName"] for o in outputs.values() if isinstance(o, dict) and "TableName" in o]
if len(names) != 1:
    sys.exit("demo: expected one TableName output in %s, found %d (stacks: %s)" % (sys.argv[1], len(names), ", ".join(outputs)))
print(names[0])
PY
)"
echo "==> the table $table in the emulator:"
aws --endpoint-url "$SST_ENDPOINT" dynamodb describe-table --table-name "$table" \
  --query 'Table.{name:TableName,status:TableStatus,keys:KeySchema}' --output json

if [[ "${KEEP:-}" != "1" ]]; then
  step="removing stage $stage"
  echo "==> $step"
  "$root/bin/sst" remove --stage "$stage" --yes
fi
