#!/usr/bin/env bash
# Builds and runs sertel-bench: Sertel's figures beside the floor (a bare
# CURVE round trip and a bare durable LMDB commit) and beside the peer (the
# same lifecycle on bare PostgreSQL, bench/pg_peer.sh), all measured in this
# one run, then every target as PASS / MISS in a table (Markdown: it pastes
# into README as it is). Not part of ctest: a MISS is a measurement.
#
# From the repository root:
#
#   bench/run.sh            # the full run, about 2 minutes
#   bench/run.sh --quick    # a smoke run, under a minute (scaled down)
#
# BUILD_DIR (default "build-bench") is configured as Release when it does
# not exist yet; the bench prints its build type in its first line, and
# figures from a Debug or sanitizer build are not comparable.
#
# Options (sertel-bench --help): --only abcdep (sections: a floor,
# b lifecycles, c catch-up, d statistics, e connected officers, p peer),
# --clients N (default 16), --single-secs S, --multi-secs S, --catchup N
# (default 100000), --stats-cases N (default 1000000), --officers N
# (default 1000), --no-peer, --peer-secs S (default 10), --keep (keep the
# data directories), --pages (section b's 1-client run also counts the
# pages each commit wrote, by kind of transition, from the two newest LMDB
# snapshots after each reply: slower, so fewer transitions in the same
# time). SERTEL_BENCH_TMP: where the data directories go
# (default /tmp: the file system measured, also PostgreSQL's).
# Analysis knobs for (c): SERTEL_BENCH_CATCHUP_BATCH (Hello.batch, default
# 256; 1: one push per event), SERTEL_BENCH_CATCHUP_DELAY_MS (the Kadis pauses
# after its Hello, a slow reader), SERTEL_BENCH_CATCHUP_RCVHWM and
# SERTEL_BENCH_CATCHUP_RCVBUF (bytes: a small TCP window, as over a WAN).
#
# Everything listens on 127.0.0.1 only, every run is bounded in time, and
# the data directories, brokers and the PostgreSQL cluster are removed
# when the run ends, also when it fails or is interrupted.
#
# The machine should be quiet: the bench reports how much CPU other
# processes used during each section and flags a noisy run. Exit status:
# 0 when every section ran (whatever the verdicts), 1 on an error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-build-bench}"
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

# One private directory for every data directory of the run (the peer's
# cluster too: traversable by the postgres user), removed at the end.
work=$(mktemp -d "${SERTEL_BENCH_TMP:-/tmp}/sertel-bench-run-XXXXXX")
chmod 711 "$work"
bench=
keep=0
for a in "$@"; do [ "$a" = --keep ] && keep=1; done
cleanup() {
    if [ -n "$bench" ]; then
        kill -TERM "$bench" 2>/dev/null || true
        wait "$bench" 2>/dev/null || true
    fi
    if [ "$keep" = 1 ]; then echo "(kept $work)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

SERTEL_BENCH_TMP="$work" "$build/bench/sertel-bench" "$@" &
bench=$!
status=0
wait "$bench" || status=$?
bench=
exit "$status"
