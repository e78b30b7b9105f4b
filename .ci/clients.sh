#!/usr/bin/env bash
# Generated clients against the live API on PostgreSQL:
# - Python: openapi-python-client (locked dev dependency) generates a package from the served document, pip
#   installs it into a temporary directory, and clients/python/smoke.py calls login, a worker's own endpoints,
#   staff lists and a refused write through it;
# - TypeScript: openapi-typescript (clients/ts/package-lock.json) generates the types, tsc type-checks
#   clients/ts/src against them.
# LIVE_* variables as in .ci/live_app.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/live_app.sh
live_db=${CLIENTS_DB:-gonghui_clients} live_app_start
work=$(mktemp -d)
trap 'live_app_stop; rm -rf "$work"' EXIT

echo "--- Python client (openapi-python-client $(.venv/bin/openapi-python-client --version | awk '{print $NF}'))"
# openapi-python-client runs ruff on what it generates; the venv has it.
(cd "$work" && PATH="$OLDPWD/.venv/bin:$PATH" "$OLDPWD/.venv/bin/openapi-python-client" generate \
  --path "$data_dir/openapi.json" --meta setup --output-path "$work/gonghui-api-client" >"$work/generate.log" 2>&1) \
  || { cat "$work/generate.log"; exit 1; }
grep -E "^WARNING" "$work/generate.log" || true  # the Excel downloads are not JSON: the client omits their bodies
.venv/bin/pip install -q --no-deps --target "$work/site" "$work/gonghui-api-client"
PYTHONPATH="$work/site" .venv/bin/python clients/python/smoke.py "$base"

echo "--- TypeScript types (openapi-typescript + tsc)"
(cd clients/ts && npm ci --no-audit --no-fund --silent \
  && npx --no-install openapi-typescript "$data_dir/openapi.json" -o src/schema.d.ts \
  && npx --no-install tsc --noEmit -p . && echo "tsc: clients/ts type-checks against the generated schema")
live_server_errors
