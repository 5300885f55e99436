#!/usr/bin/env bash
# One command for the TutorGPT demo on a fresh machine: ./scripts/demo.sh [demo options]
#
# Installs what is missing (a .venv with the project, the npm workspace, the plugin build),
# then runs `python -m tutorgpt_asgi.demo`, which builds the example book when it is missing
# or stale and serves book and tutor on one port. Every step is skipped when its output is
# newer than its inputs, so a second run starts in seconds. Options are passed to the demo
# (--host, --port, --site-dir, --state-dir, --no-build); see `--help`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'demo.sh: error [%s]: %s\n' "$1" "$2" >&2; exit 2; }

# newer_than OUTPUT INPUT...: true when OUTPUT is missing or any file under INPUT is newer.
newer_than() {
  local output="$1"; shift
  [[ -e "$output" ]] || return 0
  [[ -n "$(find "$@" -newer "$output" -type f -print -quit 2>/dev/null)" ]]
}

# --- tools the machine must have -------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null \
  || fail PYTHON_MISSING "python3 (3.11+) is required: sudo apt-get install -y python3 python3-venv"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail PYTHON_TOO_OLD "Python 3.11 or newer is required (found $("$PYTHON" --version 2>&1))"
command -v node >/dev/null && command -v npm >/dev/null \
  || fail NODE_MISSING "Node.js 20+ and npm are required (https://nodejs.org or your distribution's nodejs 20 package)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || fail NODE_TOO_OLD "Node.js 20 or newer is required (found $(node --version))"

# --- Python: .venv with the project installed (editable) -------------------------------------
if [[ ! -x .venv/bin/python ]]; then
  say "Creating .venv"
  "$PYTHON" -m venv .venv || fail VENV_FAILED "could not create .venv (Debian: sudo apt-get install -y python3-venv)"
fi
STAMP=.venv/.tutorgpt-installed
if newer_than "$STAMP" pyproject.toml; then
  say "Installing the tutorgpt-asgi package into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  touch "$STAMP"
fi

# --- Node: workspace dependencies, then the plugin's compiled output -------------------------
NPM_STAMP=node_modules/.package-lock.json
if [[ -f package-lock.json ]]; then
  if newer_than "$NPM_STAMP" package-lock.json package.json docusaurus-plugin/package.json example-site/package.json; then
    say "Installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
elif newer_than "$NPM_STAMP" package.json docusaurus-plugin/package.json example-site/package.json; then
  say "Installing npm dependencies (npm install)"
  npm install --no-audit --no-fund
fi

PLUGIN_STAMP=docusaurus-plugin/lib/index.js
if newer_than "$PLUGIN_STAMP" docusaurus-plugin/src docusaurus-plugin/package.json docusaurus-plugin/tsconfig*.json; then
  say "Building docusaurus-plugin-tutorgpt"
  npm run build -w docusaurus-plugin
fi

# --- The demo: builds the book when stale, indexes it, serves it -----------------------------
say "Starting the demo"
exec .venv/bin/python -m tutorgpt_asgi.demo "$@"
