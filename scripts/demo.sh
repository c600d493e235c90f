#!/usr/bin/env bash
# Set up Lentera, build the demo organisation with four quarterly waves, render the reports and
# start the web app on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh runtime

export FLASK_APP=survey_app
mkdir -p instance
# A fresh demo database every time (the app's own database, instance/lentera.db, is untouched).
rm -f instance/demo.db instance/demo.db-wal instance/demo.db-shm
export DATABASE_URL="sqlite:///$PWD/instance/demo.db"
export LENTERA_PUBLIC_URL="${LENTERA_PUBLIC_URL:-http://127.0.0.1:5000}"

.venv/bin/flask db upgrade
.venv/bin/flask demo
# Reports of the latest quarter (with its trend over the three before) into reports-out/;
# the other waves' reports: `flask report build --all --out reports-out` or the HR pages.
rm -rf reports-out/wave-4-2026-Q4
.venv/bin/flask report build --wave 2026-Q4 --out reports-out/wave-4-2026-Q4

echo "Lentera demo: http://127.0.0.1:5000/isi (respondents), http://127.0.0.1:5000/hr/ (HR)"
exec .venv/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:5000 "survey_app:create_app()"
