#!/usr/bin/env bash
# An office in WITA (UTC+8), run as a newcomer would: every time shown is
# labelled WITA and is the office's wall clock; dates typed on the command
# line are WITA days; the calendar is checked offline and replaced over the
# protocol (journaled); an absent broker is named within 3 seconds.
#
# Usage: cli_office_wita.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
test_args broker admin sertel src -- "$@"
wita_dir=$(mktemp -d)
at_exit() { rm -rf "$wita_dir"; } # run by lib.sh's test_cleanup
sed 's/^zona = +07:00 WIB$/zona = +08:00 WITA/' "$src/sop/kalender-kerja.conf" >"$wita_dir/wita.conf"
calendar="$wita_dir/wita.conf" zone_offset=+0800 office_start="2026-11-23 08:00"
. "$(dirname "$0")/office_env.sh"

# --- the calendar, offline -----------------------------------------------------
run 0 adm calendar check "$calendar"
has out "+08:00 WITA" "calendar check names the zone"
has out "Ramadan 1447 H" "calendar check lists the Ramadan period"
has out "2028-12-25" "the shipped holidays reach 2028"
printf 'zona = +08:00 WITA\nsenin = 08:00-12:00\nlibur = 2026-02-30 Tidak ada\n' >"$tmp/bad.conf"
run 1 adm calendar check "$tmp/bad.conf"
has err "bad.conf:3" "a bad calendar names file and line"
run 1 adm sop check "$calendar"

# --- times in WITA ------------------------------------------------------------------
# The Kepala Dinas' `sertel watch` (text) prints the office's times too.
timeout 600 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$sertel" watch \
    --key "$tmp/keys/kadis.key" >"$tmp/watch.text" 2>"$tmp/watch.text.err" &
bg_pids+=($!)
wait_for "$tmp/watch.text.err" "$endpoint" "the text watch connected"
receive
run 0 as kadis show "$id"
has out "23 Nov 2026 08:00 WITA" "the registration time is the office's, labelled WITA"
has out "08:10 WITA" "step 1's deadline is 10 minutes later in WITA"
grep -q "WIB" "$tmp/out" && fail "show still says WIB in a WITA office"
run 0 as staf complete "$id"
wait_for "$tmp/watch.text" "^23 Nov 2026 08:00 WITA +$id +didisposisikan" \
    "watch prints the disposition's time in WITA"
grep -q "WIB" "$tmp/watch.text" && fail "watch says WIB in a WITA office"
# The lembar disposisi is dated in WITA too.
run 0 as kadis print "$id" --out "$tmp/lembar.pdf"
pdftotext -enc UTF-8 "$tmp/lembar.pdf" - | tr '\n' ' ' >"$tmp/lembar.txt"
grep -q "23 November 2026 08:00 WITA" "$tmp/lembar.txt" || fail "the lembar's times are not WITA"
grep -q "WIB" "$tmp/lembar.txt" && fail "the lembar says WIB in a WITA office"
run 0 as kadis complete "$id" --instruction "Proses" --deadline "2026-11-23 08:05"
run 0 as kadis verify "$tmp/lembar.pdf"
has out "23 Nov 2026 08:00 WITA" "verify lists what happened since in WITA"
grep -q "WIB" "$tmp/out" && fail "verify says WIB in a WITA office"
run 0 as kabid show "$id" --json
json_ok "a --deadline is a WITA time" "d['case']['deadline'] == $(date -u -d '2026-11-23 08:05 +0800' +%s)"
office_clock "2026-11-23 08:03"
run 0 as kabid inbox
has out "sisa 2 menit" "the inbox counts in the office's time"
run 0 as kabid inbox --json
json_ok "time left in JSON" "d['cases'][0]['time_left'] == 120"
run 0 as kabid find --from 2026-11-23 --to 2026-11-23 --json
json_ok "find --from/--to are WITA days" "len(d['cases']) == 1"

# --- the calendar replaced over the protocol ------------------------------------------
sed 's/^zona = +08:00 WITA$/zona = +09:00 WIT/' "$calendar" >"$tmp/wit.conf"
run 2 english "$admin" calendar load "$tmp/wit.conf" --key "$tmp/keys/kadis.key"
run 0 adm calendar load "$tmp/wit.conf"
has out "WIT" "calendar load says which zone runs now"
# The Kadis' watch, connected all along, hears of it and shows times in
# WIT from then on, without reconnecting.
wait_for "$tmp/watch.text" "^23 Nov 2026 09:03 WIT .*kalender kerja dimuat" \
    "a live watch hears of the calendar load, in the new zone"
first=$id
receive
run 0 as staf complete "$id"
wait_for "$tmp/watch.text" "^23 Nov 2026 09:03 WIT +$id +didisposisikan" \
    "a live watch shows the next disposition in WIT"
id=$first
run 0 as kadis show "$id"
has out "09:00 WIT" "after calendar load times are shown in WIT"
run 0 adm journal --json
json_ok "the calendar load is journaled" "any('calendar load' in (e.get('text') or '') for e in d['events'])"
run 0 adm journal
has out "23 Nov 2026 09:03 WIT" "the journal's times are the office's"
grep -q "WIB" "$tmp/out" && fail "the journal says WIB in a WIT office"
run 0 adm acting add --for "${nip[kadis]}" --by "${nip[kabid]}" --from 2026-11-24 --to 2026-11-25
run 0 adm acting list
has out "24 Nov 2026 00:00 WIT" "acting list shows the office's times"
grep -q "WIB" "$tmp/out" && fail "acting list says WIB in a WIT office"
# A watch asks for the calendar again when it connects again.
stop_broker
start_broker "$endpoint"
receive
run 0 as staf complete "$id"
wait_for "$tmp/watch.text" "^23 Nov 2026 09:03 WIT +$id +didisposisikan" \
    "after calendar load and a reconnection, watch prints WIT times" 60

# --- an absent broker ----------------------------------------------------------------------
start=$(date +%s%N)
run 3 as kadis inbox --endpoint tcp://127.0.0.1:1
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
has err "tidak terjangkau" "an absent broker is named"
[ "$elapsed" -lt 3000 ] || fail "an absent broker took $elapsed ms to be named (at most 3000)"

test_end cli_office_wita
