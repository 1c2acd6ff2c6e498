#!/usr/bin/env bash
# The main job: deploy the example app to a local AWS emulator this script
# starts itself, print its outputs, show a request's effect in DynamoDB,
# then remove the stage and stop the emulator.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
example="${EXAMPLE:-rest-api}"
stage="${STAGE:-demo}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "demo: $1 is not installed ($2)" >&2; exit 1; }; }
need go "https://go.dev/dl"
need terraform "Terraform >= 1.10"
need moto_server "pip install 'moto[server]'"
need node "Node.js 18+ (CDKTF's jsii runtime)"

if [[ -z "${SST_PROVIDER_MIRROR:-}" ]]; then
  # A provider mirror avoids the Terraform registry (machines without internet).
  for d in /opt/* /usr/share/terraform/plugins /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    if [[ -d "$d/registry.terraform.io/hashicorp/aws" ]]; then export SST_PROVIDER_MIRROR="$d"; break; fi
  done
fi

echo "==> building sst"
(cd "$root" && go build -o bin/sst ./cli/sst)

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp -t moto.XXXXXX.log)"
echo "==> starting moto_server on 127.0.0.1:$port (log: $log)"
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done

export SST_ENDPOINT="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE

cd "$root/examples/$example"
# moto keeps everything in memory: a fresh emulator means a fresh account,
# so start from fresh local state too.
rm -rf .sst
"$root/bin/sst" deploy --stage "$stage"

echo "==> outputs"
"$root/bin/sst" outputs --stage "$stage"

table="$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["Database"]["TableName"])' ".sst/outputs/$stage.json" 2>/dev/null || true)"
if [[ -n "$table" ]]; then
  echo "==> the table exists in the emulator:"
  aws --endpoint-url "$SST_ENDPOINT" dynamodb describe-table --table-name "$table" \
    --query 'Table.{name:TableName,status:TableStatus,keys:KeySchema}' --output json
fi

if [[ "${KEEP:-}" != "1" ]]; then
  echo "==> removing stage $stage"
  "$root/bin/sst" remove --stage "$stage" --yes
fi
