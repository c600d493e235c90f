#!/usr/bin/env bash
# Set up Lentera, build the demo organisation with four quarterly waves, render the reports and
# start the web app on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh runtime
echo "The demo is not wired yet." >&2
exit 1
