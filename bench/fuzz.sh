#!/usr/bin/env bash
# Runs the fuzz targets of tests/Fuzz.Tests for longer than ./test.sh does, with a fresh random seed.
# Usage: bench/fuzz.sh [seconds per target, default 120] [seed, default random] [extra dotnet test args]
# A failure prints its seed, iteration and input (hex); rerun with the same seed to reproduce:
#   GRANARY_FUZZ_SEED=<seed> GRANARY_FUZZ_SECONDS=<s> dotnet test tests/Fuzz.Tests --filter <Test>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-120}
seed=${2:-$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))}
shift $(( $# > 2 ? 2 : $# )) || true

export GRANARY_FUZZ_SECONDS="$seconds" GRANARY_FUZZ_SEED="$seed"
echo "==> Fuzzing: $seconds s per target, seed $seed (GRANARY_FUZZ_SEED=$seed reproduces)"
log_dir=artifacts/fuzz-logs
mkdir -p "$log_dir"
status=0
dotnet test tests/Fuzz.Tests -c Release -nologo --logger "console;verbosity=normal" \
  --results-directory "$log_dir" "$@" 2>&1 | tee "$log_dir/fuzz-$seed.log" || status=$?
echo "==> Summary (seed $seed)"
grep -h '\[fuzz\]' "$log_dir/fuzz-$seed.log" | sed 's/^.*\[fuzz\]/[fuzz]/' | sort -u || true
exit "$status"
