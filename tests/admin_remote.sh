#!/usr/bin/env bash
# sertel-admin's remote commands against a real broker: a data directory
# made by `sertel-broker init` in a temporary directory, the broker on
# tcp://127.0.0.1:0 over CURVE, its endpoint read from the line it prints
# first. Officers are enrolled, listed, given roles and disabled; acting
# officials appointed and ended; the statistics, journal, backup and SOP
# loading used as the office would; and last the broker is stopped to see
# an unreachable one named.
#
# Usage: admin_remote.sh PATH_TO_sertel-admin PATH_TO_sertel-broker SOURCE_DIR
set -euo pipefail

. "$(dirname "$0")/lib.sh"
test_args admin broker src -- "$@"
sop="$src/sop/pembaharuan-sertifikat-elektronik.sop"

test_begin

adm() { english "$admin" "$@"; }

# --- the broker -----------------------------------------------------------
init_data
start_broker
export SERTEL_KEY="$tmp/admin.key"

kadis=197503042001121002
kabid=197806122003121001
verif=199002022015031001
staf=198503142010011003

# --- officer add ------------------------------------------------------------
run 0 adm officer add --name "Tino Armyanto" --nip $kadis --role kadis --out "$tmp/kadis.key"
has out "$tmp/kadis.key" "officer add names the key file"
has out "Hand this file to the officer" "officer add says what to do with it"
[ "$(stat -c %a "$tmp/kadis.key")" = 600 ] || fail "the key file's mode is $(stat -c %a "$tmp/kadis.key"), not 600"
grep -q "^nip = $kadis" "$tmp/kadis.key" || fail "the key file does not name the officer"
ls "$tmp"/kadis.key.tmp-* >/dev/null 2>&1 && fail "a temporary key file was left behind"

run 0 adm officer add --name "Dedi Supriadi" --nip $kabid --role kabid --unit "Bidang Persandian" \
    --out "$tmp/kabid.key"
run 0 adm officer add --name "Asep Hidayat" --nip $verif --role staf --qualification verifikator \
    --out "$tmp/verif.key"
has out "verifikator" "officer add of a verifier"

# An existing --out is refused before anything is sent.
echo "do not touch" >"$tmp/taken.key"
run 1 adm officer add --name "Siti Rahmawati" --nip $staf --role staf --out "$tmp/taken.key"
has err "$tmp/taken.key" "officer add over an existing file"
[ "$(cat "$tmp/taken.key")" = "do not touch" ] || fail "an existing key file was overwritten"

# A bad NIP: Indonesian by default, English on request; nothing written.
run 1 indonesian "$admin" officer add --name "Siti" --nip 12345 --role staf --out "$tmp/bad.key"
has err "NIP harus 18 digit" "bad NIP in Indonesian"
run 1 adm officer add --name "Siti" --nip 12345 --role staf --out "$tmp/bad.key"
has err "NIP must be 18 digits" "bad NIP in English"
run 1 adm officer add --name "Siti" --nip 198513142010011003 --role staf --out "$tmp/bad.key"
has err "198513142010011003" "NIP with an impossible birth date"
[ -e "$tmp/bad.key" ] && fail "a key file was written for a refused officer"
run 1 adm officer add --name "Siti" --nip $staf --role lurah --out "$tmp/bad.key"
has err "lurah" "unknown role"
run 1 adm officer add --name "Siti" --nip $staf --role staf --qualification juru --out "$tmp/bad.key"
has err "juru" "unknown qualification"
run 1 adm officer add --name "Siti" --nip $staf --role staf
has err "--out" "officer add without --out"

# The broker refuses a NIP enrolled already (exit 2), and no file appears.
run 2 adm officer add --name "Tino Lagi" --nip $kadis --role kadis --out "$tmp/again.key"
[ -e "$tmp/again.key" ] && fail "a key file was written for a refused enrolment"
ls "$tmp"/again.key.tmp-* >/dev/null 2>&1 && fail "a refused enrolment left a temporary key file"

# --- officer list, role ---------------------------------------------------
run 0 adm officer list --json
json_ok "officer list --json" \
    "{o['nip']: o['role'] for o in d['officers']}.get('$kadis') == 'kadis' and \
     any(o['nip'] == '$verif' and o['qualifications'] == ['verifikator'] for o in d['officers']) and \
     not any(o['nip'] == '$staf' for o in d['officers'])"
run 0 adm officer list
has out "Tino Armyanto" "officer list"
has out "Head of Agency" "officer list shows role titles"

# The officer's own key file works (with the real port).
run 0 english "$admin" officer list --key "$tmp/kabid.key"

run 0 adm officer role $kabid --role jf
has out "JF" "officer role"
run 0 adm officer list --json
json_ok "officer list after role" \
    "any(o['nip'] == '$kabid' and o['role'] == 'jf' for o in d['officers'])"
run 0 adm officer role $kabid --role kabid
run 2 adm officer role 199105052016041002 --role staf
run 1 adm officer role $kabid
has err "--role" "officer role without --role"

