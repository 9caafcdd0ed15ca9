#!/usr/bin/env bash
# The main job on a fresh machine: start the local AWS emulator and run trailctl against it:
# validate the examples, then plan → apply → plan (no changes) of examples/baseline.yaml,
# drift made by another client, `drift` showing it (exit 2), a saved plan shown and applied
# exactly, and `drift` clean again; then
# `trailctl test` and plan → apply → plan of the alerts in examples/seed-alerts.yaml, the CIS
# baseline on both backends (validate's CIS report, every fixture through rule and metric filter,
# apply → an empty re-plan), an organization (examples/organization.yaml: the management account
# and two members, plan → apply → an empty re-plan), then a backtest of the CIS baseline over the
# archived Stratus Red Team logs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked --quiet
scripts/emulator.sh install
port="${TRAILCTL_DEMO_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
scripts/emulator.sh run "$port" > target/demo-emulator.log 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
up=""
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
  kill -0 "$emulator" 2>/dev/null || break   # it exited: no point waiting
  sleep 0.1
done
if [ -z "$up" ]; then
  echo "demo: the emulator is not listening on 127.0.0.1:$port; its log:" >&2
  cat target/demo-emulator.log >&2
  exit 1
fi
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
echo "emulator: $AWS_ENDPOINT_URL"
for spec in examples/*.yaml; do
  ./target/debug/trailctl validate -f "$spec"
done

# What the baseline spec refers to but does not own: its delivery topic and its KMS key.
"${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python" - <<'PY'
import boto3
kw = dict(region_name="us-east-1")
boto3.client("sns", **kw).create_topic(Name="acme-baseline-delivery")
kms = boto3.client("kms", **kw)
key = kms.create_key(Description="audit logs")["KeyMetadata"]["KeyId"]
kms.create_alias(AliasName="alias/audit-logs", TargetKeyId=key)
PY

run() { echo; echo "\$ trailctl $*"; ./target/debug/trailctl "$@"; }
# The administrator's one-time step for a spec that builds IAM roles: its permissions boundary.
boundary() { scripts/create-boundary.sh "$@"; }
no_changes=$(printf 'No changes. The account matches the spec.\n\nCost: no change to CloudTrail charges.')
spec=examples/baseline.yaml
run plan -f "$spec" --cost
run apply -f "$spec" --auto-approve
out=$(./target/debug/trailctl plan -f "$spec")
echo; echo "\$ trailctl plan -f $spec"; echo "$out"
[ "$out" = "$no_changes" ] || { echo "demo: the re-plan is not empty" >&2; exit 1; }

echo; echo "# drift: someone stops the trail's logging and removes its Insights"
"${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python" - <<'PY'
import boto3
ct = boto3.client("cloudtrail", region_name="us-east-1")
ct.stop_logging(Name="acme-baseline")
ct.put_insight_selectors(TrailName="acme-baseline", InsightSelectors=[])
PY
# The nightly check: exit 2 on drift.
set +e; run drift -f "$spec"; code=$?; set -e
[ "$code" = 2 ] || { echo "demo: drift exited $code, not 2" >&2; exit 1; }
# The pull-request flow: a saved plan, reviewed, then applied exactly.
run plan -f "$spec" --out target/demo-plan.json
run show target/demo-plan.json --format markdown
run apply -f "$spec" target/demo-plan.json
run drift -f "$spec"

echo; echo "# alerts: the three seed alerts, tested offline against real CloudTrail records, then"
echo "# placed where their events arrive"
spec=examples/seed-alerts.yaml
run test -f "$spec"
echo; echo "# least privilege: the policy this spec needs to apply (every action on the spec's ARNs),"
echo "# and the permissions boundary its roles are created with, which an administrator creates once"
echo; echo "\$ trailctl policy -f $spec --role apply | head -20"
./target/debug/trailctl policy -f "$spec" --role apply | head -20
run policy -f "$spec" --role boundary
boundary "$spec"
run plan -f "$spec"
run apply -f "$spec" --auto-approve
out=$(./target/debug/trailctl plan -f "$spec" 2>/dev/null)
echo; echo "\$ trailctl plan -f $spec"; echo "$out"
[ "$out" = "$no_changes" ] || { echo "demo: the alerts re-plan is not empty" >&2; exit 1; }
echo; echo "# compliance: the CIS baseline on both backends — EventBridge rules, and the metric filters"
echo "# and alarms Security Hub's CIS checks look for, on a log group trailctl builds and owns"
spec=examples/cis-metric-filters.yaml
run validate -f "$spec"
out=$(./target/debug/trailctl test -f "$spec")
echo; echo "\$ trailctl test -f $spec | tail -1"; echo "$out" | tail -1
[ "$(echo "$out" | tail -1)" = "106 passed, 0 failed" ] || { echo "demo: the CIS fixtures do not pass on both backends" >&2; exit 1; }
boundary "$spec"
run apply -f "$spec" --auto-approve
out=$(./target/debug/trailctl plan -f "$spec" 2>/dev/null)
echo; echo "\$ trailctl plan -f $spec"; echo "$out"
[ "$out" = "$no_changes" ] || { echo "demo: the compliance re-plan is not empty" >&2; exit 1; }
echo; echo "# organizations: one spec for the management account and two members (an organization"
echo "# trail, the topic in the security account, the alert's rules in every account forwarding to it)"
security=$("${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python" - <<'PY'
import boto3
orgs = boto3.client("organizations", region_name="us-east-1")
orgs.create_organization(FeatureSet="ALL")
orgs.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
ids = [orgs.create_account(AccountName=n, Email=f"{n}@example.com")["CreateAccountStatus"]["AccountId"] for n in ("security", "workload")]
print(" ".join(ids))
PY
)
read -r security workload <<< "$security"
sed "s/111122223333/$security/" examples/organization.yaml > target/demo-organization.yaml
spec=target/demo-organization.yaml
boundary "$spec" "$security" "$workload"
run plan -f "$spec" --format markdown
run apply -f "$spec" --auto-approve
run plan -f "$spec" --detailed-exitcode

echo; echo "# backtest: the CIS baseline over an archive of real CloudTrail logs (Stratus Red Team"
echo "# detonations, S3 layout, on disk). The fixture's Region names are anonymised; here they are"
echo "# mapped to real ones (one to eu-west-1, one to ap-southeast-2, where the baseline has no rule,"
echo "# the rest to us-east-1), keys and records alike, so alerts fire and what is withheld says why"
python3 scripts/demo-archive.py
out=$(run backtest -f examples/cis-baseline.yaml target/demo-archive/AWSLogs)
echo "$out"
echo "$out" | grep -q "alerts would have delivered" || { echo "demo: the backtest printed no summary" >&2; exit 1; }
if echo "$out" | grep -q "^0 alerts would have delivered"; then echo "demo: no alert fired on the archive" >&2; exit 1; fi
echo "$out" | grep -q "in Regions where it has no rule" || { echo "demo: the backtest withheld nothing in ap-southeast-2" >&2; exit 1; }
echo; echo "demo: plan → apply → plan, drift shown and repaired from a saved plan, alerts applied, the CIS baseline on both backends, an organization, backtest: OK"
