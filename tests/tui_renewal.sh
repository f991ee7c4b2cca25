#!/usr/bin/env bash
# A whole renewal, steps 1 to 7, from the terminal UI alone: six officers,
# each in their own 80x24 terminal (tmux windows) running `sertel` against
# one real broker over CURVE. Nothing is done with the command line but
# enrolling the officers and reading the case back to check it.
#
#   1 the staf registers the application from the form (required fields
#     marked *), tries to complete the step without the letter (the
#     broker's refusal is shown whole, wrapped in the form), attaches the
#     letter and disposes it;
#   2 the Kepala Dinas disposes it; 3 the Kepala Bidang, to the JF chosen
#     by name from the list;
#   4 the JF's "to" list offers the verifiers by name (not the others), and
#     the JF disposes to the verifiers' pool;
#   5 one verifier takes it (it leaves the other's inbox, who is told who
#     took it), logs the contact and completes;
#   6 the verifier records the certificate from its file, writes the
#     laporan (a PDF), and completes the step with it attached (the form
#     offers the laporan just written);
#   7 the Kepala Dinas writes the laporan to read it, and archives the case.
#
# Everything waits in bounded loops on what the screens show; nothing
# sleeps a fixed time.
#
# Usage: tui_renewal.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel
set -euo pipefail

usage="usage: tui_renewal.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel"
broker=${1:?$usage}
admin=${2:?$usage}
sertel=${3:?$usage}

for tool in tmux openssl; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "tui_renewal: SKIPPED: $tool is not installed (bash .ci/deps installs it); the renewal was not walked"
        exit 0
    fi
done

. "$(dirname "$0")/lib.sh"
test_begin
sock="$tmp/tmux.sock"
at_exit() { tmux -S "$sock" kill-server >/dev/null 2>&1 || true; }

init_data
start_broker

declare -A nip=(
    [staf]=198503142010012003 [kadis]=197503042001121002 [kabid]=197806122003121001
    [jf]=198801012012012002 [verif1]=199002022015031001 [verif2]=199105052016042002
)
adm() { english env SERTEL_KEY="$tmp/admin.key" "$admin" "$@"; }
adm officer add --name "Siti Rahmawati" --nip "${nip[staf]}" --role staf --out "$tmp/staf.key" >/dev/null
adm officer add --name "Tino Armyanto" --nip "${nip[kadis]}" --role kadis --out "$tmp/kadis.key" >/dev/null
adm officer add --name "Dedi Supriadi" --nip "${nip[kabid]}" --role kabid --out "$tmp/kabid.key" >/dev/null
adm officer add --name "Rina Kurniasih" --nip "${nip[jf]}" --role jf --out "$tmp/jf.key" >/dev/null
adm officer add --name "Asep Hidayat" --nip "${nip[verif1]}" --role staf --qualification verifikator \
    --out "$tmp/verif1.key" >/dev/null
adm officer add --name "Nur Aini" --nip "${nip[verif2]}" --role staf --qualification verifikator \
    --out "$tmp/verif2.key" >/dev/null

# --- the terminals ---------------------------------------------------------------
T() { tmux -S "$sock" "$@"; }
# One window per officer, 80x24, the UI started in English in a directory
# of the officer's own (where it writes the PDFs).
T -f /dev/null new-session -d -s office -n idle -x 80 -y 24
for who in staf kadis kabid jf verif1 verif2; do
    mkdir -p "$tmp/$who"
    T new-window -d -t office -n "$who" -c "$tmp/$who" \
        env -i PATH="$PATH" HOME="$tmp/$who" TERM=screen LANG=en_US.UTF-8 \
        SERTEL_KEY="$tmp/$who.key" SERTEL_ENDPOINT="$endpoint" "$sertel"
    T resize-window -t "office:$who" -x 80 -y 24
done

# snap WHO : that terminal's screen, in $tmp/screen.
snap() { T capture-pane -p -t "office:$1" >"$tmp/screen"; }

show_screen() {
    echo "  screen was:" >&2
    sed 's/^/  | /' "$tmp/screen" >&2
}

# see WHO TEXT WHAT [SECONDS] : until WHO's screen shows TEXT. What follows
# depends on it: a screen that never shows it ends the test.
see() {
    local who=$1 text=$2 what=$3 limit=${4:-20} i
    for ((i = 0; i < limit * 20; i++)); do
        snap "$who"
        grep -qF -- "$text" "$tmp/screen" && return 0
        sleep 0.05
    done
    fail "$what: $who's screen never showed '$text'"
    show_screen
    exit 1
}

# keys WHO KEY... : typed on WHO's terminal.
keys() {
    local who=$1
    shift
    T send-keys -t "office:$who" "$@"
}

