#!/usr/bin/env bash
# Runs a node check script; exits 77 (skipped) when node is missing and $CI is not set.
# Usage: tests/ui/run.sh SCRIPT.mjs [ARGS...]
set -euo pipefail
if ! command -v node >/dev/null 2>&1; then
  if [[ -z "${CI:-}" ]]; then echo "SKIPPED: node is missing"; exit 77; fi
  echo "FAIL: node is missing and CI is set" >&2
  exit 1
fi
exec node "$@"
