# Shared by the shell tests. Sourced, not run.

# Stops a process with SIGTERM and waits for it, but at most 20 s: under
# LeakSanitizer a process exiting can, rarely, hang in the sanitizer's
# own thread suspension; a test must not hang with it. Returns the
# process's exit status (137 when it had to be killed).
stop_process() {
    local pid=$1 rc=0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 400); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "note: process $pid did not stop within 20 s after SIGTERM; killed" >&2
        # A process started through timeout(1) is its child: kill both.
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
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
