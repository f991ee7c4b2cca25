#!/usr/bin/env bash
# The broker on data directories that are taken, damaged or not its own,
# run as a careless operator would: a second broker on the same
# directory (also after LMDB's lock file was removed), a zero-length, a
# truncated and a missing data.mdb, a directory without its identity
# file, and one opened to other users. Each is refused with a reason and
# nothing in it is overwritten; modes are made private and the broker
# says so.
#
# Usage: datadir.sh PATH_TO_sertel-broker
set -euo pipefail

broker=${1:?usage: datadir.sh PATH_TO_sertel-broker}
. "$(dirname "$0")/lib.sh"
test_begin

# start DIR : the broker on DIR, in English, with a log of this start's
# own; broker_pid is its own pid, which the lock names (no timeout(1)).
start() {
    data=$1
    : >"$tmp/broker.err"
    LANGUAGE= LC_ALL= LC_MESSAGES= LANG=en_US.UTF-8 broker_timeout=0 start_broker
}

data="$tmp/data"
run 0 english "$broker" init --data "$data" --endpoint tcp://127.0.0.1:0 --admin-key "$tmp/admin.key"
[ -f "$data/identity" ] || fail "init wrote no identity file"
grep -Eq '^broker-id = [0-9a-f]{32}$' "$data/identity" || fail "the identity has no broker id"

# --- one broker per data directory -------------------------------------------
start "$data"
run 1 english "$broker" --data "$data" --endpoint tcp://127.0.0.1:0
has err "in use by another broker" "second broker on the same directory"
has err "pid $broker_pid" "the refusal names the other broker's process"
has err "$endpoint" "the refusal names the other broker's endpoint"
# LMDB's own lock file is not what keeps the second one out.
rm -f "$data/db/lock.mdb"
run 1 english "$broker" --data "$data" --endpoint tcp://127.0.0.1:0
has err "in use by another broker" "second broker after lock.mdb was removed"
kill -0 "$broker_pid" 2>/dev/null || fail "the first broker died"
stop_broker
# The lock goes with the process, even a killed one.
start "$data"
kill -KILL "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=
start "$data"
stop_broker

# --- a directory opened to others is made private, and it is said ----------
chmod 755 "$data" "$data/db"
chmod 644 "$data/db/data.mdb" "$data/identity"
start "$data"
stop_broker
grep -q "made private" "$tmp/broker.err" || fail "the broker did not say it repaired the modes"
for f in "$data" "$data/db"; do
    [ "$(stat -c %a "$f")" = 700 ] || fail "$f left at mode $(stat -c %a "$f")"
done
for f in "$data/db/data.mdb" "$data/identity" "$data/broker.lock"; do
    [ "$(stat -c %a "$f")" = 600 ] || fail "$f left at mode $(stat -c %a "$f")"
done

# --- damaged or missing data is refused, never overwritten ------------------
cp "$data/db/data.mdb" "$tmp/good.mdb"
size=$(stat -c %s "$tmp/good.mdb")

: >"$data/db/data.mdb"
run 1 english "$broker" --data "$data"
has err "empty" "zero-length data.mdb"
[ "$(stat -c %s "$data/db/data.mdb")" = 0 ] || fail "the zero-length data.mdb was overwritten"

head -c 8192 "$tmp/good.mdb" >"$data/db/data.mdb"
run 1 english "$broker" --data "$data"
has err "truncated" "truncated data.mdb"
[ "$(stat -c %s "$data/db/data.mdb")" = 8192 ] || fail "the truncated data.mdb was changed"

head -c $((size - 4096)) "$tmp/good.mdb" >"$data/db/data.mdb"
run 1 english "$broker" --data "$data"
has err "truncated" "data.mdb one page short"

head -c 100 /dev/urandom >"$data/db/data.mdb"
run 1 english "$broker" --data "$data"
has err "not an LMDB database file" "data.mdb of random bytes"

# Whole meta pages, a damaged page: the node of the "format" record says
# it holds duplicates (the bit LMDB tests before writing through a
# sub-cursor that a database without duplicates does not have). LMDB
# checksums nothing: read in the broker, this page crashed it with
# SIGSEGV (as 200 flipped bytes did in the soak). Refused before start,
# by the check, and by restore; never a crash.
python3 - "$tmp/good.mdb" "$data/db/data.mdb" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
# A leaf node: flags (2 bytes), key size (2), key; little-endian.
node, n = b"\x06\x00format", 0
i = data.find(node, 8192)
while i >= 0:
    if data[i - 2:i] == b"\x00\x00":
        data[i - 2] |= 0x04
        n += 1
    i = data.find(node, i + 1)