for who in staf kadis kabid jf verif1 verif2; do
    see "$who" "No cases wait on you." "$who's UI starts on an empty inbox"
    see "$who" "[connected]" "$who's UI is connected"
done

# --- step 1: the staf registers the application -------------------------------------
keys staf n
see staf "Register an application (step 1)" "n opens the application form"
for label in "Applicant's name *" "NIP (18 digits) *" "E-mail *" "Letter no. *" \
    "Letter date (YYYY-MM-DD) *" "Subject *"; do
    grep -qF -- "$label" "$tmp/screen" || { fail "the form does not mark '$label' as required"; show_screen; }
done
grep -qF "NIK (16 digits) *" "$tmp/screen" && fail "the NIK, which is optional, is marked required"
letter_date=$(date -d yesterday +%F)
# Name, NIP, (NIK), unit, position, e-mail, phone, (came by), letter no.,
# date, subject; the urgency chosen by its first letter.
# The NIP mistyped first: the field is named by its label, and focused.
keys staf "Budi Santoso" Tab 12345 Tab Tab "Dinas Pendidikan" Tab "Analis Kebijakan" Tab \
    budi@ciamiskab.go.id Tab 081234567890 Tab Tab 800/123/Disdik Tab "$letter_date" Tab \
    "Pembaharuan sertifikat elektronik" Tab s Enter
see staf "NIP (18 digits): " "a mistyped NIP refused, named by the form's label"
grep -qF -- "--nip" "$tmp/screen" && fail "the form's refusal names a command-line option"
keys staf C-u 198702152010011004 Enter
see staf "registered (step 1)" "the application registered from the form"
id=$(grep -oE 'SE-[0-9]{4}-[0-9]+' "$tmp/screen" | head -n 1)
[ -n "$id" ] || { fail "no case number on the screen"; show_screen; exit 1; }
see staf "$id" "the new case in the staf's inbox"

# Step 1 needs the letter: the broker's refusal is shown whole in the form.
keys staf c
see staf "Complete the step — $id" "the complete form"
keys staf Tab "Mohon disposisi" Enter
see staf "Kelengkapan incomplete" "the refusal in the form"
tr -d '│' <"$tmp/screen" | tr -s ' \n' ' ' | grep -qF "Kelengkapan incomplete: the application letter is not attached" ||
    { fail "the refusal is not shown whole"; show_screen; }
keys staf Escape
see staf "cancelled" "Esc closes the form"
make_pdf "$tmp/surat.pdf" "surat permohonan pembaharuan"
keys staf a
see staf "Attach a file — $id" "a opens the attach form"
keys staf "$tmp/surat.pdf" Enter
see staf "$id: file attached" "the letter attached"
keys staf c
see staf "Complete the step — $id" "the complete form again"
keys staf Tab "Mohon disposisi" Enter
see staf "$id: step completed" "step 1 completed"
see staf "No cases wait on you." "the case left the staf's inbox"

# --- steps 2 and 3: the Kepala Dinas and the Kepala Bidang dispose it ---------------
step_by() { # WHO STEP INSTRUCTION
    see "$1" "* $id" "the case reaches $1, marked new"
    grep -qF "Step $2" "$tmp/screen" || { fail "$1's inbox does not say step $2"; show_screen; }
    keys "$1" c
    see "$1" "Complete the step — $id" "$1's complete form"
    keys "$1" Tab "$3" Enter
    see "$1" "$id: step completed" "step $2 completed by $1"
}
step_by kadis 2 "Harap diproses"
# The Kepala Bidang names the JF from the list (Right: the first name
# after the SOP's choice), so the case goes to her by her NIP.
see kabid "* $id" "the case reaches the Kepala Bidang, marked new"
keys kabid c
see kabid "Complete the step — $id" "the Kepala Bidang's complete form"
keys kabid Right
see kabid "◀ Rina Kurniasih — " "the JF chosen by name"
keys kabid Tab "Teruskan ke JF" Enter
see kabid "$id: step completed" "step 3 completed to the JF by name"
english env SERTEL_KEY="$tmp/kabid.key" "$sertel" show "$id" --json >"$tmp/show3.json"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["case"]; sys.exit(c.get("assignee") != sys.argv[2])' \
    "$tmp/show3.json" "${nip[jf]}" || fail "step 4 is not assigned to the JF chosen by name"

