#!/usr/bin/env bash
# sertel-notifier with real parts: a real broker (CURVE, LMDB in a
# temporary directory), a real SMTP server on 127.0.0.1 (aiosmtpd, in
# tests/smtp_recorder.py) and an HTTP gateway stub on 127.0.0.1
# (tests/gateway_stub.py) that record what reaches them. Checks:
#  - the config file is refused unless 0600, and a wrong key is named;
#  - automatic e-mails (received) reach the applicant with the case number;
#    the case history shows the message and its states;
#  - a verifier's WhatsApp (fonnte shape) and SMS (zenziva shape) reach the
#    gateway with the number as 628..., the token in its header;
#  - a delivered message at step 5 is the step's contact (Kelengkapan);
#  - the notifier killed with SIGKILL in the middle of a run: after a
#    restart every message is delivered, in order, and at most the one in
#    flight twice (e-mail's documented rule: the same Message-ID);
#  - the gateway down for a while, then back: all delivered, in order;
#  - a permanently bad address ends given up, the reason in the history;
#  - no secret in any log or in the broker's data;
#  - the terminal UI's message form (key m) queues a message that arrives.
# Every wait is a bounded loop on a file's contents.
#
# Usage: notifier.sh sertel-broker sertel-admin sertel sertel-notifier SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
test_args broker admin sertel notifier src -- "$@"

test_begin
notifier_pid=
at_exit() {
    tmux -S "$tmp/tmux.sock" kill-server >/dev/null 2>&1 || true
    stop_process "$notifier_pid" || true
}
# Debian's Python has aiosmtpd; a python3 earlier on PATH may not.
py=/usr/bin/python3

# wait_lines FILE N WHAT [SECONDS] [FILTER]: until FILE has N lines matching FILTER.
wait_lines() {
    if ! timeout "${4:-30}" bash -c 'until [ "$(grep -cE -- "$3" "$1" 2>/dev/null)" -ge "$2" ]; do sleep 0.05; done' \
        _ "$1" "$2" "${5:-.}"; then
        fail "$3: fewer than $2 lines in $(basename "$1") within ${4:-30} s"
        tail -5 "$1" 2>/dev/null | sed 's/^/  file: /' >&2
    fi
}
# py_ok WHAT CHECK FILE: CHECK holds for the JSON lines of FILE (as L).
py_ok() {
    if ! "$py" -c "import json,sys; L=[json.loads(x) for x in open(sys.argv[1])]; sys.exit(0 if ($2) else 1)" \
        "$3" 2>"$tmp/py"; then
        fail "$1: '$2' does not hold"
        head -c 1500 "$3" >&2
        cat "$tmp/py" >&2
    fi
}

nip[notifier]=199512122020121001

# --- the broker, the SMTP server, the gateway ----------------------------------------
init_data
[ -f "$data/pesan/diterima.pesan" ] || fail "init copies the message templates into DATA/pesan"
start_broker

"$py" "$src/tests/smtp_recorder.py" "$tmp/smtp.port" "$tmp/mail.log" 0.2 2>"$tmp/smtp.err" &
bg_pids+=($!)
"$py" "$src/tests/gateway_stub.py" "$tmp/gw.port" "$tmp/gw.log" "$tmp/gw.down" 2>"$tmp/gw.err" &
bg_pids+=($!)
timeout 30 bash -c 'until [ -s "$1" ] && [ -s "$2" ]; do sleep 0.05; done' _ "$tmp/smtp.port" "$tmp/gw.port"
: >"$tmp/mail.log"
: >"$tmp/gw.log"

enrol staf "Siti Rahmawati" staf
enrol kadis "Tino Armyanto" kadis
enrol kabid "Dedi Supriadi" kabid
enrol jf "Rina Kurniasih" jf
enrol verif1 "Asep Hidayat" staf --qualification verifikator
enrol notifier "Pengirim Pesan" notifier

# --- the notifier's config -------------------------------------------------------------
cfg="$tmp/notifier.conf"
cat >"$cfg" <<CONF
# sertel-notifier
smtp-url = smtp://127.0.0.1:$(cat "$tmp/smtp.port")
smtp-tls = tidak
smtp-from = Diskominfo Ciamis <sertel@diskominfo.ciamiskab.go.id>
whatsapp-profile = fonnte
whatsapp-url = http://127.0.0.1:$(cat "$tmp/gw.port")/send
whatsapp-token = tok-RAHASIA-wa
sms-profile = zenziva
sms-url = http://127.0.0.1:$(cat "$tmp/gw.port")/zenziva
sms-user = userkey-1
sms-key = kunci-RAHASIA-sms
max-tries = 8
retry-first = 1
retry-max = 2
rate-email = 600
CONF
chmod 644 "$cfg"
run 1 indonesian "$notifier" --key "$tmp/keys/notifier.key" --config "$cfg"
grep -q "0600" "$tmp/err" || fail "a config readable by others is refused naming 0600"
chmod 600 "$cfg"
cp "$cfg" "$tmp/bad.conf"
echo "smtp-pasword = salah" >>"$tmp/bad.conf"
chmod 600 "$tmp/bad.conf"
run 1 indonesian "$notifier" --key "$tmp/keys/notifier.key" --config "$tmp/bad.conf"
grep -q "bad.conf:$(wc -l <"$tmp/bad.conf")" "$tmp/err" || fail "an unknown key is named with its line"

start_notifier() {
    # Not under timeout(1): the SIGKILL below must reach the notifier itself.
    "$notifier" --key "$tmp/keys/notifier.key" --config "$cfg" 2>>"$tmp/notifier.err" &
    notifier_pid=$!
}

# --- applications: the automatic e-mail -------------------------------------------------
make_pdf "$tmp/surat.pdf" "surat permohonan"
receive() { # NAME NIP EMAIL PHONE
    run 0 as staf receive --name "$1" --nip "$2" --unit "Dinas Pendidikan" --position "Analis" \
        --email "$3" --phone "$4" --channel surat --letter-no "800/1/Disdik" --letter-date 2026-11-20 \
        --subject "Permohonan pembaharuan" --attach "$tmp/surat.pdf"
    cat "$tmp/out"
}
id1=$(receive "Budi Santoso" 198707072011011001 budi@ciamiskab.go.id 081234567890)
id2=$(receive "Ani Lestari" 198902022012012002 ani@ciamiskab.go.id "+62 813-1111-2222")
run 0 as staf outbox "$id1" --json
"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); m=d['messages']; sys.exit(0 if len(m)==1 and m[0]['state']=='diantrekan' and m[0]['to']=='budi@ciamiskab.go.id' and m[0]['cause']=='diterima' else 1)" "$tmp/out" ||
    fail "the received e-mail is queued in the same transaction: $(cat "$tmp/out")"

start_notifier
wait_lines "$tmp/mail.log" 2 "the automatic e-mails reach the SMTP server"
py_ok "received e-mails: recipient, subject with the case number" \
    "sorted((m['to'][0], '$id1' in m['subject'] or '$id2' in m['subject']) for m in L) == [('ani@ciamiskab.go.id', True), ('budi@ciamiskab.go.id', True)] and all('Yth. ' in m['body'] for m in L)" "$tmp/mail.log"
timeout 20 bash -c 'until '"$sertel"' outbox "$1" --json --key "$2" | grep -q terkirim; do sleep 0.05; done' _ "$id1" "$tmp/keys/staf.key" ||
    fail "the message is reported sent"
run 0 as staf show "$id1"
grep -q "terkirim" "$tmp/out" || fail "the case history shows the message sent"
grep -q "#1 email" "$tmp/out" || fail "the case history names the message and its channel"

# --- walk case 1 and 2 to the verifier ----------------------------------------------------
for id in "$id1" "$id2"; do
    run 0 as staf complete "$id" --instruction "Mohon disposisi"
    run 0 as kadis complete "$id" --instruction "Proses"
    run 0 as kabid complete "$id" --instruction "Tindak lanjuti"
    run 0 as jf complete "$id" --to "${nip[verif1]}" --instruction "Verifikasi"
done

# --- wrong inputs to notify -----------------------------------------------------------------
run 1 as verif1 notify "$id1" --channel telegram --message "x"
run 1 as verif1 notify "$id1" --channel email
run 2 as kadis notify "$id1" --channel email --message "Halo"
run 2 as verif1 notify "$id1" --channel email --template tidak-ada

