#!/usr/bin/env bash
# Builds the test guest of the `vm` runtime from Debian packages: a Linux kernel and an initramfs holding busybox-static
# that brings eth0 up for QEMU user networking, serves a page with busybox httpd and powers off on the ACPI power button.
#   scripts/vm-guest.sh OUTDIR     writes OUTDIR/kernel, OUTDIR/initrd and OUTDIR/bundle.tar.gz (kernel + initrd, the
#                                  form a `code` bundle takes), prints OUTDIR
# The kernel is Debian's cloud kernel (apt-get download, unpacked with dpkg-deb -x in a temporary directory: nothing is
# installed). The result is cached in OUTDIR, keyed by the kernel and busybox package versions and this script, so a
# second run only compares the key. Guest kernel command line: canopy.port=N (default 80) is the port httpd serves;
# canopy.say=WORD prints WORD on the console once up; canopy.exit=N ends the guest once up, QEMU exiting with N (0 by
# powering off, an odd N through QEMU's isa-debug-exit device, which the vm runtime gives every guest).
# Needs: apt-get (root, or the packages' lists already fresh), busybox-static (/bin/busybox statically linked), gzip.
set -euo pipefail

out=${1:?usage: scripts/vm-guest.sh OUTDIR}
meta=${CANOPY_VM_GUEST_KERNEL_PACKAGE:-linux-image-cloud-amd64}
busybox=/bin/busybox
mkdir -p "$out"

die() { echo "vm-guest: $*" >&2; exit 1; }

# The versioned kernel package the meta-package depends on (linux-image-6.1.0-N-cloud-amd64) and its version, in one
# apt-cache call (each costs about a second).
kernel_package() {
  apt-cache show --no-all-versions "$meta" 2>/dev/null |
    sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -1
}
read -r package version < <(kernel_package) || true
if [ -z "${package:-}" ]; then
  # A fresh machine has no package lists yet: fetch them once.
  apt-get update -qq >/dev/null 2>&1 || true
  read -r package version < <(kernel_package) || true
fi
[ -n "${package:-}" ] && [ -n "${version:-}" ] || die "no Debian package $meta is known to apt (is deb.debian.org in the sources?)"
busybox_version=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || true)
[ -n "$busybox_version" ] || die "busybox-static is not installed: apt-get install busybox-static"
key="$package $version busybox-static $busybox_version script $(sha256sum "$0" | cut -c1-16)"

