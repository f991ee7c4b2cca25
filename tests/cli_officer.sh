#!/usr/bin/env bash
# sertel, the officer's client, run as the office runs it against a real
# broker: a data directory made by `sertel-broker init` in a temporary
# directory, the broker on tcp://127.0.0.1:0 over CURVE (its endpoint read
# from the first line it prints, into a file), officers enrolled with
# `sertel-admin officer add`. Then the whole seven-step renewal by the
# right officers with `sertel` alone, each disposition reaching the next
# officer's `sertel watch --json`; a wrong-role command refused; bad input
# refused before anything is sent; a watch stopped and started again
# catching up on exactly what it missed; a restarted broker followed; an
# unreachable broker named.
#
# Nothing sleeps for a fixed time: every wait is a bounded loop on a
# file's contents. Background processes write to files and are killed by
# pid on exit.
#
# Usage: cli_officer.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel SOURCE_DIR
set -euo pipefail

. "$(dirname "$0")/lib.sh"
test_args broker admin sertel src -- "$@"

test_begin

# --- the broker -------------------------------------------------------------
init_data
start_broker

# --- officers ---------------------------------------------------------------
if ! "$admin" officer add --help >/dev/null 2>&1; then
    echo "FAIL: sertel-admin has no 'officer add' to enrol the officers with" >&2
    exit 1
fi
enrol_office

# --- help, version, usage -----------------------------------------------------
run 0 english "$sertel" --version
has out "sertel " "--version"
run 0 english "$sertel" --help
cp "$tmp/out" "$tmp/help"
for cmd in receive inbox show find complete return resume reject withdraw contact certificate watch; do
    grep -qE "^  $cmd " "$tmp/help" || fail "--help does not list $cmd"
    run 0 english "$sertel" "$cmd" --help
    has out "Usage: sertel $cmd" "$cmd --help"
done
run 0 indonesian "$sertel" receive --help
has out "Penggunaan: sertel receive" "receive --help in Indonesian"
run 1 indonesian "$sertel" lapor
has err "lapor" "an unknown command is named"
# Without a command `sertel` will open the terminal UI; not on a terminal.
run 1 indonesian "$sertel" </dev/null

# --- bad input: exit 1, nothing sent --------------------------------------------
# Nothing listens on port 1: a command that sent anything would wait for
# it and exit 3, not 1.
nowhere=tcp://127.0.0.1:1
make_pdf "$tmp/surat.pdf" "surat permohonan pembaharuan"
form=(--name "Budi Santoso" --nip 198707072011011001 --unit "Dinas Pendidikan"
    --position "Analis Kepegawaian" --email budi.santoso@ciamiskab.go.id --phone 081234567890
    --channel surat --letter-no 800/123/Disdik --letter-date 2026-11-20
    --subject "Permohonan pembaharuan sertifikat elektronik" --attach "$tmp/surat.pdf")
# form_with OPTION VALUE : the form, in $changed, with one option's value
# replaced or added (VALUE "-" drops the option).
form_with() {
    local opt=$1 value=$2 i found=
    changed=()
    for ((i = 0; i < ${#form[@]}; i++)); do
        if [ "${form[$i]}" = "$opt" ]; then
            [ "$value" = - ] || changed+=("$opt" "$value")
            i=$((i + 1))
            found=1
        else
            changed+=("${form[$i]}")
        fi
    done
    [ -n "$found" ] || [ "$value" = - ] || changed+=("$opt" "$value")
}

form_with --nip 12345
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--nip" "bad NIP names the option"
has err "NIP harus 18 digit" "bad NIP in Indonesian"
form_with --nip 12345
run 1 as_en staf receive "${changed[@]}" --endpoint $nowhere
has err "NIP must be 18 digits" "bad NIP in English"
form_with --email "budi@ciamiskab"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--email" "bad e-mail names the option"
form_with --letter-date 2026-02-30
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--letter-date" "impossible date names the option"
form_with --letter-date 20-11-2026
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--letter-date" "badly written date names the option"
has err "TTTT-BB-HH" "the date format is named in the user's words"
# A letter dated, or received, after today: refused here (exit 1), not
# only by the broker.
form_with --letter-date 2099-01-01
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--letter-date 2099-01-01 melewati hari ini" "a future letter date is refused before sending"
form_with --received 2099-01-01
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--received 2099-01-01" "a future day of receipt is refused before sending"
run 1 as staf renew 01AB --letter-date 2099-01-01 --endpoint $nowhere
has err "2099-01-01" "renew: a future letter date is refused before sending"
# Help and errors name one date format: TTTT-BB-HH in Indonesian,
# YYYY-MM-DD in English.
run 0 indonesian "$sertel" receive --help
has out "--letter-date TTTT-BB-HH" "Indonesian help names the date as errors do"
grep -q "YYYY" "$tmp/out" && fail "Indonesian help still says YYYY-MM-DD"
run 0 english "$sertel" receive --help
has out "--letter-date YYYY-MM-DD" "English help names the date as YYYY-MM-DD"
# Limits are told in characters.
form_with --subject "$(printf 'Ñ%.0s' $(seq 1 300))"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "300 karakter" "a limit is counted and told in characters"
form_with --phone 12ab
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--phone" "bad phone names the option"
form_with --nik 1234
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--nik" "bad NIK names the option"
form_with --channel merpati
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "merpati" "unknown channel"
form_with --urgency kilat
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "kilat" "unknown urgency"
form_with --subject -
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "--subject" "missing required option"
form_with --attach "$tmp/tidak-ada.pdf"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "$tmp/tidak-ada.pdf" "missing attachment"
: >"$tmp/kosong.pdf"
form_with --attach "$tmp/kosong.pdf"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "kosong.pdf" "empty attachment"
head -c $((4 * 1024 * 1024 + 1)) /dev/zero >"$tmp/besar.pdf"
form_with --attach "$tmp/besar.pdf"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "besar.pdf" "attachment over 4 MiB"
# The letter is judged by content, not by name (issue 9, point 5).
printf 'Bukan PDF, hanya teks yang diberi nama .pdf\n' >"$tmp/palsu.pdf"
form_with --attach "$tmp/palsu.pdf"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "palsu.pdf" "a renamed text file as the letter"
has err "pdf menurut isinya" "the letter's type is judged by content"
head -c -20 "$tmp/surat.pdf" >"$tmp/terpotong.pdf"
form_with --attach "$tmp/terpotong.pdf"
run 1 as staf receive "${changed[@]}" --endpoint $nowhere
has err "rusak atau terpotong" "a PDF cut short"
run 1 as staf complete SE-2026-00001 --attach "$tmp/terpotong.pdf" --endpoint $nowhere
has err "terpotong.pdf" "a PDF cut short is refused at any step"
run 1 as staf receive "${form[@]}" --bogus x --endpoint $nowhere
has err "--bogus" "unknown option"
run 1 as staf complete --endpoint $nowhere
has err "sertel complete" "complete without a case"
run 1 as staf complete SE-2026-00001 --to 123 --endpoint $nowhere
has err "--to" "complete --to a bad NIP"
run 1 as staf return SE-2026-00001 --endpoint $nowhere
has err "--reason" "return without a reason"
run 1 as staf contact SE-2026-00001 --channel merpati --summary x --endpoint $nowhere
has err "merpati" "contact by an unknown channel"
run 1 as staf certificate SE-2026-00001 --serial 01 --endpoint $nowhere
has err "--not-after" "certificate without its expiry"
run 1 as staf certificate SE-2026-00001 --serial 01 --not-after 2030-02-30 --endpoint $nowhere
has err "2030-02-30" "certificate with an impossible expiry"
run 1 as staf certificate SE-2026-00001 --file "$tmp/surat.pdf" --endpoint $nowhere
has err "surat.pdf" "a file that is no certificate"
run 1 as staf find --from 2026-13-01 --endpoint $nowhere
has err "--from" "find from an impossible date"
run 1 as staf find --state hilang --endpoint $nowhere
has err "hilang" "find by an unknown state"
run 1 as staf find --nip 1985 --endpoint $nowhere
has err "--nip" "find by a bad NIP"
# ... and the broker has no case.
run 0 as staf find --json
json_ok "no case after refused input" "d['cases'] == []"

# --- watches of the officers who receive the dispositions ------------------------
for who in kadis kabid jf verif2 verif1; do
    start_watch $who
done

# disposed_to WHO STEP : WHO's watch printed the disposition of $id to STEP.
disposed_to() {
    wait_for "$tmp/watch.$1" "\"kind\":\"didisposisikan\",\"case\":\"$id\".*\"next_step\":$2," \
        "disposition to step $2 reaches $1"
}

# --- step 1: the staf receives the application ----------------------------------
# Without an SOP file at hand the client cannot judge the letter's type:
# the broker refuses it, naming the step and the types it takes.
form_with --attach "$tmp/palsu.pdf"
mkdir -p "$tmp/tanpa-sop"
SERTEL_SOP_DIR="$tmp/tanpa-sop" run 2 as staf receive "${changed[@]}"
has err "palsu.pdf" "the broker refuses a renamed text file as the letter"
has err "hanya sebagai pdf" "the refusal names the types the SOP takes"
run 0 as staf receive "${form[@]}"
id=$(cat "$tmp/out")
[[ "$id" =~ ^SE-[0-9]{4}-[0-9]+$ ]] || fail "receive printed '$id', not a case number alone"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "receive printed more than the case number on stdout"
has err "$id" "receive says what it did on stderr"
has err "langkah 1 (Staf, Siti Rahmawati)" "receive names where the case is"
wait_for "$tmp/watch.kadis" "\"kind\":\"diterima\",\"case\":\"$id\"" "the Kepala Dinas sees the new application"

run 0 as staf inbox
has out "$id" "inbox of the staf"
has out "Langkah 1" "inbox shows the step"
has out "sisa " "inbox shows the time left"
has out "Budi Santoso" "inbox shows the applicant"
has out "biasa" "inbox shows the urgency"
run 0 as staf inbox --json
json_ok "inbox --json" "[c['id'] for c in d['cases']] == ['$id'] and d['cases'][0]['step'] == 1 \
    and d['cases'][0]['time_left'] > 0 and d['cases'][0]['applicant']['name'] == 'Budi Santoso'"

run 0 as staf complete "$id" --instruction "Mohon disposisi"
has out "$id: didisposisikan ke langkah 2 (Kepala Dinas)" "step 1 completed"
disposed_to kadis 2

# --- a wrong-role command is refused, in the user's language ----------------------
run 2 as kabid complete "$id" --instruction "Langsung saja"
has err "adalah tugas Kepala Dinas" "wrong role refused with the broker's reason in Indonesian"
run 2 as_en kabid complete "$id" --instruction "Langsung saja"
has err "is for Head of Agency; you act as" "wrong role refused with the broker's reason in English"
run 2 as verif1 withdraw "$id" --reason "Bukan urusan saya"
run 0 as kabid show "$id" --json
json_ok "a refused command changed nothing" "d['case']['step'] == 2 and d['case']['state'] == 'terbuka'"

# --- steps 2 to 4: dispositions down the line --------------------------------------
run 0 as kadis inbox
has out "$id" "inbox of the Kepala Dinas"
run 0 as kadis complete "$id" --instruction "Proses sesuai SOP"
has out "$id: didisposisikan ke langkah 3 (Kepala Bidang Persandian dan KAMI)" "step 2 completed"
disposed_to kabid 3
run 0 as kabid complete "$id" --instruction $'Tindak lanjuti\nHubungi pemohon hari ini'

has out "langkah 4 (JF Keamanan Informasi)" "step 3 completed"
disposed_to jf 4
run 0 as jf complete "$id" --to "${nip[verif2]}" --instruction "Verifikasi dan asistensi"
has out "langkah 5 (Staf (verifikator), Nur Aini)" "step 4 disposed to a named verifier"
disposed_to verif2 5

# --- step 5: check, contact, return and resume ----------------------------------------
# A refusal names the assignee as people know them: name, position, NIP.
run 0 english "$admin" officer edit --key "$tmp/admin.key" "${nip[verif2]}" \
    --position "Pranata Komputer Ahli Pertama"
run 2 as verif1 contact "$id" --channel email --summary "Bukan kasus saya"
has err "ditugaskan kepada Nur Aini (Pranata Komputer Ahli Pertama, NIP ${nip[verif2]})" \
    "wrong-actor refusal names the assignee with their position"
run 2 as verif2 complete "$id"
has err "Kelengkapan" "step 5 needs a contact first"
run 0 as verif2 return "$id" --reason "Mohon lampirkan SK terakhir"
has out "$id" "return"
run 0 as verif2 inbox
has out "menunggu" "inbox shows a case waiting on the applicant"
run 0 as verif2 resume "$id" --note "SK diterima lewat e-mail"
has out "langkah 5" "resume"
run 0 as verif2 contact "$id" --channel email --summary "Pemohon dipandu memperbarui di aplikasi BSrE"
has out "email" "contact names the channel"
run 0 as verif2 complete "$id" --note "Berkas lengkap"
has out "langkah 6 (Staf (verifikator), Nur Aini)" "step 5 completed"
disposed_to verif2 6

# --- step 6: the certificate and the report ------------------------------------------
run 0 as verif2 certificate "$id" --serial 01AB --not-after 2030-01-01
has out "01AB" "certificate by hand"
has out "2030" "certificate by hand names its expiry"
serial=5A3F09C1
# cert_for FILE SUBJECT : a self-signed certificate for SUBJECT, as DER.
cert_for() {
    openssl req -x509 -utf8 -newkey rsa:2048 -nodes -keyout "$tmp/other.key" -out "$tmp/other.pem" \
        -days 400 -subj "$2" -set_serial 0x77 >/dev/null 2>&1 &&
        openssl x509 -in "$tmp/other.pem" -outform DER -out "$1"
}
# The subject names the applicant (titles, case and accents aside), and a
# NIP in its serialNumber is the applicant's.
if openssl req -x509 -utf8 -newkey rsa:2048 -nodes -keyout "$tmp/cert.key" -out "$tmp/cert.pem" \
    -days 400 -subj "/CN=Drs. BÚDI SANTOSO, M.Si./serialNumber=NIP:198707072011011001" \
    -set_serial 0x$serial >/dev/null 2>&1; then
    openssl x509 -in "$tmp/cert.pem" -outform DER -out "$tmp/cert.der"
    cert_for "$tmp/lain.der" "/CN=Siti Aminah"
    # The broker loads OpenSSL at the first certificate sent whole, not
    # before (server/certread.c: 1.4 MiB resident otherwise). broker_pid
    # is timeout's; the broker is its child.
    broker_self=$(cat "/proc/$broker_pid/task/$broker_pid/children")
    broker_self=${broker_self%% *}
    [ -n "$broker_self" ] || broker_self=$broker_pid
    if grep -q 'libcrypto\.so' "/proc/$broker_self/maps"; then
        fail "the broker mapped OpenSSL before any certificate sent whole"
    fi
    run 2 as verif2 certificate "$id" --file "$tmp/lain.der"
    grep -q 'libcrypto\.so' "/proc/$broker_self/maps" ||
        fail "the broker read a certificate sent whole without OpenSSL"
    has err "Siti Aminah" "a certificate of someone else is refused, naming its holder"
    has err "Budi Santoso" "the refusal names the applicant"
    cert_for "$tmp/nip-lain.der" "/CN=Budi Santoso/serialNumber=199001012015031001"
    run 2 as verif2 certificate "$id" --file "$tmp/nip-lain.der"
    has err "199001012015031001" "a certificate naming another NIP is refused"
    run 0 as verif2 show "$id"
    has out "01AB" "a refused certificate changes nothing"
    run 0 as verif2 certificate "$id" --file "$tmp/cert.der"
    has out "$serial" "certificate from a DER file"
    run 0 as verif2 certificate "$id" --file "$tmp/cert.pem"
    has out "$serial" "certificate from a PEM file"
else
    echo "note: no openssl command; the certificate files are not tried" >&2
    serial=01AB
fi
# The broker judges the laporan by content too (the client checks a
# letter's type only; the step is the broker's to know).
printf 'PK\003\004 a spreadsheet renamed\n' >"$tmp/laporan-palsu.pdf"
run 2 as verif2 complete "$id" --attach "$tmp/laporan-palsu.pdf"
has err "laporan-palsu.pdf" "a renamed file as the laporan is refused by the broker"
has err "langkah 6" "the refusal names the step"
make_pdf "$tmp/laporan.pdf" "laporan hasil pembaharuan"
run 0 as verif2 complete "$id" --attach "$tmp/laporan.pdf"
has out "langkah 7 (Kepala Dinas, Tino Armyanto)" "step 6 completed with the report"
disposed_to kadis 7

# --- step 7: the Kepala Dinas receives the report -------------------------------------
run 0 as kadis complete "$id"
has out "$id" "step 7 completed"
has out "diarsipkan" "the case is archived"
for who in kadis kabid jf verif2; do
    wait_for "$tmp/watch.$who" "\"kind\":\"diarsipkan\",\"case\":\"$id\"" "$who hears of the archive"
done
# Verifier 1 never had the case: nothing of it reached them.
grep -qF "\"case\":\"$id\"" "$tmp/watch.verif1" && fail "a verifier who never had the case heard of it"
for who in kadis kabid jf verif2 verif1; do
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/watch.$who" ||
        fail "watch --json of $who printed a line that is not JSON"
done

# --- show and find ----------------------------------------------------------------------
run 0 as kadis show "$id"
has out "$id" "show"
has out "diarsipkan" "show: the state"
has out "Budi Santoso" "show: the applicant"
has out "800/123/Disdik" "show: the letter"
has out "surat.pdf" "show: the attachment"
has out "$(sha256sum "$tmp/surat.pdf" | cut -d' ' -f1)" "show: the attachment's hash"
has out "laporan.pdf" "show: the report"
has out "$serial" "show: the certificate"
has out "Lembar disposisi" "show: the lembar disposisi"
has out "Proses sesuai SOP" "show: an instruction"
# A multi-line instruction keeps each event on its line in the history and
# the lembar disposisi.
has out "Tindak lanjuti / Hubungi pemohon hari ini" "show: a multi-line instruction on one line"
grep -q '^Hubungi pemohon' "$tmp/out" && fail "show: a multi-line instruction broke an event's line"
has out "Tino Armyanto (Kepala Dinas)" "show: who disposed"
# Case numbers are case-insensitive everywhere; an unknown one is an error.
lower=${id,,}
run 0 as kadis show "$lower"
has out "$id" "show of a case number typed in lower case"
run 0 as kadis attachment "$lower" 1 --out "$tmp/surat-lower.pdf"
run 0 english "$admin" journal --key "$tmp/admin.key" --case "$lower"
has out "$id" "journal --case in lower case"
run 2 english "$admin" journal --key "$tmp/admin.key" --case SE-2026-99999
has err "SE-2026-99999" "journal --case of an unknown case is an error"
run 0 indonesian "$admin" journal --key "$tmp/admin.key" --case "$id"
has out "Siti Rahmawati" "the journal's Pelaksana column names the officer"
has out "Nur Aini" "the journal's Pelaksana column names the verifier"
grep -q "${nip[verif2]}" "$tmp/out" && fail "the journal's table shows a NIP where a name is known"
has out "dihubungi" "show: the contact in the history"
has out "dikembalikan" "show: the return in the history"
# The Kadis, receiving the report at step 7, can open it and the letter.
run 0 as kadis attachment "$id" 2 --out "$tmp/laporan-diterima.pdf"
cmp -s "$tmp/laporan.pdf" "$tmp/laporan-diterima.pdf" || fail "attachment: the report as saved differs"
run 1 as kadis attachment "$id" 2 --out "$tmp/laporan-diterima.pdf"
has err "laporan-diterima.pdf" "attachment: never over an existing file"
run 1 as kadis attachment "$id" 9 --out "$tmp/x.pdf"
run 2 as verif1 attachment "$id" 1 --out "$tmp/y.pdf"
[ ! -e "$tmp/y.pdf" ] || fail "attachment: an uninvolved verifier got the letter"
run 0 as kadis show "$id" --json
json_ok "show --json" "d['case']['state'] == 'selesai' and d['case']['certificate']['serial'] == '$serial' \
    and [e['kind'] for e in d['history'] if e['kind'] in ('diterima', 'didisposisikan', 'diarsipkan')] \
        == ['diterima'] + ['didisposisikan'] * 6 + ['diarsipkan'] \
    and d['case']['attachments'][0]['hash'] == '$(sha256sum "$tmp/surat.pdf" | cut -d' ' -f1)' \
    and [e['next_step'] for e in d['history'] if e['kind'] == 'didisposisikan'] == [2, 3, 4, 5, 6, 7]"
run 2 as kadis show SE-1999-99999
has err "SE-1999-99999" "show of an unknown case"

run 0 as staf find --name budi
has out "$id" "find by part of the name"
run 0 as staf find --name budi --json
json_ok "find --json" "[c['id'] for c in d['cases']] == ['$id']"
run 0 as staf find --nip 198707072011011001 --state selesai --json
json_ok "find by NIP and state" "len(d['cases']) == 1"
run 0 as staf find --state diarsipkan --json
json_ok "find by the state as the lists show it" "len(d['cases']) == 1"
run 0 as staf find --state terbuka --json
json_ok "find by another state" "d['cases'] == []"
today=$(TZ=Asia/Jakarta date +%F)
tomorrow=$(TZ=Asia/Jakarta date -d tomorrow +%F)
run 0 as staf find --from "$today" --to "$today" --json
json_ok "find by today's date" "len(d['cases']) == 1"
run 0 as staf find --from "$tomorrow" --json
json_ok "find from tomorrow" "d['cases'] == []"
run 1 as staf find --from "$tomorrow" --to "$today"
has err "--from" "find with the dates swapped"

# sertel-admin stats fits 80 columns by default, --wide shows the whole
# table, and cases are counted end to end (issue 9).
run 0 indonesian "$admin" stats --key "$tmp/admin.key"
python3 -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 80 for l in open(sys.argv[1], encoding="utf-8")))' \
    "$tmp/out" || fail "stats: a line is wider than 80 columns"
has out "Perkara (ujung ke ujung)" "stats counts cases end to end"
has out "Siti Rahmawati" "stats names the officers"
grep -q "${nip[staf]}" "$tmp/out" && fail "stats: the narrow table shows NIPs"
run 0 indonesian "$admin" stats --wide --key "$tmp/admin.key"
has out "${nip[staf]}" "stats --wide shows the officers' NIPs"
has out "Menerima Permohonan pembaharuan sertifikat elektronik" "stats --wide shows whole activities"
run 0 english "$admin" stats --json --key "$tmp/admin.key"
json_ok "stats --json counts cases" \
    "d['cases']['registered'] >= 1 and d['cases']['archived'] >= 1 and \
     d['cases']['within'] + d['cases']['beyond'] <= d['cases']['archived']"

# --- a watch stopped and started again catches up on exactly what it missed --------------
stop_watch kadis
mv "$tmp/watch.kadis" "$tmp/watch.kadis.before"
run 0 as staf receive "${form[@]}" --letter-no 800/125/Disdik
id2=$(cat "$tmp/out")
run 0 as staf complete "$id2" --instruction "Mohon disposisi"
run 0 as kadis complete "$id2" --instruction "Proses"
run 0 as kabid return "$id2" --reason "Tidak relevan untuk Kadis"
start_watch kadis
id=$id2
wait_for "$tmp/watch.kadis" "\"kind\":\"didisposisikan\",\"case\":\"$id2\".*\"next_step\":3," \
    "the restarted watch catches up"
# What the broker has for the Kepala Dinas, from a watch that never ran.
XDG_STATE_HOME="$tmp/state-fresh" timeout 600 env -u LANG "$sertel" watch --json \
    --key "$tmp/keys/kadis.key" >"$tmp/watch.kadis.all" 2>"$tmp/watch.kadis.all.err" &
bg_pids+=($!)
fresh_pid=$!
wait_for "$tmp/watch.kadis.all" "\"kind\":\"didisposisikan\",\"case\":\"$id2\".*\"next_step\":3," \
    "a fresh watch replays everything"
stop_process "$fresh_pid" || true
python3 - "$tmp/watch.kadis.before" "$tmp/watch.kadis" "$tmp/watch.kadis.all" <<'EOF' ||
import json, sys
seqs = [[json.loads(l)["seq"] for l in open(f)] for f in sys.argv[1:]]
before, after, everything = seqs
last = max(before)
missed = [s for s in everything if s > last]
if after != missed:
    sys.exit(f"caught up {after}, missed {missed} (saw up to {last})")
if before + after != everything:
    sys.exit(f"before {before} + after {after} != everything {everything}")
EOF
    fail "the restarted watch did not catch up on exactly the missed events"
# The position file: "BROKER-ID EPOCH SEQ ENDPOINT", this broker's line first.
[ "$(awk 'NR == 1 {print $3}' "$XDG_STATE_HOME/sertel/${nip[kadis]}.pos")" -ge "$(python3 -c \
    'import json,sys; print(max(json.loads(l)["seq"] for l in open(sys.argv[1])))' "$tmp/watch.kadis")" ] ||
    fail "the position file lags behind what the watch printed"

# --- the broker restarts: the watches follow -----------------------------------------------
before=$endpoint
stop_broker
start_broker "tcp://127.0.0.1:${endpoint##*:}"
[ "$endpoint" = "$before" ] || fail "the broker came back on $endpoint, not $before"
run 0 as staf receive "${form[@]}" --letter-no 800/126/Disdik
id3=$(cat "$tmp/out")
run 0 as staf complete "$id3" --instruction "Mohon disposisi"
wait_for "$tmp/watch.kadis" "\"kind\":\"didisposisikan\",\"case\":\"$id3\".*\"next_step\":2," \
    "a watch follows a restarted broker" 60
[ "$(grep -cF "\"case\":\"$id3\"" "$tmp/watch.kadis")" -eq 2 ] ||
    fail "after the restart the watch printed $(grep -cF "\"case\":\"$id3\"" "$tmp/watch.kadis") events of $id3, expected 2"

