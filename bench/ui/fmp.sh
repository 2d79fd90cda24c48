#!/usr/bin/env bash
# Time to first meaningful paint of the board summary for the demo system: from navigation start
# to the board table rendered with its Making Data Count icons, in Debian's headless chromium
# (playwright-core), a fresh browser context (cold cache) per run; prints each run and the median.
#
# Usage: bench/ui/fmp.sh [PATH/TO/shewhart] [RUNS]   (aim: median < 1000 ms)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-${SHEWHART_BIN:-}}"
runs="${2:-9}"
if [[ -z "$bin" ]]; then
  for b in "$repo"/build*/src/app/shewhart; do [[ -x "$b" ]] && bin="$b" && break; done
fi
[[ -x "$bin" ]] || { echo "no shewhart binary: pass its path" >&2; exit 1; }

cd "$repo/ui"
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build >/dev/null 2>&1

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
db="sqlite:$work/demo.db"
"$bin" demo --db "$db" >/dev/null
printf '%s\n' 'correct horse battery staple' |
  "$bin" user add --db "$db" --email bench@example.nhs.uk --role viewer --password-stdin >/dev/null
port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --static "$repo/ui/dist" --quiet >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  node -e "fetch('http://127.0.0.1:$port/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && break
  sleep 0.1
done
BASE_URL="http://127.0.0.1:$port" RUNS="$runs" UI_DIR="$repo/ui" node "$here/fmp.mjs"
