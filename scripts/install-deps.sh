#!/usr/bin/env bash
# Installs the Debian packages Canopy and its tests need, when they are missing. Idempotent; root only.
#   scripts/install-deps.sh          what `canopy up` needs: Mosquitto, busybox (examples, pause image), and for
#                                    containers containerd, runc, the CNI plugins and iptables (portmap)
#   scripts/install-deps.sh test     plus what the test suite needs (the local OCI registry, python3 for scripts/images.py,
#                                    libfaketime for hosts with a wrong clock)
set -euo pipefail

# command-or-path:debian-package
want=(mosquitto:mosquitto busybox:busybox-static setsid:util-linux curl:curl
      containerd:containerd runc:runc ctr:containerd /usr/lib/cni/bridge:containernetworking-plugins iptables:iptables)
if [ "${1:-}" = "test" ]; then
  want+=(python3:python3 docker-registry:docker-registry ip:iproute2
         /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1:libfaketime)
fi

missing=()
for entry in "${want[@]}"; do
  cmd=${entry%%:*}; pkg=${entry#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "$cmd" ]; then
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
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi

# The Debian packages start system-wide daemons where systemd runs; Canopy runs its own containerd and registry.
for unit in containerd docker-registry; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$unit" 2>/dev/null; then
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
  fi
done

# The Debian package starts a system-wide broker on 1883; Canopy runs its own per cluster and needs none.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "canopy: the .NET 10 SDK (dotnet) is needed to build Canopy and is not installed; see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi
