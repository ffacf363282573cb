#!/usr/bin/env bash
# The Alembic example's own tools (its tests drive the real alembic): a venv inside the example,
# installed once from PyPI and skipped when it already imports. Run by `npm test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=examples/alembic-todo/.venv
if "$venv/bin/python" -c 'import alembic, sqlmodel, psycopg2' 2>/dev/null; then exit 0; fi
if ! command -v python3 >/dev/null; then
  echo "error: python3 is needed for the Alembic example's tests (install Python 3.9+ with venv and pip)" >&2
  exit 2
fi
echo "installing alembic, sqlmodel and psycopg2-binary into $venv (once)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --retries 1 alembic sqlmodel psycopg2-binary
