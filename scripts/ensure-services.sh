#!/usr/bin/env bash
# The PostgreSQL and Redis servers the service tests run against (make test, CI): started on
# loopback if they do not answer; fails if one cannot be had, so that tests never silently skip in
# CI. The Makefile then passes CDS_TEST_POSTGRES_URL, CDS_TEST_REDIS_URL and
# CDS_TEST_REQUIRE_SERVICES=1 to the tests, which create a database of their own per run and use
# Redis key prefixes of their own (other test runs may share the servers).
set -euo pipefail

PG_URL=${CDS_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
REDIS_URL=${CDS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
host_of() { echo "$1" | sed -E 's#^[a-z+]+://([^@/]*@)?([^:/]+).*#\2#'; }
port_of() { echo "$1" | sed -nE 's#^[a-z+]+://([^@/]*@)?[^:/]+:([0-9]+).*#\2#p'; }
PG_HOST=$(host_of "$PG_URL") PG_PORT=$(port_of "$PG_URL") PG_PORT=${PG_PORT:-5432}
REDIS_HOST=$(host_of "$REDIS_URL") REDIS_PORT=$(port_of "$REDIS_URL") REDIS_PORT=${REDIS_PORT:-6379}

wait_for() {  # wait_for <what> <command...>: up to 30 s
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "ensure-services: $what did not come up" >&2
  return 1
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

if ! command -v pg_isready >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "ensure-services: PostgreSQL and Redis clients are needed (Debian: postgresql redis-server)" >&2
  exit 1
fi

if ! pg_up; then
  echo "ensure-services: starting PostgreSQL on $PG_HOST:$PG_PORT" >&2
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  fi
  wait_for PostgreSQL pg_up
fi

if ! redis_up; then
  echo "ensure-services: starting Redis on $REDIS_HOST:$REDIS_PORT" >&2
  redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/cds-redis.XXXXXX")
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$redis_dir" --logfile "$redis_dir/redis.log" >&2
  wait_for Redis redis_up
fi
