#!/usr/bin/env bash
# Whole-system figures (deploy → RUNNING, idle memory, start-up) against a Release build; compare with docs/benchmarks.md.
#   scripts/bench.sh [deploy|memory|startup|containers|load|topology|net|all] [--runs N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/install-deps.sh"
dotnet publish "$here/src/Canopy.Cli/Canopy.Cli.csproj" -c Release -o "$here/artifacts/canopy" -nologo -v quiet -clp:ErrorsOnly
touch "$here/artifacts/canopy/.stamp"
export CANOPY_BIN="$here/artifacts/canopy/canopy"
exec dotnet run -c Release --project "$here/bench/Canopy.Benchmarks" -- "$@"