# --- officer disable: the key is refused from then on ----------------------
run 0 english "$admin" officer list --key "$tmp/verif.key"
run 0 adm officer disable $verif
run 2 english "$admin" officer list --key "$tmp/verif.key"
has err "$endpoint" "a disabled key names the broker"
run 0 adm officer list --json
json_ok "officer list after disable" \
    "any(o['nip'] == '$verif' and o['active'] is False for o in d['officers'])"
run 2 adm officer disable 199105052016041002

# --- a lost key: rekey, enable, edit (issue 9) ----------------------------------
run 0 adm officer enable $verif
has out "$verif" "officer enable names the officer"
run 0 english "$admin" officer list --key "$tmp/verif.key"
run 2 adm officer enable $verif
has err "already active" "enable of an active officer"
run 0 adm officer rekey $verif --out "$tmp/verif-baru.key"
has out "Asep Hidayat" "rekey names the officer"
has out "$tmp/verif-baru.key" "rekey names the new key file"
[ "$(stat -c %a "$tmp/verif-baru.key")" = 600 ] || fail "the new key file is not mode 0600"
run 2 english "$admin" officer list --key "$tmp/verif.key"
run 0 english "$admin" officer list --key "$tmp/verif-baru.key"
run 1 adm officer rekey $verif --out "$tmp/verif-baru.key"
has err "never overwritten" "rekey never writes over a file"
run 2 adm officer rekey 199105052016041002 --out "$tmp/siapa.key"
[ -e "$tmp/siapa.key" ] && fail "rekey of an unknown officer wrote a key file"
run 1 adm officer rekey $verif
has err "--out" "rekey without --out"
run 0 adm officer edit $verif --name "Asep Hidayat, S.Kom." --position "Pranata Komputer Ahli Pertama" \
    --unit "Bidang Persandian"
run 0 adm officer list --json
json_ok "officer list after edit" \
    "any(o['nip'] == '$verif' and o['name'] == 'Asep Hidayat, S.Kom.' and \
         o['position'] == 'Pranata Komputer Ahli Pertama' and o['unit'] == 'Bidang Persandian' \
         for o in d['officers'])"
run 1 adm officer edit $verif
has err "--name" "edit with nothing to change"
run 2 adm officer edit 199105052016041002 --name "Siapa"
run 0 adm journal --json
json_ok "rekey, enable and edit are journaled" \
    "all(any(e['kind'] == 'petugas' and w in e['text'] and '$verif' in e['text'] \
             for e in d['events']) for w in ('officer rekey', 'officer enable', 'officer edit'))"
# Enrolled and refused are told apart in Indonesian too.
run 0 indonesian "$admin" officer add --name "Rina Marlina" --nip 199203032019032001 --role staf \
    --position "Pengadministrasi Umum" --out "$tmp/rina.key"
grep -q "sudah terdaftar" "$tmp/out" && fail "officer add's success reads like the refusal"
run 2 indonesian "$admin" officer add --name "Rina Marlina" --nip 199203032019032001 --role staf \
    --out "$tmp/rina2.key"
has err "sudah terdaftar" "officer add of an enrolled NIP"

# --- acting officials ---------------------------------------------------------
run 0 adm acting add --for $kadis --by $kabid --from 2026-12-01 --to 2026-12-05T12:00
has out "Plh." "acting add defaults to Plh."
has out "Dedi Supriadi ($kabid) acts for Tino Armyanto ($kadis)" "acting add names both officers"
run 0 adm acting add --for $kadis --by $kabid --from 2027-01-04 --to 2027-01-08 --kind plt
has out "Plt." "acting add --kind plt"
run 1 adm acting add --for $kadis --by $kabid --from 2026-12-05 --to 2026-12-01
run 1 adm acting add --for $kadis --by $kabid --from 2026-02-30 --to 2026-12-01
has err "2026-02-30" "acting add with an impossible date"
run 1 adm acting add --for $kadis --by $kabid --from 2026-12-01 --to 2026-12-02 --kind pj
run 2 adm acting add --for $kadis --by 199105052016041002 --from 2026-12-01 --to 2026-12-02
run 0 adm acting list --json
json_ok "acting list --json" \
    "len(d['actings']) == 2 and d['actings'][0]['kind'] == 'plh' and \
     d['actings'][0]['holder_nip'] == '$kadis' and d['actings'][0]['by_name'] == 'Dedi Supriadi' and \
     d['actings'][0]['to'] - d['actings'][0]['from'] == 4 * 86400 + 12 * 3600 and \
     d['actings'][1]['kind'] == 'plt' and not d['actings'][0]['ended']"
first=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["actings"][0]["id"])' <"$tmp/out")
run 0 adm acting list
has out "Plh." "acting list"
has out "Dedi Supriadi" "acting list names the acting officer"
has out "WIB" "acting list shows office time"
run 0 adm acting end "$first"
run 0 adm acting list --json
json_ok "acting list after end" "d['actings'][0]['ended'] is True and not d['actings'][1]['ended']"
run 2 adm acting end 999
run 1 adm acting end satu

