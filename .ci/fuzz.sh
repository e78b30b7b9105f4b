#!/usr/bin/env bash
# Fuzz the live API on PostgreSQL with Schemathesis, as three callers: anonymous, a worker (a member) and a
# read-only staff member (城东区只读). Fails on any server error, on an answer that does not match the
# documented response schema, status codes or content type, and on an operation that ignores its
# authentication (ignored_auth: the same request without credentials must be refused).
#
#   .ci/fuzz.sh                        # fresh database gonghui_fuzz, small demo, gunicorn on a free port
#   FUZZ_EXAMPLES=25 .ci/fuzz.sh       # a bigger budget (default 5 examples per operation and role)
#   FUZZ_ROLES=viewer .ci/fuzz.sh      # some of: anonymous worker viewer
#   FUZZ_PHASES=examples,coverage,fuzzing .ci/fuzz.sh   # also the coverage phase (see below)
#   LIVE_REUSE=1 LIVE_DATA_DIR=… FUZZ_DB=… .ci/fuzz.sh  # an existing demo database and its keys
#
# Needs the venv (make venv) and PostgreSQL at 127.0.0.1:5432 (user postgres, trust).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/live_app.sh

examples=${FUZZ_EXAMPLES:-5}
# The coverage phase (boundary and negative values for every parameter) finds more but takes ~8 minutes per
# role on two busy cores; CI runs examples and fuzzing.
phases=${FUZZ_PHASES:-examples,fuzzing}
live_db=${FUZZ_DB:-gonghui_fuzz} live_app_start
report_dir=${FUZZ_REPORT_DIR:-$data_dir/report}

worker_token=$(live_token 13900000010 zhigong2026)
viewer_token=$(live_token 13900000004 'Gonghui@2026')

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth
status=0
run() {  # run <role> [schemathesis options…]
  local role=$1; shift
  echo "--- fuzz as $role ($examples examples per operation, phases $phases)"
  if ! .venv/bin/schemathesis run "$data_dir/openapi.json" --url "$base" --checks "$checks" \
      --max-examples "$examples" --phases "$phases" --seed "${FUZZ_SEED:-2026}" --workers 2 --request-timeout 60 \
      --no-shrink --suppress-health-check all --warnings off \
      --report junit --report-junit-path "$report_dir/$role.xml" "$@"; then
    status=1
  fi
}
# The token endpoint is left out for the signed-in roles: fuzzing it with their phone would lock them out.
for role in ${FUZZ_ROLES:-anonymous worker viewer}; do
  case $role in
    anonymous) run anonymous ;;
    worker) run worker -H "Authorization: Bearer $worker_token" --exclude-path /api/v1/accounts/token ;;
    viewer) run viewer -H "Authorization: Bearer $viewer_token" --exclude-path /api/v1/accounts/token ;;
    *) echo "unknown role $role"; exit 2 ;;
  esac
done
live_server_errors || status=1
exit $status
