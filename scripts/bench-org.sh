#!/usr/bin/env bash
# Benchmark: a no-op `trailctl plan` of an organization on the local emulator: the management
# account and 1, 10 or 50 member accounts, each holding the three seed alerts
# (examples/seed-alerts.yaml: DynamoDB DeleteTable, AssumeRole, a security group opened) in all
# 17 Regions (the first member is the security account with the topic), `concurrency: 8`,
# through a loopback proxy adding 0 and 50 ms to every call. Prints
# calls, wall (median of 3), the effective sequential round trips ((wall at 50 ms − wall at
# 0 ms) / 50 ms) and the wall at 50 ms relative to one member. Asserts nothing.
#   scripts/bench-org.sh [MEMBERS...]   (default: 1 10 50)
# TRAILCTL_BIN overrides the binary (default: a release build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 50)
if [ -z "${TRAILCTL_BIN:-}" ]; then
  cargo build --locked --quiet --release
  TRAILCTL_BIN=target/release/trailctl
fi
bin="$TRAILCTL_BIN"
scripts/emulator.sh install
py="${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); p0=$(free_port); p50=$(free_port)
log=target/bench-org-emulator.log
"$py" tests/emulator/moto_server.py -H 127.0.0.1 -p "$port" > "$log" 2>&1 &
pids=($!)
python3 scripts/latency-proxy.py "$p0" "$port" 0 & pids+=($!)
python3 scripts/latency-proxy.py "$p50" "$port" 50 & pids+=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for p in "$port" "$p0" "$p50"; do
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
requests() { grep -c '"POST \|"GET \|"PUT \|"HEAD \|"DELETE ' "$log" || true; }
spec=target/bench-org.yaml
# plan NAME PORT: one no-op plan through the proxy on PORT; sets calls and ms.
plan() {
  local before start end
  before=$(requests); start=$(date +%s%N)
  AWS_ENDPOINT_URL="http://127.0.0.1:$2" "$bin" plan -f "$spec" --detailed-exitcode > "target/bench-org-$1.out" 2>&1 \
    || { echo "bench: $1 is not a no-op plan:" >&2; tail -5 "target/bench-org-$1.out" >&2; exit 1; }
  end=$(date +%s%N)
  calls=$(( $(requests) - before )); ms=$(( (end - start) / 1000000 ))
}
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
printf '%-28s %7s %10s %11s %9s %10s\n' "no-op plan, organization" "calls" "wall 0 ms" "wall 50 ms" "RT (50)" "vs 1 member"
base=""
for n in "${sizes[@]}"; do
  curl -s -X POST "http://127.0.0.1:$port/moto-api/reset" > /dev/null
  security=$(AWS_ENDPOINT_URL="http://127.0.0.1:$port" "$py" - "$n" <<'PY'
import sys, boto3
orgs = boto3.client("organizations", region_name="us-east-1")
orgs.create_organization(FeatureSet="ALL")
ids = [orgs.create_account(AccountName=f"member-{i}", Email=f"m{i}@example.com")["CreateAccountStatus"]["AccountId"] for i in range(int(sys.argv[1]))]
print(" ".join(ids))
PY
)
  members=$security
  security=${members%% *}
  cat > "$spec" <<SPEC
version: 1
stack: seed
home_region: us-east-1
regions: all
organization:
  accounts: all
  security_account: "$security"
  concurrency: 8
topics:
  - {name: security-alerts, subscriptions: [{email: secops@example.com}]}
alerts:
  - {name: dynamodb-table-deleted, on: {service: dynamodb, events: [DeleteTable]}, notify: [security-alerts]}
  - {name: role-assumed, pattern: {source: [aws.sts], detail-type: [AWS API Call via CloudTrail], detail: {eventName: [AssumeRole]}}, notify: [security-alerts]}
  - {name: security-group-opened, on: {service: ec2, events: [AuthorizeSecurityGroupIngress]}, notify: [security-alerts]}
SPEC
  # shellcheck disable=SC2086 # one argument per member account
  AWS_ENDPOINT_URL="http://127.0.0.1:$port" TRAILCTL_BIN=$bin scripts/create-boundary.sh "$spec" $members
  AWS_ENDPOINT_URL="http://127.0.0.1:$port" "$bin" apply -f "$spec" --auto-approve > target/bench-org-apply.out 2>&1 \
    || { echo "bench: apply failed:" >&2; tail -5 target/bench-org-apply.out >&2; exit 1; }
  w0=(); w50=()
  for _ in 1 2 3; do
    plan "$n-0" "$p0"; w0+=("$ms")
    plan "$n-50" "$p50"; w50+=("$ms")
  done
  m0=$(median "${w0[@]}"); m50=$(median "${w50[@]}")
  [ -n "$base" ] || base=$m50
  rt=$(python3 -c "print(f'{($m50 - $m0) / 50:.0f}')")
  ratio=$(python3 -c "print(f'{$m50 / $base:.1f}x')")
  printf '%-28s %7s %7s ms %8s ms %9s %10s\n' "management + $n member(s)" "$calls" "$m0" "$m50" "$rt" "$ratio"
done
