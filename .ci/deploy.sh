#!/usr/bin/env bash
# CI stage: deploy as docs/deployment.md says, on this one machine, and use it from outside.
#
# What runs is taken from the docs themselves (the secrets commands of §3, the environment file of §4,
# the first administrator of §7, the nginx server of §8, the gunicorn, worker and beat command lines of
# §9), with only the host-specific values replaced; a replacement that no longer matches the docs fails
# the stage, so the docs and this stage cannot drift apart. On this machine: one PostgreSQL and one
# Redis, two app servers, one Celery worker and one beat, nginx with TLS in front of the app servers.
# Each process has its own GONGHUI_DATA_DIR (its own collectstatic output) whose media/ is a link to
# one shared directory, as an NFS mount would be. Then .ci/deploy_check.py signs in on one app server
# and uses the session on the other, imports a roster across both through the worker, has the worker
# issue a 免申即享 campaign, checks the shared lockout and kills an app server under traffic; finally
# the beat must have queued a periodic job that the worker ran.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
docs=docs/deployment.md
root=$(mktemp -d /tmp/gonghui-deploy.XXXXXX)
chmod 755 "$root"
block() { python3 .ci/docs_block.py "$docs" "$1" "${2:-1}"; }
# replace FILE OLD NEW: the docs must still say OLD.
replace() {
  python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
if old not in text:
    sys.exit(f"deploy stage: docs/deployment.md no longer contains {old!r}: update .ci/deploy.sh with the docs")
open(path, "w", encoding="utf-8").write(text.replace(old, new))
PY
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  [ -f "$root/nginx.pid" ] && kill "$(cat "$root/nginx.pid")" 2>/dev/null || true
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  dropdb -h 127.0.0.1 -U postgres --if-exists gonghui_deploy 2>/dev/null || true
  [ -n "${DEPLOY_KEEP:-}" ] || rm -rf "$root"
}
trap cleanup EXIT
logs() { for f in "$root"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; }

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) >"$root/apt.log" 2>&1 \
    || { echo "could not install nginx"; tail -n 20 "$root/apt.log"; exit 1; }
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

echo "§2 install from the lock into a fresh venv, the project with --no-deps"
if [ -n "${DEPLOY_VENV:-}" ]; then  # development of this stage only: reuse a venv made by an earlier run
  ln -s "$DEPLOY_VENV" "$root/venv"
else
  python3 -m venv "$root/venv"
  "$root/venv/bin/pip" install -q --disable-pip-version-check -r requirements.lock
  "$root/venv/bin/pip" install -q --disable-pip-version-check --no-deps .
fi

echo "§1 PostgreSQL database and role; Redis database 13"
dropdb -h 127.0.0.1 -U postgres --if-exists gonghui_deploy
psql -h 127.0.0.1 -U postgres -q -c "DROP ROLE IF EXISTS gonghui_deploy" \
  -c "CREATE ROLE gonghui_deploy LOGIN PASSWORD 'deploy-ci'" >/dev/null
createdb -h 127.0.0.1 -U postgres --owner gonghui_deploy gonghui_deploy
redis-cli -h 127.0.0.1 -p 6379 -n 13 flushdb >/dev/null

echo "§3 secrets"
mkdir -p "$root/secrets"
block "3. Secrets" >"$root/secrets.sh"
replace "$root/secrets.sh" "cd /etc/gonghui/secrets" "cd '$root/secrets'"
replace "$root/secrets.sh" "chown root:gonghui * && " ""
bash -e "$root/secrets.sh"

echo "§4 the environment file"
https_port=$(free_port); http_port=$(free_port); app1_port=$(free_port); app2_port=$(free_port)
block "4. Environment file" >"$root/gonghui.env"
replace "$root/gonghui.env" "GONGHUI_DATA_DIR=/var/lib/gonghui" "GONGHUI_DATA_DIR=$root/app1"
replace "$root/gonghui.env" "DATABASE_URL=postgres://gonghui:CHANGE-ME@db.internal:5432/gonghui" \
  "DATABASE_URL=postgres://gonghui_deploy:deploy-ci@127.0.0.1:5432/gonghui_deploy"
replace "$root/gonghui.env" "REDIS_URL=redis://redis.internal:6379/0" "REDIS_URL=redis://127.0.0.1:6379/13"
replace "$root/gonghui.env" "/etc/gonghui/secrets/" "$root/secrets/"
replace "$root/gonghui.env" "ALLOWED_HOSTS=gonghui.example.org" "ALLOWED_HOSTS=localhost"
replace "$root/gonghui.env" "CSRF_TRUSTED_ORIGINS=https://gonghui.example.org" \
  "CSRF_TRUSTED_ORIGINS=https://localhost:$https_port"
# CI runs on any date: from 1 November the next year's holiday arrangement may be missing (deployment.md §5).
echo "SILENCED_SYSTEM_CHECKS=workdays.W001" >>"$root/gonghui.env"
set -a; . "$root/gonghui.env"; set +a
unset DATABASE_CONN_MAX_AGE
for dir in app1 app2 worker beat; do mkdir -p "$root/$dir"; done
mkdir -p "$root/shared-media"
for dir in app1 app2 worker beat; do ln -s "$root/shared-media" "$root/$dir/media"; done
# The wrapper of §4, run from a directory without the checkout (the installed package is what runs).
gonghui-manage() { (cd "$root" && "$root/venv/bin/python" -m gonghui "$@"); }

echo "§5 check --deploy"
gonghui-manage check --deploy --fail-level WARNING

echo "§6 migrate once, collectstatic on every app server"
gonghui-manage migrate --noinput -v0
for dir in app1 app2; do GONGHUI_DATA_DIR="$root/$dir" gonghui-manage collectstatic --noinput -v0; done

echo "§7 the first administrator"
block "7. First start" >"$root/first-admin.sh"
admin_phone=$(grep -o 'create_user("[0-9]*"' "$root/first-admin.sh" | grep -o '[0-9]\{11\}')
admin_password=$(grep -o 'create_user("[0-9]*", "[^"]*"' "$root/first-admin.sh" | sed 's/.*", "//; s/"$//')
( . "$root/first-admin.sh" ) >/dev/null

echo "§8 nginx with TLS (self-signed for localhost)"
mkdir -p "$root/tls" "$root/nginx-tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$root/tls/key.pem" -out "$root/tls/cert.pem" 2>/dev/null
block "8. nginx" >"$root/gonghui.nginx.conf"
python3 - "$root/gonghui.nginx.conf" "$app1_port" "$app2_port" <<'PY'
import re, sys
path, one, two = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
servers = re.findall(r"^\s*server 10\.0\.0\.\d+:8000;\n", text, flags=re.M)
if len(servers) < 2:
    sys.exit("deploy stage: the upstream block of deployment.md §8 changed: update .ci/deploy.sh")
text = text.replace(servers[0], f"    server 127.0.0.1:{one};\n    server 127.0.0.1:{two};\n", 1)
for line in servers[1:]:
    text = text.replace(line, "", 1)
open(path, "w", encoding="utf-8").write(text)
PY
replace "$root/gonghui.nginx.conf" "listen 80;" "listen 127.0.0.1:$http_port;"
replace "$root/gonghui.nginx.conf" "listen 443 ssl http2;" "listen 127.0.0.1:$https_port ssl http2;"
replace "$root/gonghui.nginx.conf" "server_name gonghui.example.org;" "server_name localhost;"
replace "$root/gonghui.nginx.conf" "/etc/nginx/tls/gonghui.example.org.fullchain.pem" "$root/tls/cert.pem"
replace "$root/gonghui.nginx.conf" "/etc/nginx/tls/gonghui.example.org.key" "$root/tls/key.pem"
replace "$root/gonghui.nginx.conf" "/var/log/nginx/gonghui.access.log" "$root/nginx-access.log"
user_line=""; [ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$root/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $root/nginx.pid;
error_log $root/nginx-error.log warn;
events { worker_connections 512; }
http {
    client_body_temp_path $root/nginx-tmp/body;
    proxy_temp_path $root/nginx-tmp/proxy;
    fastcgi_temp_path $root/nginx-tmp/fastcgi;
    uwsgi_temp_path $root/nginx-tmp/uwsgi;
    scgi_temp_path $root/nginx-tmp/scgi;
    include $root/gonghui.nginx.conf;
}
EOF
"$nginx_bin" -t -q -c "$root/nginx.conf" -p "$root/" 2>&1 | grep -v "^$" || true
"$nginx_bin" -c "$root/nginx.conf" -p "$root/"

echo "§9 two app servers, one worker, one beat (the ExecStart lines of the units)"
exec_start() {  # exec_start N: the ExecStart of the N-th unit block of §9, continuation lines joined
  block "9. systemd units" "$1" | python3 -c '
import sys
text = sys.stdin.read().replace("\\\n", " ")
line = next(l for l in text.splitlines() if l.startswith("ExecStart="))
print(" ".join(line[len("ExecStart="):].split()))'
}
web=$(exec_start 1); worker=$(exec_start 2); beat=$(exec_start 3)
for part in "/opt/gonghui/venv/" "--bind 0.0.0.0:8000" "--workers 4" "--forwarded-allow-ips 10.0.0.10"; do
  case "$web" in *"$part"*) ;; *) echo "deploy stage: §9 gonghui-web no longer has '$part'"; exit 1 ;; esac
