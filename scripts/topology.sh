#!/usr/bin/env bash
# A multi-machine Canopy on one machine: every "host" is a network namespace with its own address on a bridge.
#
#   scripts/topology.sh up [--clusters N] [--workers M] [--roots R] [--tag TAG]   # prints TAG=..., ROOT_URL=https://... (reachable from here), ROOT_CA_PIN=sha256:...
#   scripts/topology.sh down [--tag TAG | --all]                       # removes processes, namespaces, bridge, state dir
#   scripts/topology.sh status [--tag TAG]
#
# Host k of topology TAG: namespace canopy-TAG-<host>, address 10.200.S.<k>/24 on bridge cbr-TAG (this side: 10.200.S.254).
# --roots 2|3: root replicas root, root1, root2 (.1-.3) on one PostgreSQL database: a throw-away server (initdb/pg_ctl as the
# postgres user, in the state dir, in its own host "db" at .5 on port 5432 of that namespace; never the machine's default
# instance), stopped by `down`. Clusters get every replica's URL; ROOT_URLS= lists them, STORE= is the database.
# Roles: root (canopy root), c<i> (canopy cluster, name cluster-<i>, its own location), c<i>w<j> (canopy node; worker 0 of
# each cluster runs containers through its own containerd, the others --no-containers). State (data dirs, logs, pid files)
# under /tmp/canopy-topology-TAG. CANOPY_ADMIN_PASSWORD is the Admin password (default: topology-admin-password).
# Roles run under `nsenter --net` (not `ip netns exec`, which remounts /sys and so hides the cgroup mounts that exec
# instances and runc need). The C# fixture tests/Canopy.Testing/Topology.cs does the same steps; keep the two in line.
# Container workers look for the local registry on their own 127.0.0.1:5000: the fixture forwards it
# (TopologyHost.ForwardLoopback); this script does not.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
canopy="${CANOPY_BIN:-}"
if [[ -z "$canopy" ]]; then
  for c in Debug Release; do
    if [[ -x "$repo/src/Canopy.Cli/bin/$c/net10.0/canopy" ]]; then canopy="$repo/src/Canopy.Cli/bin/$c/net10.0/canopy"; break; fi
  done
fi

cmd="${1:-}"; shift || true
clusters=2; workers=3; roots=1; tag=""; all=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clusters) clusters="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --roots) roots="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --all) all=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# During `up`, a failure removes what was built so far (up_tag is set once its state dir exists).
die() {
  echo "topology: $*" >&2
  if [[ -n "${up_tag:-}" ]]; then echo "topology: up failed, tearing down" >&2; trap - ERR; down_one "$up_tag"; fi
  exit 1
}
# Debian's PostgreSQL binaries (newest version installed).
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
state_of() { echo "/tmp/canopy-topology-$1"; }
last_tag_file=/tmp/canopy-topology.last

