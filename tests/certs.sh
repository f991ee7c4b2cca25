#!/usr/bin/env bash
# The certificate register with a real broker whose clock is a file
# (SERTEL_CLOCK_FILE): an import with bad rows is refused by line and
# loads nothing; a good one loads; `certs due` lists what expires; the
# sweep queues the 60/30/7-day reminders once each, to the holder's
# outbox and to the verifiers as "perlu diperbarui", across a broker
# restart; a verifier opens a renewal case from a due holder in one
# command, and the holder is no longer due.
# Usage: certs.sh sertel-broker sertel-admin sertel SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
test_args broker admin sertel src -- "$@"

test_begin
# Until the admin's outbox holds N messages whose cause starts with pengingat.
reminders_reach() {
    timeout 20 bash -c 'until [ "$("$1" outbox --json --key "$2" | python3 -c "import json,sys; print(sum(1 for m in json.load(sys.stdin)[\"messages\"] if m[\"cause\"].startswith(\"pengingat\")))")" -ge "$3" ]; do sleep 0.05; done' \
        _ "$admin" "$tmp/admin.key" "$1" || fail "$2: fewer than $1 reminders queued"
}
reminder_causes() {
    "$admin" outbox --json --key "$tmp/admin.key" |
        python3 -c "import json,sys; print(' '.join(sorted(m['to'] + ':' + m['cause'] for m in json.load(sys.stdin)['messages'] if m['cause'].startswith('pengingat'))))"
}

clock="$tmp/clock"
day=86400
t0=1764547200 # 2025-12-01 00:00 UTC
set_clock "$clock" $t0
export SERTEL_CLOCK_FILE="$clock"
init_data
start_broker
enrol verif1 "Asep Hidayat" staf --qualification verifikator
enrol staf "Siti Rahmawati" staf

# --- import: bad rows named by line, nothing loaded ----------------------------------
head='nip,nik,nama,unit,email,telepon,serial,berlaku_sampai'
{
    echo "$head"
    echo '198707072011011001,3207010101870001,Budi Santoso,Dinas Pendidikan,budi@ciamiskab.go.id,081234567890,0A1B,2026-03-01'
    echo '12345,,Tanpa NIP,Dinas X,x@ciamiskab.go.id,,0A1C,2026-03-01'
    echo '198902022012012002,,Ani Lestari,Dinas Kesehatan,ani@ciamiskab.go.id,,0A1D,2026-13-01'
} >"$tmp/bad.csv"
run 1 indonesian "$admin" certs import "$tmp/bad.csv" --key "$tmp/admin.key"
grep -q "bad.csv:4" "$tmp/err" || fail "a bad date is named by its line"
sed -i 's/2026-13-01/2026-01-15/' "$tmp/bad.csv"
run 2 indonesian "$admin" certs import "$tmp/bad.csv" --key "$tmp/admin.key"
grep -qE "(baris|line) 3" "$tmp/err" || fail "a bad NIP is named by its line"
run 0 indonesian "$admin" certs list --json --key "$tmp/admin.key"
json_ok "a refused import loads nothing" "d['certificates'] == []"

# --- a good import -------------------------------------------------------------------
{
    echo "$head"
    # 90, 45 and 5 days from t0
    echo '198707072011011001,3207010101870001,Budi Santoso,Dinas Pendidikan,budi@ciamiskab.go.id,081234567890,0A1B,2026-02-28'
    echo '198902022012012002,,Ani Lestari,Dinas Kesehatan,ani@ciamiskab.go.id,,0A1D,2026-01-14'
    echo '"199001012015012003",,"Cici, S.Kom",Dinas Kominfo,cici@ciamiskab.go.id,+62 813-1111-2222,0A1E,2025-12-05'
} >"$tmp/good.csv"
run 0 indonesian "$admin" certs import "$tmp/good.csv" --key "$tmp/admin.key"
grep -q "3" "$tmp/out" || fail "the import says how many"
run 0 indonesian "$admin" certs list --json --key "$tmp/admin.key"
json_ok "the register holds the three, the phone as 628..." \
    "sorted(c['serial'] for c in d['certificates']) == ['0A1B', '0A1D', '0A1E'] and [c['phone'] for c in d['certificates'] if c['serial']=='0A1E'] == ['6281311112222']"
