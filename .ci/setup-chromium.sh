#!/usr/bin/env bash
# Provides Debian's Chromium at /usr/bin/chromium for the @rlms/viewer browser tests (they drive it
# with playwright-core and install nothing themselves). Run by .ci/run before the tests.
#
# Idempotent and quick when Chromium is already there. Needs root only to install: re-runs itself
# with `sudo -n` when that works, else says what to run.
#
# Usage: sudo bash .ci/setup-chromium.sh
# Environment: RLMS_CHROMIUM_PATH (the binary the tests use, default /usr/bin/chromium).
set -euo pipefail

CHROMIUM="${RLMS_CHROMIUM_PATH:-/usr/bin/chromium}"

say() { echo "setup-chromium: $*"; }
die() { echo "setup-chromium: ERROR: $*" >&2; exit 1; }

if [ -x "$CHROMIUM" ]; then
  say "found $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "re-running as root with sudo to install chromium"
    exec sudo -n --preserve-env=RLMS_CHROMIUM_PATH bash "$0"
  fi
  die "root is needed to install chromium (run: sudo bash $0)"
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install Chromium with this system's package manager and set RLMS_CHROMIUM_PATH"
say "apt-get update"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
say "apt-get install chromium fonts-liberation"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
[ -x "$CHROMIUM" ] || die "chromium installed but $CHROMIUM is missing; set RLMS_CHROMIUM_PATH to its binary"
say "installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
