#!/usr/bin/env bash
# The test command: installs what the tests need, builds, runs every test project (unit, API, MQTT against a real
# Mosquitto, node engine with real processes and cgroups, end to end with `canopy` as a real process), and ends with
# one line of totals: "N passed, N failed".
#   scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName!~Topology" to leave out the multi-machine tests]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test.sh: the tests need root (cgroups, processes of other users, network namespaces); run as root." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

scripts/install-deps.sh test || { echo "0 passed, 1 failed"; exit 1; }
# The local OCI registry the container tests pull from (127.0.0.1:5000, images built from busybox-static).
scripts/test-registry.sh up || { echo "the test registry did not start"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp -d)/build.log
if ! dotnet build Canopy.slnx -c Debug -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then
  cat "$log"
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results=$(mktemp -d)
export CANOPY_TEST_RESULTS="$results"  # where tests put what people look at (the dashboard's screenshots)
passed=0; failed=0; status=0
for project in tests/*.Tests/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" --no-build -c Debug -nologo --results-directory "$results" --logger "trx;LogFileName=$name.trx" "$@"
  rc=$?
  counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" 2>/dev/null | head -1)
  p=$(sed -nE 's/.* passed="([0-9]+)".*/\1/p' <<<"$counters"); p=${p:-0}
  f=$(sed -nE 's/.* failed="([0-9]+)".*/\1/p' <<<"$counters"); f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$name: the test run itself failed (exit $rc)"
    f=$((f + 1))
  fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$rc" -ne 0 ] && status=1
done

echo "$passed passed, $failed failed"
exit $status
