#!/usr/bin/env bash
# Installs the Debian packages Canopy and its tests need, when they are missing. Idempotent; root only.
#   scripts/install-deps.sh          what `canopy up` needs (mosquitto, busybox for the examples)
#   scripts/install-deps.sh test     plus what the test suite needs
set -euo pipefail

want=(mosquitto:mosquitto busybox:busybox-static setsid:util-linux curl:curl)
if [ "${1:-}" = "test" ]; then
  want+=(python3:python3)
fi

missing=()
for entry in "${want[@]}"; do
  cmd=${entry%%:*}; pkg=${entry#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "canopy: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "canopy: installing ${missing[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian package starts a system-wide broker on 1883; Canopy runs its own per cluster and needs none.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "canopy: the .NET 10 SDK (dotnet) is needed to build Canopy and is not installed; see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi
