# A running office for the shell tests of the office's own rules
# (cli_office.sh): a data directory made by `sertel-admin init` in a
# temporary directory (with the calendar in $calendar, when set), the
# broker on 127.0.0.1 over CURVE with its clock in a file ($tmp/clock,
# moved with set_clock), and the officers enrolled. The clients read the
# same clock file (SERTEL_CLOCK_FILE), so "now" is the same on both sides.
# Sourced after lib.sh, with $broker, $admin and $sertel set. Nothing
# sleeps for a fixed time; processes are stopped by pid on exit.

tmp=$(mktemp -d)
bg_pids=()
broker_pid=
cleanup() {
    local pid
    for pid in "${bg_pids[@]}" $broker_pid; do
        stop_process "$pid" || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state"
unset SERTEL_KEY XDG_CONFIG_HOME
mkdir -p "$HOME" "$tmp/keys"

indonesian() { timeout 30 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@"; }
english() { timeout 30 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=en_US.UTF-8 "$@"; }

export ASAN_OPTIONS="exitcode=86:${ASAN_OPTIONS:-}" UBSAN_OPTIONS="exitcode=86:${UBSAN_OPTIONS:-}"

# run WANT_RC CMD... : runs CMD with stdout in $tmp/out, stderr in $tmp/err.
run() {
    local want=$1 rc=0
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if grep -qE 'Sanitizer|runtime error:' "$tmp/err" 2>/dev/null; then
        fail "'$*': a sanitizer report"
        head -20 "$tmp/err" >&2
    fi
    if [ "$rc" -ne "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/  stdout: /' "$tmp/out" | head -20 >&2
        sed 's/^/  stderr: /' "$tmp/err" | head -20 >&2
    fi
}

# json_ok WHAT PYTHON_ASSERTION : the last stdout is JSON (d) for which it holds.
json_ok() {
    if ! python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($2) else 1)" \
        <"$tmp/out" 2>"$tmp/py"; then
        fail "$1: '$2' does not hold for $(head -c 600 "$tmp/out")"
        sed 's/^/  python: /' "$tmp/py" | tail -5 >&2
    fi
}

# set_clock "YYYY-MM-DD HH:MM" : the office's local time, in the zone of
# the calendar the office runs ($zone_offset, e.g. +0700).
set_clock() {
    date -u -d "$1 ${zone_offset:-+0700}" +%s >"$tmp/clock.new"
    mv "$tmp/clock.new" "$tmp/clock"
}
export SERTEL_CLOCK_FILE="$tmp/clock"
set_clock "${office_start:-2026-11-23 08:00}"

declare -A nip=(
    [staf]=198503142010011003 [kadis]=197503042001121002 [kabid]=197806122003121001
    [jf]=198801012012011002 [verif1]=199002022015031001 [verif2]=199105052016041002
    [sekdis]=197212121998031004
)
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
adm() { indonesian "$admin" "$@" --key "$tmp/admin.key"; }
adm_en() { english "$admin" "$@" --key "$tmp/admin.key"; }

data="$tmp/data"
timeout 30 "$admin" init --data "$data" --endpoint tcp://127.0.0.1:0 --admin-key "$tmp/admin.key" \
    ${calendar:+--calendar "$calendar"} >"$tmp/init.out"

start_broker() {
    : >"$tmp/broker.out"
    timeout 600 "$broker" --data "$data" --endpoint "$1" >"$tmp/broker.out" 2>>"$tmp/broker.err" &
    broker_pid=$!
    if ! timeout 30 bash -c 'until [ "$(wc -l <"$1")" -ge 1 ]; do sleep 0.05; done' _ "$tmp/broker.out"; then
        echo "FAIL: the broker did not start:" >&2
        cat "$tmp/broker.err" >&2
        exit 1
    fi
    endpoint=$(head -n 1 "$tmp/broker.out")
}
start_broker tcp://127.0.0.1:0
export SERTEL_ENDPOINT="$endpoint"

enrol() {
    local who=$1 name=$2 role=$3
    shift 3
    run 0 english "$admin" officer add --key "$tmp/admin.key" --name "$name" --nip "${nip[$who]}" \
        --role "$role" --out "$tmp/keys/$who.key" "$@"
}
enrol staf "Siti Rahmawati" staf
enrol kadis "Tino Armyanto" kadis
enrol kabid "Dedi Supriadi" kabid
enrol jf "Rina Kurniasih" jf
enrol verif1 "Asep Hidayat" staf --qualification verifikator
enrol verif2 "Nur Aini" staf --qualification verifikator
enrol sekdis "Hendra Gunawan" kabid

printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >"$tmp/surat.pdf"
form=(--name "Budi Santoso" --nip 198707072011011001 --unit "Dinas Pendidikan"
    --position "Analis Kepegawaian" --email budi.santoso@ciamiskab.go.id --phone 081234567890
    --channel surat --letter-no 800/123/Disdik --letter-date 2026-11-20
    --subject "Permohonan pembaharuan sertifikat elektronik" --attach "$tmp/surat.pdf")

# receive [OPTIONS...] : registers the form (plus OPTIONS) as the staf; the
# new case number in $id.
letters=0
receive() {
    letters=$((letters + 1))
    run 0 as staf receive "${form[@]}" --letter-no "800/$letters/Disdik" "$@"
    id=$(head -n 1 "$tmp/out")
}

# wait_for FILE REGEX WHAT [SECONDS] : until a line of FILE matches REGEX.
wait_for() {
    if ! timeout "${4:-10}" bash -c 'until grep -qE -- "$1" "$2" 2>/dev/null; do sleep 0.05; done' \
        _ "$2" "$1"; then
        fail "$3: no line matching '$2' in $(basename "$1") within ${4:-10} s"
        sed 's/^/  file: /' "$1" | tail -10 >&2
    fi
}

# start_watch WHO : sertel watch --json in the background into
# $tmp/watch.WHO; returns once it is connected.
start_watch() {
    local who=$1
    : >"$tmp/watch.$who.err"
    timeout 600 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG \
        "$sertel" watch --json --key "$tmp/keys/$who.key" \
        >>"$tmp/watch.$who" 2>"$tmp/watch.$who.err" &
    bg_pids+=($!)
    wait_for "$tmp/watch.$who.err" "$endpoint" "watch of $who connected"
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
