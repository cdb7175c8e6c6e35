#!/usr/bin/env bash
# Installs the system tools the tests use when they are missing, from Debian's packages only
# (never a browser or toolchain build of its own). Runs before `npm test` (the `pretest` script):
#   chromium           the HTML report is checked in a real headless browser  (FTCHECK_SKIP_BROWSER=1)
#   qemu-system-misc   the CPU is cross-checked against QEMU's `virt` board     (FTCHECK_SKIP_QEMU=1)
#   clang, lld         the committed guest ELFs are rebuilt byte for byte      (FTCHECK_SKIP_CLANG=1)
#   spin, gcc          the SPIN port of the cluster model has ftcheck's states  (FTCHECK_SKIP_SPIN=1)
# Setting a variable to 1 skips that tool's tests on purpose; otherwise a missing tool fails them.
set -euo pipefail

packages=()
missing=()
need() { # need <command> <package> <opt-out variable>
  if command -v "$1" >/dev/null || [ "${!3:-}" = "1" ]; then return; fi
  packages+=("$2")
  missing+=("$1 (Debian package $2, or $3=1 to skip its tests)")
}
need /usr/bin/chromium chromium FTCHECK_SKIP_BROWSER
need qemu-system-riscv32 qemu-system-misc FTCHECK_SKIP_QEMU
need clang clang FTCHECK_SKIP_CLANG
need ld.lld lld FTCHECK_SKIP_CLANG
need spin spin FTCHECK_SKIP_SPIN
need gcc gcc FTCHECK_SKIP_SPIN

if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "ensure-test-tools: missing, and this is not a root Debian shell that could install them:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "ensure-test-tools: installing Debian packages: ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
