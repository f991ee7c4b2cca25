# Shared by the shell tests. Sourced, not run.

# Sets the clock file the broker and clients read (SERTEL_CLOCK_FILE) to
# Unix seconds T. Written beside it and renamed: a reader that met a
# half-written file would fall back to the real time.
set_clock() {
    echo "$2" >"$1.new" && mv -f "$1.new" "$1"
}

# True when pid, or a child of it, is being traced: at exit, that is
# LeakSanitizer suspending the process to look for leaks.
in_leak_check() {
    local p
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
        [ "$(awk '/^TracerPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)" -gt 0 ] 2>/dev/null &&
            return 0
    done
    return 1
}

# Stops a process with SIGTERM and waits for it, but at most 20 s. Under
# load on this kind of machine, LeakSanitizer's check at exit can hang for
# good in its own thread suspension (the program has already finished); a
# test must not hang with it. Returns the process's exit status: 137 when
# it had to be killed, 0 when it was killed inside that check (with a note:
# its own exit was past judging).
stop_process() {
    local pid=$1 rc=0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 400); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        local leak_check=false
        in_leak_check "$pid" && leak_check=true
        echo "note: process $pid did not stop within 20 s after SIGTERM; killed" \
             "$($leak_check && echo '(hung in LeakSanitizer'"'"'s check at exit)')" >&2
        # A process started through timeout(1) is its child: kill both.
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        $leak_check && return 0
        return 137
    fi
    wait "$pid" 2>/dev/null || rc=$?
    return $rc
}

