#!/usr/bin/env bash
# End-to-end benchmark of the analysis commands at national scale, timed like spc_end_to_end.sh:
#   - `shewhart funnel` on 7,000 units (GP practices, say): proportions, standardised ratios
#     (SHMI), the same with the 12 monthly rows of each unit summed (84,000 rows), and with the
#     funnel drawn (SVG + PDF);
#   - `shewhart spc --chart p` (and pp, u, run) on 100,000 series x 60 monthly points (6 million
#     rows with a denominator column, ~190 MB).
#
#   bash bench/analysis_bench.sh [UNITS] [SERIES] [POINTS]
#
# Inputs come from a fixed seed (awk's srand). BUILD_DIR=dir uses an existing build tree as it
# is (no reconfigure); by default a Release tree in build-bench is configured and built.
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS="${1:-7000}"
SERIES="${2:-100000}"
POINTS="${3:-60}"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }

if [ -n "${BUILD_DIR:-}" ]; then
  cmake --build "$BUILD_DIR" --target shewhart >/dev/null
else
  BUILD_DIR=build-bench
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHEWHART_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" --target shewhart >/dev/null
fi
SHEWHART="$BUILD_DIR/src/app/shewhart"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Units of very different sizes (20 .. 20,000 cases), rates around 12% with real variation
# between units (overdispersion), and expected counts for ratios.
awk -v units="$UNITS" 'BEGIN {
  srand(20240401);
  print "unit,numerator,denominator" > "'"$WORK"'/funnel.csv";
  print "unit,numerator,denominator" > "'"$WORK"'/funnel_ratio.csv";
  print "unit,numerator,denominator" > "'"$WORK"'/funnel_monthly.csv";
  for (u = 1; u <= units; ++u) {
    n = int(20 + 20000 * rand() ^ 3);
    p = 0.12 * exp(0.25 * (rand() + rand() + rand() - 1.5));
    x = 0; for (k = 0; k < 12; ++k) {
      nm = int(n / 12) + 1; xm = int(nm * p + (rand() - 0.5) * sqrt(nm * p) * 2 + 0.5);
      if (xm < 0) xm = 0; if (xm > nm) xm = nm;
      printf "P%05d,%d,%d\n", u, xm, nm > "'"$WORK"'/funnel_monthly.csv"; x += xm;
    }
    printf "P%05d,%d,%d\n", u, int(n * p + 0.5), n > "'"$WORK"'/funnel.csv";
    e = n * 0.05; printf "P%05d,%d,%.2f\n", u, int(e * p / 0.12 + 0.5), e > "'"$WORK"'/funnel_ratio.csv";
  }
}'

# Series x monthly points: breaches among attendances, with a shift in some series.
awk -v series="$SERIES" -v points="$POINTS" 'BEGIN {
  srand(20240402);
  print "series,date,value,denominator";
  for (s = 1; s <= series; ++s) {
    n0 = int(200 + 8000 * rand()); p = 0.05 + 0.3 * rand(); shift = (s % 7 == 0) ? 1.3 : 1;
    for (t = 0; t < points; ++t) {
      n = int(n0 * (0.9 + 0.2 * rand())); q = (t >= points / 2 ? p * shift : p); if (q > 0.95) q = 0.95;
      x = int(n * q + (rand() - 0.5) * sqrt(n * q) * 3 + 0.5); if (x < 0) x = 0; if (x > n) x = n;
      printf "S%06d,%04d-%02d-01,%d,%d\n", s, 2015 + int(t / 12), t % 12 + 1, x, n;
    }
  }
}' > "$WORK/attributes.csv"

echo "funnel input: $UNITS units ($(($(wc -l < "$WORK/funnel_monthly.csv") - 1)) monthly rows)"
echo "attribute input: $SERIES series x $POINTS points, $(du -m "$WORK/attributes.csv" | cut -f1) MB"

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
  printf "%-44s %7.3f s   peak RSS %5d MiB\n" "$label" "$best" "$((rss / 1024))"
}

F=(-o "$WORK/units.csv" --summary "$WORK/funnel_summary.csv")
run "funnel proportion, $UNITS units" "$SHEWHART" funnel "$WORK/funnel.csv" "${F[@]}" --type proportion
run "funnel ratio (SHMI), $UNITS units" "$SHEWHART" funnel "$WORK/funnel_ratio.csv" "${F[@]}" --type ratio
run "funnel proportion, 12 rows per unit summed" "$SHEWHART" funnel "$WORK/funnel_monthly.csv" "${F[@]}" --type proportion
run "funnel proportion + SVG and PDF" "$SHEWHART" funnel "$WORK/funnel.csv" "${F[@]}" --type proportion --plot "$WORK/plot"
run "compare wilson + standing, $UNITS units" "$SHEWHART" compare "$WORK/funnel.csv" -o "$WORK/compare.csv" --polarity low-is-good

S=(-o "$WORK/points.csv" --summary "$WORK/series.csv")
run "spc --chart p (2 threads)" "$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}" --chart p
run "spc --chart p (1 thread)" "$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}" --chart p --threads 1
run "spc --chart pp (Laney)" "$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}" --chart pp
run "spc --chart u" "$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}" --chart u
run "spc --chart run" "$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}" --chart run
run "spc (XmR, denominator column ignored)" "$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}"
"$SHEWHART" spc "$WORK/attributes.csv" "${S[@]}" --chart p
echo "output: $(du -m "$WORK/points.csv" | cut -f1) MB per-point CSV, $(($(wc -l < "$WORK/series.csv") - 1)) series"
