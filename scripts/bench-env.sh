# Shared by the bench scripts (sourced; expects $root): builds bin/sst,
# finds the provider mirror, starts a moto_server on a free loopback port
# (stopped on exit, with any pid a script adds to cleanup_pids) and points
# the CLI and the AWS SDK at it.
sst="$root/bin/sst"
(cd "$root" && go build -o bin/sst ./cli/sst)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]')"

if [[ -z "${SST_PROVIDER_MIRROR:-}" ]]; then
  for d in /opt/* /usr/share/terraform/plugins /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    if [[ -d "$d/registry.terraform.io/hashicorp/aws" ]]; then export SST_PROVIDER_MIRROR="$d"; break; fi
  done
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
cleanup_pids=()
bench_cleanup() {
  for p in "${cleanup_pids[@]}"; do kill -INT "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  kill "$moto_pid" 2>/dev/null || true
}
trap bench_cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done
export SST_ENDPOINT="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE
