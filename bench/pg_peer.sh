#!/usr/bin/env bash
# The peer for sertel-bench: the same renewal lifecycle on bare PostgreSQL,
# one prepared plpgsql call per transition (SELECT ... FOR UPDATE on the
# case, UPDATE it, INSERT a journal row; synchronous_commit and fsync on),
# driven by pgbench with 1 and CLIENTS clients over TCP on 127.0.0.1 (as
# Sertel's clients reach the broker). A private cluster in a temporary
# directory under TMP (default /tmp: the file system measured), run as the
# postgres user on a free port, stopped and removed afterwards, also when
# this script fails or is interrupted.
#
#   bench/pg_peer.sh [SECONDS [CLIENTS [TMP]]]     (default 10 s, 16 clients)
#
# Prints a readable line per run and, for sertel-bench, lines that start
# with "PEER " (key=value). Server CPU per transition: the user + system
# time of the postmaster and every process it started (its live children
# and, through its cutime/cstime, the reaped ones), from /proc, over the
# run, divided by the transitions. Skips (exit 0, saying so) when
# PostgreSQL is not installed.
set -euo pipefail
secs=${1:-10}
clients=${2:-16}
parent=${3:-${SERTEL_BENCH_TMP:-/tmp}}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pgbench" ]; then
    echo "  PostgreSQL is not installed (apt-get install postgresql): the peer is skipped"
    echo "PEER skipped=PostgreSQL is not installed"
    exit 0
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
version=$("$bin/postgres" --version | awk '{print $3}')
dir=$(mktemp -d "$parent/sertel-pg-XXXXXX")
pm=
# The cluster is stopped before its directory goes: by pg_ctl, or, if
# that fails, by the immediate-shutdown signal to the postmaster, awaited
# (at most 30 s).
cleanup() {
    set +e
    [ -n "${client:-}" ] && kill "$client" 2>/dev/null
    if [ -n "$pm" ] && ! as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
        kill -QUIT "$pm" 2>/dev/null
        for _ in $(seq 300); do kill -0 "$pm" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' INT TERM HUP PIPE
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on" \
    start >/dev/null
pm=$(head -n1 "$dir/data/postmaster.pid")
psql_() { as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -qAt "$@"; }
psql_ -v ON_ERROR_STOP=1 <<'SQL'
CREATE TABLE cases (id bigint PRIMARY KEY, state int NOT NULL, step int NOT NULL,
                    assignee text, data text, updated_at timestamptz);
CREATE INDEX ON cases (assignee);
CREATE INDEX ON cases (state);
CREATE TABLE journal (seq bigserial PRIMARY KEY, case_id bigint NOT NULL, kind int NOT NULL,
                      actor text NOT NULL, at timestamptz NOT NULL, text text);
CREATE INDEX ON journal (case_id);
-- One transition of a seven-step renewal: step 1 creates the case.
CREATE FUNCTION transition(cid bigint, actor text, next_assignee text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE c cases; s bigint;
BEGIN
  SELECT * INTO c FROM cases WHERE id = cid FOR UPDATE;
  IF NOT FOUND OR c.step >= 7 THEN
    INSERT INTO cases VALUES (cid, 1, 1, next_assignee, repeat('x', 400), now())
      ON CONFLICT (id) DO UPDATE SET state = 1, step = 1, assignee = next_assignee, updated_at = now();
  ELSE
    UPDATE cases SET step = c.step + 1, assignee = next_assignee, updated_at = now() WHERE id = cid;
  END IF;
  INSERT INTO journal (case_id, kind, actor, at, text) VALUES (cid, 2, actor, now(), 'Proses')
    RETURNING seq INTO s;
  RETURN s;
END $$;
SQL
cat >"$dir/t.sql" <<'SQL'
\set cid :client_id + 1
SELECT transition(:cid, '198503142010011003', '197503042001121002');
SQL
chmod 644 "$dir/t.sql"
server_ticks() {  # the postmaster (with its reaped children) and its live children
    local pid total
    total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
    for pid in $(pgrep -P "$pm" || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
# The backends of a finished client exit on their own; their time is in
# the postmaster's cutime once they are reaped (bounded wait: 5 s).
await_backends() {
    local i
    for i in $(seq 100); do
        pgrep -P "$pm" -f "postgres: postgres postgres" >/dev/null || return 0
        sleep 0.05
    done
}
wal_lsn() { psql_ -c "SELECT pg_current_wal_lsn()"; }
hz=$(getconf CLK_TCK)
echo "  PostgreSQL $version, private cluster on 127.0.0.1:$port in $dir; synchronous_commit=on, fsync=on"
for n in 1 "$clients"; do
    lsn0=$(wal_lsn)
    await_backends
    before=$(server_ticks)
    # In the background, so that a signal is acted on at once; over TCP,
    # so any user may run it.
    (cd "$dir" && exec "$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n \
        -M prepared -f "$dir/t.sql" -c "$n" -j "$(( n < 2 ? 1 : 2 ))" -T "$secs" -l \
        --log-prefix="$dir/lat" postgres) >"$dir/out" 2>&1 &
    client=$!
    wait "$client" || { cat "$dir/out" >&2; exit 1; }
    client=
    out=$(cat "$dir/out")
    await_backends
    after=$(server_ticks)
    wal=$(psql_ -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')")
    done_n=$(echo "$out" | awk '/number of transactions actually processed/ {print $NF}' | cut -d/ -f1)
    if [ -z "$done_n" ] || [ "$done_n" -eq 0 ]; then
        echo "  pgbench did no transaction with $n client(s):" >&2
        echo "$out" >&2
        exit 1
    fi
    tps=$(echo "$out" | awk '/^tps/ {print $3; exit}')
    p50=$(cat "$dir"/lat* | awk '{print $3}' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    cpu_us=$(awk -v a="$before" -v b="$after" -v n="$done_n" -v hz="$hz" \
        'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')
    wal_b=$(awk -v w="$wal" -v n="$done_n" 'BEGIN {printf "%.0f", w / n}')
    printf '  %2d client%s: %s transitions in %s s = %.0f /s; p50 %s us; server CPU %s us and WAL %s B per transition\n' \
        "$n" "$([ "$n" -eq 1 ] && echo ' ' || echo s)" "$done_n" "$secs" "$tps" "$p50" "$cpu_us" "$wal_b"
    echo "PEER version=$version clients=$n transitions=$done_n tps=$tps p50_us=$p50 cpu_us=$cpu_us wal_bytes=$wal_b"
    rm -f "$dir"/lat*
done