# --- step 4: the JF sees the verifiers by name, and disposes to their pool ------------
see jf "* $id" "the case reaches the JF"
keys jf c
see jf "(whom the SOP names, or the pool)" "the JF's 'to' is a list, starting with the SOP's choice"
# choice : the entry the focused list shows now, from $tmp/screen.
choice() { grep -oE '◀ [^▶]* ▶' "$tmp/screen" | head -n 1; }
offered=""
for _ in 1 2 3; do
    snap jf
    before=$(choice)
    keys jf Right
    for ((i = 0; i < 400; i++)); do
        snap jf
        [ "$(choice)" != "$before" ] && break
        sleep 0.05
    done
    offered+=$(choice)$'\n'
done
for name in "Asep Hidayat" "Nur Aini"; do
    grep -qF "$name" <<<"$offered" || fail "the JF's list does not offer the verifier $name (offered: $offered)"
done
for name in "Siti Rahmawati" "Dedi Supriadi" "Tino Armyanto"; do
    grep -qF "$name" <<<"$offered" && fail "the JF's list offers $name, who is no verifier"
done
grep -qE '[0-9]{18}' <<<"$offered" && fail "the JF's list shows NIPs where names belong"
# Two verifiers and the pool: three steps right went round to the pool.
see jf "◀ (whom the SOP names, or the pool) ▶" "the pool chosen again"
keys jf Tab "Verifikasi dan asistensi" Enter
see jf "$id: step completed" "step 4 completed to the verifiers' pool"

# --- step 5: one verifier takes it ---------------------------------------------------
see verif1 "* $id" "the case in the first verifier's inbox"
see verif2 "* $id" "the case in the second verifier's inbox"
keys verif2 t
see verif2 "$id: taken; the step is yours" "t takes the case"
see verif1 "No cases wait on you." "the taken case leaves the other verifier's inbox"
see verif1 "$id was taken by Nur Aini" "the other verifier is told who took it"
keys verif2 k
see verif2 "Log a contact with the applicant — $id" "the contact form"
keys verif2 t Tab "Berkas lengkap; tata cara dijelaskan" Enter
see verif2 "$id: contact logged" "the contact logged"
keys verif2 c
see verif2 "Complete the step — $id" "the verifier's complete form"
keys verif2 Tab "Lanjut penerbitan" Enter
see verif2 "$id: step completed" "step 5 completed"
see verif2 "Step 6" "step 6 waits on the verifier"

# --- step 6: the certificate and the laporan ------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/cert.key" -out "$tmp/cert.pem" -days 730 \
    -subj "/CN=Budi Santoso/O=Pemerintah Kabupaten Ciamis" 2>/dev/null
keys verif2 s
see verif2 "Record the renewed certificate — $id" "the certificate form"
keys verif2 "$tmp/cert.pem" Enter
see verif2 "$id: certificate recorded" "the certificate recorded from its file"
keys verif2 p
see verif2 "$id-laporan.pdf written" "p writes the laporan"
laporan="$tmp/verif2/$id-laporan.pdf"
[ "$(head -c 5 "$laporan" 2>/dev/null)" = "%PDF-" ] || fail "the laporan is not a PDF at $laporan"
keys verif2 c
see verif2 "Complete the step — $id" "the step 6 complete form"
see verif2 "$id-laporan.pdf" "the form offers the laporan just written as the attachment"
keys verif2 Tab "Sertifikat terbit; laporan terlampir" Enter
see verif2 "$id: step completed" "step 6 completed with the laporan"

# --- step 7: the Kepala Dinas reads the laporan and archives --------------------------
see kadis "* $id" "the case back with the Kepala Dinas"
grep -qF "Step 7" "$tmp/screen" || { fail "the Kadis' inbox does not say step 7"; show_screen; }
keys kadis p
see kadis "$id-laporan.pdf written" "the Kadis writes the laporan to read it"
keys kadis c
see kadis "Complete the step — $id" "the archiving form"
see kadis "(nobody: the case is archived)" "the last step goes to nobody"
grep -A1 -F "Attach (file path)" "$tmp/screen" | grep -qF "laporan.pdf" &&
    fail "the archiving form offers to attach the laporan again"
keys kadis Enter
see kadis "$id: step completed" "step 7 completed"
see kadis "No cases wait on you." "the archived case leaves the inbox"

# --- the case as the broker keeps it ---------------------------------------------------
english env SERTEL_KEY="$tmp/kadis.key" "$sertel" show "$id" --json >"$tmp/show.json"
python3 - "$tmp/show.json" <<'EOF' || fail "the case is not archived with its certificate, contact and laporan"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["case"]
names = [a["name"] for a in c.get("attachments", [])]
assert c["state"] == "selesai", c["state"]
assert c["certificate"]["serial"], c
assert any(n.endswith("-laporan.pdf") for n in names), names
assert "surat.pdf" in names, names
EOF

for who in staf kadis kabid jf verif1 verif2; do
    keys "$who" q
done
test_end tui_renewal
