#!/usr/bin/env bash
# A broker put back from a backup, as an office would live through it:
# the Kepala Dinas' `sertel watch` saw events that the backup does not
# have; after `sertel-broker restore` the new dispositions (numbered
# again from the backup's head) still reach the watch, which says the
# history changed, the broker logs how many events the officer saw that
# are gone, and the agenda numbers already given are not given again. A
# database copied back by hand, behind the broker's back, is noticed at
# start the same way, and a backup of another broker is refused.
#
# Usage: restore.sh PATH_TO_sertel-broker PATH_TO_sertel-admin PATH_TO_sertel
set -euo pipefail
. "$(dirname "$0")/lib.sh"
test_args broker admin sertel -- "$@"

test_begin
watch_pid=
at_exit() { stop_process "$watch_pid" || true; }

data="$tmp/data"
run 0 english "$broker" init --data "$data" --endpoint tcp://127.0.0.1:0 --admin-key "$tmp/admin.key"
# restart : the broker again, in English, on the same port after each
# restart (the watch follows), with a log of this start's own.
port=0
restart() {
    : >"$tmp/broker.err"
    LANGUAGE= LC_ALL= LC_MESSAGES= LANG=en_US.UTF-8 start_broker "tcp://127.0.0.1:$port"
    port=${endpoint##*:}
}
restart

enrol kadis "Tino Armyanto" kadis
enrol staf "Siti Rahmawati" staf
make_pdf "$tmp/surat.pdf" surat
# receive_and_pass : a new application, passed to the Kepala Dinas; its
# number in $id.
letters=0
receive_and_pass() {
    letters=$((letters + 1))
    run 0 as_en staf receive --name "Budi Santoso" \
        --nip 198707072011011001 --unit "Dinas Pendidikan" --position "Analis Kepegawaian" \
        --email budi.santoso@ciamiskab.go.id --phone 081234567890 --channel surat \
        --letter-no "800/$letters/Disdik" --letter-date 2026-11-20 \
        --subject "Permohonan pembaharuan sertifikat elektronik" --attach "$tmp/surat.pdf"
    id=$(cat "$tmp/out")
    run 0 as_en staf complete "$id" --instruction "Mohon disposisi"
}
start_watch() {
    : >"$tmp/watch.err"
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=en_US.UTF-8 \
        "$sertel" watch --json --key "$tmp/keys/kadis.key" >>"$tmp/watch" 2>"$tmp/watch.err" &
    watch_pid=$!
    wait_for "$tmp/watch.err" "watching on" "the watch connected"
}
stop_watch() {
    stop_process "$watch_pid" || fail "the watch exited $? on SIGTERM"
    watch_pid=
}

# --- before the backup: one case; after it: two more, seen by the watch ---------
receive_and_pass
first=$id
run 0 english "$admin" backup --key "$tmp/admin.key" "$tmp/cadangan"
for f in "$tmp/cadangan" "$tmp/cadangan/data.mdb" "$tmp/cadangan/identity"; do
    mode=$(stat -c %a "$f")
    [ "$mode" = 700 ] || [ "$mode" = 600 ] || fail "$f of the backup has mode $mode"
done
cmp -s <(sed -n 's/^broker-id = //p' "$data/identity") \
    <(sed -n 's/^broker-id = //p' "$tmp/cadangan/identity") || fail "the backup names another broker"
start_watch
receive_and_pass
lost1=$id
receive_and_pass
lost2=$id
wait_for "$tmp/watch" "\"kind\":\"didisposisikan\",\"case\":\"$lost2\"" "the watch saw the later cases"
stop_watch
seen=$(python3 -c 'import json,sys; print(max(json.loads(l)["seq"] for l in open(sys.argv[1])))' \
    "$tmp/watch")

# --- the restore ----------------------------------------------------------------
run 1 english "$broker" restore --from "$tmp/cadangan" --data "$data"
has err "in use by another broker" "restore while the broker runs"
stop_broker
cp "$data/db/data.mdb" "$tmp/before-restore.mdb"
run 0 english "$broker" restore --from "$tmp/cadangan" --data "$data"
has out "History epoch 2 begins" "restore begins a new epoch"
has out "events are gone" "restore says what is lost"
has out "kept as" "restore names the database it kept"
ls "$data"/db/data.mdb.replaced-* >/dev/null 2>&1 || fail "the replaced database was not kept"
cmp -s "$tmp/before-restore.mdb" "$data"/db/data.mdb.replaced-* || fail "the kept database differs"
grep -q "^epoch = 2 " "$data/identity" || fail "the identity has no epoch 2"

restart
# After the restore: a new case, numbered after a gap, reaches the watch
# although its events have numbers the watch had already passed.
receive_and_pass
fresh=$id
for old in "$first" "$lost1" "$lost2"; do
    [ "$fresh" != "$old" ] || fail "agenda number $fresh was given again after the restore"
done
[ "${fresh##*-}" -gt "${lost2##*-}" ] || fail "agenda number $fresh is not after the gap"
new_seq=$(english "$admin" journal --key "$tmp/admin.key" --json |
    python3 -c 'import json,sys; print(max(e["seq"] for e in json.load(sys.stdin)["events"]))')
[ "$new_seq" -le "$seen" ] || fail "the test needs the new events numbered below what the watch saw"
: >"$tmp/watch"
start_watch
wait_for "$tmp/watch" "\"kind\":\"didisposisikan\",\"case\":\"$fresh\"" \
    "the disposition made after the restore reaches the watch"
wait_for "$tmp/watch.err" "history changed" "the watch says the broker's history changed"
wait_for "$tmp/watch.err" "no longer at the broker" "the watch says events it saw are gone"
wait_for "$tmp/broker.err" "HAD SEEN [0-9]+ EVENTS THIS BROKER NO LONGER HAS" \
    "the broker logs how many events the officer saw that are gone"
grep -qF "\"case\":\"$lost1\"" "$tmp/watch" && fail "the watch printed a case the restore undid"
stop_watch

# --- the database copied back by hand is noticed at start -------------------------
receive_and_pass
stop_broker
cp "$tmp/cadangan/data.mdb" "$data/db/data.mdb"
restart
wait_for "$tmp/broker.err" "RESTORED DATABASE" "a database copied back by hand is noticed"
wait_for "$tmp/broker.err" "agenda numbers continue after the highest" "the broker says how numbering goes on"
grep -q "^epoch = 3 " "$data/identity" || fail "the identity has no epoch 3"
receive_and_pass
[ "${id##*-}" -gt "${fresh##*-}" ] || fail "agenda number $id given again after a copy by hand"
: >"$tmp/watch"
start_watch
wait_for "$tmp/watch" "\"kind\":\"didisposisikan\",\"case\":\"$id\"" \
    "the disposition after a copy by hand reaches the watch"
stop_watch
stop_broker

# --- refusals: nothing changes --------------------------------------------------
cp "$data/db/data.mdb" "$tmp/now.mdb"
cp -r "$tmp/cadangan" "$tmp/asing"
sed -i 's/^broker-id = .*/broker-id = 0123456789abcdef0123456789abcdef/' "$tmp/asing/identity"
run 1 english "$broker" restore --from "$tmp/asing" --data "$data"
has err "a backup of another broker" "a backup of another broker"
cp -r "$tmp/cadangan" "$tmp/pendek"
truncate -s 8192 "$tmp/pendek/data.mdb"
run 1 english "$broker" restore --from "$tmp/pendek" --data "$data"
has err "truncated" "a truncated backup"
run 1 english "$broker" restore --from "$tmp/tidak-ada" --data "$data"
cmp -s "$tmp/now.mdb" "$data/db/data.mdb" || fail "a refused restore changed the database"
grep -q "^epoch = 4 " "$data/identity" && fail "a refused restore began an epoch"

test_end restore
