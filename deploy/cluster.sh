#!/usr/bin/env bash
# `make cluster` / `make cluster-stop`: the shape of deploy/README.md on loopback, to try and to test.
# Varnish on CLUSTER_PORT, two gunicorn app nodes on the next two ports, two RQ task workers, on the PostgreSQL
# and Redis already running on this machine (database masthead_cluster; Redis databases CLUSTER_REDIS_DB and the
# next one). Everything it starts is recorded in var/cluster/*.pid and stopped by `stop`.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
CLUSTER_PORT=${CLUSTER_PORT:-8180}
CLUSTER_REDIS_DB=${CLUSTER_REDIS_DB:-10}
PGHOST_URL=${CLUSTER_POSTGRES:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${CLUSTER_DB_NAME:-masthead_cluster}
DIR=$PWD/var/cluster
NODE1=$((CLUSTER_PORT + 1))
NODE2=$((CLUSTER_PORT + 2))
ADMIN_PORT=$((CLUSTER_PORT + 3))

cluster_env() {
  export SECRET_KEY="$(cat var/secret_key)"
  export MASTHEAD_VAR_DIR="$DIR"
  export MASTHEAD_BASE_URL="http://127.0.0.1:$CLUSTER_PORT"
  export ALLOWED_HOSTS="127.0.0.1,localhost"
  export DATABASE_URL="$PGHOST_URL/$DB_NAME"
  export REDIS_URL="redis://127.0.0.1:6379/$CLUSTER_REDIS_DB"
  export MASTHEAD_RQ_URL="redis://127.0.0.1:6379/$((CLUSTER_REDIS_DB + 1))"
  export MASTHEAD_TASKS_BACKEND=rq
  export MASTHEAD_VARNISH_URL="http://127.0.0.1:$CLUSTER_PORT"
  export MASTHEAD_TRUSTED_PROXIES="127.0.0.1"
  export MASTHEAD_BEHIND_PROXY=true
  export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}
}

# Start a command in its own process group, its pid in var/cluster/NAME.pid, its output in NAME.log.
start_one() {
  local name=$1; shift
  setsid "$@" >"$DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$DIR/$name.pid"
}

start_node() {
  local number=$1 port=$2
  GUNICORN_BIND=127.0.0.1:$port start_one "web$number" \
    "$BIN/gunicorn" -c deploy/gunicorn/gunicorn.conf.py --name "masthead-web$number" masthead.wsgi
}

wait_for() {
  local url=$1 seconds=$2
  for _ in $(seq 1 $((seconds * 4))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.25
  done
  echo "Timed out waiting for $url" >&2
  return 1
}

start() {
  command -v varnishd >/dev/null || { echo "varnishd is missing: make varnish" >&2; exit 1; }
  [ -f var/secret_key ] || { mkdir -p var; python3 -c "import secrets; print(secrets.token_urlsafe(60))" > var/secret_key; }
  mkdir -p "$DIR"
  stop quietly
  cluster_env
  sed -e "s/\.port = \"8001\"/.port = \"$NODE1\"/" -e "s/\.port = \"8002\"/.port = \"$NODE2\"/" \
    deploy/varnish/masthead.vcl >"$DIR/masthead.vcl"
  # First, so that the purges the set-up sends find it.
  varnishd -j none -n "$DIR/varnish" -a "127.0.0.1:$CLUSTER_PORT" -T "127.0.0.1:$ADMIN_PORT" \
    -f "$DIR/masthead.vcl" -s malloc,256m -P "$DIR/varnish.pid" -p ban_lurker_sleep=0.01 \
    >"$DIR/varnish.log" 2>&1

  psql "$PGHOST_URL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
    || psql "$PGHOST_URL/postgres" -qc "CREATE DATABASE $DB_NAME"
  "$BIN/python" manage.py migrate --noinput >"$DIR/setup.log"
  "$BIN/python" manage.py createcachetable >>"$DIR/setup.log"
  "$BIN/python" manage.py collectstatic --noinput --verbosity 0 >>"$DIR/setup.log"
  "$BIN/python" manage.py load_demo --if-empty >>"$DIR/setup.log"
  "$BIN/python" manage.py sync_site >>"$DIR/setup.log"

  start_node 1 "$NODE1"
  start_node 2 "$NODE2"
  start_one worker1 "$BIN/python" manage.py rqworker --job-class django_tasks_rq.Job --name "cluster-worker1-$$" default
  start_one worker2 "$BIN/python" manage.py rqworker --job-class django_tasks_rq.Job --name "cluster-worker2-$$" default

  wait_for "http://127.0.0.1:$NODE1/edge/health" 60
  wait_for "http://127.0.0.1:$NODE2/edge/health" 60
  wait_for "http://127.0.0.1:$CLUSTER_PORT/" 30
  echo "masthead cluster: http://127.0.0.1:$CLUSTER_PORT/ (Varnish) -> app nodes :$NODE1 :$NODE2, 2 RQ workers;"
  echo "database $DB_NAME, Redis databases $CLUSTER_REDIS_DB and $((CLUSTER_REDIS_DB + 1)). Logs in var/cluster/. make cluster-stop stops it."
}

stop() {
  local name pid
  for name in web1 web2 worker1 worker2 varnish; do
    [ -f "$DIR/$name.pid" ] || continue
    pid=$(cat "$DIR/$name.pid")
    if [ "$name" = varnish ]; then
      kill "$pid" 2>/dev/null || true
    else
      kill -TERM -- "-$pid" 2>/dev/null || true  # the process group setsid made: master and its workers
    fi
    rm -f "$DIR/$name.pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done  # its ports freed
  done
  [ "${1:-}" = quietly ] || echo "masthead cluster stopped."
}

# For the tests: start one node again after it was killed.
restart_node() {
  cluster_env
  local number=$1
  start_node "$number" "$((CLUSTER_PORT + number))"
  wait_for "http://127.0.0.1:$((CLUSTER_PORT + number))/edge/health" 60
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart-node) restart_node "$2" ;;
  env) cluster_env; env | grep -E '^(SECRET_KEY|MASTHEAD_[A-Z_]+|DATABASE_URL|REDIS_URL|ALLOWED_HOSTS)=' | sed 's/^/export /' ;;
  *) echo "usage: $0 start|stop|restart-node N|env" >&2; exit 2 ;;
esac
