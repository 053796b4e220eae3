#!/usr/bin/env bash
# scripts/install-browser.sh - install the headless browser of the console's browser test (ConsoleBrowserIT):
# Debian's chromium and chromium-driver, at /usr/bin/chromium and /usr/bin/chromedriver.
#
# Idempotent: does nothing when both are already installed and agree on their major version. Runs
# `apt-get update` only when the packages cannot be found in the current package lists. Needs root (or sudo).
set -euo pipefail

say() { printf '[install-browser] %s\n' "$*"; }
die() { printf '[install-browser] ERROR: %s\n' "$*" >&2; exit 1; }

major() { "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -1 | cut -d. -f1; }

installed() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || return 1
  local b d
  b=$(major /usr/bin/chromium) d=$(major /usr/bin/chromedriver)
  [ -n "$b" ] && [ "$b" = "$d" ]
}

if installed; then
  say "already installed: $(/usr/bin/chromium --version 2>/dev/null), $(/usr/bin/chromedriver --version 2>/dev/null | head -1)"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "run as root (apt-get install needs it) or install sudo"
  SUDO=sudo
fi
command -v apt-get >/dev/null || die "apt-get not found: install chromium and chromedriver (same major version) at /usr/bin by other means"

export DEBIAN_FRONTEND=noninteractive
# the package lists are only refreshed when they do not know the packages (a fresh machine has empty lists)
if ! apt-cache show chromium chromium-driver >/dev/null 2>&1; then
  say "package lists do not know chromium/chromium-driver: apt-get update"
  $SUDO apt-get update -q
fi
say "apt-get install chromium chromium-driver"
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver

installed || die "chromium and chromedriver are not both usable at /usr/bin after the install (versions: $(major /usr/bin/chromium || true) / $(major /usr/bin/chromedriver || true))"
say "installed: $(/usr/bin/chromium --version 2>/dev/null), $(/usr/bin/chromedriver --version 2>/dev/null | head -1)"
