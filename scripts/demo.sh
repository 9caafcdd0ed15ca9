#!/usr/bin/env bash
# The main job on a fresh machine: start the local AWS emulator and run trailctl against
# examples/. Today trailctl validates each example; plan → apply → plan join when they land.
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
