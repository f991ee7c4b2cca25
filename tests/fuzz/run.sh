#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz, one after the other, each for
# a fixed time, under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# BUILD_DIR is a build made with CC=clang cmake -DSERTEL_FUZZ=ON (made
# here if it does not exist). SECONDS per target: 20 in .ci/test, hours
# by hand (e.g. 3600). Targets: envelope sop calendar keyfile datafile journal
# (default: all). Each starts from the committed seeds in
# tests/fuzz/corpus/TARGET and from what earlier runs found, kept in
# BUILD_DIR/fuzz-corpus/TARGET; a crash leaves its input in
# BUILD_DIR/fuzz-crashes/TARGET/ and makes the script exit 1. CPU time
# and runs of each target are printed at the end.
set -euo pipefail
usage="usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]"
build=${1:?$usage}
seconds=${2:?$usage}
shift 2
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "$usage" >&2; exit 2; }
src=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
((${#targets[@]})) || targets=(envelope sop calendar keyfile datafile journal)

[ -f "$build/CMakeCache.txt" ] || CC=clang cmake -S "$src" -B "$build" -DSERTEL_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

declare -A max_len=([envelope]=65536 [sop]=16384 [calendar]=16384 [keyfile]=4096 [datafile]=16384 [journal]=8192)
report=()
crashed=0
for t in "${targets[@]}"; do
    bin="$build/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "no fuzz target $bin" >&2; exit 2; }
    work="$build/fuzz-corpus/$t" crashes="$build/fuzz-crashes/$t"
    mkdir -p "$work" "$crashes"
    log="$build/fuzz-$t.log"
    rc=0
    start=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
    # -timeout: an input that takes 10 s is a hang, reported as a crash.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
        -max_len="${max_len[$t]}" -artifact_prefix="$crashes/" -print_final_stats=1 \
        "$work" "$src/tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    ticks=$(( $(awk '{print $14+$15+$16+$17}' /proc/$$/stat) - start ))
    cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz}')
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        crashed=$((crashed + 1))
        echo "fuzz_$t: CRASH (exit $rc); input and log in $crashes, $log:" >&2
        grep -E "ERROR|runtime error|SUMMARY" "$log" | head -5 >&2
    fi
    report+=("fuzz_$t: ${runs:-?} runs, ${cpu} CPU s, $([ "$rc" -eq 0 ] && echo "no crash" || echo CRASH)")
done
printf '%s\n' "${report[@]}"
[ "$crashed" -eq 0 ]
