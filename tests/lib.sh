# Shared by the shell tests. Sourced, not run.

# Sets the clock file the broker and clients read (SERTEL_CLOCK_FILE) to
# Unix seconds T. Written beside it and renamed: a reader that met a
# half-written file would fall back to the real time.
set_clock() {
    echo "$2" >"$1.new" && mv -f "$1.new" "$1"
}

# True when pid, or a child of it, is being traced: at exit, that is
# LeakSanitizer suspending the process to look for leaks.
in_leak_check() {
    local p
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
        [ "$(awk '/^TracerPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)" -gt 0 ] 2>/dev/null &&
            return 0
    done
    return 1
}

# Stops a process with SIGTERM and waits for it, but at most 20 s. Under
# load on this kind of machine, LeakSanitizer's check at exit can hang for
# good in its own thread suspension (the program has already finished); a
# test must not hang with it. Returns the process's exit status: 137 when
# it had to be killed, 0 when it was killed inside that check (with a note:
# its own exit was past judging).
stop_process() {
    local pid=$1 rc=0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 400); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        local leak_check=false
        in_leak_check "$pid" && leak_check=true
        echo "note: process $pid did not stop within 20 s after SIGTERM; killed" \
             "$($leak_check && echo '(hung in LeakSanitizer'"'"'s check at exit)')" >&2
        # A process started through timeout(1) is its child: kill both.
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        $leak_check && return 0
        return 137
    fi
    wait "$pid" 2>/dev/null || rc=$?
    return $rc
}

# The output checks below use the calling script's $tmp (where each run
# leaves out and err) and its fail function.

# has out|err TEXT WHAT : the last run's output contains TEXT.
has() {
    if ! grep -qF -- "$2" "$tmp/$1"; then
        fail "$3: std$1 lacks '$2'"
        sed "s/^/  std$1: /" "$tmp/$1" | head -20 >&2
    fi
}
