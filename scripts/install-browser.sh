#!/usr/bin/env bash
# Installs Debian's chromium for the ops console's browser test (playwright-core drives /usr/bin/chromium; it never
# downloads a browser build of its own). Does nothing when chromium is already there. Best effort: without root or
# apt-get, or when the install fails, it says why and exits 0, and the browser test reports that it skipped.
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "install-browser: $(command -v chromium) is present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get on this machine; the browser test will skip"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else echo "install-browser: not root and no sudo; the browser test will skip"; exit 0; fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
  echo "install-browser: installed $(command -v chromium)"
else
  echo "install-browser: apt-get could not install chromium; the browser test will skip"
fi
exit 0
