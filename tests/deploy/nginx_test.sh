#!/usr/bin/env bash
# The production deployment, tested: `shewhart serve` behind Debian's nginx with
# deploy/nginx/shewhart.conf (only its ports, certificate and folders changed: a throwaway nginx
# with its configuration, pid and logs in a temporary directory, self-signed TLS, 127.0.0.1).
# Signs in through it and checks TLS, the Secure cookie, the client address as the server sees
# it (X-Forwarded-For set by nginx, a forged one discarded), nginx's body limit, the redirect to
# HTTPS, the static files and the JSON-only sign-in.
#
#   bash tests/deploy/nginx_test.sh SHEWHART_BINARY      (exit 77 = skipped: no nginx)
set -euo pipefail
SHEWHART="$(realpath "$1")"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$NGINX" ]; then
  echo "nginx is not installed (tools/install-deps.sh installs it): skipped"
  exit 77
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/shewhart-nginx-test.XXXXXX")"
chmod 755 "$WORK"
SERVER_PID=""
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  [ ! -f "$WORK/nginx.pid" ] || kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- nginx error log" >&2; cat "$WORK/logs/error.log" >&2 2>/dev/null || true
  echo "--- server log" >&2; tail -20 "$WORK/serve.log" >&2 2>/dev/null || true
  exit 1
}
# A port nothing listens on (a random one, probed), below the kernel's ephemeral range (32768
# and up): a port there may be the local end of an outgoing connection, which the probe cannot
# see and a bind refuses.
free_port() {
  local p
  while :; do
    p=$((12000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
API_PORT="$(free_port)"
HTTPS_PORT="$(free_port)"
HTTP_PORT="$(free_port)"

# A database with one administrator.
DB="sqlite:$WORK/shewhart.db"
PASSWORD="deploy test passphrase $RANDOM$RANDOM"
"$SHEWHART" init --db "$DB" >/dev/null
"$SHEWHART" user add --db "$DB" --email admin@deploy.nhs.uk --role administrator \
  --password-stdin <<<"$PASSWORD" >/dev/null

"$SHEWHART" serve --db "$DB" --listen "127.0.0.1:$API_PORT" --trusted-proxy 127.0.0.1 \
  --secure-cookies --quiet >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

# nginx: the deployment's site file with this machine's ports and folders.
mkdir -p "$WORK/ui/assets" "$WORK/logs" "$WORK/tmp"
chmod -R 755 "$WORK/ui"
chmod 777 "$WORK/tmp" "$WORK/logs"
echo '<!doctype html><title>Shewhart</title><h1>deployed front end</h1>' >"$WORK/ui/index.html"
chmod 644 "$WORK/ui/index.html"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
sed -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$HTTPS_PORT ssl http2;#" \
    -e "/listen \[::\]/d" \
    -e "s#/etc/ssl/certs/shewhart.example.nhs.uk.pem#$WORK/cert.pem#" \
    -e "s#/etc/ssl/private/shewhart.example.nhs.uk.key#$WORK/key.pem#" \
    -e "s#/usr/share/shewhart/ui#$WORK/ui#" \
    -e "s#server 127.0.0.1:8080;#server 127.0.0.1:$API_PORT;#" \
    "$REPO/deploy/nginx/shewhart.conf" >"$WORK/site.conf"
grep -q "127.0.0.1:$API_PORT" "$WORK/site.conf" || fail "the site file's upstream was not found"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $WORK/logs/access.log;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  include $WORK/site.conf;
}
CONF
"$NGINX" -t -q -p "$WORK" -c "$WORK/nginx.conf" 2>"$WORK/nginx-t.log" || {
  cat "$WORK/nginx-t.log" >&2; fail "nginx -t refused the configuration"; }
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" 2>>"$WORK/logs/error.log" || fail "nginx did not start"

BASE="https://127.0.0.1:$HTTPS_PORT"
CURL=(curl -sk --max-time 10)
for _ in $(seq 1 100); do
  [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$BASE/api/health")" = 200 ] && break
  sleep 0.1
done

# 1. The API over TLS.
health="$("${CURL[@]}" "$BASE/api/health")"
[[ "$health" == *'"status":"ok"'* ]] || fail "health through nginx: $health"

# 2. Sign in through nginx, with a forged X-Forwarded-For that nginx must replace.
"${CURL[@]}" -D "$WORK/headers" -c "$WORK/jar" -o "$WORK/signin.json" \
  -H 'Content-Type: application/json' -H 'X-Forwarded-For: 10.6.6.6' \
  -d "{\"email\":\"admin@deploy.nhs.uk\",\"password\":\"$PASSWORD\"}" "$BASE/api/session"
grep -q '^HTTP/[0-9.]* 200' "$WORK/headers" || fail "sign-in: $(head -1 "$WORK/headers") $(cat "$WORK/signin.json")"
grep -qi '^set-cookie: shewhart_session=.*; Secure' "$WORK/headers" || fail "the session cookie is not Secure"
CSRF="$(sed -e 's/.*"csrf_token":"\([^"]*\)".*/\1/' "$WORK/signin.json")"
[ -n "$CSRF" ] || fail "no CSRF token"
# The cookie is Secure, so curl sends it only over HTTPS: this is HTTPS.
who="$("${CURL[@]}" -b "$WORK/jar" "$BASE/api/session")"
[[ "$who" == *'admin@deploy.nhs.uk'* ]] || fail "signed-in session through nginx: $who"

# 3. The server saw the real client (127.0.0.1 via nginx), not the forged address.
audit="$("${CURL[@]}" -b "$WORK/jar" "$BASE/api/audit")"
[[ "$audit" == *'"action":"session.create"'* ]] || fail "no session.create in the audit log: $audit"
[[ "$audit" != *'10.6.6.6'* ]] || fail "a forged X-Forwarded-For reached the audit log: $audit"
[[ "$audit" == *'"remote":"127.0.0.1"'* ]] || fail "the audit log lacks the client address: $audit"

# 4. nginx's own limits: a 20 MB body never reaches the server.
code="$(head -c 20000000 /dev/zero | "${CURL[@]}" -o /dev/null -w '%{http_code}' \
  -b "$WORK/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: text/csv' --data-binary @- \
  "$BASE/api/imports?kind=observations")"
[ "$code" = 413 ] || fail "a 20 MB upload through nginx answered $code, not 413"

# 5. Plain HTTP redirects to HTTPS; static files come from nginx; sign-in is JSON only.
code="$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/")"
[ "$code" = 301 ] || fail "plain HTTP answered $code, not a redirect"
page="$("${CURL[@]}" "$BASE/board/RJZ")"
[[ "$page" == *'deployed front end'* ]] || fail "the front end's index.html was not served: $page"
code="$("${CURL[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' \
  -d '{"email":"a@b.c","password":"x"}' "$BASE/api/session")"
[ "$code" = 415 ] || fail "a text/plain sign-in answered $code, not 415"

echo "OK: shewhart behind nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on 127.0.0.1 — TLS, Secure cookie, client address, limits"
