#!/usr/bin/env bash
# The main job, in one command: installs what Shewhart needs (Debian 12 packages), builds it,
# loads the demo system into a FRESH SQLite file (out/demo.db: NHS England's A&E data for every
# trust and a generated Integrated Care System), creates a demo administrator and one demo account
# per role with a freshly generated passphrase, builds the web front end when ui/ and npm are
# there, and serves it all:
#
#   bash tools/demo.sh                      # http://127.0.0.1:8080/
#   SHEWHART_LISTEN=127.0.0.1:9000 bash tools/demo.sh
#   SKIP_UI=1 BUILD_DIR=build-mine bash tools/demo.sh     # no npm step; another build folder
#
# Stop with Ctrl-C. Running it again starts from a fresh database (and a new passphrase).
# The analyst's command-line demo (MDC charts of the A&E data as files) is tools/spc-demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

LISTEN="${SHEWHART_LISTEN:-127.0.0.1:8080}"
BUILD_DIR="${BUILD_DIR:-build}"
OUT=out
DB_FILE="$OUT/demo.db"
DB="sqlite:$DB_FILE"
BIN="$BUILD_DIR/src/app/shewhart"
# The organisation the organisation-scoped demo accounts belong to (an acute trust of the
# generated ICS).
DEMO_ORG="${SHEWHART_DEMO_ORG:-RZA}"

step() { printf '\n== %s\n' "$*"; }

step "Installing Debian packages (skipped when present)"
bash tools/install-deps.sh

step "Building shewhart ($BUILD_DIR/)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$BUILD_DIR" --target shewhart -j "$(nproc)"

step "Loading the demo system into a fresh $DB_FILE"
mkdir -p "$OUT"
rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm"
"$BIN" demo --db "$DB" --as "demo.sh"

step "Creating the demo accounts"
# One passphrase for every demo account, generated now: four groups of six letters.
# (pipefail off inside: tr ends by SIGPIPE when head has had enough.)
PASSPHRASE="$(
  set +o pipefail
  LC_ALL=C tr -dc 'a-z' </dev/urandom | head -c 24 | sed -E 's/(.{6})/\1-/g; s/-$//'
)"
# email                          role                        organisation
ACCOUNTS=(
  "admin@demo.shewhart.nhs.uk        administrator              -"
  "system.lead@demo.shewhart.nhs.uk  system_quality_lead        -"
  "org.lead@demo.shewhart.nhs.uk     organisation_quality_lead  $DEMO_ORG"
  "qi@demo.shewhart.nhs.uk           qi_practitioner            $DEMO_ORG"
  "submitter@demo.shewhart.nhs.uk    data_submitter             $DEMO_ORG"
  "viewer@demo.shewhart.nhs.uk       viewer                     $DEMO_ORG"
)
for line in "${ACCOUNTS[@]}"; do
  read -r email role org <<<"$line"
  args=(user add --db "$DB" --email "$email" --role "$role" --password-stdin)
  [ "$org" = "-" ] || args+=(--org "$org")
  printf '%s\n' "$PASSPHRASE" | "$BIN" "${args[@]}"
done
umask 077
{
  echo "Shewhart demo accounts for $DB_FILE (passphrase for all: $PASSPHRASE)"
  printf '  %s\n' "${ACCOUNTS[@]}"
} >"$OUT/demo-accounts.txt"

STATIC=()
step "The web front end"
if [ "${SKIP_UI:-0}" = 1 ]; then
  echo "SKIP_UI=1: not building ui/ (serving ui/dist if it is there)."
elif [ -f ui/package.json ]; then
  if command -v npm >/dev/null 2>&1; then
    (cd ui && npm ci --no-audit --no-fund && npm run build)
  else
    echo "npm is not installed: serving the API only (install Node.js 20+ and npm to build ui/)."
  fi
else
  echo "no ui/ folder yet: serving the API only."
fi
if [ -f ui/dist/index.html ]; then
  STATIC=(--static ui/dist)
fi

HOST="${LISTEN%:*}"
PORT="${LISTEN##*:}"
cat <<EOF

================================================================================
 Shewhart demo: http://$HOST:$PORT/
$( [ ${#STATIC[@]} -gt 0 ] && echo " (the web front end from ui/dist)" || echo " (API only: the JSON API under /api/, described at /api/openapi.json)" )

 Sign in with any of these accounts; the passphrase for all of them is

     $PASSPHRASE

   admin@demo.shewhart.nhs.uk          administrator
   system.lead@demo.shewhart.nhs.uk    system quality lead
   org.lead@demo.shewhart.nhs.uk       organisation quality lead ($DEMO_ORG)
   qi@demo.shewhart.nhs.uk             QI practitioner ($DEMO_ORG)
   submitter@demo.shewhart.nhs.uk      data submitter ($DEMO_ORG)
   viewer@demo.shewhart.nhs.uk         viewer ($DEMO_ORG)
 (also written to $OUT/demo-accounts.txt)

 From a terminal:
   curl -c jar -H 'Content-Type: application/json' -X POST http://$HOST:$PORT/api/session \\
        -d '{"email":"admin@demo.shewhart.nhs.uk","password":"$PASSPHRASE"}'
   curl -b jar http://$HOST:$PORT/api/board
   curl -b jar -o board.xlsx http://$HOST:$PORT/api/board/export.xlsx
   curl -b jar -o board.pdf  http://$HOST:$PORT/api/board/pack.pdf
 Stop with Ctrl-C.
================================================================================

EOF
exec "$BIN" serve --db "$DB" --listen "$LISTEN" "${STATIC[@]}"
