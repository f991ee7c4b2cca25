#!/usr/bin/env bash
# Builds and runs sertel-bench: Sertel's figures printed beside their
# targets and beside the floor (bare CURVE round trip, bare durable LMDB
# commit) measured in the same run. Not part of ctest.
#
# Reproduce (from the repository root):
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
#   BUILD_DIR=build-bench bench/run.sh            # full run, under ~3 minutes
#   BUILD_DIR=build-bench bench/run.sh --quick    # ~20 s smoke run
#   SERTEL_BENCH_QUICK=1 bench/run.sh             # the same, by environment
#
# BUILD_DIR defaults to "build"; a build directory that does not exist yet
# is configured as Release. Figures from a Debug or sanitizer build are
# not comparable (the bench prints the build type in its first line).
#
# Options (see sertel-bench --help): --only abcd (sections: a floor,
# b lifecycles, c catch-up, d statistics), --clients N (default 16),
# --single-secs S, --multi-secs S, --catchup N (default 100000),
# --stats-cases N (default 1000000), --tmp DIR (data directories; default
# /tmp: the file system measured), --keep (keep the data directories).
# Analysis knobs for (c): SERTEL_BENCH_CATCHUP_DELAY_MS (the Kadis pauses
# after its Hello, a slow reader), SERTEL_BENCH_CATCHUP_RCVHWM and
# SERTEL_BENCH_CATCHUP_RCVBUF (bytes: a small TCP window, as over a WAN).
#
# Then bench/pg_peer.sh: the same lifecycle on bare PostgreSQL (a private
# cluster in a temporary directory, as the postgres user), 1 and 16
# clients, its server CPU per transition; optional (postgresql is not a
# build or test dependency), skipped when not installed.
#
# The machine should be quiet: the bench reports how much CPU other
# processes used during each section and flags a noisy run. Exit status:
# 0 when every section ran (a MISS is a measurement), 1 on an error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac

# Build output is shown only when the build fails.
quietly() {
    local out
    if ! out="$("$@" 2>&1)"; then
        printf '%s\n' "$out" >&2
        exit 1
    fi
}
if [ ! -f "$build/CMakeCache.txt" ]; then
    quietly cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
quietly cmake --build "$build" --target sertel-bench -j"$(nproc)"

"$build/bench/sertel-bench" "$@"
# The peer, bare PostgreSQL running the same lifecycle (skipped, saying so,
# without PostgreSQL; SERTEL_BENCH_PEER=0 leaves it out).
if [ "${SERTEL_BENCH_PEER:-1}" != 0 ]; then
    echo
    bash "$root/bench/pg_peer.sh" "${SERTEL_BENCH_PEER_SECS:-10}"
fi
