#!/usr/bin/env bash
# Install Debian's Chromium and CJK fonts for the browser tests (Playwright drives /usr/bin/chromium;
# Playwright's own browser downloads do not work on machines without open network).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then exit 0; fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
/usr/bin/chromium --version
