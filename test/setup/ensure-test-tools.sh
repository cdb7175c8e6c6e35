#!/usr/bin/env bash
# Installs the system tools the tests use when they are missing: Debian's chromium (the HTML
# report is checked in a real headless browser). Runs before `npm test` (the `pretest` script).
# Never downloads a browser build of its own; uses Debian's package only.
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ "${FTCHECK_SKIP_BROWSER:-}" = "1" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "ensure-test-tools: /usr/bin/chromium is missing; install Debian's chromium or set FTCHECK_SKIP_BROWSER=1" >&2
  exit 1
fi
echo "ensure-test-tools: installing Debian chromium for the HTML report test" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium >/dev/null
