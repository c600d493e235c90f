#!/usr/bin/env bash
# Set up everything the tests need, then lint, type-check and run the whole test suite.
# PostgreSQL tests use LENTERA_TEST_PG_URL (default postgresql://127.0.0.1:5432/test) and are
# skipped, with the reason printed, when that server is unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/mypy
# Two test processes by default (pytest-xdist; each has its own databases and Redis keys);
# LENTERA_TEST_WORKERS=0 runs them in this process.
exec .venv/bin/python -m pytest -n "${LENTERA_TEST_WORKERS:-2}" "$@"