down_one() {
  local t="$1" state; state="$(state_of "$t")"
  # The throw-away PostgreSQL of --roots first, cleanly (its processes would be killed below anyway).
  if [[ -f "$state/pg/data/postmaster.pid" ]]; then
    nsenter --net="/run/netns/canopy-$t-db" runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$state/pg/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  fi
  # Processes: by pid file (process group), then everything naming the state dir and its descendants.
  if [[ -d "$state/pids" ]]; then
    for f in "$state"/pids/*.pid; do
      [[ -f "$f" ]] || continue
      local pid; pid="$(cat "$f")"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  for _ in 1 2 3; do
    local pids; pids="$(grep -lsFf <(echo "$state") /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | sort -u | grep -vx "$$" || true)"
    [[ -z "$pids" ]] && break
    for p in $pids; do
      # children first (container processes name nothing of the state dir)
      pkill -KILL -P "$p" 2>/dev/null || true
      kill -KILL "$p" 2>/dev/null || true
    done
    sleep 0.2
  done
  # Mounts under the state dir (container root filesystems, pod network namespaces).
  awk -v s="$state" 'index($5, s) == 1 { print length($5) " " $5 }' /proc/self/mountinfo | sort -rn | cut -d' ' -f2- |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^canopy-$t-" || true); do
    # anything still running inside the namespace
    for p in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^(cbr-$t|v$t)" || true); do
    ip link del "$l" 2>/dev/null || true
  done
  # The kernel-state records of its nodes (their bridges went with their namespaces).
  for r in $(grep -l "\"data_dir\":\"$state" /run/canopy/net/*.json 2>/dev/null || true); do rm -f "$r" "${r%.json}.lock"; done
  rm -rf "$state"
  if [[ "$(cat "$last_tag_file" 2>/dev/null || true)" == "$t" ]]; then rm -f "$last_tag_file"; fi
}

case "$cmd" in
  up)
    [[ "$(id -u)" == 0 ]] || die "needs root (network namespaces)"
    [[ -n "$canopy" && -x "$canopy" ]] || die "canopy is not built: dotnet build src/Canopy.Cli (or set CANOPY_BIN)"
    [[ "$clusters" -ge 1 && "$clusters" -le 8 && "$workers" -ge 1 && "$workers" -le 9 ]] || die "1-8 clusters, 1-9 workers"
    [[ "$roots" -ge 1 && "$roots" -le 3 ]] || die "1-3 roots"
    if [[ "$roots" -gt 1 && ! -x "$(pg_bin)/initdb" ]]; then
      die "--roots needs PostgreSQL: apt-get install postgresql (scripts/install-deps.sh test)"
    fi
    [[ -n "$tag" ]] || tag="$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    [[ "$tag" =~ ^[a-z0-9]{1,6}$ ]] || die "tag: up to 6 of [a-z0-9]"
    state="$(state_of "$tag")"
    [[ -e "$state" ]] && die "topology $tag exists: scripts/topology.sh down --tag $tag"
    mkdir -p "$state/pids" "$state/logs" "$state/data"
    up_tag="$tag"
    echo "$tag" > "$last_tag_file"
    trap 'echo "topology: up failed, tearing down" >&2; down_one "$tag"' ERR
    # A /24 no one here uses.
    subnet=""
    for _ in $(seq 1 200); do
      s=$(( $(od -An -N2 -tu2 /dev/urandom) % 250 + 1 ))
      if ! ip -4 -o addr show | grep -q " 10\.200\.$s\."; then subnet="10.200.$s"; break; fi
    done
    [[ -n "$subnet" ]] || die "no free 10.200.x.0/24"
    echo "$subnet" > "$state/subnet"
    password="${CANOPY_ADMIN_PASSWORD:-topology-admin-password}"
    ctoken="cluster-$tag-$(head -c8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    ntoken="node-$tag-$(head -c8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    bridge="cbr-$tag"
    ip link add "$bridge" type bridge
    ip addr add "$subnet.254/24" dev "$bridge"
    ip link set "$bridge" up

    # host NAME OCTET: namespace + veth (this side v<tag>h<octet>) into the bridge.
    host() {
      local name="$1" octet="$2" ns="canopy-$tag-$1" veth="v${tag}h$2"
      ip netns add "$ns"
      ip link add "$veth" type veth peer name "v${tag}p$octet"
      ip link set "v${tag}p$octet" netns "$ns"
      ip -n "$ns" link set "v${tag}p$octet" name eth0
      ip -n "$ns" addr add "$subnet.$octet/24" dev eth0
      ip -n "$ns" link set lo up
      ip -n "$ns" link set eth0 up
      ip link set "$veth" master "$bridge"
      ip link set "$veth" up
      echo "$name $ns $subnet.$octet $veth" >> "$state/hosts"
    }
    # start NAME ARGS...: the role in the host's namespace, in its own session, log and pid file in the state dir.
    start() {
      local name="$1"; shift
      setsid nsenter --net="/run/netns/canopy-$tag-$name" env CANOPY_ADMIN_PASSWORD="$password" CANOPY_CONFIG="$state/cli.json" \
        "$canopy" "$@" --data-dir "$state/data/$name" > "$state/logs/$name.log" 2>&1 < /dev/null &
      echo $! > "$state/pids/$name.pid"
    }

    root_url="https://$subnet.1:10000"
    root_urls="$root_url"
    replica_args=()
    if [[ "$roots" -gt 1 ]]; then
      # The database: its own host, a cluster made by initdb in the state dir, owned by (and run as) the postgres user.
      host db 5
      pgpw="$(head -c12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      mkdir -p "$state/pg"
      echo "$pgpw" > "$state/pg/password"
      chown -R postgres "$state/pg"
      runuser -u postgres -- "$(pg_bin)/initdb" -D "$state/pg/data" -U canopy --pwfile "$state/pg/password" --auth scram-sha-256 \
        -E UTF8 --no-locale --no-sync > "$state/logs/db.log" 2>&1
      rm -f "$state/pg/password"
      printf "listen_addresses = '*'\nport = 5432\nmax_connections = 300\nunix_socket_directories = '%s'\n" "$state/pg" >> "$state/pg/data/postgresql.conf"
      echo "host all all $subnet.0/24 scram-sha-256" >> "$state/pg/data/pg_hba.conf"
      nsenter --net="/run/netns/canopy-$tag-db" runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$state/pg/data" -l "$state/pg/server.log" -w -t 60 start > /dev/null
      PGPASSWORD="$pgpw" nsenter --net="/run/netns/canopy-$tag-db" "$(pg_bin)/psql" -h 127.0.0.1 -U canopy -d postgres -qc "CREATE DATABASE canopy_root" > /dev/null
      store="postgres://canopy:$pgpw@$subnet.5:5432/canopy_root"
      root_urls="$(seq -s, -f "https://$subnet.%g:10000" 1 "$roots")"
      replica_args=(--store "$store" --replicas "$root_urls")
    fi
    host root 1
    CANOPY_Root__ReplicaUrl="$root_url" start root root --listen "https://0.0.0.0:10000" --cluster-join-token "$ctoken" "${replica_args[@]}"
    # The root makes its CA and secrets key at its first start; clusters get its pin in their join token and verify the root with it.
    ca="$state/data/root/pki/ca.crt"
    for _ in $(seq 1 100); do [[ -s "$ca" && -s "$state/data/root/secrets.key" ]] && break; sleep 0.1; done
    [[ -s "$ca" ]] || die "the root made no CA in $state/data/root/pki: $(tail -n 5 "$state/logs/root.log")"
    pin="$("$canopy" ca show --data-dir "$state/data/root")"
    root_ca="$ca"
    # The other replicas take the first one's CA and secrets key (--replica-of) and register their own address.
    for ((r = 1; r < roots; r++)); do
      host "root$r" "$((r + 1))"
      CANOPY_Root__ReplicaUrl="https://$subnet.$((r + 1)):10000" start "root$r" root --listen "https://0.0.0.0:10000" \
        --cluster-join-token "$ctoken" "${replica_args[@]}" --replica-of "$state/data/root"
    done
    for ((c = 0; c < clusters; c++)); do
      cip="$subnet.$((10 + c))"
      host "c$c" "$((10 + c))"
      start "c$c" cluster --listen "https://$cip:10100" --mqtt-host 0.0.0.0 --mqtt-advertise "$cip" --root "$root_urls" \
        --join-token "$ctoken.$pin" --node-join-token "$ntoken" --name "cluster-$c" --location "$((48 + c)).1,$((11 + c)).5"
      # The workers' token carries the pin of the CA the cluster makes at its first start (`canopy ca show` reads a cluster's dir too).
      cca="$state/data/c$c/pki/ca.crt"
      for _ in $(seq 1 100); do [[ -s "$cca" ]] && break; sleep 0.1; done
      [[ -s "$cca" ]] || die "cluster-$c made no CA in $state/data/c$c/pki: $(tail -n 5 "$state/logs/c$c.log")"
      cpin="$("$canopy" ca show --data-dir "$state/data/c$c")"
      for ((w = 0; w < workers; w++)); do
        octet=$((100 + 10 * c + w))
        host "c${c}w$w" "$octet"
        extra=(); [[ $w -eq 0 ]] || extra=(--no-containers)
        start "c${c}w$w" node --name "c${c}w$w" --cluster "https://$cip:10100" --join-token "$ntoken.$cpin" "${extra[@]}"
      done
    done

    # Ready: every cluster active at the root with all its workers.
    token=""
    for _ in $(seq 1 180); do
      if [[ -z "$token" ]]; then
        token="$(curl -sf -m 2 --cacert "$root_ca" -H 'Content-Type: application/json' -d "{\"username\":\"Admin\",\"password\":\"$password\"}" \
          "$root_url/api/auth/login" | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' || true)"
      fi
      if [[ -n "$token" ]]; then
        active="$(curl -sf -m 2 --cacert "$root_ca" -H "Authorization: Bearer $token" "$root_url/api/clusters/active" || true)"
        n="$(grep -o "\"active_nodes\": *$workers[,}]" <<< "$active" | wc -l || true)"
        # and worker 0 of each cluster reports the container runtime (it registers before its containerd is up)
        nodes="$(curl -sf -m 2 --cacert "$root_ca" -H "Authorization: Bearer $token" "$root_url/api/v1/nodes" | tr -d ' \n' | sed 's/},{/}\n{/g' || true)"
        cn="$(grep -E '"name":"c[0-9]+w0"' <<< "$nodes" | grep -cE '"virtualization":\[[^]]*"container"' || true)"
        if [[ "$n" -ge "$clusters" && "$cn" -ge "$clusters" ]]; then
          echo "TAG=$tag"
          echo "ROOT_URL=$root_url"
          echo "ROOT_URLS=$root_urls"
          if [[ "$roots" -gt 1 ]]; then echo "STORE=$store"; fi
          echo "ROOT_CA_PIN=$pin"
          echo "ROOT_CA=$root_ca"
          echo "STATE_DIR=$state"
          echo "CLUSTER_JOIN_TOKEN=$ctoken.$pin"
          # A node joins cluster N with NODE_JOIN_TOKEN.sha256:<pin of its CA, $state/data/cN/pki/ca.crt>.
          echo "NODE_JOIN_TOKEN=$ntoken"
          # Each cluster's API takes its own admin token (or a root Admin's access token).
          echo "CLUSTER_ADMIN_TOKENS=$state/data/c*/admin-token"
          trap - ERR
          up_tag=""
          exit 0
        fi
      fi
      sleep 1
    done
    echo "topology: not ready after 180 s; logs in $state/logs:" >&2
    tail -n 5 "$state"/logs/*.log >&2 || true
    false
    ;;
  down)
    if [[ $all -eq 1 ]]; then
      for d in /tmp/canopy-topology-*/; do [[ -d "$d" ]] && down_one "$(basename "$d" | sed 's/^canopy-topology-//')"; done
      for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^canopy-' || true); do
        t="${ns#canopy-}"; down_one "${t%%-*}"
      done
    else
      [[ -n "$tag" ]] || tag="$(cat "$last_tag_file" 2>/dev/null || true)"
      [[ -n "$tag" ]] || die "which topology? --tag TAG or --all"
      down_one "$tag"
    fi
    ;;
  status)
    [[ -n "$tag" ]] || tag="$(cat "$last_tag_file" 2>/dev/null || true)"
    state="$(state_of "$tag")"
    [[ -f "$state/hosts" ]] || die "no topology $tag"
    while read -r name ns ip veth; do
      pid="$(cat "$state/pids/$name.pid" 2>/dev/null || echo 0)"
      if kill -0 "$pid" 2>/dev/null; then s=running; else s=stopped; fi
      printf '%-8s %-22s %-16s %-12s %s\n' "$name" "$ns" "$ip" "$veth" "$s"
    done < "$state/hosts"
    ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
