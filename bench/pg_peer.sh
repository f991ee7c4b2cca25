#!/usr/bin/env bash
# The peer for bench/run.sh: the same renewal lifecycle on bare PostgreSQL,
# one plpgsql call per transition (SELECT ... FOR UPDATE on the case,
# UPDATE it, INSERT a journal row; synchronous_commit on), driven by
# pgbench with 1 and 16 clients. A private cluster in a temporary
# directory, run as the postgres user on a free port, removed afterwards.
# Prints transitions/s, latency p50 and the server processes' CPU per
# transition. Skips (exit 0, saying so) when PostgreSQL is not installed.
#
#   bench/pg_peer.sh [SECONDS]     (default 10 per run)
set -euo pipefail
secs=${1:-10}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || ! command -v pgbench >/dev/null; then
    echo "(peer) PostgreSQL not installed (apt-get install postgresql): section skipped"
    exit 0
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
dir=$(mktemp -d /tmp/sertel-pg-XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses='' -c synchronous_commit=on -c fsync=on" start >/dev/null
psql_() { as_pg psql -h "$dir" -p "$port" -U postgres -qAt "$@"; }
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
cpu_of_server() {  # CPU ticks of the cluster: postmaster, its exited and live children
    local pm pid total
    pm=$(head -n1 "$dir/data/postmaster.pid")
    total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
    for pid in $(pgrep -P "$pm" || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
hz=$(getconf CLK_TCK)
for clients in 1 16; do
    before=$(cpu_of_server)
    out=$(cd "$dir" && as_pg pgbench -h "$dir" -p "$port" -U postgres -n -f "$dir/t.sql" \
        -c "$clients" -j "$(( clients < 2 ? 1 : 2 ))" -T "$secs" -l --log-prefix="$dir/lat" postgres 2>&1)
    after=$(cpu_of_server)
    n=$(echo "$out" | awk '/number of transactions actually processed/ {print $NF}' | cut -d/ -f1)
    tps=$(echo "$out" | awk '/^tps/ {print $3; exit}')
    p50=$(cat "$dir"/lat* | awk '{print $3}' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
    cpu_us=$(awk -v a="$before" -v b="$after" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.0f", (b - a) / hz * 1e6 / n}')
    printf '(peer) PostgreSQL %s, %2d clients: %s transitions in %ss = %.0f /s; p50 %s us; server CPU %s us per transition\n' \
        "$(basename "$(dirname "$bin")")" "$clients" "$n" "$secs" "$tps" "$p50" "$cpu_us"
    rm -f "$dir"/lat*
done