if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] && [ -s "$out/kernel" ] && [ -s "$out/initrd" ] \
   && [ -s "$out/bundle.tar.gz" ]; then
  echo "$out"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$package=$version" >/dev/null 2>&1) || {
  apt-get update -qq >/dev/null 2>&1 || true
  (cd "$work" && apt-get download "$package=$version" >/dev/null) || die "apt-get download $package=$version failed"
}
dpkg-deb -x "$work"/"$package"_*.deb "$work/pkg"
release=${package#linux-image-}
modules="$work/pkg/lib/modules/$release/kernel"
[ -f "$work/pkg/boot/vmlinuz-$release" ] || die "$package holds no /boot/vmlinuz-$release"

# /bin/debug-exit: reads one byte from stdin and writes it to I/O port 0xf4 (QEMU's isa-debug-exit), which busybox cannot
# do and the kernel offers no /dev/port for. A 167-byte static x86-64 ELF: header, one PT_LOAD at 0x400000, then
#   mov eax,172; mov edi,3; syscall (iopl 3) · xor edi,edi; lea rsi,[rsp-16]; mov edx,1; xor eax,eax; syscall (read a byte)
#   mov al,[rsi]; mov dx,0xf4; out dx,al · mov eax,60; mov edi,1; syscall (exit 1 if QEMU did not end)
debug_exit() {
  printf '%s' 7f454c4602010100000000000000000002003e000100000078004000000000004000000000000000000000000000000000000000 \
    4000380001000000000000000100000005000000000000000000000000004000000000000000400000000000a700000000000000a7000000 \
    000000000010000000000000b8ac000000bf030000000f0531ff488d7424f0ba0100000031c00f058a0666baf400eeb83c000000bf010000 \
    000f05 | "$busybox" xxd -r -p >"$1"
  chmod 755 "$1"
}

# The initramfs tree.
root="$work/root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,www,etc/acpi/PWRF,lib/modules}
cp "$busybox" "$root/bin/busybox"
debug_exit "$root/bin/debug-exit"
for applet in sh mount mkdir cat echo ip insmod httpd acpid poweroff sleep grep sed ls; do
  ln -s busybox "$root/bin/$applet"
done

# Modules of the NIC (virtio-net on virtio-pci) and of the power button, with what they depend on, in load order. The
# package ships no modules.dep (depmod runs at install time), so the dependencies come from each module's modinfo.
declare -A loaded=()
order=()
add_module() {
  local name=$1 file dep
  [ -n "${loaded[$name]:-}" ] && return 0
  file=$(find "$modules" -name "$name.ko" -print -quit)
  if [ -z "$file" ]; then
    # Built into the kernel: nothing to load.
    grep -q "/$name.ko\$" "$work/pkg/lib/modules/$release/modules.builtin" 2>/dev/null && { loaded[$name]=1; return 0; }
    die "module $name is neither in $package nor built in"
  fi
  loaded[$name]=1
  for dep in $(grep -a -o 'depends=[a-z0-9_,-]*' "$file" | head -1 | cut -d= -f2 | tr ',' ' '); do
    add_module "$dep"
  done
  cp "$file" "$root/lib/modules/"
  order+=("$name")
}
for module in virtio_pci virtio_net button evdev; do add_module "$module"; done
printf '%s\n' "${order[@]}" >"$root/lib/modules/order"

cat >"$root/www/index.html" <<'EOF'
<html><body><h1>canopy-guest</h1><p>served by busybox httpd inside a QEMU guest</p></body></html>
EOF

# busybox acpid maps the power button's key to the event PWRF/00000080 and runs /etc/acpi/PWRF/00000080.
cat >"$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "canopy-guest: power button pressed, powering off" >/dev/console
exec poweroff -f
EOF
chmod 755 "$root/etc/acpi/PWRF/00000080"

cat >"$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for module in $(cat /lib/modules/order); do insmod /lib/modules/$module.ko; done
port=80
say=
code=
for arg in $(cat /proc/cmdline); do
  case $arg in
    canopy.port=*) port=${arg#canopy.port=} ;;
    canopy.say=*) say=${arg#canopy.say=} ;;
    canopy.exit=*) code=${arg#canopy.exit=} ;;
  esac
done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
# Its log (the events it handles) goes to the console; the default /var/log/acpid.log does not exist here.
acpid -l /dev/console -c /etc/acpi
httpd -p "$port" -h /www
echo "canopy-guest: ready (httpd on port $port)"
[ -z "$say" ] || echo "canopy-guest says: $say"
if [ -n "$code" ]; then
  echo "canopy-guest: ending with exit code $code"
  [ "$code" = 0 ] && poweroff -f
  # QEMU's isa-debug-exit device (port 0xf4) ends QEMU with exit code value * 2 + 1.
  printf "\\$(printf %03o $(( (code - 1) / 2 )))" | /bin/debug-exit
fi
# /init must not exit (the kernel panics when it does); it waits for the power button's poweroff.
while true; do sleep 3600; done
EOF
chmod 755 "$root/init"

(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -9) >"$work/initrd"
cp "$work/pkg/boot/vmlinuz-$release" "$work/kernel"
tar -C "$work" -czf "$work/bundle.tar.gz" kernel initrd

for file in kernel initrd bundle.tar.gz; do mv -f "$work/$file" "$out/$file"; done
echo "$key" >"$out/key"
echo "$out"
