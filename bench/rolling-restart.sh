#!/usr/bin/env bash
# Rolling restart of the local profile on PostgreSQL under steady load (the README's "Rolling restart"
# procedure): 3 silos, 2 gateways, 3 demo backends on free 127.0.0.1 ports, paced load through both
# gateways; then each gateway and then each silo in turn gets SIGTERM, is started again on the same
# ports and is waited for (gateway: /healthz says silo_connected; silo: Active in the membership table)
# before the next. The load models a front with health checks: a connect refused by a gateway that is
# down goes to the other gateway (counted as rerouted). Prints requests by kind per step; writes
# bench/results/rolling-restart-<stamp>.md; exit code 1 unless every request got 200 or 429.
# Usage: bench/rolling-restart.sh [--no-build] [--seed N] [--workers N --rate R]
set -euo pipefail
export SOAK_MODE=rolling
exec "$(dirname "${BASH_SOURCE[0]}")/soak.sh" "$@"