done
case "$worker" in *"--concurrency 4 -n gonghui@%%H"*) ;; *) echo "deploy stage: §9 worker line changed"; exit 1 ;; esac
case "$beat" in *"--schedule /var/lib/gonghui/celerybeat-schedule"*) ;; *) echo "deploy stage: §9 beat line changed"; exit 1 ;; esac
web=${web//\/opt\/gonghui\/venv\//$root/venv/}
web=${web/--workers 4/--workers 2}
web=${web/--forwarded-allow-ips 10.0.0.10/--forwarded-allow-ips 127.0.0.1}
worker=${worker//\/opt\/gonghui\/venv\//$root/venv/}
worker=${worker/--concurrency 4 -n gonghui@%%H/--concurrency 2 -n gonghui@deploy-ci}
beat=${beat//\/opt\/gonghui\/venv\//$root/venv/}
beat=${beat/\/var\/lib\/gonghui\/celerybeat-schedule/$root/beat/celerybeat-schedule}
start() {  # start NAME DATA_DIR COMMAND…: its own process group, its own log
  local name=$1 dir=$2; shift 2
  (cd "$root/$dir" && GONGHUI_DATA_DIR="$root/$dir" exec setsid "$@" >"$root/$name.log" 2>&1) &
  pids+=("$!")
}
# shellcheck disable=SC2086 # the command lines are word-split as systemd does
start app1 app1 ${web/--bind 0.0.0.0:8000/--bind 127.0.0.1:$app1_port}
app1_pgid=${pids[-1]}
# shellcheck disable=SC2086
start app2 app2 ${web/--bind 0.0.0.0:8000/--bind 127.0.0.1:$app2_port}
# shellcheck disable=SC2086
start worker worker $worker
# shellcheck disable=SC2086
start beat beat $beat
beat_started=$(date +%s)
for port in "$app1_port" "$app2_port"; do
  for _ in $(seq 1 60); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' -H 'Host: localhost' \
      "http://127.0.0.1:$port/api/v1/core/notifications" || true)
    [ "$code" = 401 ] && break
    sleep 1
  done
  [ "$code" = 401 ] || { echo "app server on $port did not start ($code)"; logs; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$root/tls/cert.pem" "https://localhost:$https_port/")
[ "$code" = 200 ] || { echo "nginx → app servers: $code"; logs; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$http_port/")
[ "$code" = 301 ] || { echo "http is not redirected to https: $code"; exit 1; }
echo "deploy: nginx (TLS, HTTP → HTTPS) in front of two app servers; worker and beat started"

DEPLOY_ADMIN_PHONE=$admin_phone DEPLOY_ADMIN_PASSWORD=$admin_password \
  "$root/venv/bin/python" "$repo/.ci/deploy_check.py" "https://localhost:$https_port" \
  "http://127.0.0.1:$app1_port" "http://127.0.0.1:$app2_port" "$root/tls/cert.pem" "$app1_pgid" \
  || { logs; exit 1; }

# The beat queues core-jobs-sweep every minute; the worker runs it.
for _ in $(seq 1 120); do
  grep -q "Task gonghui.core.tasks.jobs_sweep_task\[.*\] succeeded" "$root/worker.log" && break
  sleep 1
done
if ! grep -q "Sending due task core-jobs-sweep" "$root/beat.log" \
   || ! grep -q "Task gonghui.core.tasks.jobs_sweep_task\[.*\] succeeded" "$root/worker.log"; then
  echo "the beat's periodic job did not run in the worker"; logs; exit 1
fi
jobs_run=$(grep -c "Task gonghui.core.tasks.run_job_task\[.*\] succeeded" "$root/worker.log" || true)
[ "$jobs_run" -ge 3 ] || { echo "the worker ran $jobs_run jobs, expected the roster check, commit and the issuance"; exit 1; }
echo "deploy: the worker ran $jobs_run jobs (roster check and commit, 免申即享 issuance)"
echo "deploy: the beat queued core-jobs-sweep and the worker ran it ($(( $(date +%s) - beat_started )) s after the beat started)"
for log in app2 worker beat; do
  if grep -q "Traceback" "$root/$log.log"; then echo "errors in $log.log:"; grep -m 5 -A 12 Traceback "$root/$log.log"; exit 1; fi
done
echo "deploy: passed"
