#!/usr/bin/env bash
# Benchmark: `trailctl` on the reference spec (bench/reference.yaml: 1 all-Regions trail, 2 topics,
# 16 alerts × 17 Regions = 272 rules) through a loopback proxy that adds 0 ms and 50 ms to every
# call, in one run: calls, wall time and the effective sequential round trips
# ((wall at 50 ms − wall at 0 ms) / 50 ms) of an apply from empty, a no-op plan and a no-op
# apply (medians of 3). Then seeded faults: how many seeds converge in one apply. Asserts nothing.
#   scripts/bench-apply.sh [SEEDS]     (default 20 seeds per fault mix; 0: no fault series)
# TRAILCTL_BIN overrides the binary (default: a release build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seeds="${1:-20}"
if [ -z "${TRAILCTL_BIN:-}" ]; then
  cargo build --locked --quiet --release
  TRAILCTL_BIN=target/release/trailctl
fi
bin="$TRAILCTL_BIN"
scripts/emulator.sh install
py="${TRAILCTL_EMULATOR_VENV:-.venv-emulator}/bin/python"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); p0=$(free_port); p50=$(free_port); p200=$(free_port)
log=target/bench-apply-emulator.log
"$py" tests/emulator/moto_server.py -H 127.0.0.1 -p "$port" > "$log" 2>&1 &
pids=($!)
python3 scripts/latency-proxy.py "$p0" "$port" 0 & pids+=($!)
python3 scripts/latency-proxy.py "$p50" "$port" 50 & pids+=($!)
python3 scripts/latency-proxy.py "$p200" "$port" 200 & pids+=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for p in "$port" "$p0" "$p50" "$p200"; do
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
spec=bench/reference.yaml
requests() { grep -c '"POST \|"GET \|"PUT \|"HEAD \|"DELETE ' "$log" || true; }
reset() { curl -s -X POST "http://127.0.0.1:$port/moto-api/reset" > /dev/null; }
declare -A calls wall
# run NAME PORT ARGS…: one trailctl run through the proxy on PORT, its calls and wall time.
run() {
  local name=$1 p=$2; shift 2
  local before start end
  before=$(requests); start=$(date +%s%N)
  AWS_ENDPOINT_URL="http://127.0.0.1:$p" "$bin" "$@" > "target/bench-apply-$name.out" 2>&1 \
    || { echo "bench: $name failed:" >&2; tail -5 "target/bench-apply-$name.out" >&2; exit 1; }
  end=$(date +%s%N)
  calls[$name]=$(( $(requests) - before ))
  wall[$name]=$(( (end - start) / 1000000 ))
}
# Each row three times at each latency, alternating; the medians are printed.
declare -A walls
for _ in 1 2 3; do
  for ms in 0 50 200; do
    case $ms in 0) p=$p0;; 50) p=$p50;; *) p=$p200;; esac
    reset
    AWS_ENDPOINT_URL="http://127.0.0.1:$port" TRAILCTL_BIN=$bin scripts/create-boundary.sh "$spec"
    run "apply-$ms" "$p" apply -f "$spec" --auto-approve
    run "plan-$ms" "$p" plan -f "$spec" --detailed-exitcode
    run "noop-apply-$ms" "$p" apply -f "$spec" --auto-approve
    for what in apply plan noop-apply; do walls[$what-$ms]+="${wall[$what-$ms]} "; done
  done
done
median() { printf '%s\n' $1 | sort -n | sed -n 2p; }
for key in "${!walls[@]}"; do wall[$key]=$(median "${walls[$key]}"); done
# Round trips: the wall time latency adds, in latencies. At 50 ms (the goal's measure) the
# emulator's own time is of the same order and its noise shows; 200 ms is printed beside it.
printf '%-20s %6s %10s %10s %11s %9s %9s\n' "reference spec" "calls" "wall 0 ms" "wall 50 ms" "wall 200 ms" "RT (50)" "RT (200)"
for what in apply plan noop-apply; do
  label=$what
  case $what in apply) label="apply from empty";; plan) label="no-op plan";; noop-apply) label="no-op apply";; esac
  rt50=$(python3 -c "print(f'{(${wall[$what-50]} - ${wall[$what-0]}) / 50:.1f}')")
  rt200=$(python3 -c "print(f'{(${wall[$what-200]} - ${wall[$what-0]}) / 200:.1f}')")
  printf '%-20s %6s %7s ms %7s ms %8s ms %9s %9s\n' "$label" "${calls[$what-50]}" "${wall[$what-0]}" "${wall[$what-50]}" "${wall[$what-200]}" "$rt50" "$rt200"
done

[ "$seeds" -gt 0 ] || exit 0
# Seeded faults: the reference spec from empty through a proxy failing calls (per mille:
# throttled, server errors, dropped connections); converged = that one apply exited 0 and a plan
# right after it has no changes.
echo
printf '%-40s %10s %12s\n' "faults (throttled/5xx/reset), $seeds seeds" "converged" "median wall"
for mix in "100 50 20" "200 100 50"; do
  read -r t s r <<< "$mix"
  converged=0; times=()
  for seed in $(seq 1 "$seeds"); do
    reset
    AWS_ENDPOINT_URL="http://127.0.0.1:$port" TRAILCTL_BIN=$bin scripts/create-boundary.sh "$spec"
    fp=$(free_port)
    python3 scripts/latency-proxy.py "$fp" "$port" 0 $t $s $r "$seed" & proxy=$!
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$fp") 2>/dev/null && break; sleep 0.1; done
    start=$(date +%s%N)
    if AWS_ENDPOINT_URL="http://127.0.0.1:$fp" "$bin" apply -f "$spec" --auto-approve > "target/bench-apply-fault-$seed.out" 2>&1 \
      && AWS_ENDPOINT_URL="http://127.0.0.1:$port" "$bin" plan -f "$spec" --detailed-exitcode > /dev/null 2>&1; then
      converged=$((converged + 1))
    fi
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
    kill "$proxy" 2>/dev/null || true; wait "$proxy" 2>/dev/null || true
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (seeds + 1) / 2 ))p")
  printf '%-40s %7s/%-2s %9s ms\n' "$((t / 10))% / $((s / 10))% / $((r / 10))%" "$converged" "$seeds" "$median"
done
