#!/usr/bin/env bash
# A/B of two `shewhart` binaries' HTTP layers on one database, interleaved so that the load of a
# shared machine falls on both alike: both servers run at once (another port each), and for each
# round and request wrk drives A then B for DURATION seconds.
#
#   bash bench/http/ab.sh OLD_BINARY NEW_BINARY [DB_FILE]     (DB from bench/http/gen_national.sh)
#   ROUNDS=3 DURATION=5 CONNECTIONS=16 bash bench/http/ab.sh ...
set -euo pipefail
A="$1"
B="$2"
DB_FILE="${3:-out/bench/national.db}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5}"
CONNECTIONS="${CONNECTIONS:-16}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-ab.XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PASSWORD="ab-passphrase-$(date +%s)"
EMAIL="ab-$(date +%s%N)@bench.nhs.uk"
"$B" user add --db "sqlite:$DB_FILE" --email "$EMAIL" --role viewer --org R0001 \
  --password-stdin <<<"$PASSWORD" >/dev/null
declare -A PORT=([A]=18280 [B]=18281) BIN=([A]="$A" [B]="$B") COOKIE
for s in A B; do
  "${BIN[$s]}" serve --db "sqlite:$DB_FILE" --listen "127.0.0.1:${PORT[$s]}" --threads 8 --quiet \
    >"$WORK/$s.log" 2>&1 &
  PIDS+=($!)
done
for s in A B; do
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:${PORT[$s]}/api/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs -c "$WORK/jar$s" -H 'Content-Type: application/json' -X POST \
    "http://127.0.0.1:${PORT[$s]}/api/session" \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" >/dev/null
  COOKIE[$s]="shewhart_session=$(awk '$6 == "shewhart_session" { print $7 }' "$WORK/jar$s")"
done
measure() {  # server path -> "req/s p50 p99"
  local out
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency \
    -H "Cookie: ${COOKIE[$1]}" "http://127.0.0.1:${PORT[$1]}$2")"
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
      return v
    }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' <<<"$out"
}
printf '%-40s %5s | %8s %8s %8s | %8s %8s %8s | %6s\n' request round "A req/s" p50 p99 \
  "B req/s" p50 p99 "B/A"
for path in "/api/series/NM001/P00300" "/api/board?place=QE01&domain=safe" "/api/board?place=QE01"; do
  for s in A B; do wrk -t2 -c"$CONNECTIONS" -d2s -H "Cookie: ${COOKIE[$s]}" \
    "http://127.0.0.1:${PORT[$s]}$path" >/dev/null 2>&1 || true; done
  for r in $(seq 1 "$ROUNDS"); do
    read -r a_rps a_p50 a_p99 <<<"$(measure A "$path")"
    read -r b_rps b_p50 b_p99 <<<"$(measure B "$path")"
    printf '%-40s %5s | %8s %8s %8s | %8s %8s %8s | %6s\n' "$path" "$r" "$a_rps" "$a_p50" \
      "$a_p99" "$b_rps" "$b_p50" "$b_p99" \
      "$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", a ? b / a : 0 }')"
  done
done