# The text form of watch: one line per event, in Indonesian.
timeout 600 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG XDG_STATE_HOME="$tmp/state-text" \
    "$sertel" watch --key "$tmp/keys/kabid.key" >"$tmp/watch.text" 2>"$tmp/watch.text.err" &
bg_pids+=($!)
watch_pid[text]=$!
wait_for "$tmp/watch.text" "$id2 +dikembalikan" "watch prints a line per event"
has_line() { grep -qF -- "$2" "$1" || fail "$3: no '$2' in $(basename "$1")"; }
has_line "$tmp/watch.text" "Dedi Supriadi (Kepala Bidang Persandian dan KAMI)" "watch names who acted"
has_line "$tmp/watch.text" "WIB" "watch prints the time"

# --- an acting official: the Kepala Bidang as Plh. Kepala Dinas --------------------------------
run 0 english "$admin" acting add --key "$tmp/admin.key" --for "${nip[kadis]}" --by "${nip[kabid]}" \
    --from "$today" --to "$tomorrow"
run 0 as kabid inbox
has out "$id3" "a Plh. sees the inbox of the official they stand in for"
run 0 as kabid complete "$id3" --instruction "Atas nama Kepala Dinas"
has out "$id3: didisposisikan ke langkah 3" "a Plh. disposes in the official's place"
run 0 as staf show "$id3"
has out "Dedi Supriadi (Plh. Kepala Dinas)" "show names the Plh."
run 0 as staf show "$id3" --json
json_ok "show --json of a Plh.'s disposition" "[(e['acting'], e['acting_for'], e['actor']) \
    for e in d['history'] if e['kind'] == 'didisposisikan' and e['step'] == 2] \
    == [('plh', '${nip[kadis]}', '${nip[kabid]}')]"

