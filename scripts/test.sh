#!/usr/bin/env bash
# Runs the whole offline test suite (sets the workspace up first if needed).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
[ -d node_modules ] || bash scripts/setup.sh
exec pnpm test "$@"