# make_pdf FILE TEXT : a small whole PDF (header, two objects, a
# cross-reference table, trailer, %%EOF) carrying TEXT in a comment; the
# broker takes letters and reports by content, not by name.
make_pdf() {
    local LC_ALL=C head obj1 obj2 note
    head=$'%PDF-1.4\n'
    obj1=$'1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
    obj2=$'2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n'
    note="% ${2:-dokumen}"$'\n'
    {
        printf '%s' "$head" "$obj1" "$obj2" "$note"
        printf 'xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n' \
            ${#head} $((${#head} + ${#obj1}))
        printf 'trailer << /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' \
            $((${#head} + ${#obj1} + ${#obj2} + ${#note}))
    } >"$1"
}

# --- the frame of a test --------------------------------------------------------
# A test script starts with test_begin and ends with test_end NAME.

# test_begin: $tmp, a temporary directory removed at exit, after the
# script's own at_exit function (when it defines one) has run and every
# process in bg_pids and $broker_pid has been stopped; a private HOME and
# state directory, so that nothing of the user's is read or written; a
# sanitizer's report exits with a status of its own (86), never taken for
# an expected refusal; LeakSanitizer passes over what tests/lsan.supp names
# (a library's state kept for the life of the process).
test_begin() {
    tmp=$(mktemp -d)
    failures=0
    broker_pid=
    bg_pids=()
    trap test_cleanup EXIT
    export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state"
    unset SERTEL_KEY SERTEL_ENDPOINT XDG_CONFIG_HOME
    mkdir -p "$HOME"
    export ASAN_OPTIONS="exitcode=86:${ASAN_OPTIONS:-}" UBSAN_OPTIONS="exitcode=86:${UBSAN_OPTIONS:-}"
    LSAN_OPTIONS="suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lsan.supp:${LSAN_OPTIONS:-}"
    export LSAN_OPTIONS
}

test_cleanup() {
    local pid
    if declare -F at_exit >/dev/null; then
        at_exit || true
    fi
    for pid in "${bg_pids[@]}" $broker_pid; do
        stop_process "$pid" || true
    done
    rm -rf "$tmp"
}

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# test_end NAME: the verdict, and the exit status that carries it.
test_end() {
    if [ "$failures" -gt 0 ]; then
        echo "$1: $failures check(s) failed" >&2
        exit 1
    fi
    echo "$1: all checks passed"
}

# Commands in either language of the clients, bounded in time
# ($cmd_timeout seconds, 30 unless the script sets it).
indonesian() { timeout "${cmd_timeout:-30}" env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@"; }
english() {
    timeout "${cmd_timeout:-30}" env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=en_US.UTF-8 "$@"
}

# sanitizer_clean FILE WHAT : FILE holds no sanitizer report.
sanitizer_clean() {
    if grep -qE 'Sanitizer|runtime error:' "$1" 2>/dev/null; then
        fail "$2: a sanitizer report"
        grep -E -A8 'Sanitizer|runtime error:' "$1" | head -30 >&2
    fi
}

# run WANT_RC CMD... : runs CMD with stdout in $tmp/out, stderr in
# $tmp/err; a sanitizer's report fails the check even with the exit
# status wanted.
run() {
    local want=$1 rc=0
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    sanitizer_clean "$tmp/err" "'$*'"
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/  stdout: /' "$tmp/out" | head -20 >&2
        sed 's/^/  stderr: /' "$tmp/err" | head -20 >&2
    fi
}

# has out|err TEXT WHAT : the last run's output contains TEXT.
has() {
    if ! grep -qF -- "$2" "$tmp/$1"; then
        fail "$3: std$1 lacks '$2'"
        sed "s/^/  std$1: /" "$tmp/$1" | head -20 >&2
    fi
}

# json_ok WHAT [PYTHON_ASSERTION] : the last stdout is one JSON document
# (bound to d) for which the assertion holds.
json_ok() {
    local check=${2:-True}
    if ! python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/out" 2>"$tmp/py"; then
        fail "$1: stdout is not JSON: $(head -c 300 "$tmp/out")"
        return
    fi
    if ! python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($check) else 1)" \
        <"$tmp/out" 2>"$tmp/py"; then
        fail "$1: '$check' does not hold for $(head -c 600 "$tmp/out")"
        sed 's/^/  python: /' "$tmp/py" | tail -5 >&2
    fi
}

# wait_for FILE REGEX WHAT [SECONDS] : until a line of FILE matches REGEX
# (10 s at most unless told).
wait_for() {
    if ! timeout "${4:-10}" bash -c 'until grep -qE -- "$1" "$2" 2>/dev/null; do sleep 0.05; done' \
        _ "$2" "$1"; then
        fail "$3: no line matching '$2' in $(basename "$1") within ${4:-10} s"
        sed 's/^/  file: /' "$1" | tail -10 >&2
    fi
}

# --- a broker ---------------------------------------------------------------------
# These use the calling script's $broker (the sertel-broker binary).

# init_data [INIT_OPTIONS...] : a data directory in $data ($tmp/data unless
# set) whose first administrator's key is $tmp/admin.key; init's output
# in $tmp/init.out.
init_data() {
    data=${data:-$tmp/data}
    if ! timeout 30 "$broker" init --data "$data" --endpoint tcp://127.0.0.1:0 \
        --admin-key "$tmp/admin.key" "$@" >"$tmp/init.out" 2>"$tmp/init.err"; then
        echo "FAIL: sertel-broker init:" >&2
        cat "$tmp/init.err" >&2
        exit 1
    fi
}

# start_broker [ENDPOINT] : the broker on $data in the background (pid in
# broker_pid; stdout in $tmp/broker.out, stderr added to $tmp/broker.err),
# on an ephemeral port of 127.0.0.1 unless ENDPOINT is given. Returns once
# it listens, with the endpoint it printed in $endpoint and exported as
# SERTEL_ENDPOINT (the key files name port 0). Runs at most
# $broker_timeout seconds (600 unless set; 0: as long as it likes, with
# broker_pid the broker's own pid rather than timeout's).
start_broker() {
    local limit=()
    [ "${broker_timeout:-600}" = 0 ] || limit=(timeout "${broker_timeout:-600}")
    : >"$tmp/broker.out"
    "${limit[@]}" "$broker" --data "$data" --endpoint "${1:-tcp://127.0.0.1:0}" \
        ${broker_args[@]+"${broker_args[@]}"} >"$tmp/broker.out" 2>>"$tmp/broker.err" &
    broker_pid=$!
    if ! timeout 30 bash -c 'until [ "$(wc -l <"$1")" -ge 1 ]; do sleep 0.05; done' _ \
        "$tmp/broker.out"; then
        echo "FAIL: the broker did not start:" >&2
        cat "$tmp/broker.err" >&2
        exit 1
    fi
    endpoint=$(head -n 1 "$tmp/broker.out")
    export SERTEL_ENDPOINT="$endpoint"
}

# stop_broker : stops the broker start_broker started; a failure when it
# does not exit 0 on SIGTERM.
stop_broker() {
    stop_process "$broker_pid" || fail "the broker exited $? on SIGTERM"
    broker_pid=
}

# --- the officers of a test office ------------------------------------------------
# These use the calling script's $admin and $sertel.

# The NIPs of the officers the tests enrol, by the name a script calls
# them; a script adds its own.
declare -A nip=(
    [staf]=198503142010011003 [kadis]=197503042001121002 [kabid]=197806122003121001
    [jf]=198801012012011002 [verif1]=199002022015031001 [verif2]=199105052016041002
)

# enrol WHO NAME ROLE [OPTIONS...] : sertel-admin officer add for
# ${nip[WHO]}, the key file to $tmp/keys/WHO.key.
enrol() {
    local who=$1 name=$2 role=$3
    shift 3
    mkdir -p "$tmp/keys"
    run 0 english "$admin" officer add --key "$tmp/admin.key" --name "$name" --nip "${nip[$who]}" \
        --role "$role" --out "$tmp/keys/$who.key" "$@"
}

# enrol_office : the six officers who walk a renewal through the SOP, one
# of each role and two verifiers.
enrol_office() {
    enrol staf "Siti Rahmawati" staf
    enrol kadis "Tino Armyanto" kadis
    enrol kabid "Dedi Supriadi" kabid
    enrol jf "Rina Kurniasih" jf
    enrol verif1 "Asep Hidayat" staf --qualification verifikator
    enrol verif2 "Nur Aini" staf --qualification verifikator
}

# as WHO CMD... : sertel as that officer, in Indonesian; as_en in English.
as() {
    local who=$1
    shift
    indonesian "$sertel" "$@" --key "$tmp/keys/$who.key"
}
as_en() {
    local who=$1
    shift
    english "$sertel" "$@" --key "$tmp/keys/$who.key"
}

# start_watch WHO : sertel watch --json as WHO in the background, in
# Indonesian, into $tmp/watch.WHO (its pid in watch_pid[WHO], stopped at
# exit); returns once it is connected to $endpoint.
start_watch() {
    local who=$1
    declare -gA watch_pid
    : >"$tmp/watch.$who.err"
    timeout 600 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG \
        "$sertel" watch --json --key "$tmp/keys/$who.key" \
        >>"$tmp/watch.$who" 2>"$tmp/watch.$who.err" &
    watch_pid[$who]=$!
    bg_pids+=($!)
    wait_for "$tmp/watch.$who.err" "$endpoint" "watch of $who connected"
}

# stop_watch WHO : stops WHO's watch; a failure unless it exits 0.
stop_watch() {
    local who=$1 rc=0
    stop_process "${watch_pid[$who]}" || rc=$?
    [ "$rc" -eq 0 ] || fail "watch of $who exited $rc on SIGTERM, expected 0"
}

# test_args NAME... -- ARG... : the script's arguments into the variables
# NAME..., in order; its usage, and exit 2, when one is missing.
test_args() {
    local names=() name
    while [ "$1" != -- ]; do
        names+=("$1")
        shift
    done
    shift
    if [ $# -lt ${#names[@]} ]; then
        echo "usage: $(basename "$0") ${names[*]^^}" >&2
        exit 2
    fi
    for name in "${names[@]}"; do
        printf -v "$name" '%s' "$1"
        shift
    done
}
