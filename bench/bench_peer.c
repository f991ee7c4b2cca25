/* (p) The peer: the same lifecycle on bare PostgreSQL, measured in the
 * same run by bench/pg_peer.sh (a private cluster, pgbench with 1 and N
 * clients, the server's CPU per transition). This runs the script, shows
 * its readable lines and takes its figures from the lines that start
 * with "PEER " (key=value pairs). An interrupted bench stops the script,
 * which stops and removes its cluster itself, and waits for it. */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t peer_pid;

/* Stops the script and waits while it stops and removes its cluster
 * (bounded by the script), then dies of the signal as it would have. */
static void on_signal(int sig)
{
    if (peer_pid > 0) {
        kill(peer_pid, SIGTERM);
        waitpid(peer_pid, NULL, 0);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The value of key in a line of key=value pairs (values without spaces). */
static bool field(const char *line, const char *key, char *out, size_t len)
{
    size_t k = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += k)
        if ((p == line || p[-1] == ' ') && p[k] == '=') {
            const char *v = p + k + 1;
            size_t n = strcspn(v, " \n");
            snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), v);
            return true;
        }
    return false;
}

static double num(const char *line, const char *key)
{
    char v[64];
    return field(line, key, v, sizeof v) ? atof(v) : 0;
}

static void parse_line(const char *line, int clients, peer_result_t *out)
{
    if (field(line, "skipped", out->skipped, sizeof out->skipped)) {
        /* "skipped" runs to the end of the line: it is a sentence */
        snprintf(out->skipped, sizeof out->skipped, "%s", strstr(line, "skipped=") + 8);
        out->skipped[strcspn(out->skipped, "\n")] = '\0';
        return;
    }
    out->installed = true;
    field(line, "version", out->version, sizeof out->version);
    peer_run_t r = {
        .clients = (int)num(line, "clients"),
        .transitions = (long)num(line, "transitions"),
        .tps = num(line, "tps"),
        .p50_us = num(line, "p50_us"),
        .cpu_us = num(line, "cpu_us"),
        .wal_bytes = num(line, "wal_bytes"),
    };
    if (r.clients == 1)
        out->one = r;
    else if (r.clients == clients)
        out->many = r;
}

bool bench_peer(const bench_cfg_t *cfg, int clients, peer_result_t *out)
{
    memset(out, 0, sizeof *out);
    char secs[32], n[16];
    snprintf(secs, sizeof secs, "%g", cfg->peer_s);
    snprintf(n, sizeof n, "%d", clients);
    int fds[2];
    if (pipe(fds) != 0) {
        bench_error("pipe: %s", strerror(errno));
        return false;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl("/bin/bash", "bash", cfg->peer_script, secs, n, cfg->tmp, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        bench_error("fork: %s", strerror(errno));
        return false;
    }
    peer_pid = pid;
    void (*old_int)(int) = signal(SIGINT, on_signal);
    void (*old_term)(int) = signal(SIGTERM, on_signal);
    FILE *f = fdopen(fds[0], "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "PEER ", 5) == 0)
            parse_line(line + 5, clients, out);
        else
            fputs(line, stdout);
    if (f)
        fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    peer_pid = 0;
    signal(SIGINT, old_int);
    signal(SIGTERM, old_term);
    out->ran = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!out->ran)
        bench_error("%s failed (exit status %d)", cfg->peer_script,
                    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    else if (out->installed && (!out->one.clients || !out->many.clients))
        bench_error("%s gave no figures for 1 and %d clients", cfg->peer_script, clients);
    return out->ran;
}