# --- step 5: no contact yet; a WhatsApp and an SMS through the gateway ------------------------
run 2 as verif1 complete "$id1"
run 0 as verif1 notify "$id1" --channel whatsapp --template kelengkapan
wait_lines "$tmp/gw.log" 1 "the WhatsApp reaches the gateway"
py_ok "fonnte shape: token header, target 628..., message" \
    "L[0]['path'] == '/send' and L[0]['authorization'] == 'tok-RAHASIA-wa' and L[0]['form']['target'] == '6281234567890' and 'Budi Santoso' in L[0]['form']['message']" "$tmp/gw.log"
run 0 as verif1 notify "$id2" --channel sms --message "Yth. {nama}, berkas {nomor perkara} sedang diperiksa."
wait_lines "$tmp/gw.log" 2 "the SMS reaches the gateway"
py_ok "zenziva shape: userkey, passkey, to, message" \
    "L[1]['path'] == '/zenziva' and L[1]['form']['userkey'] == 'userkey-1' and L[1]['form']['passkey'] == 'kunci-RAHASIA-sms' and L[1]['form']['to'] == '6281311112222' and L[1]['form']['message'] == 'Yth. Ani Lestari, berkas $id2 sedang diperiksa.'" "$tmp/gw.log"
timeout 20 bash -c 'until '"$sertel"' show "$1" --key "$2" | grep -q "Pengirim Pesan"; do sleep 0.05; done' _ "$id1" "$tmp/keys/verif1.key" ||
    fail "the delivered message is logged as the contact"
run 0 as verif1 complete "$id1" --note "Pemohon dihubungi lewat WhatsApp"
grep -q "langkah 6" "$tmp/out" || fail "a delivered message at step 5 satisfies its contact Kelengkapan"

# --- step 6: the renewed certificate enters the register; the holder is told ------------
run 0 as verif1 certificate "$id1" --serial 5A3F09C1 --not-after 2028-11-24
wait_for "$tmp/mail.log" "telah diperbarui \\($id1\\)" "the renewed e-mail reaches the applicant" 20
grep -q "berlaku sampai.*24 Nov 2028" "$tmp/mail.log" || fail "the renewed e-mail gives the new validity"
run 0 indonesian "$admin" certs list --json --key "$tmp/admin.key"
"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [(c['serial'], c['case'], c['email']) for c in d['certificates']] == [('5A3F09C1', '$id1', 'budi@ciamiskab.go.id')] else 1)" "$tmp/out" ||
    fail "the certificate recorded at step 6 is in the register: $(cat "$tmp/out")"

# --- the same from the terminal UI (key m), in a real terminal (tmux) ----------------------
if command -v tmux >/dev/null 2>&1; then
    sock="$tmp/tmux.sock"
    T() { tmux -S "$sock" "$@"; }
    screen_has() { # TEXT WHAT
        timeout 20 bash -c 'until tmux -S "$1" capture-pane -p -t tui | grep -qF -- "$2"; do sleep 0.05; done' \
            _ "$sock" "$1" || { fail "$2: the screen never showed '$1'"; T capture-pane -p -t tui >&2; }
    }
    T -f /dev/null new-session -d -s tui -x 80 -y 24 \
        env -i PATH="$PATH" HOME="$HOME" TERM=screen LANG=en_US.UTF-8 SERTEL_KEY="$tmp/keys/verif1.key" \
        SERTEL_ENDPOINT="$SERTEL_ENDPOINT" SERTEL_LOCALEDIR="${SERTEL_LOCALEDIR:-}" "$sertel"
    screen_has "$id2" "the verifier's inbox in the terminal UI"
    T send-keys -t tui m
    screen_has "Write to the applicant" "the message form"
    tui_case=$(T capture-pane -p -t tui | grep -oE "Write to the applicant — SE-[0-9]+-[0-9]+" | grep -oE "SE-[0-9]+-[0-9]+" | head -n 1)
    T send-keys -t tui Tab Tab "Pesan dari layar untuk {nama}" Enter
    screen_has "message queued" "the form's message is queued"
    wait_for "$tmp/mail.log" "Pesan dari layar untuk " "the terminal UI's message reaches the applicant" 20
    grep -q "\"case\": \"$tui_case\".*Pesan dari layar" "$tmp/mail.log" || fail "the message went to the case of the form ($tui_case)"
    T kill-server >/dev/null 2>&1 || true
