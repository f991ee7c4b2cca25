#!/usr/bin/env bash
# The officer's terminal UI (`sertel` alone on a terminal), used as the
# Kepala Dinas would, in a real 80x24 terminal (tmux) against a real
# broker: the front office receives and disposes a case with the CLI, and
# the case must appear in the Kadis' inbox by itself, marked as new. The
# Kadis opens it (the history is there), the window is resized (the UI
# lays itself out again), the Kadis disposes it to the Kepala Bidang from
# a form (after a refusal shown on the status line), and quits; the
# shell's terminal must be as it was. Then the UI is killed by SIGTERM
# and by SIGSEGV and the terminal must still be given back, and it must
# speak Indonesian by default.
#
# Everything waits in bounded loops on what the screen shows; nothing
# sleeps a fixed time.
#
# Usage: tui.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel
set -euo pipefail

. "$(dirname "$0")/lib.sh"
test_args broker admin sertel -- "$@"

if ! command -v tmux >/dev/null 2>&1; then
    echo "tui: SKIPPED: tmux is not installed (bash .ci/deps installs it); the terminal UI was not tested"
    exit 0
fi

test_begin
sock="$tmp/tmux.sock"
at_exit() { tmux -S "$sock" kill-server >/dev/null 2>&1 || true; }

T() { tmux -S "$sock" "$@"; }

# The pane as text, in $tmp/screen.
snap() { T capture-pane -p -t tui >"$tmp/screen"; }

show_screen() {
    echo "  screen was:" >&2
    sed 's/^/  | /' "$tmp/screen" >&2
}

# wait_for TEXT WHAT [SECONDS] : until the pane shows TEXT. A screen that
# never shows it ends the test: what follows depends on it.
wait_for() {
    local text=$1 what=$2 limit=${3:-20} i
    for ((i = 0; i < limit * 10; i++)); do
        snap
        grep -qF -- "$text" "$tmp/screen" && return 0
        sleep 0.1
    done
    fail "$what: the screen never showed '$text'"
    show_screen
    exit 1
}

# wait_for_re REGEX WHAT : the same, for an extended regular expression.
wait_for_re() {
    local re=$1 what=$2 i
    for ((i = 0; i < 200; i++)); do
        snap
        grep -qE -- "$re" "$tmp/screen" && return 0
        sleep 0.1
    done
    fail "$what: the screen never matched '$re'"
    show_screen
    exit 1
}

# wait_line N TEXT WHAT : until line N of the pane contains TEXT.
wait_line() {
    local n=$1 text=$2 what=$3 i
    for ((i = 0; i < 200; i++)); do
        snap
        sed -n "${n}p" "$tmp/screen" | grep -qF -- "$text" && return 0
        sleep 0.1
    done
    fail "$what: line $n never showed '$text'"
    show_screen
    exit 1
}

# --- the office -------------------------------------------------------------
init_data
start_broker

kadis=197503042001121002
kabid=197806122003121001
staf=198503142010011003
# The officers' own commands are in English, so that the text checked
# does not depend on the translation; one run in Indonesian below.
adm() { english timeout 30 env SERTEL_KEY="$tmp/admin.key" SERTEL_ENDPOINT="$endpoint" "$admin" "$@"; }
adm officer add --name "Tino Armyanto" --nip $kadis --role kadis --out "$tmp/kadis.key" >/dev/null
adm officer add --name "Dedi Supriadi" --nip $kabid --role kabid --out "$tmp/kabid.key" >/dev/null
adm officer add --name "Siti Rahmawati" --nip $staf --role staf --out "$tmp/staf.key" >/dev/null

# officer KEY CMD... : the CLI as that officer.
officer() {
    local key=$1
    shift
    english timeout 30 env HOME="$tmp/home-cli" SERTEL_KEY="$tmp/$key.key" SERTEL_ENDPOINT="$endpoint" \
        "$sertel" "$@"
}

# --- the Kadis' terminal ----------------------------------------------------
# A shell in an 80x24 terminal; the UI is started from it, so that after
# the UI the shell's own terminal settings can be looked at.
home="$tmp/home-kadis"
mkdir -p "$home"
T -f /dev/null new-session -d -s tui -x 80 -y 24 \
    env -i PATH="$PATH" HOME="$home" TERM=screen SERTEL_KEY="$tmp/kadis.key" \
    SERTEL_ENDPOINT="$endpoint" PS1='$ ' bash --norc --noprofile
# start LANG : the UI in that language, reporting its exit status after.
start() {
    T send-keys -t tui "clear; LANG=$1 $sertel; echo \"sertel exited \$?\"" Enter
}
start en_US.UTF-8
wait_for "No cases wait on you." "the empty inbox"
wait_for "[connected] Tino Armyanto" "the status line names the connection and the officer"
wait_line 24 "[connected]" "the status line is the last line of 80x24"
bell_before=$(T display-message -p -t tui '#{window_bell_flag}')

# --- a new working calendar reaches the open UI -------------------------------
# The header's clock is in the office's zone; a calendar load is pushed to
# every officer, and the UI shows the new zone without reconnecting.
shipped="$(dirname "$0")/../sop/kalender-kerja.conf"
sed 's/^zona = +07:00 WIB$/zona = +09:00 WIT/' "$shipped" >"$tmp/wit.conf"
wait_line 1 " WIB" "the header's clock is in the office's zone"
adm calendar load "$tmp/wit.conf" >/dev/null
wait_line 1 " WIT" "the header's clock follows a calendar load without reconnecting"
adm calendar load "$shipped" >/dev/null
wait_line 1 " WIB" "and follows it back"

# --- a disposition arrives ---------------------------------------------------
make_pdf "$tmp/surat.txt" "Surat permohonan pembaharuan sertifikat elektronik"
officer staf receive --name "Budi Santoso" --nip 198702152010011004 --unit "Dinas Pendidikan" \
    --position "Analis Kebijakan" --email budi@ciamiskab.go.id --phone 081234567890 \
    --channel surat --letter-no 800/123/Disdik --letter-date 2026-11-20 \
    --subject "Pembaharuan sertifikat elektronik" --urgency segera --attach "$tmp/surat.txt" \
    >"$tmp/case.out" 2>"$tmp/case.err"
id=$(head -n 1 "$tmp/case.out")
[ -n "$id" ] || { fail "sertel receive printed no case number"; cat "$tmp/case.err" >&2; exit 1; }
officer staf complete "$id" --instruction "Mohon segera ditindaklanjuti" >/dev/null 2>&1

# The status line may name the case first (a new application); the row
# of the disposition comes marked as new.
wait_for "* $id" "the disposed case in the Kadis' inbox, marked as new"
grep -qF "Budi Santoso" "$tmp/screen" || fail "the inbox row lacks the applicant"
grep -qF "Step 2" "$tmp/screen" || fail "the inbox row lacks the step"
grep -qF "urgent" "$tmp/screen" || fail "the inbox row lacks the urgency"
grep -qE "[0-9]+ minutes? (left|overdue)" "$tmp/screen" || fail "the inbox row lacks the countdown"
grep -qF "New disposition: $id" "$tmp/screen" || fail "the status line does not announce the disposition"
if [ "$bell_before" = 0 ]; then
    [ "$(T display-message -p -t tui '#{window_bell_flag}')" = 1 ] || fail "the disposition did not ring the bell"
fi

# --- the case and its history -------------------------------------------------
T send-keys -t tui Enter
wait_for "$id · Budi Santoso" "the case view's summary line"
wait_for "Mohon segera ditindaklanjuti" "the case view shows the instruction"
T send-keys -t tui NPage
wait_for ", by letter" "the case view says how the letter arrived"
grep -qE '[0-9]{4}-[0-9]{2}-[0-9]{2}, by letter' "$tmp/screen" ||
    { fail "the case view does not say the day the letter arrived, as sertel show does"; show_screen; }
T send-keys -t tui End
wait_for "disposed" "the history shows the disposition"
grep -qF "by Siti Rahmawati" "$tmp/screen" || { fail "the history does not name who disposed"; show_screen; }
grep -qF "surat.txt" "$tmp/screen" || { fail "the history does not show the attached letter"; show_screen; }

