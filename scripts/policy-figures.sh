#!/usr/bin/env bash
# The size of the IAM policies trailctl prints and ships: for each template in policies/ and each
# example spec's plan, apply and read policy, the actions it allows, its statements, and how
# many statements grant on "*" (only actions AWS gives no resource-level permission).
#   scripts/policy-figures.sh            (offline: the examples name no account, 111122223333 is used)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked --quiet
bin=target/debug/trailctl
count() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
allowed = {a for s in d["Statement"] if s["Effect"] == "Allow" for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
star = sum(1 for s in d["Statement"] if "*" in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))
statements = len(d["Statement"])
print(f"{len(allowed):>8} {statements:>11} {star:>12}")'
}
printf '%-44s %8s %11s %12s\n' "policy" "actions" "statements" "on \"*\""
for f in policies/trailctl-plan.json policies/trailctl-apply.json policies/trailctl-read-logs.json; do
  printf '%-44s %s\n' "$f" "$(count < "$f")"
done
for spec in examples/*.yaml; do
  for role in plan apply read; do
    account=()
    grep -q '^account:' "$spec" || account=(--account 111122223333)
    doc=$("$bin" policy -f "$spec" --role "$role" "${account[@]}" 2>/dev/null)
    printf '%-44s %s\n' "$(basename "$spec") --role $role" "$(count <<< "$doc")"
  done
done
