#!/usr/bin/env bash
# The office's own rules and words, with sertel and sertel-admin against a
# real broker (tests/office_env.sh): the lembar disposisi's fields.
#
# Usage: cli_office.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
test_args broker admin sertel src -- "$@"
. "$(dirname "$0")/office_env.sh"

# --- 1. the lembar disposisi ----------------------------------------------------
receive --sifat rahasia --agenda-no 045/SM/XI/2026 --srikandi-no SRK-0099 --received 2026-11-21 \
    --urgency segera
run 0 as kadis show "$id" --json
json_ok "sheet head" 'd["case"]["letter"]["sifat"] == "rahasia" and d["case"]["letter"]["agenda_no"] == "045/SM/XI/2026" and d["case"]["letter"]["srikandi_no"] == "SRK-0099" and d["case"]["letter"]["received"] == "2026-11-21" and d["case"]["letter"]["urgency"] == "segera"'
run 0 as kadis show "$id"
has out "045/SM/XI/2026" "show prints the agenda number"
has out "SRK-0099" "show prints the SRIKANDI number"
grep -qE "Sifat +: rahasia" "$tmp/out" || fail "show prints the sifat"
run 1 as staf receive "${form[@]}" --sifat amat-rahasia
has err "--sifat" "an unknown sifat names the option"
run 2 as staf receive "${form[@]}" --received 2026-11-19
has err "2026-11-19" "received before the letter's date"

run 0 as staf complete "$id"
run 0 as kadis complete "$id" --box tanggapi --box "PROSES-LEBIH-LANJUT" \
    --note $'Koordinasikan dengan BSrE\nhari ini' --deadline "2026-11-23 08:05"
run 0 as kabid show "$id" --json
json_ok "sheet of the disposition" 'd["case"]["boxes"] == ["Tanggapi", "Proses lebih lanjut"] and d["case"]["note"].startswith("Koordinasikan") and d["case"]["deadline"] == d["case"]["due_at"] and d["case"]["instruction"] == ""'
json_ok "the disposition event" '[e for e in d["history"] if e["kind"] == "didisposisikan"][-1]["boxes"] == ["Tanggapi", "Proses lebih lanjut"]'
run 0 as kabid show "$id"
has out "Tanggapi, Proses lebih lanjut" "show prints the boxes ticked"
has out "08:05 WIB" "show prints the batas waktu"
# a catatan of two lines keeps its second line under the value column
grep -qE '^ {20,}hari ini$' "$tmp/out" || fail "the second line of the catatan is not indented under its value"
run 2 as kabid complete "$id" --box bakar
has err "Tanggapi, Proses lebih lanjut" "an unknown box is refused with the SOP's list"
run 1 as kabid complete "$id" --deadline 2026-13-01
has err "--deadline" "a bad batas waktu names the option"

# --- 2. the verifier pool ---------------------------------------------------------
start_watch verif2
receive
run 0 as staf complete "$id"
run 0 as kadis complete "$id" --instruction "Proses"
run 0 as kabid complete "$id" --box "proses lebih lanjut"
run 0 as jf complete "$id" --instruction "Verifikasi"
wait_for "$tmp/watch.verif2" "\"kind\":\"didisposisikan\",\"case\":\"$id\".*\"next_step\":5," \
    "the disposition to the pool reaches verifier 2"
run 0 as verif2 inbox
has out "$id" "the pool case is in verifier 2's inbox"
run 2 as verif1 contact "$id" --channel email --summary "Menanyakan data"
has err "sertel take $id" "work on a pool case says to take it first"
run 0 as verif1 take "$id"
has out "Asep Hidayat" "take names the taker"
wait_for "$tmp/watch.verif2" "\"kind\":\"diambil\",\"case\":\"$id\"" \
    "verifier 2 hears that the case was taken"
run 0 as verif2 inbox
grep -qF "$id" "$tmp/out" && fail "the taken case is still in verifier 2's inbox"
run 2 as verif2 take "$id"
has err "Asep Hidayat" "a second take names who has it"
run 2 as verif2 contact "$id" --channel email --summary "Menanyakan data"
run 0 as verif1 contact "$id" --channel email --summary "Menanyakan data"
run 2 as verif2 reassign "$id" --to "${nip[verif2]}" --reason "saya saja"
run 1 as jf reassign "$id" --to "${nip[verif2]}"
has err "--reason" "reassign needs a reason"
run 0 as jf reassign "$id" --to "${nip[verif2]}" --reason "Asep cuti sakit"
has out "Nur Aini" "reassign names the new holder"
wait_for "$tmp/watch.verif2" "\"kind\":\"dialihkan\",\"case\":\"$id\"" "verifier 2 hears of the reassignment"
run 0 as kabid show "$id"
has out "Asep cuti sakit" "the history keeps the reason"
has out "Asep Hidayat" "the history names the previous holder"
grep "Asep cuti sakit" "$tmp/out" | grep -q "#0" &&
    fail "the reassignment's line shows an outbox message's number"
run 0 as verif2 contact "$id" --channel telp --summary "Data lengkap"
run 0 as verif2 complete "$id"

# --- 3. acting officials ------------------------------------------------------------
run 0 adm acting add --for "${nip[kadis]}" --by "${nip[sekdis]}" --from 2026-11-23 --to 2026-11-27
run 2 adm acting add --for "${nip[kadis]}" --by "${nip[kabid]}" --from 2026-11-25 --to 2026-11-30
has err "Hendra Gunawan" "an overlapping acting official is refused, naming the one in place"
run 2 adm acting add --for "${nip[kadis]}" --by "${nip[verif1]}" --from 2026-12-01 --to 2026-12-02
has err "plt-plh" "a staf may not stand in for the Kepala Dinas by default"
run 0 adm acting add --for "${nip[kadis]}" --by "${nip[kabid]}" --from 2026-11-28 --to 2026-11-30
# separation of duties: the staf who registered does not dispose as Plh Kepala Dinas
cat >"$tmp/plt.sop" <<EOS
$(sed -n '/^kode:/,$p' "$src/sop/pembaharuan-sertifikat-elektronik.sop" | sed 's/^kode: pembaharuan/kode: pembaharuan\nplt-plh: kadis = kabid, staf/')
EOS
run 0 adm sop load "$tmp/plt.sop"
run 0 adm acting add --for "${nip[kadis]}" --by "${nip[staf]}" --from 2026-12-01 --to 2026-12-05 --kind plt
# The acting officer hears of it: their inbox changes with the period.
run 0 adm acting add --for "${nip[kadis]}" --by "${nip[verif2]}" --from 2027-01-04 --to 2027-01-05
wait_for "$tmp/watch.verif2" "\"kind\":\"plt-plh\"" "the acting officer hears of the acting assignment"
receive
run 0 as staf complete "$id"
office_clock "2026-12-01 08:00"
run 2 as staf complete "$id" --instruction "Proses"
has err "pisah-tugas" "the registrar may not dispose as Plt Kepala Dinas"
has err "Tino Armyanto" "the refusal names the Kepala Dinas"
office_clock "2026-11-23 08:00"

# --- 4. duplicates ------------------------------------------------------------------------
receive
first=$id
run 2 as staf receive "${form[@]}" --letter-no "800/$letters/disdik "
has err "$first" "a second registration of an open case's letter names the case"
run 1 as staf receive "${form[@]}" --letter-no "800/$letters/Disdik" --force
has err "--reason" "--force needs a reason"
run 0 as staf receive "${form[@]}" --letter-no "800/$letters/Disdik" --force --reason "Surat dikirim ulang"
second=$(head -n 1 "$tmp/out")
[ "$second" != "$first" ] || fail "the forced registration made no new case"
run 0 as kadis show "$second"
has out "Surat dikirim ulang" "the reason for registering again is in the history"
has out "$first" "the history names the case it resembles"

# --- 7. rough edges -------------------------------------------------------------------------
lower=$(echo "$second" | tr 'A-Z' 'a-z')
run 0 as kadis show "$lower"
grep -qE "(Case|Perkara) $second" "$tmp/out" || fail "show in lower case does not find $second"
run 2 as kadis show "SE-2099-99999"
run 0 adm officer add --name "Rudi Hartono" --nip 199301012019031001 --role staf --out "$tmp/keys/rudi.key"
has out "berhasil didaftarkan" "officer add says it enrolled, not that the officer already was"

run 0 as staf receive "${form[@]}" --letter-no 800/777/Disdik --name "Dra. Hj. Ñoño Sútisna, M.Si."
nono=$(head -n 1 "$tmp/out")
for q in "Ñoño" "SÚTISNA" "sutisna" "nono sutisna"; do
    run 0 as kadis find --name "$q"
    has out "$nono" "find --name '$q' folds case and accents"
done

test_end cli_office
