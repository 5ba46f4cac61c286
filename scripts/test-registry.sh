#!/usr/bin/env bash
# A local OCI registry for tests and CI: Debian's docker-registry (distribution 2.8) on 127.0.0.1:5000, plain HTTP,
# holding Canopy's busybox test images (built by scripts/images.py from busybox-static).
#   scripts/test-registry.sh up       start it (or reuse the one running) and make sure the images are pushed
#   scripts/test-registry.sh down     stop the one this script started (by its pid file)
#   scripts/test-registry.sh status   say whether it answers
# `up` and `status` print REGISTRY=127.0.0.1:5000 when it answers.
# Data, config, log and pid file live in $CANOPY_REGISTRY_DIR (default /var/lib/canopy-test-registry);
# $CANOPY_REGISTRY_ADDR moves it off 127.0.0.1:5000 (the tests and CI use the default).
# Basic auth variant: $CANOPY_REGISTRY_AUTH=user:password (from the environment: in no process list) makes a registry that
# requires that login (htpasswd, bcrypt, from Debian's apache2-utils); use it with another $CANOPY_REGISTRY_ADDR and
# $CANOPY_REGISTRY_DIR, never over the plain one on 5000 that other tests use. The images are pushed with the login.
# Images: canopy/busybox:1 and canopy/busybox:2 (two different images, for pull and update tests), and the wasm examples
# as OCI artifacts, built with wat2wasm (Debian's wabt): canopy/hello-wasm:1 and canopy/http-wasm:1 (examples/wasm/*.wat).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
addr="${CANOPY_REGISTRY_ADDR:-127.0.0.1:5000}"
dir="${CANOPY_REGISTRY_DIR:-/var/lib/canopy-test-registry}"
pidfile="$dir/registry.pid"
log="$dir/registry.log"
config="$dir/config.yml"
images=(canopy/busybox:1 canopy/busybox:2)

say() { echo "test-registry: $*" >&2; }

answers() {
  # /v2/ answers 200 (no auth configured), or 401 (auth configured), once the registry listens.
  python3 - "$addr" <<'EOF' >/dev/null 2>&1
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://{sys.argv[1]}/v2/", timeout=2).read()
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 401 else 1)
EOF
}

our_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid="$(cat "$pidfile")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q docker-registry "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

install_missing() {
  local missing=()
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v wat2wasm >/dev/null 2>&1 || missing+=(wabt)  # the wasm examples are built from their .wat source
  [ -z "${CANOPY_REGISTRY_AUTH:-}" ] || command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian package may start a system-wide registry on the same port where systemd exists; this script runs its own.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
}

write_config() {
  mkdir -p "$dir/data"
  cat >"$config" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr
EOF
  if [ -n "${CANOPY_REGISTRY_AUTH:-}" ]; then
    # -i: the password from stdin, never on a command line.
    printf '%s' "${CANOPY_REGISTRY_AUTH#*:}" | htpasswd -iBc "$dir/htpasswd" "${CANOPY_REGISTRY_AUTH%%:*}" 2>/dev/null
    chmod 600 "$dir/htpasswd"
    cat >>"$config" <<EOF
auth:
  htpasswd:
    realm: canopy-test
    path: $dir/htpasswd
EOF
  fi
}

push_images() {
  for image in "${images[@]}"; do
    python3 "$here/images.py" push "$addr" "$image" >&2
  done
  if command -v wat2wasm >/dev/null 2>&1; then
    local build; build="$(mktemp -d)"
    for module in hello http; do
      wat2wasm "$here/../examples/wasm/$module.wat" -o "$build/$module.wasm"
      python3 "$here/images.py" artifact "$addr" "canopy/$module-wasm:1" "$build/$module.wasm" >&2
    done
    rm -rf "$build"
  fi
}

up() {
  # One `up` at a time: test classes running in parallel each ask for the registry, and two at once would each start a
  # registry (all but one exit, the pid file may name a dead one) and push the same blobs together.
  mkdir -p "$dir"
  exec 9>"$dir/up.lock"
  flock 9
  install_missing
  if ! answers; then
    write_config
    say "starting docker-registry on $addr (log $log)"
    # setsid: the registry must outlive the test process or shell that asked for it.
    setsid docker-registry serve "$config" >>"$log" 2>&1 < /dev/null 9>&- &
    echo $! >"$pidfile"
    local deadline=$((SECONDS + 20))
    until answers; do
      if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        say "docker-registry exited; last lines of $log:"; tail -n 20 "$log" >&2; exit 1
      fi
      if [ $SECONDS -ge $deadline ]; then
        say "docker-registry does not answer on http://$addr/v2/ after 20 s; see $log"; exit 1
      fi
      sleep 0.1
    done
  fi
  push_images
  echo "REGISTRY=$addr"
}

down() {
  local pid
  if pid="$(our_pid)"; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    say "stopped docker-registry (pid $pid)"
  else
    say "no registry started by this script is running"
  fi
  rm -f "$pidfile"
}

status() {
  if answers; then
    local pid; pid="$(our_pid || true)"
    say "answers on $addr${pid:+ (pid $pid)}"
    echo "REGISTRY=$addr"
  else
    say "not running on $addr"
    return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