# --- an unreachable broker is named -----------------------------------------------------------
run 3 as kadis inbox --endpoint $nowhere
has err "$nowhere" "an unreachable broker is named"
run 3 as staf receive "${form[@]}" --endpoint $nowhere
has err "$nowhere" "an unreachable broker is named by a write"

# --- a bounded search goes on where the broker stopped -----------------------------------
# One case examined per request: find asks again from the last case
# examined until every case was, and lists what the unbounded search does.
run 0 as kadis find --name a --json
python3 -c 'import json,sys; print(sorted(c["id"] for c in json.load(open(sys.argv[1]))["cases"]))' \
    "$tmp/out" >"$tmp/found.whole"
[ "$(wc -c <"$tmp/found.whole")" -gt 20 ] || fail "find --name a found too little to compare"
for who in "${!watch_pid[@]}"; do
    stop_watch "$who"
done
stop_broker
broker_args=(--max-search-scan 1)
start_broker
run 0 as kadis find --name a --json
python3 -c 'import json,sys; print(sorted(c["id"] for c in json.load(open(sys.argv[1]))["cases"]))' \
    "$tmp/out" >"$tmp/found.paged"
cmp -s "$tmp/found.whole" "$tmp/found.paged" ||
    fail "a find the broker bounded at one case lists $(cat "$tmp/found.paged"), not $(cat "$tmp/found.whole")"
run 0 as_en kadis find --name "Nama Yang Tidak Ada"
has out "No case matches" "a bounded find of nothing"
[ -s "$tmp/err" ] && fail "a bounded find that examined every case warned: $(cat "$tmp/err")"
stop_broker
for f in "$tmp"/watch.*.err "$tmp/broker.err"; do
    sanitizer_clean "$f" "$(basename "$f")"
done

test_end cli_officer
