#!/usr/bin/env bash
# Installs the Debian 12 packages Shewhart builds and tests with (see README.md, "Dependencies").
# Idempotent: skips apt-get entirely when everything is already installed.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libboost-dev
  libcairo2-dev fonts-dejavu-core libexpat1-dev
  poppler-utils time
  libsqlite3-dev sqlite3 libpq-dev postgresql
  libcpp-httplib-dev libsodium-dev libzip-dev libxlsxwriter-dev zlib1g-dev
  chromium
  nginx openssl curl
  libcurl4-openssl-dev
)

# Node.js for the web front end (ui/): the machine's own when it has one (its npm comes with it),
# else Debian's.
if ! command -v node >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing Debian packages: ${missing[*]}"
# nginx is for the deployment test, which runs its own throwaway instance: keep the package from
# starting a system-wide one on port 80 (policy-rc.d 101 = "do not start services").
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  ADDED_POLICY=1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ -z "$ADDED_POLICY" ] || $SUDO rm -f "$POLICY"
