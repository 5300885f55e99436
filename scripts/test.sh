#!/usr/bin/env bash
# Every test on a fresh machine: ./scripts/test.sh
#
# Installs what is missing (Debian's chromium for the browser tests, a .venv with the project
# and its test extras, the npm workspace, which builds the plugin), then runs, in order: the
# plugin's unit tests, a real `docusaurus build` of the example book (SSR safety and the export),
# ruff and mypy, the Python suite (real SQLite files, real HTTP, the real openai SDK against a local server),
# and the browser tests (headless Chromium against the demo server). Stops at the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# --- Debian packages the tests drive, and Redis for the shared rate-limit tests ----------------
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v wrk >/dev/null || missing+=(wrk)
redis_up || command -v redis-server >/dev/null || missing+=(redis-server)
if ((${#missing[@]})); then
  say "Installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if ! redis_up; then
  say "Starting a throwaway Redis on 127.0.0.1:6379 (keeps nothing on disk)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
fi

# --- Python ------------------------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  say "Creating .venv"
  "$PYTHON" -m venv .venv
fi
say "Installing tutorgpt-asgi with its test extras"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# --- Node: the workspace (its `prepare` builds docusaurus-plugin/lib) ---------------------------
say "Installing npm dependencies"
npm ci --no-audit --no-fund

say "Plugin type check and unit tests"
npm run typecheck -w docusaurus-plugin
npm test -w docusaurus-plugin

say "Building the example book (docusaurus build)"
npm run build -w example-site

say "Lint and types (ruff, mypy)"
.venv/bin/ruff check tutorgpt_asgi tests bench
.venv/bin/mypy

say "Python tests"
.venv/bin/python -m pytest

say "Browser tests (headless Chromium)"
npm run test:e2e -w example-site
