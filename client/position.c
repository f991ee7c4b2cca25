#include "position.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

#define MAX_LINES 32

typedef struct {
    position_t pos;
    char endpoint[256];
} line_t;

static bool make_dirs(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        bool ok = mkdir(dir, 0700) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok)
            return false;
    }
    return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

bool position_path(const keyfile_t *kf, char *buf, size_t len)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[3072], name[64];
    /* The XDG spec says a relative XDG_STATE_HOME is to be ignored. */
    if (xdg && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/sertel", xdg);
    else if (home && home[0])
        snprintf(dir, sizeof dir, "%s/.local/state/sertel", home);
    else
        dir[0] = '\0';
    snprintf(name, sizeof name, "%s", kf->nip[0] ? kf->nip : kf->public_key);
    for (char *p = name; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            *p = '_';
    if (!dir[0] || !make_dirs(dir)) {
        if (len)
            buf[0] = '\0';
        return false;
    }
    snprintf(buf, len, "%s/%s.pos", dir, name);
    return true;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > POSITION_ID_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* The lines of the file, latest first; unreadable lines are dropped. */
static int read_lines(const char *path, line_t *lines)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0;
    char buf[512];
    while (n < MAX_LINES && fgets(buf, sizeof buf, f)) {
        char id[64];
        unsigned long long epoch, seq;
        line_t *l = &lines[n];
        if (sscanf(buf, "%63s %llu %llu %255s", id, &epoch, &seq, l->endpoint) == 4 && id_ok(id)) {
            /* id_ok bounded its length to the field's */
            memcpy(l->pos.broker_id, id, strlen(id) + 1);
            l->pos.epoch = epoch;
            l->pos.seq = seq;
            n++;
        }
    }
    fclose(f);
    return n;
}

void position_load(const char *path, const char *endpoint, position_t *p, bool *found)
{
    memset(p, 0, sizeof *p);
    *found = false;
    if (!path[0])
        return;
    line_t lines[MAX_LINES];
    int n = read_lines(path, lines);
    for (int i = 0; i < n; i++)
        if (strcmp(lines[i].endpoint, endpoint) == 0) {
            *p = lines[i].pos;
            *found = true;
            return;
        }
    if (n > 0) {
        /* A broker met elsewhere: its id tells it whether it is the same. */
        *p = lines[0].pos;
        *found = true;
        return;
    }
    /* An older client's NAME.seq beside: a number of an unknown broker. */
    char old[4200];
    size_t len = strlen(path);
    if (len < 4 || len + 1 > sizeof old)
        return;
    snprintf(old, sizeof old, "%.*s.seq", (int)(len - 4), path);
    FILE *f = fopen(old, "r");
    unsigned long long seq;
    if (f && fscanf(f, "%llu", &seq) == 1) {
        p->seq = seq;
        *found = true;
    }
    if (f)
        fclose(f);
}

bool position_save(const char *path, const char *endpoint, const position_t *p)
{
    if (!path[0] || !id_ok(p->broker_id))
        return true; /* nothing to keep it under yet */
    line_t lines[MAX_LINES];
    int n = read_lines(path, lines);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return false;
    bool ok = fprintf(f, "%s %" PRIu64 " %" PRIu64 " %s\n", p->broker_id, p->epoch, p->seq,
                      endpoint[0] ? endpoint : "-") > 0;
    for (int i = 0, kept = 1; i < n && kept < MAX_LINES; i++) {
        if (strcmp(lines[i].pos.broker_id, p->broker_id) == 0)
            continue;
        ok = ok && fprintf(f, "%s %" PRIu64 " %" PRIu64 " %s\n", lines[i].pos.broker_id,
                           lines[i].pos.epoch, lines[i].pos.seq, lines[i].endpoint) > 0;
        kept++;
    }
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return false;
    }
    return true;
}

bool position_follow(position_t *p, const Sertel__Welcome *w, char *note, size_t len)
{
    note[0] = '\0';
    const char *id = w->broker_id ? w->broker_id : "";
    if (!id_ok(id))
        return false; /* an older broker: nothing to follow */
    size_t used = 0;
    unsigned long long from = w->replay_from;
    if (p->broker_id[0] && strcmp(p->broker_id, id) != 0)
        used = (size_t)snprintf(note, len,
                                _("this is another broker (id %.8s) than the one your last event "
                                  "was counted at (%.8s): events are shown from event %llu"),
                                id, p->broker_id, from);
    else if (p->broker_id[0] && p->epoch != w->epoch)
        used = (size_t)snprintf(note, len,
                                _("the broker's history changed (epoch %llu to %llu: it was "
                                  "restored from a backup): events are shown again from event %llu"),
                                (unsigned long long)p->epoch, (unsigned long long)w->epoch, from);
    else if (w->replay_from < p->seq)
        used = (size_t)snprintf(note, len,
                                _("your last event (%llu) is beyond the broker's history: events "
                                  "are shown again from event %llu"),
                                (unsigned long long)p->seq, from);
    if (w->missing && used < len)
        snprintf(note + used, len - used,
                 _("; %llu events you had seen are no longer at the broker (lost with the "
                   "restore): tell the administrator"),
                 (unsigned long long)w->missing);
    snprintf(p->broker_id, sizeof p->broker_id, "%s", id);
    p->epoch = w->epoch;
    if (w->replay_from < p->seq)
        p->seq = w->replay_from;
    return note[0] != '\0';
}
