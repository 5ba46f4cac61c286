#!/usr/bin/env bash
# Whole-system figures (deploy → RUNNING, idle memory, start-up) against a Release build; compare with docs/benchmarks.md.
#   scripts/bench.sh [deploy|memory|node|startup|containers|load|network|encryption|topology|tls|all] [--runs N]
#   scripts/bench.sh node [--no-containers]   JIT vs native node (start → joined, idle RSS), then the native node's RSS with 50
#     running containers (needs scripts/test-registry.sh up; --no-containers skips that part)
#   scripts/bench.sh placement [BenchmarkDotNet arguments, e.g. --filter '*RootPlacement*' | --cpu-time]
#     scheduler micro-benchmarks of Core's placement (bench/Canopy.Benchmarks.Scheduling), no processes started; a couple of minutes
#   scripts/bench.sh scale [--nodes 500,1000,2000,5000] [--idle SECONDS] [--joins-only] [--keepalive S]   (simulated nodes against one cluster; not in "all")
#   scripts/bench.sh wire [--keepalive 1,2] [--window SECONDS] [--runs N]   (root; bytes per node and link cut → moved per MQTT keep-alive; not in "all")
#   scripts/bench.sh clusters [--clusters 10,100] [--idle SECONDS] [--runs N]   (simulated clusters against one root: GET /api/clusters/, root idle CPU/RSS)
#   scripts/bench.sh failover [--runs 5]   (3 root replicas on a throw-away PostgreSQL, 2 clusters: leader SIGKILL → cluster linked to the new leader; not in "all")
#   scripts/bench.sh api [--clusters 100] [--services 500] [--clients 8]   (deploys/s through the API with SQLite, time to all RUNNING)
#   scripts/bench.sh replicas [--runs 5]   (root leadership on a throw-away PostgreSQL: leader gone → next leader; not in "all")
#   scripts/bench.sh dashboard [--idle 300]   (the root's CPU and RSS with the dashboard open in Debian's chromium, headless; not in "all")
#   scripts/bench.sh metrics [--services 100] [--runs 20]   (GET /metrics of root and cluster under `canopy up` with 100 exec services; not in "all")
#   scripts/bench.sh runtimes [--runs 20] [--idle 10] [--device-mb 1024] [--max-instances 5000] [--only exec,wasm]   (issue 14: every runtime the node
#     offers side by side, in process: deploy → RUNNING / → first page, idle RSS and PSS per instance, instances until a
#     --device-mb cap on the instances' parent cgroup runs out; a runtime not offered is skipped with its reason; not in "all")
#   scripts/bench.sh deploy|api --store postgres   (the root's store in a durable throw-away PostgreSQL instead of SQLite: the PostgreSQL vs SQLite figures)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == placement ]]; then
  shift
  [[ " $* " == *" --filter "* || " $* " == *" --cpu-time "* ]] || set -- --filter '*' "$@"
  exec dotnet run -c Release --project "$here/bench/Canopy.Benchmarks.Scheduling" -- "$@"
fi
"$here/scripts/install-deps.sh"
if [[ "${1:-}" == runtimes ]]; then
  exec dotnet run -c Release --project "$here/bench/Canopy.Benchmarks" -- "$@"  # in process: no canopy CLI needed
fi
if [[ " $* " == *" network "* || " $* " == *" encryption "* || " $* " == *" all "* || $# -eq 0 ]] && ! command -v iperf3 >/dev/null; then
  apt-get install -y -qq iperf3 >/dev/null  # the network benchmark's throughput figures
fi
if [[ " $* " == *" node "* || " $* " == *" all "* || $# -eq 0 ]] && [ -z "${CANOPY_NODE_BIN:-}" ]; then
  "$here/scripts/publish-node.sh" x64 >/dev/null  # the native node engine the 'node' figures compare with the JIT one
fi
dotnet publish "$here/src/Canopy.Cli/Canopy.Cli.csproj" -c Release -o "$here/artifacts/canopy" -nologo -v quiet -clp:ErrorsOnly
touch "$here/artifacts/canopy/.stamp"
export CANOPY_BIN="$here/artifacts/canopy/canopy"
exec dotnet run -c Release --project "$here/bench/Canopy.Benchmarks" -- "$@"
