#!/usr/bin/env bash
# Installs the Debian packages Canopy and its tests need, when they are missing. Idempotent; root only.
#   scripts/install-deps.sh          what `canopy up` needs: Mosquitto, busybox (examples, pause image), and for
#                                    containers containerd, runc, the CNI plugins and iptables (portmap); nftables
#                                    (service IPs of the overlay); wireguard-go and wireguard-tools (encrypted overlay);
#                                    setpriv (util-linux: exec workloads drop root)
#   scripts/install-deps.sh test     plus what the test suite needs (the local OCI registry, python3 for scripts/images.py,
#                                    libfaketime for hosts with a wrong clock, postgresql for the PostgreSQL store's tests,
#                                    chromium for the dashboard's browser tests, qemu-system-x86 for the vm runtime's
#                                    tests, whose guest scripts/vm-guest.sh builds from Debian's kernel and busybox-static)
#   scripts/install-deps.sh --print-missing [test]
#                                    only prints the packages it would install, one a line (installs nothing)
# Images need a statically linked busybox: when /bin/busybox is missing or dynamically linked (Debian's plain busybox
# package), busybox-static is installed, which replaces it. CANOPY_BUSYBOX checks another file instead (tests).
set -euo pipefail

print_only=false
if [ "${1:-}" = "--print-missing" ]; then
  print_only=true
  shift
fi
busybox=${CANOPY_BUSYBOX:-/bin/busybox}

# Exit 0 when $1 is an ELF executable without a PT_INTERP program header (no dynamic loader): one that can run alone in
# an image. Reads the header fields with od, in the host's byte order (the ELF file's own on every host Canopy runs on).
elf_is_static() {
  local file=$1 class table size count i
  [ -f "$file" ] && [ "$(od -An -tx1 -N4 "$file" | tr -d ' \n')" = 7f454c46 ] || return 1
  class=$(od -An -tu1 -j4 -N1 "$file" | tr -d ' ')
  if [ "$class" = 2 ]; then
    table=$(od -An -tu8 -j32 -N8 "$file" | tr -d ' '); size=$(od -An -tu2 -j54 -N2 "$file" | tr -d ' ')
    count=$(od -An -tu2 -j56 -N2 "$file" | tr -d ' ')
  else
    table=$(od -An -tu4 -j28 -N4 "$file" | tr -d ' '); size=$(od -An -tu2 -j42 -N2 "$file" | tr -d ' ')
    count=$(od -An -tu2 -j44 -N2 "$file" | tr -d ' ')
  fi
  [ -n "$table" ] && [ -n "$count" ] || return 1
  for ((i = 0; i < count; i++)); do
    [ "$(od -An -tu4 -j$((table + i * size)) -N4 "$file" | tr -d ' ')" = 3 ] && return 1
  done
  return 0
}

# command-or-path:debian-package
want=(mosquitto:mosquitto setsid:util-linux setpriv:util-linux curl:curl
      containerd:containerd runc:runc ctr:containerd /usr/lib/cni/bridge:containernetworking-plugins iptables:iptables
      nft:nftables ip:iproute2 bridge:iproute2 wireguard-go:wireguard-go wg:wireguard-tools)
if [ "${1:-}" = "test" ]; then
  want+=(python3:python3 docker-registry:docker-registry htpasswd:apache2-utils
         /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1:libfaketime /usr/lib/postgresql:postgresql
         /usr/bin/chromium:chromium wat2wasm:wabt qemu-system-x86_64:qemu-system-x86)
fi

missing=()
for entry in "${want[@]}"; do
  cmd=${entry%%:*}; pkg=${entry#*:}
  if [[ $cmd == /* ]]; then
    [ -e "$cmd" ] || missing+=("$pkg")  # a library need not be executable
  elif ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("$pkg")
  fi
done
if ! elf_is_static "$busybox"; then
  missing+=(busybox-static)
fi

if $print_only; then
  [ ${#missing[@]} -eq 0 ] || printf '%s\n' "${missing[@]}" | sort -u
  exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "canopy: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "canopy: installing ${missing[*]} ..." >&2
  [[ " ${missing[*]} " == *" busybox-static "* ]] && [ -e "$busybox" ] &&
    echo "canopy: $busybox is dynamically linked; busybox-static replaces it (images need a static one)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi

# The Debian packages start system-wide daemons where systemd runs; Canopy runs its own containerd and registry.
for unit in containerd docker-registry postgresql; do
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
