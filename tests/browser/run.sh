#!/usr/bin/env bash
# Browser tests of the web front end: builds ui/ (npm ci + vite), starts a throwaway
# `shewhart serve` on a free 127.0.0.1 port with a fresh demo database and test accounts, runs
# every tests/browser/*.test.mjs (each its own node process, sharing harness.mjs; playwright-core
# driving Debian's /usr/bin/chromium, headless), stops the server. Exits non-zero on any failure;
# the last line is "N passed, M failed (all files)".
#
# Usage: tests/browser/run.sh [PATH/TO/shewhart]   (or SHEWHART_BIN=...)
# Skips (exit 77) only when node or chromium is missing AND $CI is not set.
# SHEWHART_UI_SKIP_NPM_CI=1 reuses ui/node_modules (quicker local runs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-${SHEWHART_BIN:-}}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

missing=()
command -v node >/dev/null 2>&1 || missing+=(node)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[[ -x "$chromium" ]] || missing+=("chromium ($chromium)")
if ((${#missing[@]})); then
  if [[ -z "${CI:-}" ]]; then
    echo "SKIPPED: browser tests need ${missing[*]}; install them (tools/install-deps.sh) to run them."
    echo "0 passed, 0 failed"
    exit 77
  fi
  echo "FAIL: browser tests need ${missing[*]} and CI is set" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if [[ -z "$bin" ]]; then
  for b in "$repo"/build*/src/app/shewhart; do [[ -x "$b" ]] && bin="$b" && break; done
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "FAIL: no shewhart binary (pass its path or set SHEWHART_BIN)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

cd "$repo/ui"
if [[ -z "${SHEWHART_UI_SKIP_NPM_CI:-}" || ! -d node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
build_log="$(mktemp)"
if ! npm run --silent build >"$build_log" 2>&1; then cat "$build_log"; rm -f "$build_log"; echo "0 passed, 1 failed"; exit 1; fi
rm -f "$build_log"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

db="sqlite:$work/demo.db"
"$bin" demo --db "$db" >/dev/null
password='correct horse battery staple'
add_user() {  # email role [org]
  printf '%s\n' "$password" | "$bin" user add --db "$db" --email "$1" --role "$2" ${3:+--org "$3"} --password-stdin >/dev/null
}
add_user admin@example.nhs.uk administrator
add_user lead@example.nhs.uk system_quality_lead
add_user viewer@example.nhs.uk viewer
add_user submitter@example.nhs.uk data_submitter RZA

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --static "$repo/ui/dist" --quiet >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$port/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
  sleep 0.1
done

# Every *.test.mjs, one node process each, against the same server (in name order); the totals
# of their "N passed, M failed" lines make the last line.
status=0 passed=0 failed=0
for file in "$here"/*.test.mjs; do
  echo "--- $(basename "$file")"
  set +e
  BASE_URL="http://127.0.0.1:$port" PASSWORD="$password" CHROMIUM="$chromium" UI_DIR="$repo/ui" \
    SCREENSHOTS="$here/screenshots" node "$file" | tee "$work/out.txt"
  file_status=${PIPESTATUS[0]}
  set -e
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/out.txt" | tail -n 1)"
  if [[ -z "$summary" ]]; then summary="0 passed, 1 failed"; fi
  passed=$((passed + ${summary%% passed*}))
  file_failed=${summary#*, }
  failed=$((failed + ${file_failed%% failed}))
  if ((file_status != 0)); then
    status=1
    if [[ "$summary" == "0 passed, 0 failed" ]]; then failed=$((failed + 1)); fi
  fi
done
if ((status != 0)); then
  echo "--- server log (last 20 lines) ---"
  tail -n 20 "$work/server.log" || true
fi
echo "$passed passed, $failed failed (all files)"
exit "$status"
