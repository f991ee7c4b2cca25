#!/usr/bin/env bash
# The broker under hostile and broken conditions, for long (by hand) or
# briefly (in the test suite):
#
#   kill    KILLS kill -9 of the broker at random moments while WRITERS
#           front-office clients register applications concurrently;
#           afterwards every acknowledged application is in the store,
#           no agenda number was given twice, the journal is complete
#           (sequence 1..N without a gap), and `sertel-broker check`
#           passes where that command exists.
#   two     a second broker on the same data directory, again and again
#           while the first is under load: always refused, the first
#           never disturbed.
#   full    the data directory on a small tmpfs (as root; skipped with a
#           message otherwise): writes until the disk is full are refused
#           with a storage error, nothing acknowledged is lost, and after
#           the file system is grown the broker accepts writes again.
#   damaged a stopped broker's data.mdb with bytes flipped (SOAK_FLIPS
#           seeded copies, 200 by default), cut short or emptied: the
#           broker refuses it or, serving it, never crashes.
#
# Usage: soak.sh BUILD_DIR [KILLS] [WRITERS] [PARTS...]
#   KILLS defaults to 1000 (the suite runs 8), WRITERS to 4, PARTS to all.
# Only 127.0.0.1; everything in a temporary directory removed at the end.
set -euo pipefail
usage="usage: soak.sh BUILD_DIR [KILLS] [WRITERS] [kill|two|full|damaged]..."
build=$(cd "${1:?$usage}" && pwd)
kills=${2:-1000}
writers=${3:-4}
shift $(($# < 3 ? $# : 3))
parts=("$@")
((${#parts[@]})) || parts=(kill two full damaged)
broker=$build/server/sertel-broker
admin=$build/client/sertel-admin
sertel=$build/client/sertel
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

tmp=$(mktemp -d)
broker_pid= mounted=
writer_pids=()
cleanup() {
    stop_writers
    [ -z "$broker_pid" ] || kill -KILL "$broker_pid" 2>/dev/null || true
    [ -z "$mounted" ] || umount "$mounted" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" LANG=C.UTF-8
unset SERTEL_KEY XDG_CONFIG_HOME SERTEL_ENDPOINT LANGUAGE
mkdir -p "$HOME"
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
say() { echo "soak: $*" >&2; }

# new_office DIR : a data directory with a front-office officer and a
# Kepala Dinas, keys in $tmp/keys.
new_office() {
    data=$1
    rm -rf "$data" "$tmp/keys" "$tmp/admin.key"
    mkdir -p "$tmp/keys"
    "$broker" init --data "$data" --endpoint tcp://127.0.0.1:0 --admin-key "$tmp/admin.key" >/dev/null
    port=
    start_broker "$data"
    "$admin" officer add --key "$tmp/admin.key" --name "Siti Rahmawati" --nip 198503142010011003 \
        --role staf --out "$tmp/keys/staf.key" >/dev/null
    "$admin" officer add --key "$tmp/admin.key" --name "Tino Armyanto" --nip 197503042001121002 \
        --role kadis --out "$tmp/keys/kadis.key" >/dev/null
}
# start_broker DIR : on the port of the last start, if any.
start_broker() {
    : >"$tmp/broker.out"
    # The per-key write limit is not what is soaked here: off.
    "$broker" --data "$1" --endpoint "tcp://127.0.0.1:${port:-0}" --max-writes-per-minute 0 \
        >"$tmp/broker.out" \
        2>>"$tmp/broker.err" &
    broker_pid=$!
    if ! timeout 30 bash -c 'until [ -s "$1" ] || ! kill -0 "$2" 2>/dev/null; do sleep 0.02; done' \
        _ "$tmp/broker.out" "$broker_pid" || [ ! -s "$tmp/broker.out" ]; then
        broker_pid=
        return 1
    fi
    endpoint=$(head -n 1 "$tmp/broker.out")
    port=${endpoint##*:}
    export SERTEL_ENDPOINT="$endpoint"
}
make_pdf "$tmp/surat.pdf" surat
# writer N : registers applications until killed; each acknowledged one's
# number goes to $tmp/acked.N (written only once the broker answered).
# With dispose=1 each is then disposed to the Kepala Dinas (step 1 -> 2),
# and an acknowledged disposition's number goes to $tmp/moved.N: a step
# taken after the case was made, which the store writes to the journal
# only (its case record follows at a later flush).
dispose=0
writer() {
    local n=$1 id i=0
    # Each letter its own number: the same letter twice is refused as a
    # duplicate, which is not what is soaked here.
    while i=$((i + 1)); do
        if id=$("$sertel" receive --key "$tmp/keys/staf.key" --name "Budi Santoso $n" \
            --nip 198707072011011001 --unit "Dinas Pendidikan" --position "Analis" \
            --email budi@ciamiskab.go.id --phone 081234567890 --channel surat \
            --letter-no "800/$n.$BASHPID.$i/Disdik" --letter-date 2026-11-20 --subject "Pembaharuan" \
            --attach "$tmp/surat.pdf" 2>>"$tmp/writer.$n.err"); then
            echo "$id" >>"$tmp/acked.$n"
            if [ "$dispose" = 1 ] && "$sertel" complete "$id" --key "$tmp/keys/staf.key" \
                --instruction "Mohon diproses" >/dev/null 2>>"$tmp/writer.$n.err"; then
                echo "$id" >>"$tmp/moved.$n"
            fi
        else
            echo "refused" >>"$tmp/refused.$n"
        fi
    done
}
start_writers() {
    writer_pids=()
    for n in $(seq 1 "$writers"); do
        writer "$n" &
        writer_pids+=($!)
    done
}
stop_writers() {
    local p
    for p in "${writer_pids[@]}"; do
        pkill -KILL -P "$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    writer_pids=()
}
# A random moment: 100 to 900 ms.
random_pause() { sleep "0.$((RANDOM % 9 + 1))"; }

# check_store WHAT : with the broker running, every acknowledged number is
# a case, none twice, the journal has no gap.
check_store() {
    cat "$tmp"/acked.* 2>/dev/null | sort >"$tmp/acked" || true
    local acked dup
    acked=$(wc -l <"$tmp/acked")
    dup=$(uniq -d "$tmp/acked" | head -3)
    [ -z "$dup" ] || fail "$1: agenda numbers acknowledged twice: $dup"
    # In pages: a whole long journal is more than one reply may carry.
    local since=0 last
    rm -rf "$tmp/pages"
    mkdir "$tmp/pages"
    while :; do
        "$admin" journal --key "$tmp/admin.key" --since "$since" --limit 2000 --json \
            >"$tmp/page.json" || { fail "$1: the journal cannot be read after $since"; return; }
        last=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"]; print(e[-1]["seq"] if e else 0)' \
            "$tmp/page.json")
        [ "$last" -gt 0 ] || break
        mv "$tmp/page.json" "$tmp/pages/$(printf %012d "$since").json"
        since=$last
    done
    python3 - "$tmp/pages" "$tmp/acked" "$1" <<'PY' || fail "$1: the store lost or repeated something"
import json, os, sys
pages = sorted(os.listdir(sys.argv[1]))
events = [e for p in pages for e in json.load(open(os.path.join(sys.argv[1], p)))["events"]]
seqs = [e["seq"] for e in events]
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
received = [e["case"] for e in events if e["kind"] == "diterima"]
bad = []
if seqs != list(range(1, len(seqs) + 1)):
    bad.append("journal sequence has gaps or repeats")
if len(set(received)) != len(received):
    bad.append("an agenda number was registered twice")
missing = sorted(set(acked) - set(received))
if missing:
    bad.append(f"{len(missing)} acknowledged applications are not in the journal, e.g. {missing[:3]}")
print(f"  {sys.argv[3]}: {len(acked)} acknowledged, {len(received)} registered, "
      f"journal 1..{len(seqs)}", file=sys.stderr)
if bad:
    sys.exit("; ".join(bad))
PY
}
# check_moved WHAT : with the broker running, every acknowledged
# disposition shows in its case: at step 2, in the Kepala Dinas' inbox.
check_moved() {
    cat "$tmp"/moved.* 2>/dev/null | sort -u >"$tmp/moved" || true
    "$sertel" inbox --json --key "$tmp/keys/kadis.key" >"$tmp/inbox.json" ||
        { fail "$1: the Kepala Dinas' inbox cannot be read"; return; }
    python3 - "$tmp/inbox.json" "$tmp/moved" "$1" <<'PY' || fail "$1: an acknowledged disposition is not in its case"
import json, sys
at_two = {c["id"] for c in json.load(open(sys.argv[1]))["cases"] if c["step"] == 2}
moved = [l.strip() for l in open(sys.argv[2]) if l.strip()]
lost = sorted(set(moved) - at_two)
print(f"  {sys.argv[3]}: {len(moved)} acknowledged dispositions, {len(lost)} not in their case", file=sys.stderr)
if not moved:
    sys.exit("no disposition was acknowledged: nothing was checked")
if lost:
    sys.exit(f"{len(lost)} disposed cases are not at step 2 in the Kadis' inbox, e.g. {lost[:3]}")
PY
}
# offline_check DIR : `sertel-broker check` on the stopped broker's
# directory, where the command exists.
offline_check() {
    if "$broker" --help 2>/dev/null | grep -q "^  check "; then
        "$broker" check --data "$1" >"$tmp/check.out" 2>&1 ||
            { fail "$2: sertel-broker check failed"; head -5 "$tmp/check.out" >&2; }
    else
        say "$2: no 'sertel-broker check' in this build; the journal was checked through the broker"
    fi
}

# --- kill -9 under concurrent writers ---------------------------------------
part_kill() {
    new_office "$tmp/kill"
    rm -f "$tmp"/acked.* "$tmp"/moved.*
    dispose=1
    local started
    started=$(date +%s)
    for k in $(seq 1 "$kills"); do
        start_writers
        random_pause
        kill -KILL "$broker_pid"
        wait "$broker_pid" 2>/dev/null || true
        broker_pid=
        stop_writers
        start_broker "$tmp/kill" || { fail "kill $k: the broker did not start again"; tail -5 "$tmp/broker.err" >&2; return; }
        [ $((k % 100)) -ne 0 ] || say "kill: $k of $kills"
    done
    check_store "kill -9 x$kills under $writers writers"
    check_moved "kill -9 x$kills"
    kill -TERM "$broker_pid"; wait "$broker_pid" || fail "the broker did not stop cleanly"
    broker_pid=
    offline_check "$tmp/kill" "kill"
    say "kill: $kills kills in $(($(date +%s) - started)) s"
    dispose=0
}

# --- a second broker on the same directory, under load ------------------------
part_two() {
    new_office "$tmp/two"
    rm -f "$tmp"/acked.*
    start_writers
    local refused=0
    for i in $(seq 1 20); do
        if "$broker" --data "$tmp/two" --endpoint tcp://127.0.0.1:0 >/dev/null 2>"$tmp/second.err" </dev/null; then
            fail "two: a second broker ran on the same directory"
        elif grep -q "pid $broker_pid" "$tmp/second.err"; then
            refused=$((refused + 1))
        fi
        rm -f "$tmp/two/db/lock.mdb"  # LMDB's own lock is not what keeps it out
    done
    stop_writers
    kill -0 "$broker_pid" 2>/dev/null || fail "two: the first broker died"
    [ "$refused" -eq 20 ] || fail "two: $refused of 20 second brokers refused naming the first"
    check_store "two brokers"
    kill -TERM "$broker_pid"; wait "$broker_pid" || fail "two: the broker did not stop cleanly"
    broker_pid=
    say "two: 20 second brokers refused under load"
}

# --- a full disk ------------------------------------------------------------
part_full() {
    mkdir -p "$tmp/small"
    if ! mount -t tmpfs -o size=2m tmpfs "$tmp/small" 2>/dev/null; then
        say "full: skipped (mounting a tmpfs needs root)"
        return
    fi
    mounted=$tmp/small
    new_office "$tmp/small/data"
    rm -f "$tmp"/acked.* "$tmp"/refused.*
    start_writers
    # Until a write is refused for want of space (a slow build may also
    # time out now and then; that is not the refusal looked for).
    timeout 120 bash -c 'until grep -qsiE "penyimpanan|storage|penuh|full" "$1"/writer.*.err; do sleep 0.2; done' \
        _ "$tmp" || fail "full: no write was refused as a storage failure: $(tail -2 "$tmp"/writer.1.err)"
    sleep 1
    stop_writers
    kill -0 "$broker_pid" 2>/dev/null || fail "full: the broker died on a full disk"
    check_store "full disk"
    mount -o remount,size=64m "$tmp/small"
    "$sertel" receive --key "$tmp/keys/staf.key" --name "Budi Santoso" --nip 198707072011011001 \
        --unit "Dinas Pendidikan" --position "Analis" --email budi@ciamiskab.go.id \
        --phone 081234567890 --channel surat --letter-no 800/setelah-penuh/Disdik --letter-date 2026-11-20 \
        --subject "Pembaharuan" --attach "$tmp/surat.pdf" >"$tmp/after-full" 2>&1 ||
        fail "full: no write accepted once there was space again: $(cat "$tmp/after-full")"
    kill -TERM "$broker_pid"; wait "$broker_pid" || fail "full: the broker did not stop cleanly"
    broker_pid=
    umount "$tmp/small" && mounted=
    say "full: refused when full, writes again after growing"
}

# --- a damaged store ----------------------------------------------------------
# damaged_run WHAT : the broker on the damaged copy either refuses to
# start (exit 1, a reason) or serves; reads and a write then get an
# answer or a refusal; it never dies of a signal.
damaged_run() {
    local rc=0
    : >"$tmp/broker.out"
    LANG=en_US.UTF-8 timeout 20 "$broker" --data "$tmp/dmg" --endpoint tcp://127.0.0.1:0 >"$tmp/broker.out" \
        2>"$tmp/dmg.err" &
    local pid=$!
    timeout 10 bash -c 'until [ -s "$1" ] || ! kill -0 "$2" 2>/dev/null; do sleep 0.02; done' \
        _ "$tmp/broker.out" "$pid" || true
    if [ -s "$tmp/broker.out" ]; then
        local ep
        ep=$(head -n 1 "$tmp/broker.out")
        timeout 15 "$admin" journal --key "$tmp/admin.key" --endpoint "$ep" >/dev/null 2>&1 || true
        timeout 15 "$sertel" find --key "$tmp/keys/staf.key" --endpoint "$ep" --name Budi >/dev/null 2>&1 || true
        timeout 15 "$sertel" receive --key "$tmp/keys/staf.key" --endpoint "$ep" --name "Budi Santoso" \
            --nip 198707072011011001 --unit "Dinas Pendidikan" --position "Analis" \
            --email budi@ciamiskab.go.id --phone 081234567890 --channel surat \
            --letter-no "800/rusak/Disdik" --letter-date 2026-11-20 --subject "Pembaharuan" \
            --attach "$tmp/surat.pdf" >/dev/null 2>&1 || true
        kill -TERM "$pid" 2>/dev/null || true
    fi
    wait "$pid" || rc=$?
    if [ "$rc" -gt 128 ] && [ "$rc" -ne 143 ] && [ "$rc" -ne 124 ]; then
        fail "damaged ($1): the broker died of signal $((rc - 128))"
        tail -5 "$tmp/dmg.err" >&2
    fi
    grep -q "Sanitizer" "$tmp/dmg.err" && { fail "damaged ($1): sanitizer report"; head -20 "$tmp/dmg.err" >&2; }
    return 0
}
part_damaged() {
    new_office "$tmp/good"
    rm -f "$tmp"/acked.*
    start_writers
    sleep 2
    stop_writers
    kill -TERM "$broker_pid"; wait "$broker_pid" || true
    broker_pid=
    local size runs=0 flips=${SOAK_FLIPS:-200}
    size=$(stat -c %s "$tmp/good/db/data.mdb")
    # SOAK_FLIPS copies with flipped bytes (200 by default), all made at
    # once: seed i flips 4 bytes when odd, 200 when even, past the two
    # meta pages (a damaged meta page is mdbfile.c's, tested apart).
    mkdir -p "$tmp/flipped"
    python3 - "$tmp/good/db/data.mdb" "$tmp/flipped" "$flips" <<'PY'
import random, sys
path, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
good = open(path, "rb").read()
for seed in range(1, n + 1):
    random.seed(seed)
    data = bytearray(good)
    for _ in range(4 if seed % 2 else 200):
        i = random.randrange(8192, len(data))
        data[i] ^= 1 << random.randrange(8)
    open(f"{out}/{seed}.mdb", "wb").write(data)
PY
    local refused=0
    for i in $(seq 1 "$flips"); do
        rm -rf "$tmp/dmg"; cp -r "$tmp/good" "$tmp/dmg"
        mv "$tmp/flipped/$i.mdb" "$tmp/dmg/db/data.mdb"
        damaged_run "flipped bytes, seed $i"
        grep -q "does not start on a damaged database" "$tmp/dmg.err" && refused=$((refused + 1))
        runs=$((runs + 1))
    done
    say "damaged: $flips copies with flipped bytes, $refused of them refused as damaged at start"
    for cut in 0 4096 $((size / 2)) $((size - 4096)); do
        rm -rf "$tmp/dmg"; cp -r "$tmp/good" "$tmp/dmg"
        truncate -s "$cut" "$tmp/dmg/db/data.mdb"
        damaged_run "cut to $cut bytes"
        grep -q "truncated\|empty\|not an LMDB" "$tmp/dmg.err" ||
            fail "damaged: data.mdb cut to $cut bytes was not refused by name"
        runs=$((runs + 1))
    done
    say "damaged: $runs damaged copies, no crash"
}

for p in "${parts[@]}"; do
    case $p in
    kill | two | full | damaged) "part_$p" ;;
    *) echo "$usage" >&2; exit 2 ;;
    esac
done
if [ "$failures" -ne 0 ]; then
    echo "soak: $failures check(s) failed" >&2
    exit 1
fi
echo "soak: all checks passed (${parts[*]})"