# --- statistics on an empty store -----------------------------------------------
run 0 adm stats
has out "Per step" "stats text"
has out "Waiting on the applicant" "stats text"
run 0 adm stats --json
json_ok "stats --json" \
    "d['steps'] == [] and d['officers'] == [] and d['months'] == [] and d['waiting']['count'] == 0"
run 0 adm stats --csv --from 2026-11-01 --to 2026-11-30
has out "section,key,label,count,median_seconds" "stats --csv header"
has out "waiting," "stats --csv waiting row"
run 0 adm stats --json --from 2026-11-01 --to 2026-12-31
json_ok "stats --json with a period" "d['period'] == {'from_month': '2026-11', 'to_month': '2026-12'}"
run 1 adm stats --from 2026-13-01
run 1 adm stats --json --csv
# Statistics are for the leaders: the Kadis may, a staf may not.
run 0 english "$admin" stats --key "$tmp/kadis.key"
run 0 adm officer add --name "Siti Rahmawati" --nip $staf --role staf --out "$tmp/staf.key"
run 2 english "$admin" stats --key "$tmp/staf.key"
has err "stats" "stats refused to a staf"

# --- sop load ---------------------------------------------------------------
sed 's/^waktu: 20 menit$/waktu: 20 minit/' "$sop" >"$tmp/rusak.sop"
line=$(grep -n '^waktu: 20 minit$' "$tmp/rusak.sop" | cut -d: -f1 || true)
[ -n "$line" ] || fail "could not break the SOP copy"
run 1 adm sop load "$tmp/rusak.sop"
has err "$tmp/rusak.sop:$line: " "sop load of a broken file names its line"
run 1 adm sop load "$tmp/tidak-ada.sop"
has err "$tmp/tidak-ada.sop" "sop load of a missing file"
run 0 adm sop load "$sop"
has out "pembaharuan" "sop load names the SOP"
run 0 adm sop --help
has out "load FILE" "sop --help lists load"

# --- the journal ------------------------------------------------------------------
run 0 adm journal --json
json_ok "journal --json" \
    "[e['seq'] for e in d['events']] == list(range(1, len(d['events']) + 1)) and \
     sum(e['kind'] == 'sop' for e in d['events']) == 1 and \
     any(e['kind'] == 'petugas' and '$kadis' in e['text'] for e in d['events']) and \
     any(e['kind'] == 'plt-plh' for e in d['events']) and \
     all(e['actor'] == 'admin' and e['time'].endswith('WIB') for e in d['events'])"
total=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))' <"$tmp/out")
run 0 adm journal --json --since 2 --limit 3
json_ok "journal --since --limit" "[e['seq'] for e in d['events']] == [3, 4, 5]"
run 2 adm journal --json --case 2026-TIDAK-ADA
has err "2026-TIDAK-ADA" "journal of an unknown case is an error naming it"
run 0 adm journal
has out "officer changed" "journal text"
has out "SOP loaded" "journal text"
run 1 adm journal --limit 0
run 2 english "$admin" journal --key "$tmp/staf.key"

# --- backup ------------------------------------------------------------------------
run 0 adm backup "$tmp/cadangan"
has out "$tmp/cadangan" "backup names the directory"
has out "machine" "backup says where the copy is"
if ! timeout 30 mdb_stat "$tmp/cadangan" >"$tmp/mdb_stat.out" 2>&1; then
    fail "mdb_stat cannot read the backup: $(cat "$tmp/mdb_stat.out")"
fi
timeout 30 mdb_stat -a "$tmp/cadangan" >"$tmp/mdb_stat.out" 2>&1 || fail "mdb_stat -a on the backup"
# An existing copy is never overwritten.
run 2 adm backup "$tmp/cadangan"
run 1 adm backup relatif/cadangan
has err "relatif/cadangan" "backup of a relative path"

# --- usage ---------------------------------------------------------------------------
run 0 adm --help
for g in officer acting stats journal backup; do
    has out "$g" "sertel-admin --help lists $g"
done
for c in "officer add" "officer list" "officer disable" "officer role" "acting add" \
    "acting list" "acting end" "stats" "journal" "backup" "sop load"; do
    # shellcheck disable=SC2086
    run 0 adm $c --help
    has out "sertel-admin $c" "$c --help"
done
run 1 adm officer pecat $kadis
run 1 adm officer disable --bogus
run 1 adm officer disable $kadis --json

# --- the broker unreachable --------------------------------------------------------------
stop_broker
run 3 adm journal --json
has err "$endpoint" "an unreachable broker is named"
[ -s "$tmp/out" ] && fail "journal printed a document without a broker"
sanitizer_clean "$tmp/broker.err" "the broker's log"

[ "$total" -gt 0 ] || fail "the journal was empty"
test_end admin_remote
