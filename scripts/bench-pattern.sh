#!/usr/bin/env bash
# Events per second of the EventBridge pattern engine on one core, for 1, 10, 50 and 200
# CloudTrail-style alert rules over the Stratus Red Team records (parse included), with each
# event's members in key order and in the order EventBridge delivers them. Release build;
# the build uses every core, the measurement one (taskset, where the machine has it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo bench --locked --bench pattern --no-run
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
exec "${pin[@]}" cargo bench --locked --bench pattern