assert n, "no node of the format record found"
open(sys.argv[2], "wb").write(data)
PY
cp "$data/db/data.mdb" "$tmp/damaged.mdb"
run 1 english "$broker" --data "$data"
has err "$data/db/data.mdb: damaged" "a damaged page is refused, naming the file"
has err "sertel-broker check --data $data" "the refusal says to run the check"
has err "sertel-broker restore" "the refusal says to restore"
cmp -s "$data/db/data.mdb" "$tmp/damaged.mdb" || fail "the damaged data.mdb was changed"
run 1 "$broker" --data "$data"
has err "rusak: " "the refusal in Indonesian"
run 4 english "$broker" check --data "$data"
has err "damaged" "sertel-broker check on a damaged page"
mkdir -p "$tmp/bad-backup"
cp "$tmp/damaged.mdb" "$tmp/bad-backup/data.mdb"
cp "$tmp/good.mdb" "$data/db/data.mdb"
run 1 english "$broker" restore --from "$tmp/bad-backup" --data "$data"
has err "damaged" "restoring a backup with a damaged page"
cmp -s "$data/db/data.mdb" "$tmp/good.mdb" || fail "a damaged backup was restored"

rm "$data/db/data.mdb"
run 1 english "$broker" --data "$data"
has err "database file is missing" "missing data.mdb"
[ -e "$data/db/data.mdb" ] && fail "a missing data.mdb was created"

cp "$tmp/good.mdb" "$data/db/data.mdb"
mv "$data/identity" "$tmp/identity"
run 1 english "$broker" --data "$data"
has err "no identity file" "directory without identity"
has err "init --adopt" "the refusal says how to take over an old directory"
[ -e "$data/identity" ] && fail "an identity was written by the broker"

# A directory made by an older Sertel is adopted, explicitly, once.
run 0 english "$broker" init --adopt --data "$data"
has out "adopted" "init --adopt"
run 1 english "$broker" init --adopt --data "$data"
has err "already has an identity" "a second init --adopt"
start "$data"
run 1 english "$broker" init --adopt --data "$tmp/nowhere"
stop_broker

# --- the administrator's key is never written into the data directory -------
run 1 english "$broker" init --data "$tmp/d2" --endpoint tcp://127.0.0.1:0 --admin-key "$tmp/d2/admin.key"
has err "may not be inside the data directory" "--admin-key inside the data directory"
[ -e "$tmp/d2" ] && fail "a refused init made the data directory"
mkdir -p "$tmp/d3/sub"
run 1 english "$broker" init --data "$tmp/d3" --endpoint tcp://127.0.0.1:0 --admin-key "$tmp/d3/sub/../sub/a.key"
has err "may not be inside the data directory" "--admin-key inside it by another path"
# Relative paths whose parents are not made yet are compared whole too.
here_broker=$(realpath "$broker")
cd "$tmp"
run 1 english "$here_broker" init --data new/d5 --endpoint tcp://127.0.0.1:0 --admin-key new/d5/a.key
has err "may not be inside the data directory" "--admin-key inside a relative data directory not made yet"
cd - >/dev/null
[ -e "$tmp/new" ] && fail "a refused init made directories"
run 1 english "$broker" init --data "$tmp/$(printf 'x%.0s' $(seq 1 4000))" --endpoint tcp://127.0.0.1:0
has err "the path is too long" "init with a data directory path longer than it can use"
# By default: the invoking user's configuration directory.
run 0 env HOME="$tmp/home" XDG_CONFIG_HOME= LANG=en_US.UTF-8 "$broker" init --data "$tmp/d4" \
    --endpoint tcp://127.0.0.1:0
has out "$tmp/home/.config/sertel/admin.key" "init names the default key file"
[ "$(stat -c %a "$tmp/home/.config/sertel/admin.key")" = 600 ] || fail "the admin key is not 0600"
[ -e "$tmp/d4/admin.key" ] && fail "init wrote admin.key into the data directory"
# A second office does not overwrite the first one's key, and makes nothing.
run 1 env HOME="$tmp/home" XDG_CONFIG_HOME= LANG=en_US.UTF-8 "$broker" init --data "$tmp/d5" \
    --endpoint tcp://127.0.0.1:0
has err "never overwritten" "init over an existing administrator's key"
[ -e "$tmp/d5" ] && fail "a refused init made the data directory"
run 0 env XDG_CONFIG_HOME="$tmp/xdg" LANG=en_US.UTF-8 "$broker" init --data "$tmp/d6" \
    --endpoint tcp://127.0.0.1:0
[ -f "$tmp/xdg/sertel/admin.key" ] || fail "init ignored XDG_CONFIG_HOME"

mkdir "$tmp/empty"
run 1 english "$broker" --data "$tmp/empty"
has err "no identity file" "an empty directory"
run 1 english "$broker" --data "$tmp/absent"
has err "no such data directory" "a directory that does not exist"

test_end datadir
