#!/usr/bin/env bash
# The run command: the zero-setup demo on http://localhost:${PORT:-8000}/.
# SQLite (demo.sqlite3), Celery tasks run eagerly in-process, email printed to this console; no services.
# Creates .venv if missing, installs the project, migrates, seeds the demo data (seed_demo is idempotent),
# then runs Django's development server. PORT=8080 ./scripts/demo.sh for another port. See docs/operations.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PORT="${PORT:-8000}"
PYTHON="${PYTHON:-python3}"

section() { printf '\n\033[1m==== %s ====\033[0m\n' "$*"; }

section "Python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
STAMP=.venv/.caseweight-install  # "<extras> <sha256 of pyproject.toml>", shared with test.sh
hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
case "$(cat "$STAMP" 2>/dev/null)" in
  "runtime $hash" | "dev $hash")  # test.sh's dev install includes everything the demo needs
    echo "up to date with pyproject.toml" ;;
  *)
    echo "pip install -e . (runtime dependencies)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e . >.venv/pip-install.log 2>&1 \
      || { cat .venv/pip-install.log; echo "pip install failed" >&2; exit 1; }
    echo "runtime $hash" > "$STAMP" ;;
esac
export PATH="$ROOT/.venv/bin:$PATH"

# The demo's settings are the defaults: no DATABASE_URL (SQLite), no CELERY_BROKER_URL (eager tasks),
# no EMAIL_HOST (console email). Clear anything the shell or a .env-loading tool left behind.
unset DATABASE_URL CELERY_BROKER_URL CELERY_TASK_ALWAYS_EAGER EMAIL_HOST EMAIL_BACKEND DJANGO_SECURE_SSL \
  DJANGO_SECRET_KEY DJANGO_ALLOWED_HOSTS DJANGO_SETTINGS_MODULE
export DJANGO_DEBUG=true
export CASEWEIGHT_AUTHORITY_NAME="${CASEWEIGHT_AUTHORITY_NAME:-Northshire County Council}"

section "Database (demo.sqlite3)"
python manage.py migrate --noinput

section "Demo data"
python manage.py seed_demo

section "Server"
printf '\n  Caseweight demo: \033[1mhttp://localhost:%s/\033[0m   (admin: http://localhost:%s/admin/)\n' "$PORT" "$PORT"
printf '  Email is printed here. Stop with Ctrl+C.\n\n'
exec python manage.py runserver "0.0.0.0:$PORT"