run 0 indonesian "$admin" certs due --within 60 --json --key "$tmp/admin.key"
json_ok "due within 60 days" "sorted(c['serial'] for c in d['certificates']) == ['0A1D', '0A1E']"
run 0 indonesian "$admin" certs due --within 60 --csv --key "$tmp/admin.key"
grep -q '"Cici, S.Kom"' "$tmp/out" || fail "CSV quotes a name with a comma"
run 1 indonesian "$admin" certs due --key "$tmp/admin.key"

# --- reminders: once each, across a restart --------------------------------------------
# At t0: Ani (45 days) gets the 60-day one; Cici (5 days) one reminder, the 7-day.
reminders_reach 3 "the first sweep"
[ "$(reminder_causes)" = "6281311112222:pengingat-7 ani@ciamiskab.go.id:pengingat-60 cici@ciamiskab.go.id:pengingat-7" ] ||
    fail "first reminders: $(reminder_causes)"
# 16 days on: Ani has 29 days (the 30-day one); Budi 74 (none).
set_clock "$clock" $((t0 + 16 * day))
reminders_reach 4 "16 days later"
stop_broker
start_broker "$endpoint"
# The same instant after a restart: nothing again.
run 0 as verif1 inbox
[ "$(reminder_causes)" = "6281311112222:pengingat-7 ani@ciamiskab.go.id:pengingat-30 ani@ciamiskab.go.id:pengingat-60 cici@ciamiskab.go.id:pengingat-7" ] ||
    fail "after 16 days and a restart: $(reminder_causes)"
# 31 days on: Budi has 59 days (e-mail and WhatsApp: he has a phone).
set_clock "$clock" $((t0 + 31 * day))
reminders_reach 6 "31 days later"
stop_broker
start_broker "$endpoint"
set_clock "$clock" $((t0 + 31 * day + 120))
run 0 as verif1 inbox
[ "$(reminder_causes)" = "6281234567890:pengingat-60 6281311112222:pengingat-7 ani@ciamiskab.go.id:pengingat-30 ani@ciamiskab.go.id:pengingat-60 budi@ciamiskab.go.id:pengingat-60 cici@ciamiskab.go.id:pengingat-7" ] || fail "a restart sends nothing twice: $(reminder_causes)"
run 0 indonesian "$admin" journal --json --key "$tmp/admin.key"
json_ok "each reminder reaches the verifiers as 'perlu diperbarui', journaled once" \
    "sum(1 for e in d['events'] if e['kind'] == 'perlu-diperbarui') == 4"

run 0 as verif1 inbox
grep -q "Perlu diperbarui" "$tmp/out" && grep -q "0A1D" "$tmp/out" && grep -q "0A1B" "$tmp/out" ||
    fail "the verifier's inbox lists the reminded holders: $(cat "$tmp/out")"
run 0 as staf inbox
grep -q "Perlu diperbarui" "$tmp/out" && fail "a staf without the qualification sees no register"

# --- a renewal from the register ---------------------------------------------------------
run 2 as staf renew 0A1B
run 0 as verif1 renew 0A1B
id=$(head -n 1 "$tmp/out")
[[ "$id" =~ ^SE- ]] || fail "renew prints the new case number: $id"
run 0 as verif1 show "$id" --json
json_ok "the renewal case carries the holder's data" \
    "d['case']['applicant']['name'] == 'Budi Santoso' and d['case']['applicant']['nip'] == '198707072011011001' and d['case']['step'] == 1"
run 2 as verif1 renew 0A1B
run 0 indonesian "$admin" certs due --within 60 --json --key "$tmp/admin.key"
json_ok "a holder being renewed is no longer due" \
    "'0A1B' not in [c['serial'] for c in d['certificates']]"
run 0 as verif1 inbox
grep -q "0A1B" "$tmp/out" && fail "a holder being renewed leaves the verifier's list"

stop_broker
sanitizer_clean "$tmp/broker.err" "the broker's log"

test_end certs
