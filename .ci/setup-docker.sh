#!/usr/bin/env bash
# Provides a Docker engine and a local Python image for the @rlms/sandbox-docker tests.
#
# Idempotent and quick when everything is already in place. Needs root (apt-get, dockerd,
# debootstrap) only for the steps that are not done yet; re-runs itself with `sudo -n` if needed.
#   1. installs Debian's docker.io (and debootstrap) when `dockerd` is missing;
#   2. starts `dockerd --bridge=none --iptables=false` in the background when no engine answers
#      (log: /var/log/rlms-dockerd.log), then waits for its socket;
#   3. builds the image rlms-python:3.11 without pulling anything: a Debian bookworm minbase
#      root filesystem with python3 (debootstrap from this machine's apt mirror), stripped of docs
#      and caches, then `docker import`. The rootfs tarball is cached under /var/cache/rlms/.
#
# Usage: sudo bash .ci/setup-docker.sh
# Environment: RLMS_DOCKER_IMAGE (image tag to build, default rlms-python:3.11),
#              RLMS_DEBIAN_MIRROR (override the mirror read from /etc/apt/sources.list*).
set -euo pipefail

IMAGE="${RLMS_DOCKER_IMAGE:-rlms-python:3.11}"
SUITE=bookworm
CACHE_DIR=/var/cache/rlms
ROOTFS_TAR="$CACHE_DIR/rootfs-$SUITE-python3.tar"
DOCKERD_LOG=/var/log/rlms-dockerd.log
SOCKET=/var/run/docker.sock

say() { echo "setup-docker: $*"; }
die() { echo "setup-docker: ERROR: $*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "re-running as root with sudo to $1"
    exec sudo -n --preserve-env=RLMS_DOCKER_IMAGE,RLMS_DEBIAN_MIRROR,DOCKER_HOST bash "$0"
  fi
  die "root is needed to $1 (run: sudo bash .ci/setup-docker.sh)"
}

apt_updated=0
apt_install() {
  need_root "install $*"
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The tests talk to the engine DOCKER_HOST names (default: the local socket); so does this script.
if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix://$SOCKET" ]; then
  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    say "using the engine at DOCKER_HOST=$DOCKER_HOST"
    REMOTE=1
  else
    die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine, or unset DOCKER_HOST to use a local dockerd"
  fi
else
  REMOTE=0
  export DOCKER_HOST="unix://$SOCKET"
fi
engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# --- 1. engine binaries ----------------------------------------------------------------------
if [ "$REMOTE" -eq 1 ] || engine_up; then
  :
elif command -v dockerd >/dev/null 2>&1; then
  say "dockerd already installed ($(command -v dockerd))"
else
  apt_install docker.io
fi
if ! command -v docker >/dev/null 2>&1; then
  apt_install docker.io
fi

# --- 2. engine running -----------------------------------------------------------------------
if engine_up; then
  say "engine running (server $(docker version --format '{{.Server.Version}}'))"
else
  need_root "start dockerd"
  # A stale pid file from a dead dockerd stops a new one from starting.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  say "starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
  setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    engine_up && break
    sleep 0.5
  done
  if ! engine_up; then
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    die "dockerd did not answer on $SOCKET within 60 s (see $DOCKERD_LOG)"
  fi
  say "engine started (server $(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}'))"
fi

# --- 3. local Python image -------------------------------------------------------------------
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "image $IMAGE already present"
  exit 0
fi

# The Debian mirror this machine uses: first URIs/deb line for the suite (not -security).
find_mirror() {
  if [ -n "${RLMS_DEBIAN_MIRROR:-}" ]; then echo "$RLMS_DEBIAN_MIRROR"; return; fi
  local file uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    # deb822: take URIs of a stanza whose Suites include the bare suite name.
    uri=$(awk -v suite="$SUITE" '
      BEGIN { RS=""; FS="\n" }
      {
        u=""; s=""; t=""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)   { u = $i; sub(/^URIs:[ \t]*/, "", u); split(u, parts, /[ \t]+/); u = parts[1] }
          if ($i ~ /^Suites:/) { s = " " $i " " }
          if ($i ~ /^Types:/)  { t = $i }
        }
        if (t ~ /(^|[ \t])deb([ \t]|$)/ && s ~ ("[ \t]" suite "[ \t]") && u != "") { print u; exit }
      }' "$file")
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    uri=$(awk -v suite="$SUITE" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$file")
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  echo "http://deb.debian.org/debian"
}

if [ -s "$ROOTFS_TAR" ]; then
  say "using cached root filesystem $ROOTFS_TAR"
else
  need_root "build the root filesystem with debootstrap"
  mkdir -p "$CACHE_DIR"
  if ! command -v debootstrap >/dev/null 2>&1; then
    apt_install debootstrap
  fi
  MIRROR=$(find_mirror)
  ROOTFS_DIR=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  trap 'rm -rf "$ROOTFS_DIR"' EXIT
  say "debootstrap --variant=minbase --include=python3 $SUITE from $MIRROR (takes a minute or two)"
  debootstrap --variant=minbase --include=python3 "$SUITE" "$ROOTFS_DIR" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
    || { tail -n 30 "$CACHE_DIR/debootstrap.log" >&2; die "debootstrap failed (see $CACHE_DIR/debootstrap.log)"; }
  # Keep python3 and its full standard library; drop what a REPL sandbox never reads.
  rm -rf "$ROOTFS_DIR"/usr/share/doc/* "$ROOTFS_DIR"/usr/share/man/* "$ROOTFS_DIR"/usr/share/info/* \
    "$ROOTFS_DIR"/usr/share/locale/* "$ROOTFS_DIR"/usr/share/lintian "$ROOTFS_DIR"/var/cache/apt/* \
    "$ROOTFS_DIR"/var/cache/debconf/*-old "$ROOTFS_DIR"/var/lib/apt/lists/* "$ROOTFS_DIR"/var/log/* \
    "$ROOTFS_DIR"/tmp/* "$ROOTFS_DIR"/root/.cache
  find "$ROOTFS_DIR/usr/lib" -name __pycache__ -type d -prune -exec rm -rf {} +
  chroot "$ROOTFS_DIR" python3 -c 'import json, socket, threading, signal, sqlite3, ssl' \
    || die "python3 (with its standard library) does not run in the new root filesystem"
  tar --numeric-owner -C "$ROOTFS_DIR" -cf "$ROOTFS_TAR.partial" .
  mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
  rm -rf "$ROOTFS_DIR"
  trap - EXIT
  say "cached root filesystem at $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
fi

say "docker import $ROOTFS_TAR as $IMAGE"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  "$ROOTFS_TAR" "$IMAGE" >/dev/null
version=$(docker run --rm --network none "$IMAGE" python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
say "image $IMAGE ready (python $version, $(docker image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
