#!/usr/bin/env bash
# The test command. On a fresh Debian 12 machine it installs what is missing (apt packages, .venv),
# starts a throwaway PostgreSQL 15 and Redis on free loopback ports, runs the static checks, then the
# whole pytest suite (browser tests and a real Celery worker included). Arguments go to pytest:
#   ./scripts/test.sh                     everything
#   ./scripts/test.sh tests/unit -x -q    a subset
# pytest runs in one process per core (pytest-xdist, at most 4; see pyproject.toml and tests/plugins/parallel.py).
# Exit code: the first failing check's, else pytest's (5, "no tests collected", counts as a failure).
# Services are stopped and their data deleted on exit. See docs/operations.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

APT_PACKAGES=(
  postgresql-15 redis-server chromium poppler-utils docker-compose
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
)
PG_BIN=/usr/lib/postgresql/15/bin
PYTHON="${PYTHON:-python3}"
START_SECONDS=$SECONDS

section() { printf '\n\033[1m==== %s ====\033[0m\n' "$*"; }
fail() { printf '\n\033[1;31mFAILED: %s\033[0m\n' "$1" >&2; exit "${2:-1}"; }
elapsed() { printf '%ss' "$((SECONDS - $1))"; }
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---------------------------------------------------------------------------------------------------
section "System packages"
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "all present: ${APT_PACKAGES[*]}"
else
  echo "installing: ${missing[*]}"
  # Lock::Timeout waits for an apt-get that is already running instead of failing at once.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq install -y \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------------------------------
section "Python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
STAMP=.venv/.caseweight-install  # "<extras> <sha256 of pyproject.toml>", shared with demo.sh
wanted="dev $(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
  echo "pyproject.toml changed since the last install (or first run): pip install -e \".[dev]\""
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" >.venv/pip-install.log 2>&1 \
    || { cat .venv/pip-install.log; fail "pip install -e \".[dev]\""; }
  echo "$wanted" > "$STAMP"
else
  echo "up to date with pyproject.toml"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export VIRTUAL_ENV="$ROOT/.venv"
PYTHON="$ROOT/.venv/bin/python"

# ---------------------------------------------------------------------------------------------------
RUN_DIR="$(mktemp -d /tmp/caseweight-test.XXXXXX)"
PG_DATA="$RUN_DIR/pgdata"
PG_PORT=""
REDIS_PORT=""
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$RUN_DIR"
  AS_PG=(runuser -u postgres --)  # PostgreSQL refuses to run as root
else
  AS_PG=()
fi

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$REDIS_PORT" ]; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
  fi
  if [ -n "$PG_PORT" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1
  fi
  rm -rf "$RUN_DIR"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "PostgreSQL 15"
step_start=$SECONDS
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$RUN_DIR/initdb.log" 2>&1 || { cat "$RUN_DIR/initdb.log"; fail "initdb"; }
for attempt in 1 2 3; do  # a port picked as free can be taken before the server binds it: pick again
  port="$(free_port)"
  if "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$RUN_DIR/postgres.log" -w -t 60 -o \
      "-F -c fsync=off -c synchronous_commit=off -c full_page_writes=off -k $RUN_DIR -c listen_addresses=127.0.0.1 -p $port" \
      start >/dev/null; then
    PG_PORT=$port
    break
  fi
  echo "PostgreSQL did not start on port $port (attempt $attempt):"; tail -5 "$RUN_DIR/postgres.log"
done
[ -n "$PG_PORT" ] || fail "PostgreSQL would not start; log above"
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres caseweight
echo "running on 127.0.0.1:$PG_PORT (data $PG_DATA), database caseweight, started in $(elapsed $step_start)"

section "Redis"
step_start=$SECONDS
for attempt in 1 2 3; do
  port="$(free_port)"
  if redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log" --pidfile "$RUN_DIR/redis.pid" >/dev/null; then
    for _ in $(seq 50); do
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then REDIS_PORT=$port; break; fi
      sleep 0.1
    done
  fi
  [ -n "$REDIS_PORT" ] && break
  echo "Redis did not start on port $port (attempt $attempt):"; tail -5 "$RUN_DIR/redis.log" 2>/dev/null || true
done
[ -n "$REDIS_PORT" ] || fail "Redis would not start; log above"
echo "running on 127.0.0.1:$REDIS_PORT, started in $(elapsed $step_start)"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/caseweight"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DJANGO_SECRET_KEY="test-secret-key-not-for-production"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export DJANGO_DEBUG=false
unset CELERY_TASK_ALWAYS_EAGER DJANGO_SETTINGS_MODULE
echo "DATABASE_URL=$DATABASE_URL"
echo "CELERY_BROKER_URL=$CELERY_BROKER_URL"
echo "CHROMIUM_PATH=$CHROMIUM_PATH"

# ---------------------------------------------------------------------------------------------------
section "ruff check ."
ruff check . || fail "ruff check (run 'ruff check --fix .' for the fixable ones)"

section "lint-imports (import contracts in .importlinter)"
.venv/bin/lint-imports --no-cache \
  || fail "an import breaks a contract in .importlinter (above: which module imports which, and the line). \
Imports go one way only, reporting -> supervision -> workload, and the pure modules import no Django: \
move the code to the layer it belongs to or pass the value in from the caller; do not loosen the contract"

section "manage.py check --deploy (production-like settings)"
DJANGO_DEBUG=false \
DJANGO_SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))')" \
DJANGO_ALLOWED_HOSTS=caseweight.example \
DJANGO_CSRF_TRUSTED_ORIGINS=https://caseweight.example \
DJANGO_SECURE_SSL=true \
  "$PYTHON" manage.py check --deploy --fail-level WARNING || fail "manage.py check --deploy"

section "manage.py makemigrations --check --dry-run"
"$PYTHON" manage.py makemigrations --check --dry-run \
  || fail "models and migrations differ: run 'python manage.py makemigrations <app> --name <what>'"

section "docker-compose config"
docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid" \
  || fail "docker-compose -f docker-compose.yml config"

# ---------------------------------------------------------------------------------------------------
section "pytest ${*:-(whole suite)}"
set +e
"$PYTHON" -m pytest "$@"
status=$?
set -e
case $status in
  0) printf '\n\033[1;32mAll checks and tests passed in %ss.\033[0m\n' "$((SECONDS - START_SECONDS))" ;;
  5) fail "pytest collected no tests (exit 5). The suite must always have tests; check the path given: $*" 5 ;;
  *) fail "pytest exited with $status" "$status" ;;
esac
exit "$status"
