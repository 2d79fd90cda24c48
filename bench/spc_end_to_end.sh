#!/usr/bin/env bash
# End-to-end benchmark of `shewhart spc`: parse, analyse, write, on 100,000 series x 60 monthly
# points (6 million rows, ~165 MB) generated from a fixed seed, plus the kernel alone.
#
#   bash bench/spc_end_to_end.sh [SERIES] [POINTS]
#
# Prints wall time and peak memory (GNU time) for the CSV output (2 threads and 1), the JSON
# output, then the Google Benchmark kernel figures.
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES="${1:-100000}"
POINTS="${2:-60}"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }

BUILD_DIR=build-bench
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHEWHART_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target shewhart gen_spc_input stats_benchmark >/dev/null

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BUILD_DIR/bench/gen_spc_input" "$SERIES" "$POINTS" > "$WORK/input.csv"
echo "input: $SERIES series x $POINTS points, $(du -m "$WORK/input.csv" | cut -f1) MB"
SHEWHART="$BUILD_DIR/src/app/shewhart"

run() {
  local label="$1"; shift
  # Warm the page cache once, then measure three times and keep the best wall time.
  "$@" >/dev/null 2>&1
  local best="" rss=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
    read -r wall kb < "$WORK/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best="$wall"; rss="$kb"; fi
  done
  printf "%-34s %6.2f s   peak RSS %5d MiB\n" "$label" "$best" "$((rss / 1024))"
}

run "spc, CSV out (2 threads)" "$SHEWHART" spc "$WORK/input.csv" -o "$WORK/p.csv" --summary "$WORK/s.csv"
run "spc, CSV out (1 thread)" "$SHEWHART" spc "$WORK/input.csv" -o "$WORK/p.csv" --summary "$WORK/s.csv" --threads 1
run "spc, JSON out (2 threads)" "$SHEWHART" spc "$WORK/input.csv" -o "$WORK/p.json" --summary "$WORK/s.json" --format json
echo "output: $(du -m "$WORK/p.csv" | cut -f1) MB per-point CSV, $(($(wc -l < "$WORK/s.csv") - 1)) series"

echo
echo "kernel alone (one core):"
"$BUILD_DIR/src/stats/stats_benchmark" --benchmark_filter=BM_ComputeXmr --benchmark_min_time=1 2>/dev/null | grep BM_