fi

# --- SIGKILL in the middle of a run --------------------------------------------------------------
stop_process "$notifier_pid" || true
notifier_pid=
: >"$tmp/mail.log"
for i in $(seq 1 10); do
    run 0 as verif1 notify "$id2" --channel email --message "Pesan ke-$i untuk {nama}"
done
start_notifier
wait_lines "$tmp/mail.log" 3 "the run of sends begins"
kill -KILL "$notifier_pid"
wait "$notifier_pid" 2>/dev/null || true
notifier_pid=
before=$(wc -l <"$tmp/mail.log")
[ "$before" -lt 10 ] || fail "the notifier was killed after the run had ended ($before sent)"
start_notifier
wait_for "$tmp/mail.log" "Pesan ke-10 " "every message delivered after the restart" 60
py_ok "after SIGKILL: all ten delivered, in order, at most the one in flight twice" \
    "(lambda n: sorted(set(n)) == list(range(1, 11)) and len(n) - 10 <= 1 and [x for i, x in enumerate(n) if x not in n[:i]] == list(range(1, 11)))([int(m['body'].split('Pesan ke-')[1].split()[0]) for m in L])" "$tmp/mail.log"
py_ok "a resent message keeps its Message-ID" \
    "all(len({m['message_id'] for m in L if m['body'] == b}) == 1 for b in {m['body'] for m in L})" "$tmp/mail.log"

# --- the gateway down for a while, then back --------------------------------------------------------
: >"$tmp/gw.log"
touch "$tmp/gw.down"
for i in 1 2 3; do
    run 0 as verif1 notify "$id2" --channel whatsapp --message "WA $i"
done
wait_lines "$tmp/gw.log" 2 "the notifier tries while the gateway is down" 30 '"down": true'
run 0 as verif1 outbox "$id2" --failed
grep -q "503" "$tmp/out" || fail "the verifier sees the failed message with its reason"
rm "$tmp/gw.down"
wait_lines "$tmp/gw.log" 3 "all delivered once the gateway is back" 30 '"down": false'
py_ok "delivered in order per recipient, each once" \
    "[m['form']['message'] for m in L if not m['down']] == ['WA 1', 'WA 2', 'WA 3']" "$tmp/gw.log"

# --- a permanently bad address --------------------------------------------------------------------
id3=$(receive "Cici Paramitha" 199001012015012003 tolak@ciamiskab.go.id 081399998888)
timeout 20 bash -c 'until '"$sertel"' show "$1" --key "$2" | grep -q dihentikan; do sleep 0.05; done' _ "$id3" "$tmp/keys/staf.key" ||
    fail "a refused address ends given up"
run 0 as staf show "$id3"
grep -q "550" "$tmp/out" || fail "the reason (SMTP 550) is in the case history"
run 0 indonesian "$admin" outbox --failed --key "$tmp/admin.key" --json
"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(m['case']=='$id3' and m['state']=='dihentikan' for m in d['messages']) else 1)" "$tmp/out" ||
    fail "the administrator sees the given-up message"

# --- no secret anywhere but the config ----------------------------------------------------------
stop_process "$notifier_pid" || true
notifier_pid=
for f in "$tmp/notifier.err" "$tmp/broker.err" "$tmp/broker.out"; do
    if grep -qE "tok-RAHASIA|kunci-RAHASIA" "$f"; then fail "a secret in $(basename "$f")"; fi
done
if grep -rqaE "tok-RAHASIA|kunci-RAHASIA" "$data"; then fail "a secret in the broker's data"; fi

# A sanitizer build's report in a process's log fails the test.
for f in "$tmp/notifier.err" "$tmp/broker.err"; do
    if grep -qE 'Sanitizer|runtime error:' "$f"; then
        fail "a sanitizer report in $(basename "$f")"
        grep -E -A5 'Sanitizer|runtime error:' "$f" | head -20 >&2
    fi
done

test_end notifier
