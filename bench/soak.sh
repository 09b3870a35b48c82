#!/usr/bin/env bash
# Soak of the local profile on PostgreSQL: a private PostgreSQL server (deploy/pg-local.sh), 3 silos,
# 2 gateways and 3 demo backends on free 127.0.0.1 ports, steady paced load through both gateways
# (8 workers × 12 req/s by default, 10 s deadline per request), and every --interval seconds a random
# silo, gateway or backend (in turn; SIGKILL and SIGTERM alternating per kind, and for silos also SIGSTOP
# until Orleans declares it dead, then SIGCONT: it stops itself) is restarted at once. A silo that exits
# without a fault (a false death: Orleans stops a silo declared dead) is restarted too, and counted.
# At the end it checks the invariants (in-flight counts back to 0, client limits and tokens intact in
# PostgreSQL, every request answered, memory flat), prints a table and writes bench/results/soak-<stamp>.md.
# Exit code 1 when an invariant fails. Ends only the processes it started (by PID).
# Usage: bench/soak.sh [--minutes N (10)] [--interval S (30)] [--seed N (1)] [--no-build] [tool options]
#        (tool options: --workers N --rate R --silos N --deadline S; see bench/Soak/Options.cs or the tool's --help)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ART="${GRANARY_ARTIFACTS:-$ROOT/artifacts}"
build=1
args=()
while (($#)); do
  case "$1" in
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
if ((build)); then
  for p in src/Silo/Granary.Silo.csproj src/Gateway/Granary.Gateway.csproj samples/DemoBackend/Granary.Samples.DemoBackend.csproj bench/Soak/Granary.Bench.Soak.csproj; do
    dotnet build "$ROOT/$p" -c Release "-p:ArtifactsPath=$ART" -nologo -v quiet "-clp:ErrorsOnly;NoSummary" >&2
  done
fi
exec dotnet "$ART/bin/Granary.Bench.Soak/release/Granary.Bench.Soak.dll" --repo "$ROOT" --bin "$ART/bin" ${SOAK_MODE:+--mode "$SOAK_MODE"} ${args[@]+"${args[@]}"}
