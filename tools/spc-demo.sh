#!/usr/bin/env bash
# The analyst's demo (no server): Making Data Count charts for every English type-1 A&E
# department's 4-hour performance, April 2016 - March 2019, from NHS England's published data
# (data/ae_attendances.csv), with `shewhart spc` on a CSV file. Results and charts are written to
# out/ae/. The main job, the server, is tools/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh

OUT=out/ae
mkdir -p "$OUT"
# Long format for `shewhart spc`: one series per trust, value = share seen within 4 hours.
awk -F, 'NR == 1 { print "series,date,value"; next }
         $3 == "1" && $4 > 0 { printf "%s,%s,%.6f\n", $2, $1, 1 - $5 / $4 }' \
  data/ae_attendances.csv > "$OUT/ae_type1_4hr.csv"

rm -rf "$OUT/charts"
./build/src/app/shewhart spc "$OUT/ae_type1_4hr.csv" \
  -o "$OUT/points.csv" --summary "$OUT/summary.csv" \
  --improvement increase --target 0.95 --plot "$OUT/charts"

echo
echo "Analysed $(($(wc -l < "$OUT/summary.csv") - 1)) trusts' type-1 A&E 4-hour performance."
echo "  per-point results:  $OUT/points.csv"
echo "  per-trust summary:  $OUT/summary.csv"
echo "  charts (SVG):       $OUT/charts/"
echo "  board pack (PDF):   $OUT/charts/charts.pdf"
echo
echo "Variation icons across trusts:"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "variation") v = i; next }
         { n[$v]++ } END { for (k in n) printf "  %-18s %d\n", k, n[k] }' "$OUT/summary.csv" | sort
