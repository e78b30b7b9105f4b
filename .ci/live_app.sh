# Sourced by .ci/fuzz.sh and .ci/clients.sh: a live Gonghui on PostgreSQL with a small demo, served by gunicorn.
#
#   live_db=gonghui_x live_app_start    # sets $base (http://127.0.0.1:PORT) and $data_dir; stops on EXIT
#
# LIVE_REUSE=1 keeps the existing database (then LIVE_DATA_DIR must be the directory holding its keys),
# LIVE_PORT picks the port, LIVE_KEEP=1 keeps the data directory.

live_app_start() {
  data_dir=${LIVE_DATA_DIR:-$(mktemp -d)}
  local port=${LIVE_PORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  export GONGHUI_DATA_DIR="$data_dir" DATABASE_URL="postgres://postgres@127.0.0.1:5432/$live_db" DATABASE_CONN_MAX_AGE=0
  unset REDIS_URL
  trap live_app_stop EXIT
  if [ -z "${LIVE_REUSE:-}" ]; then
    dropdb -h 127.0.0.1 -U postgres --if-exists "$live_db"
    createdb -h 127.0.0.1 -U postgres "$live_db"
    .venv/bin/python -m gonghui migrate --noinput -v0
    .venv/bin/python -m gonghui demo --employers 30 --workers 40 --members 120 >"$data_dir/demo.log" 2>&1 \
      || { tail -n 30 "$data_dir/demo.log"; return 1; }
  fi
  .venv/bin/python -m gonghui collectstatic --noinput -v0
  # The app's own URL limit (4096, gonghui.core.input) sits below gunicorn's request-line limit.
  .venv/bin/gunicorn gonghui.wsgi:application --bind "127.0.0.1:$port" --workers 2 --timeout 120 \
    --limit-request-line 8190 --access-logfile /dev/null --error-logfile "$data_dir/gunicorn.log" \
    --log-level warning &
  live_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 90); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/core/notifications")" = 401 ] && break
    sleep 1
  done
  # Building the document takes seconds: fetch it once.
  curl -sf -o "$data_dir/openapi.json" "$base/api/v1/openapi.json"
}

live_app_stop() {
  if [ -n "${live_pid:-}" ]; then kill "$live_pid" 2>/dev/null || true; wait "$live_pid" 2>/dev/null || true; fi
  [ -n "${LIVE_KEEP:-}" ] || [ -n "${LIVE_DATA_DIR:-}" ] || rm -rf "$data_dir"
}

live_server_errors() {  # non-zero when the app logged a server error
  if grep -q "Traceback\|Internal Server Error" "$data_dir/gunicorn.log" 2>/dev/null; then
    echo "server errors in the gunicorn log:"; grep -m 20 -A 3 "Traceback\|Internal Server Error" "$data_dir/gunicorn.log"
    return 1
  fi
}

live_token() {  # live_token <phone> <password>
  curl -sf -X POST "$base/api/v1/accounts/token" -H 'Content-Type: application/json' \
    -d "{\"phone\": \"$1\", \"password\": \"$2\", \"device\": \"ci\"}" \
    | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
