#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs every test (CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
bash tools/with-postgres.sh ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" --timeout 600
