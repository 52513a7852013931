#!/usr/bin/env bash
# One-time (idempotent) set-up: Node >= 22 and pnpm if missing, workspace dependencies, build.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
if [ -n "${CI:-}" ] || [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile --prefer-offline
else
  pnpm install
fi
pnpm run build
touch "$ROOT/.rlms-setup-done"
echo "rlms: set up. Try: ./rlms --help" >&2
