#include "mdbfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "i18n.h"

/* From LMDB's mdb.c (format version 1): each of the first two pages is a
 * 16-byte page header followed by MDB_meta: magic, version, map address,
 * map size, the free and main databases (48 bytes each; the free one's
 * first field holds the page size), the last page in use, the txn id. */
enum {
    PAGE_HEADER = 16,
    META_MAGIC = 0,
    META_VERSION = 4,
    META_PAGE_SIZE = 24,
    META_LAST_PAGE = 120,
    META_TXN_ID = 128,
    META_END = 136,
    MDB_MAGIC = 0xBEEFC0DE,
    MDB_VERSION = 1,
    MIN_PAGE = 512,
    MAX_PAGE = 65536,
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* One meta page at head + offset; false when it is not one. */
static bool read_meta(const uint8_t *head, size_t len, size_t offset, mdbfile_info_t *m)
{
    if (offset + PAGE_HEADER + META_END > len)
        return false;
    const uint8_t *meta = head + offset + PAGE_HEADER;
    if (le32(meta + META_MAGIC) != MDB_MAGIC || le32(meta + META_VERSION) != MDB_VERSION)
        return false;
    m->page_size = le32(meta + META_PAGE_SIZE);
    m->last_page = le64(meta + META_LAST_PAGE);
    m->txn_id = le64(meta + META_TXN_ID);
    return m->page_size >= MIN_PAGE && m->page_size <= MAX_PAGE &&
           (m->page_size & (m->page_size - 1)) == 0 && m->last_page >= 1;
}

bool mdbfile_check_bytes(const uint8_t *head, size_t len, uint64_t file_size,
                         mdbfile_info_t *info, char *why, size_t whylen)
{
    mdbfile_info_t first = {0}, second = {0};
    if (file_size == 0) {
        err_set(SERTEL_E_STORAGE, why, whylen, "%s", _("the database file is empty (0 bytes)"));
        return false;
    }
    if (!read_meta(head, len, 0, &first)) {
        err_set(SERTEL_E_STORAGE, why, whylen, "%s",
                _("not an LMDB database file (its first page is not an LMDB meta page)"));
        return false;
    }
    /* The second meta page starts one page in; LMDB uses the newer. */
    bool has_second = read_meta(head, len, first.page_size, &second) &&
                      second.page_size == first.page_size;
    mdbfile_info_t m = has_second && second.txn_id > first.txn_id ? second : first;
    m.file_size = file_size;
    uint64_t need = (m.last_page + 1) * (uint64_t)m.page_size;
    if (m.last_page > UINT64_MAX / m.page_size - 1 || file_size < need) {
        err_set(SERTEL_E_STORAGE, why, whylen,
                _("the database file is truncated: %llu bytes, but its meta page says %llu "
                  "pages of %u bytes are in use (%llu bytes)"),
                (unsigned long long)file_size, (unsigned long long)m.last_page + 1,
                (unsigned)m.page_size, (unsigned long long)need);
        return false;
    }
    if (info)
        *info = m;
    return true;
}

bool mdbfile_check(const char *path, mdbfile_info_t *info, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        diag_at(err, errlen, path, 0, _("cannot open the database file: %s"), strerror(errno));
        return false;
    }
    struct stat st;
    uint8_t head[2 * MAX_PAGE];
    ssize_t got = 0;
    bool ok = fstat(fd, &st) == 0;
    if (!ok)
        diag_at(err, errlen, path, 0, _("cannot examine the database file: %s"), strerror(errno));
    else if (!S_ISREG(st.st_mode)) {
        diag_at(err, errlen, path, 0, "%s", _("not a regular file"));
        ok = false;
    }
    /* Only the first page is needed to learn the page size; two of the
     * largest pages cover both metas whatever it is. */
    while (ok && (size_t)got < sizeof head) {
        ssize_t n = pread(fd, head + got, sizeof head - (size_t)got, got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            diag_at(err, errlen, path, 0, _("cannot read the database file: %s"), strerror(errno));
            ok = false;
        }
        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    if (!ok)
        return false;
    char why[512];
    if (!mdbfile_check_bytes(head, (size_t)got, (uint64_t)st.st_size, info, why, sizeof why)) {
        diag_at(err, errlen, path, 0, "%s", why);
        return false;
    }
    return true;
}