# --- resizing ---------------------------------------------------------------
T resize-window -t tui -x 120 -y 40
wait_line 40 "[connected]" "the status line moves to the last line of 120x40"
snap
awk 'length($0) > 80 { wide = 1 } END { exit !wide }' "$tmp/screen" ||
    { fail "nothing was laid out wider than 80 columns at 120"; show_screen; }
T resize-window -t tui -x 80 -y 24
wait_line 24 "[connected]" "the status line is back on line 24 of 80x24"
wait_line 2 "$id · Budi Santoso" "the case view is laid out again at 80x24"

# --- a refusal, then a disposition from the form -------------------------------
T send-keys -t tui Escape
wait_for "Agenda no." "back in the inbox"
# t takes the selected case from the Kadis pool, at once; the key line
# offers it only while the case is in the pool
wait_line 23 "n new t take c complete" "the key line offers t on a pool case"
T send-keys -t tui t
wait_for "taken; the step is yours" "t takes the case from the pool"
wait_line 23 "n new c complete" "the key line no longer offers t on a case now the Kadis' own"
# resuming a case that waits on nobody: the broker refuses, the form stays
T send-keys -t tui u
wait_for "Resume — $id" "the resume form"
T send-keys -t tui Enter
wait_line 24 "$id: " "the broker's refusal on the status line"
T send-keys -t tui Escape
wait_for "cancelled" "Esc closes the refused form"
T send-keys -t tui c
wait_for "Complete the step — $id" "the complete form"
T send-keys -t tui Tab "Harap diverifikasi" Enter
wait_for "$id: step completed" "the disposition made from the form"
wait_for "No cases wait on you." "the case left the Kadis' inbox"
officer kabid inbox >"$tmp/kabid.out" 2>&1 || true
grep -qF "$id" "$tmp/kabid.out" || { fail "the case did not reach the Kepala Bidang"; cat "$tmp/kabid.out" >&2; }

# --- quitting gives the terminal back -------------------------------------------
T send-keys -t tui q
wait_for "sertel exited 0" "q quits with status 0"
T send-keys -t tui 'echo "TTY-$(stty -a | grep -cwE -- "-icanon|-echo")"' Enter
wait_for "TTY-0" "the shell's terminal is canonical with echo after q"
pos_file="$home/.local/state/sertel/$kadis.pos"
if [ ! -s "$pos_file" ] || [ "$(awk 'NR == 1 {print $3}' "$pos_file")" -lt 1 ]; then
    fail "the last event seen was not kept in $pos_file"
fi

# --- signals: SIGTERM, then a crash ----------------------------------------------
# ui_pid : the UI's process, the shell's child.
ui_pid() {
    local shell_pid pid i
    shell_pid=$(T display-message -p -t tui '#{pane_pid}')
    for ((i = 0; i < 100; i++)); do
        pid=$(pgrep -P "$shell_pid" -x sertel || true)
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.1
    done
    return 1
}

# Indonesian is the default language (LANG unset).
T send-keys -t tui "clear; unset LANG; $sertel; echo \"sertel exited \$?\"" Enter
wait_for "Kotak masuk" "the UI in Indonesian by default"
wait_for "[terhubung]" "the status line in Indonesian"
pid=$(ui_pid) || { fail "cannot find the UI's process"; exit 1; }
kill -TERM "$pid"
wait_for "sertel exited 143" "SIGTERM ends the UI as SIGTERM does"
T send-keys -t tui 'echo "TTY-$(stty -a | grep -cwE -- "-icanon|-echo")-AFTER-TERM"' Enter
wait_for "TTY-0-AFTER-TERM" "the terminal is given back after SIGTERM"

start en_US.UTF-8
wait_for "[connected]" "the UI again"
pid=$(ui_pid) || { fail "cannot find the UI's process"; exit 1; }
kill -SEGV "$pid"
wait_for_re "sertel exited [0-9]+" "a crash ends the UI"
grep -qF "sertel exited 0" "$tmp/screen" && fail "a crash exited with status 0"
T send-keys -t tui 'echo "TTY-$(stty -a | grep -cwE -- "-icanon|-echo")-AFTER-SEGV"' Enter
wait_for "TTY-0-AFTER-SEGV" "the terminal is given back after a crash"

test_end tui
