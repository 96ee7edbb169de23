#!/usr/bin/env bash
# ensure-chromium.sh — make sure Debian's Chromium (/usr/bin/chromium) plus Thai and
# CJK fonts are installed for Talat's browser tests.
#
# Usage: scripts/ensure-chromium.sh
#
# If /usr/bin/chromium exists it only reports the version (stderr). Otherwise it
# installs the Debian packages chromium, fonts-thai-tlwg and fonts-noto-cjk with
# apt-get (needs root or passwordless sudo), waiting for any apt/dpkg run already
# in progress. It never downloads a browser any other way.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
PACKAGES=(chromium fonts-thai-tlwg fonts-noto-cjk)

log() { echo "ensure-chromium: $*" >&2; }

if [ -x "$CHROMIUM" ]; then
  log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM present (version unknown)")"
  missing="$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null | grep -v '^installed' || true)"
  [ -z "$missing" ] || log "warning: not fully installed: $(echo "$missing" | awk '{print $NF}' | xargs)"
  exit 0
fi

# Run a command as root: directly, or via passwordless sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

if ! command -v apt-get >/dev/null 2>&1 || ! { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
  log "browser tests need $CHROMIUM (Debian package 'chromium', plus fonts-thai-tlwg and"
  log "fonts-noto-cjk). Ask an admin to run:  apt-get install ${PACKAGES[*]}"
  exit 1
fi

# DPkg::Lock::Timeout does not cover 'apt-get update' (lists lock), so wait for that first.
if command -v fuser >/dev/null 2>&1; then
  for _ in $(seq 120); do
    as_root fuser /var/lib/apt/lists/lock >/dev/null 2>&1 || break
    log "waiting for another apt process to release the package lists lock..."; sleep 5
  done
fi

log "installing ${PACKAGES[*]}"
as_root apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
  install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
[ -x "$CHROMIUM" ] || { log "ERROR: $CHROMIUM still missing after install"; exit 1; }
log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM installed")"
