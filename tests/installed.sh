#!/usr/bin/env bash
# The installed Sertel, run from where it was installed, as an office's IT
# staff would: every binary's --version, the translations found from the
# installed prefix, the shipped SOP and calendar checked and used by
# `sertel-broker init`, the broker started from its configuration file
# with the unit's own command line (data directory made on the first
# start, READY=1 sent to systemd's notify socket), a bad configuration
# line refused, manual pages rendered, bash completion loaded, the
# systemd units verified when systemd-analyze is there.
#
# Usage: installed.sh ROOT PREFIX
#   ROOT    where the files are: a scratch root (dpkg -x of the packages)
#           or a DESTDIR; PREFIX the prefix inside it (/usr for packages)
#   installed.sh --install BUILD_DIR   installs BUILD_DIR (cmake --install)
#           into a temporary prefix first, for the test suite
set -euo pipefail
. "$(dirname "$0")/lib.sh"
test_begin

if [ "${1:-}" = --install ]; then
    cmake --install "${2:?usage: installed.sh --install BUILD_DIR}" --prefix "$tmp/root/usr" >/dev/null
    root=$tmp/root prefix=/usr
else
    root=${1:?usage: installed.sh ROOT PREFIX}
    prefix=${2:?usage: installed.sh ROOT PREFIX}
fi
usr=$root$prefix
bin=$usr/bin sbin=$usr/sbin
# Nothing from a build tree or the environment may help the installed files.
unset SERTEL_LOCALEDIR SERTEL_SOP_DIR SERTEL_SOURCE_DIR SERTEL_KEY SERTEL_ENDPOINT SERTEL_BROKER

# ---- the binaries, where Debian expects them
daemons=(sertel-broker)
[ -e "$sbin/sertel-notifier" ] && daemons+=(sertel-notifier)
programs=("$bin/sertel" "$bin/sertel-admin")
for d in "${daemons[@]}"; do programs+=("$sbin/$d"); done
for p in "${programs[@]}"; do
    [ -x "$p" ] || { fail "$p is not installed"; continue; }
    run 0 indonesian "$p" --version
    has out "${p##*/} " "$p --version"
    has out "(protokol " "$p --version names the protocol, in Indonesian"
    run 0 english "$p" --version
    has out "(protocol " "$p --version in English"
done

# ---- translations found from the installed prefix
[ -f "$usr/share/locale/id/LC_MESSAGES/sertel.mo" ] || fail "no share/locale/id/LC_MESSAGES/sertel.mo"
run 0 indonesian "$bin/sertel" --help
has out "Perintah:" "sertel --help in Indonesian"
run 0 english "$bin/sertel" --help
has out "Commands:" "sertel --help in English"
run 1 indonesian "$bin/sertel-admin" sop check "$tmp/none.sop"
has err "$tmp/none.sop" "a missing SOP file is named"

# ---- the shipped SOP and calendar
share=$usr/share/sertel
run 0 indonesian "$bin/sertel-admin" sop check "$share"/*.sop
run 0 indonesian "$bin/sertel-admin" sop show "$share/pembaharuan-sertifikat-elektronik.sop"
has out "Menerima Permohonan" "the shipped SOP shows its first step"
[ -f "$share/kalender-kerja.conf" ] || fail "the shipped calendar is not installed"
# init reads the shipped files by default, and makes missing parents.
run 0 indonesian "$sbin/sertel-broker" init --data "$tmp/a/b/data" --endpoint tcp://127.0.0.1:7750
# ... and writes the administrator's key file outside it, in the user's
# configuration directory.
has out "$HOME/.config/sertel/admin.key" "init names the administrator's key file"
[ -e "$tmp/a/b/data/admin.key" ] && fail "init wrote the administrator's key into the data directory"
# sertel-admin init runs the sbin/sertel-broker beside its bin/ (an
# ordinary user's PATH has no sbin).
run 0 indonesian env PATH=/usr/bin:/bin "$bin/sertel-admin" init --data "$tmp/c/d/data" \
    --endpoint tcp://127.0.0.1:7750 --admin-key "$tmp/c/admin.key"
has out "$tmp/c/admin.key" "sertel-admin init found the installed sertel-broker"

# ---- the broker as the unit starts it, from a configuration file
unit=$usr/lib/systemd/system/sertel-broker.service
[ -f "$unit" ] || fail "no $unit"
conf=$root/etc/sertel/broker.conf
[ -f "$conf" ] || conf=$usr/etc/sertel/broker.conf # a /usr/local-style prefix
[ -f "$conf" ] || fail "no etc/sertel/broker.conf"
grep -q '^data = /.*/lib/sertel$' "$conf" || fail "broker.conf does not name (/usr/local)/var/lib/sertel"
grep -q '^admin-key = /.*/lib/sertel-admin/admin.key$' "$conf" ||
    fail "broker.conf does not put the administrator's key outside the data directory"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
