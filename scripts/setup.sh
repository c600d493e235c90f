#!/usr/bin/env bash
# Prepare this machine for Lentera: Debian packages (when run as root), a virtualenv in .venv,
# and the pinned Python packages. Usage: scripts/setup.sh [runtime|dev|bench]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-runtime}"

# System packages: WeasyPrint needs Pango; tests need chromium and pdftoppm (poppler-utils).
apt_pkgs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core shared-mime-info"
if [ "$profile" != runtime ]; then
  apt_pkgs="$apt_pkgs chromium poppler-utils"
fi
missing=""
for p in $apt_pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q $missing >/dev/null
  else
    echo "Please install these Debian packages first: sudo apt-get install -y$missing" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
case "$profile" in
  runtime) req=requirements.txt ;;
  dev) req=requirements-dev.txt ;;
  bench) req=requirements-bench.txt ;;
  *) echo "unknown profile: $profile (runtime|dev|bench)" >&2; exit 2 ;;
esac
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"

# axe-core for the accessibility check of the browser tests (dev only), a pinned version whose
# file is checked; kept outside the work tree (tests/app/test_browser_errors.py looks there, or
# in LENTERA_AXE_DIR). Without npm the check is skipped, with the reason printed.
if [ "$profile" = dev ]; then
  axe_version=4.10.3
  axe_sha256=880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb
  axe_dir="${LENTERA_AXE_DIR:-$HOME/.cache/lentera/axe-core-$axe_version}"
  axe_file="$axe_dir/node_modules/axe-core/axe.min.js"
  if [ ! -f "$axe_file" ] && command -v npm >/dev/null; then
    npm install -q --prefix "$axe_dir" --no-save --no-audit --no-fund --ignore-scripts \
      "axe-core@$axe_version" >/dev/null
  fi
  if [ -f "$axe_file" ] && ! echo "$axe_sha256  $axe_file" | sha256sum -c --status; then
    echo "axe-core at $axe_file does not match its pinned checksum" >&2
    exit 1
  fi
  [ -f "$axe_file" ] || echo "npm not found: the axe-core check of the browser tests is skipped" >&2
fi
