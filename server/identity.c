#include "identity.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "i18n.h"
#include "text.h"

#define IDENTITY_MAX_BYTES 16384

sertel_err_t identity_new(identity_t *id, int64_t now, char *err, size_t errlen)
{
    memset(id, 0, sizeof *id);
    uint8_t raw[IDENTITY_ID_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return err_set(SERTEL_E_IO, err, errlen, _("cannot make a broker id: %s"), strerror(errno));
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id->broker_id + 2 * i, 3, "%02x", raw[i]);
    id->format = IDENTITY_FORMAT;
    id->made = now;
    id->n_epochs = 1;
    id->epochs[0] = (identity_epoch_t){.number = 1, .start = 0, .at = now};
    return SERTEL_OK;
}

/* ---- reading */

static bool is_hex_id(const char *s)
{
    if (strlen(s) != IDENTITY_ID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        return false;
    *v = n;
    return true;
}

/* One "key = value"; false when the value is not what the key takes. */
static bool parse_field(identity_t *id, const char *key, char *value)
{
    uint64_t n;
    if (strcmp(key, "format") == 0 && parse_u64(value, &n) && n < 1000) {
        id->format = (unsigned)n;
        return true;
    }
    if (strcmp(key, "broker-id") == 0 && is_hex_id(value)) {
        memcpy(id->broker_id, value, IDENTITY_ID_LEN + 1);
        return true;
    }
    if (strcmp(key, "made") == 0 && parse_u64(value, &n)) {
        id->made = (int64_t)n;
        return true;
    }
    if (strcmp(key, "head") == 0 && parse_u64(value, &n)) {
        id->head = n;
        return true;
    }
    if (strcmp(key, "epoch") == 0) {
        identity_epoch_t e;
        unsigned long long num, start;
        long long at;
        int used = 0;
        if (sscanf(value, "%llu %llu %lld%n", &num, &start, &at, &used) != 3 || value[used] ||
            num == 0 || id->n_epochs == IDENTITY_MAX_EPOCHS ||
            (id->n_epochs && id->epochs[id->n_epochs - 1].number >= num))
            return false;
        e = (identity_epoch_t){.number = num, .start = start, .at = at};
        id->epochs[id->n_epochs++] = e;
        return true;
    }
    if (strcmp(key, "cases") == 0) {
        int year, used = 0;
        unsigned long long last;
        if (sscanf(value, "%d %llu%n", &year, &last, &used) != 2 || value[used] || year < 1970 ||
            year > 9999 || id->n_years == IDENTITY_MAX_YEARS)
            return false;
        identity_set_cases(id, year, last);
        return true;
    }
    return false;
}

sertel_err_t identity_parse(char *text, const char *path, identity_t *id, char *err, size_t errlen)
{
    memset(id, 0, sizeof *id);
    int line = 0;
    for (char *s = text, *next; s; s = next) {
        next = strchr(s, '\n');
        if (next)
            *next++ = '\0';
        line++;
        s = text_trim(s);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq)
            *eq = '\0';
        if (!eq || !parse_field(id, text_trim(s), text_trim(eq + 1))) {
            diag_at(err, errlen, path, line, "%s", _("not a line of a Sertel identity file"));
            return SERTEL_E_INVALID;
        }
    }
    if (id->format == 0 || !id->broker_id[0] || id->n_epochs == 0) {
        diag_at(err, errlen, path, 0, "%s",
                _("incomplete identity file (format, broker-id and epoch are required)"));
        return SERTEL_E_INVALID;
    }
    if (id->format > IDENTITY_FORMAT) {
        diag_at(err, errlen, path, 0,
                _("made by a newer Sertel (directory format %u, this broker knows %d); "
                  "refusing to touch it"), id->format, IDENTITY_FORMAT);
        return SERTEL_E_INVALID;
    }
    return SERTEL_OK;
}

sertel_err_t identity_read(const char *path, identity_t *id, char *err, size_t errlen)
{
    memset(id, 0, sizeof *id);
    char *text = text_read_file(path, IDENTITY_MAX_BYTES, NULL, err, errlen);
    if (!text)
        return access(path, F_OK) == 0 ? SERTEL_E_INVALID : SERTEL_E_NOT_FOUND;
    sertel_err_t e = identity_parse(text, path, id, err, errlen);
    free(text);
    return e;
}