case $exec_start in
*"/sbin/sertel-broker --config "*"/sertel/broker.conf --init-if-missing") ;;
*) fail "unexpected ExecStart: $exec_start" ;;
esac
# The shipped file with the data directory and a free port of this test.
sed -e "s|^data = .*|data = $tmp/state|" -e "s|^admin-key = .*|admin-key = $tmp/admin/admin.key|" \
    "$conf" >"$tmp/broker.conf"
echo "endpoint = tcp://127.0.0.1:0" >>"$tmp/broker.conf"

# A bad line names itself and the broker refuses to start.
sed 's/^log-level = .*/log-level = loud/' "$tmp/broker.conf" >"$tmp/bad.conf"
bad_line=$(grep -n '^log-level = loud' "$tmp/bad.conf" | cut -d: -f1)
run 1 english "$sbin/sertel-broker" --config "$tmp/bad.conf" --init-if-missing
has err "$tmp/bad.conf:$bad_line: unknown log level 'loud'" "a bad line is named"
[ ! -e "$tmp/state" ] || fail "a refused configuration still made the data directory"

# systemd's side of Type=notify: listen_notify NAME binds the datagram
# socket $tmp/NAME.sock a daemon writes to and returns once it is bound;
# the daemon's first message is then read from the descriptor $notify_fd
# (await_ready), with a timeout: nothing polls.
listen_notify() {
    mkfifo "$tmp/$1.fifo"
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "w") as out:
    out.write("bound\n")
    out.flush()
    out.write(s.recv(4096).decode() + "\n")
' "$tmp/$1.sock" "$tmp/$1.fifo" &
    exec {notify_fd}<"$tmp/$1.fifo"
    local bound=
    read -r -t 30 bound <&"$notify_fd" || true
    [ "$bound" = bound ] || fail "cannot listen on $tmp/$1.sock"
}
# await_ready WHO : the daemon said READY=1.
await_ready() {
    local notified=
    read -r -t 60 notified <&"$notify_fd" || true
    exec {notify_fd}<&-
    [ "$notified" = "READY=1" ] || fail "$1 did not send READY=1 (got '$notified')"
}
mkfifo "$tmp/stdout"
listen_notify broker
# (Not under timeout(1): SIGTERM must reach the broker itself.)
NOTIFY_SOCKET=$tmp/broker.sock env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$sbin/sertel-broker" --config "$tmp/broker.conf" \
    --init-if-missing >"$tmp/stdout" 2>"$tmp/broker.err" &
broker_pid=$!
exec 3<"$tmp/stdout"
await_ready "the broker"
endpoint=
while read -r -t 30 line <&3; do
    case $line in tcp://*) endpoint=$line; break ;; esac
    echo "$line" >>"$tmp/init.out"
done
grep -qF "Kunci administrator: $tmp/admin/admin.key" "$tmp/init.out" ||
    fail "the first start did not name the administrator's key file"
[ "$(stat -c %a "$tmp/state")" = 700 ] || fail "the data directory is not 0700"
# Global options before the command, as an administrator types them.
run 0 indonesian "$bin/sertel-admin" --key "$tmp/admin/admin.key" --endpoint "$endpoint" officer list
has out "Administrator" "the installed admin client reaches the installed broker"

# ---- bash completion against the running broker: commands and options
# from --help, NIPs and case numbers from the broker.
run 0 indonesian "$bin/sertel-admin" --key "$tmp/admin/admin.key" --endpoint "$endpoint" \
    officer add --name "Siti Rahmawati" --nip 198503142010012003 --role staf --out "$tmp/staf.key"
run 0 indonesian "$bin/sertel" --key "$tmp/staf.key" --endpoint "$endpoint" receive \
    --name "Budi Santoso" --nip 198707072011011001 --unit "Dinas Pendidikan" \
    --position "Analis Kepegawaian" --email budi@ciamiskab.go.id --phone 081234567890 \
    --channel surat --letter-no 800/123/Disdik --letter-date 2026-11-20 \
    --subject "Permohonan pembaharuan sertifikat elektronik"
case_no=$(cat "$tmp/out")
run 0 "$bin/sertel" complete-words cases --key "$tmp/staf.key" --endpoint "$endpoint"
has out "$case_no" "complete-words cases lists the staf's new case"
run 0 "$bin/sertel" complete-words nips --key "$tmp/staf.key" --endpoint "$endpoint"
has out "198503142010012003" "complete-words nips lists the enrolled officer"
# complete WORDS... : what bash would offer after the last word.
complete_line() {
    PATH="$bin:$sbin:$PATH" bash -c '
        . "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _sertel; printf "%s\n" "${COMPREPLY[@]}"' \
        complete "$usr/share/bash-completion/completions/sertel" "$@" >"$tmp/out" 2>"$tmp/err"
}
conn=(--key "$tmp/staf.key" --endpoint "$endpoint")
complete_line sertel re
has out receive "sertel re<TAB>"
has out resume "sertel re<TAB>"
complete_line sertel "${conn[@]}" complete ""
has out "$case_no" "sertel complete <TAB> offers the inbox's case"
complete_line sertel "${conn[@]}" complete "$case_no" --to ""
has out 198503142010012003 "sertel complete CASE --to <TAB> offers NIPs"
complete_line sertel "${conn[@]}" outbox ""
has out "$case_no" "sertel outbox <TAB> offers the inbox's case (an optional CASE)"
complete_line sertel complete "$case_no" --ins
has out --instruction "sertel complete CASE --ins<TAB>"
complete_line sertel-admin officer add --role ""
has out kabid "sertel-admin officer add --role <TAB>"
complete_line sertel-broker --log-level ""
has out warn "sertel-broker --log-level <TAB>"
complete_line sertel-broker in
has out init "sertel-broker in<TAB>"

