#!/usr/bin/env bash
# Benchmark: API calls and wall time of a no-op `trailctl plan` of examples/baseline.yaml on the
# local emulator, and how they grow with the number of Regions trails are homed in. Prints a
# table; it asserts nothing (speed targets live here, not in tests).
#   scripts/bench-plan.sh [RUNS] [SEEDS]   (default 5 runs per row, the median printed; then the
#   apply benchmark, scripts/bench-apply.sh, with SEEDS seeds per fault mix, default 20; then the
#   organization case, scripts/bench-org.sh: 1, 10 and 50 member accounts)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-5}"
cargo build --locked --quiet --release
scripts/emulator.sh install
py="${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=target/bench-emulator.log
"$py" tests/emulator/moto_server.py -H 127.0.0.1 -p "$port" > "$log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
"$py" - <<'PY'
import boto3
boto3.client("sns", region_name="us-east-1").create_topic(Name="acme-baseline-delivery")
kms = boto3.client("kms", region_name="us-east-1")
kms.create_alias(AliasName="alias/audit-logs", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
PY
bin=target/release/trailctl
spec=examples/baseline.yaml
TRAILCTL_BIN=$bin scripts/create-boundary.sh "$spec"
$bin apply -f "$spec" --auto-approve > /dev/null
requests() { grep -c '"POST \|"GET \|"PUT \|"HEAD \|"DELETE ' "$log" || true; }
measure() {
  local times=() calls=0
  for _ in $(seq 1 "$runs"); do
    local before after start end
    before=$(requests)
    start=$(date +%s%N)
    out=$($bin plan -f "$spec")
    end=$(date +%s%N)
    [ "$out" = "No changes. The account matches the spec." ] || { echo "bench: plan is not a no-op" >&2; exit 1; }
    after=$(requests)
    calls=$((after - before))
    times+=($(( (end - start) / 1000000 )))
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-42s %6s %10s\n' "$1" "$calls" "${median} ms"
}
printf '%-42s %6s %10s\n' "no-op plan of $spec" "calls" "wall"
measure "trails homed in 1 Region (us-east-1)"
regions=(eu-west-1 eu-central-1 ap-southeast-2 us-west-2 sa-east-1 ap-northeast-1 ca-central-1 eu-north-1)
homed=1
for k in 2 4 8; do
  while [ "$homed" -le "$k" ]; do
    r=${regions[$((homed - 1))]}
    "$py" - "$r" <<'PY'
import sys, boto3
r = sys.argv[1]
b = f"other-trail-logs-{r}"
s3 = boto3.client("s3", region_name=r)
s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": r})
boto3.client("cloudtrail", region_name=r).create_trail(Name=f"other-{r}", S3BucketName=b, IsMultiRegionTrail=True)
PY
    homed=$((homed + 1))
  done
  measure "+ foreign trails homed in $k more Regions"
done

# Then apply: the reference spec through a latency proxy, and seeded faults (scripts/bench-apply.sh).
echo
kill "$emulator" 2>/dev/null || true
TRAILCTL_BIN="$bin" scripts/bench-apply.sh "${2:-20}"

# Then an organization: the same no-op plan fanned out over 1, 10 and 50 member accounts.
echo
TRAILCTL_BIN="$bin" scripts/bench-org.sh