/* ---- writing */

sertel_err_t identity_write(const char *path, const identity_t *id, char *err, size_t errlen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        diag_at(err, errlen, tmp, 0, _("cannot write the identity file: %s"), strerror(e));
        return SERTEL_E_IO;
    }
    /* The file is the office's record, not a message: not translated. */
    fprintf(f, "# Identitas direktori data Sertel (dibuat oleh sertel-broker init).\n"
               "# Jangan diubah dan jangan disalin ke direktori data lain.\n"
               "format = %u\nbroker-id = %s\nmade = %" PRId64 "\nhead = %" PRIu64 "\n",
            id->format, id->broker_id, id->made, id->head);
    for (int i = 0; i < id->n_epochs; i++)
        fprintf(f, "epoch = %" PRIu64 " %" PRIu64 " %" PRId64 "\n", id->epochs[i].number,
                id->epochs[i].start, id->epochs[i].at);
    for (int i = 0; i < id->n_years; i++)
        fprintf(f, "cases = %d %" PRIu64 "\n", id->years[i].year, id->years[i].last);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        diag_at(err, errlen, path, 0, _("cannot write the identity file: %s"), strerror(e));
        return SERTEL_E_IO;
    }
    return SERTEL_OK;
}

/* ---- epochs */

uint64_t identity_cases(const identity_t *id, int year)
{
    for (int i = 0; i < id->n_years; i++)
        if (id->years[i].year == year)
            return id->years[i].last;
    return 0;
}

/* The oldest year is forgotten when the list is full. */
void identity_set_cases(identity_t *id, int year, uint64_t last)
{
    int i = 0;
    while (i < id->n_years && id->years[i].year != year)
        i++;
    if (i == IDENTITY_MAX_YEARS) {
        int oldest = 0;
        for (int j = 1; j < id->n_years; j++)
            if (id->years[j].year < id->years[oldest].year)
                oldest = j;
        i = oldest;
    } else if (i == id->n_years) {
        id->n_years++;
    }
    id->years[i] = (identity_cases_t){.year = year, .last = last};
}

const identity_epoch_t *identity_current(const identity_t *id)
{
    return &id->epochs[id->n_epochs - 1];
}

void identity_begin_epoch(identity_t *id, uint64_t start, int64_t now)
{
    uint64_t number = identity_current(id)->number + 1;
    if (id->n_epochs == IDENTITY_MAX_EPOCHS) {
        memmove(id->epochs, id->epochs + 1, (IDENTITY_MAX_EPOCHS - 1) * sizeof id->epochs[0]);
        id->n_epochs--;
    }
    id->epochs[id->n_epochs++] = (identity_epoch_t){.number = number, .start = start, .at = now};
}

uint64_t identity_shared_upto(const identity_t *id, uint64_t epoch, uint64_t seq)
{
    const identity_epoch_t *cur = identity_current(id);
    if (epoch == cur->number)
        return seq;
    if (epoch > cur->number || epoch < id->epochs[0].number)
        return 0;
    /* Later epochs share at most what each began from. */
    uint64_t upto = seq;
    for (int i = 0; i < id->n_epochs; i++)
        if (id->epochs[i].number > epoch && id->epochs[i].start < upto)
            upto = id->epochs[i].start;
    return upto;
}

uint64_t identity_replay_from(const identity_t *id, const char *broker_id, uint64_t epoch,
                              uint64_t last_seq, uint64_t head, uint64_t *missing)
{
    *missing = 0;
    bool known = broker_id && broker_id[0];
    if (known && strcmp(broker_id, id->broker_id) != 0)
        return 0; /* nothing here was seen yet */
    uint64_t shared = known ? identity_shared_upto(id, epoch, last_seq) : last_seq;
    uint64_t start = identity_current(id)->start;
    if (shared > head) {
        /* A position past our head: how much of it we share is unknown
         * beyond the epoch's start, which every client agrees on. */
        *missing = last_seq - head;
        return start < head ? start : head;
    }
    *missing = last_seq - shared;
    return shared;
}
