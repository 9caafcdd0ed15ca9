#!/usr/bin/env bash
# Benchmark: `trailctl backtest` of the CIS baseline (21 alerts; and on both backends, each
# record also parsed for the 21 metric filters) over a generated ≥ 1 GB
# CloudTrail archive (S3 key layout, 3 accounts, 5 Regions, 14 days, from the Stratus Red Team
# records varied; made at run time under target/, never committed), beside `zcat` of the same
# files on one core (and on every core, the machine's own scaling for scale). Prints, per configuration, the median of ROUNDS interleaved rounds (this
# machine's speed drifts): MB/s stored and as text, events/s, peak RSS. Asserts nothing.
#   scripts/bench-backtest.sh [ROUNDS] [MB]      (default 3 rounds, 1100 MB uncompressed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-3}"
mb="${2:-1100}"
cargo build --locked --quiet --release
bin=target/release/trailctl
archive=target/bench-archive
if [ "$(cat "$archive/.mb" 2>/dev/null)" != "$mb" ]; then
  rm -rf "$archive"
  python3 scripts/gen-archive.py "$archive" --mb "$mb"
  echo "$mb" > "$archive/.mb"
fi
logs=$(find "$archive" -name '*.json.gz' -path '*/CloudTrail/*' | sort)
list=target/bench-archive-files.txt
echo "$logs" > "$list"
stored=$(echo "$logs" | xargs du -cb | tail -1 | cut -f1)
largest=$(echo "$logs" | xargs du -b | sort -n | tail -1 | cut -f1)
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
cores=$(nproc)
# Peak RSS (KiB) and wall (ms) of a command, stdout to $out.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "wb") as out:
    subprocess.run(sys.argv[2:], stdout=out, check=False)
wall = (time.monotonic() - t) * 1000
print(int(wall), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
declare -A walls rss
for r in $(seq 1 "$rounds"); do
  read -r w m < <(measure /dev/null "${pin[@]}" xargs -a "$list" zcat); walls[zcat]+="$w "; rss[zcat]=$m
  read -r w m < <(measure /dev/null xargs -a "$list" -n 16 -P "$cores" zcat); walls[zcatn]+="$w "; rss[zcatn]=$m
  read -r w m < <(measure target/bench-1.json "${pin[@]}" "$bin" backtest -f examples/cis-baseline.yaml --format json --jobs 1 "$archive"); walls[one]+="$w "; rss[one]=$m
  read -r w m < <(measure target/bench-n.json "$bin" backtest -f examples/cis-baseline.yaml --format json --jobs "$cores" "$archive"); walls[all]+="$w "; rss[all]=$m
  read -r w m < <(measure target/bench-both.json "$bin" backtest -f examples/cis-metric-filters.yaml --format json --jobs "$cores" "$archive"); walls[both]+="$w "; rss[both]=$m
  read -r w m < <(measure target/bench-week.json "$bin" backtest -f examples/cis-baseline.yaml --format json --jobs "$cores" --since 2026-10-01 --until 2026-10-03 "$archive"); walls[part]+="$w "; rss[part]=$m
done
median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"; }
text=$(python3 -c 'import json;print(json.load(open("target/bench-1.json"))["bytes_text"])')
events=$(python3 -c 'import json;print(json.load(open("target/bench-1.json"))["events"])')
part_text=$(python3 -c 'import json;print(json.load(open("target/bench-week.json"))["bytes_text"])')
printf 'archive: %s log files, %s MB stored, %s MB as text, %s events; largest object %s KB; %s cores\n' \
  "$(echo "$logs" | wc -l)" $((stored / 1000000)) $((text / 1000000)) "$events" $((largest / 1000)) "$cores"
printf '%-34s %8s %10s %10s %12s %10s %8s\n' "" "wall" "MB/s gz" "MB/s text" "events/s" "peak RSS" "vs zcat"
z=$(echo "${walls[zcat]}" | median)
row() {
  local name=$1 key=$2 bytes_text=$3 ev=$4 w
  w=$(echo "${walls[$key]}" | median)
  python3 - "$name" "$w" "$stored" "$bytes_text" "$ev" "${rss[$key]}" "$z" <<'PY'
import sys
name, w, stored, text, ev, rss, z = sys.argv[1], *map(float, sys.argv[2:])
s = w / 1000
ratio = f"{z / w:.2f}x"
evs = f"{ev / s:,.0f}" if ev else "-"
print(f"{name:<34} {w:>6.0f}ms {stored / s / 1e6:>10.0f} {text / s / 1e6:>10.0f} {evs:>12} {rss / 1024:>8.0f}MB {ratio:>8}")
PY
}
row "zcat, 1 core" zcat "$text" 0
row "zcat, $cores cores (xargs -P $cores)" zcatn "$text" 0
row "backtest CIS, 1 core (--jobs 1)" one "$text" "$events"
row "backtest CIS, $cores cores" all "$text" "$events"
row "backtest CIS + metric filters, $cores" both "$text" "$events"
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
one=$(echo "${walls[one]}" | median); all=$(echo "${walls[all]}" | median); both=$(echo "${walls[both]}" | median)
echo "goals: 1 core $(ratio "$z" "$one")x zcat (>= 3); $cores cores $(ratio "$one" "$all")x 1 core (>= 1.8); with metric filters $(ratio "$all" "$both")x the rules alone (>= 0.8)"
echo "(3 of 14 days, $cores cores: peak RSS $(( ${rss[part]} / 1024 )) MB over $((part_text / 1000000)) MB of text, against $(( ${rss[all]} / 1024 )) MB over all)"
