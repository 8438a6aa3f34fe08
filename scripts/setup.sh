#!/usr/bin/env bash
# Installs everything the portal and its tests need. Re-runnable; never asks a question.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PF9_ROOT"

if [ ! -x /usr/bin/chromium ] && [ "${PF9_SKIP_CHROMIUM:-}" != 1 ]; then
  echo "pf9: installing Debian's Chromium for browser tests" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null ||
    { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
fi

stamp="node_modules/.pf9-install-stamp"
if [ ! -f "$stamp" ] || [ yarn.lock -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn install
  touch "$stamp"
fi