# ---- the notifier as its unit starts it, against the running broker
if [ -x "$sbin/sertel-notifier" ]; then
    unit=$usr/lib/systemd/system/sertel-notifier.service
    grep -q '^Type=notify$' "$unit" || fail "sertel-notifier.service is not Type=notify"
    nconf=$(dirname "$conf")/notifier.conf
    cp "$nconf" "$tmp/notifier.conf"
    echo "log-level = debug" >>"$tmp/notifier.conf"
    chmod 600 "$tmp/notifier.conf"
    run 0 indonesian "$bin/sertel-admin" --key "$tmp/admin/admin.key" --endpoint "$endpoint" \
        officer add --name Notifier --nip 199001012020121001 --role notifier --out "$tmp/notifier.key"
    # A bad line is named; the command line's --log-level wins over the file's.
    cp "$tmp/notifier.conf" "$tmp/bad-notifier.conf"
    echo "log-level = loud" >"$tmp/bad-notifier.conf"
    chmod 600 "$tmp/bad-notifier.conf"
    run 1 english "$sbin/sertel-notifier" --key "$tmp/notifier.key" --config "$tmp/bad-notifier.conf"
    has err "bad-notifier.conf:1: unknown log level 'loud'" "a bad notifier.conf line is named"
    listen_notify notifier
    NOTIFY_SOCKET=$tmp/notifier.sock SERTEL_ENDPOINT=$endpoint \
        env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$sbin/sertel-notifier" \
        --key "$tmp/notifier.key" --config "$tmp/notifier.conf" --log-level warn \
        >"$tmp/notifier.out" 2>"$tmp/notifier.err" &
    notifier_pid=$!
    await_ready "the notifier"
    stop_process "$notifier_pid" || fail "the notifier did not stop cleanly on SIGTERM"
    ! grep -q " INFO " "$tmp/notifier.err" || fail "--log-level warn did not override the file's debug"
fi

stop_process "$broker_pid" || fail "the broker did not stop cleanly on SIGTERM"
broker_pid=
exec 3<&-
grep -q "berhenti" "$tmp/broker.err" || fail "the broker did not log its stop"

# ---- manual pages render, in both languages
pages=0
for page in "$usr"/share/man/man?/*.gz "$usr"/share/man/id/man?/*.gz; do
    [ -e "$page" ] || continue
    pages=$((pages + 1))
    if ! MANWIDTH=80 man -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" || [ -s "$tmp/man.err" ]; then
        fail "man -l $page: $(head -3 "$tmp/man.err")"
    fi
    [ "$(wc -l <"$tmp/man.txt")" -gt 10 ] || fail "$page renders to almost nothing"
done
[ "$pages" -gt 0 ] || fail "no manual pages installed"
pages=(sertel.1 sertel-admin.8 sertel-broker.8 sertel-conf.5 sertel-keyfile.5 sertel-sop.5
    sertel-calendar.5)
[ -x "$sbin/sertel-notifier" ] && pages+=(sertel-notifier.8)
for page in "${pages[@]}"; do
    for dir in man${page##*.} id/man${page##*.}; do
        [ -f "$usr/share/man/$dir/$page.gz" ] || fail "no man/$dir/$page.gz"
    done
done

# ---- bash completion
for p in sertel sertel-admin sertel-broker; do
    c=$usr/share/bash-completion/completions/$p
    [ -f "$c" ] || { fail "no completion for $p"; continue; }
    bash -c ". '$c' && complete -p $p" >/dev/null 2>&1 || fail "$c does not register $p"
done

# ---- systemd units
if command -v systemd-analyze >/dev/null; then
    for u in "$usr"/lib/systemd/system/*.service; do
        # The unit names the installed path; verify it against this root.
        sed "s|^ExecStart=[^ ]*/sbin/|ExecStart=$sbin/|" "$u" >"$tmp/${u##*/}"
        systemd-analyze verify --man=no "$tmp/${u##*/}" >"$tmp/verify.out" 2>&1 ||
            fail "systemd-analyze verify ${u##*/}: $(cat "$tmp/verify.out")"
        [ -s "$tmp/verify.out" ] && fail "systemd-analyze verify ${u##*/} warns: $(cat "$tmp/verify.out")"
    done
else
    echo "note: systemd-analyze is not installed; units not verified" >&2
fi

test_end "installed Sertel under $root$prefix"
