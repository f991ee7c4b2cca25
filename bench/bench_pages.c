/* Which pages the broker's last commit wrote: LMDB keeps its two newest
 * snapshots in the file's two meta pages, and pages are copied on write,
 * so the pages reachable from the newer root that the older tree does not
 * hold are the ones that commit wrote (LMDB reuses no page the older
 * snapshot holds until a later commit). Read from the file alone (LMDB
 * 0.9's page layout), while the broker runs: the 1-client run asks after
 * each reply, when the broker has nothing else to commit. */
#include "bench.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* LMDB 0.9's layout: page header, node, meta and database records. */
enum {
    PAGE_HDR = 16,
    P_BRANCH = 0x01,
    P_OVERFLOW = 0x04,
    F_BIGDATA = 0x01,
    F_SUBDATA = 0x02,
    NODE_HDR = 8,
    META_DBS = PAGE_HDR + 24, /* free list's MDB_db, then the main one's */
    DB_SIZE = 48,
    DB_ROOT = 40,
    META_TXNID = META_DBS + 2 * DB_SIZE + 8,
};

typedef struct {
    const uint8_t *map;
    uint64_t npages;
    uint8_t *seen; /* the older tree's pages, one bit each */
    bool older;    /* walking the older tree (marking) or the newer (counting) */
    bench_pages_t *out;
} walk_t;

static uint16_t u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static uint64_t u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* True: the page is new (walking the newer tree) or was marked. */
static bool visit(walk_t *w, uint64_t pg, bool named, bool branch)
{
    uint8_t bit = (uint8_t)(1u << (pg % 8));
    if (w->older) {
        w->seen[pg / 8] |= bit;
        return true;
    }
    if (w->seen[pg / 8] & bit)
        return false; /* unchanged, and so is everything under it */
    w->out->total++;
    if (named)
        w->out->named++;
    else if (branch)
        w->out->branches++;
    return true;
}

/* The tree under pg; in the unnamed database (main), the named
 * databases' trees too. */
static void walk_tree(walk_t *w, uint64_t pg, bool main, bool named)
{
    if (pg >= w->npages)
        return;
    const uint8_t *p = w->map + pg * (uint64_t)BENCH_LMDB_PAGE;
    uint16_t flags = u16(p + 10);
    if (!visit(w, pg, named, flags & P_BRANCH) || (flags & P_OVERFLOW))
        return;
    unsigned keys = (unsigned)(u16(p + 12) - PAGE_HDR) / 2;
    for (unsigned i = 0; i < keys && i < BENCH_LMDB_PAGE / 2; i++) {
        uint16_t at = u16(p + PAGE_HDR + 2 * i);
        if (at + NODE_HDR > BENCH_LMDB_PAGE)
            return;
        const uint8_t *node = p + at;
        uint16_t lo = u16(node), hi = u16(node + 2), nflags = u16(node + 4), ksize = u16(node + 6);
        if (flags & P_BRANCH) {
            walk_tree(w, (uint64_t)lo | (uint64_t)hi << 16 | (uint64_t)nflags << 32, main, named);
        } else if (nflags & F_BIGDATA) {
            uint64_t first = u64(node + NODE_HDR + ksize);
            if (first >= w->npages)
                continue;
            uint32_t n;
            memcpy(&n, w->map + first * (uint64_t)BENCH_LMDB_PAGE + 12, 4);
            for (uint64_t j = first; j < first + n && j < w->npages; j++)
                visit(w, j, named, false);
        } else if ((nflags & F_SUBDATA) && main) {
            walk_tree(w, u64(node + NODE_HDR + ksize + DB_ROOT), false, true);
        }
    }
}

bool bench_pages_last_commit(const char *db_dir, bench_pages_t *out)
{
    char path[600];
    snprintf(path, sizeof path, "%s/data.mdb", db_dir);
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 2 * BENCH_LMDB_PAGE) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    const uint8_t *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return false;
    walk_t w = {map, (uint64_t)st.st_size / BENCH_LMDB_PAGE, NULL, true, out};
    w.seen = calloc(w.npages / 8 + 1, 1);
    const uint8_t *m0 = map, *m1 = map + BENCH_LMDB_PAGE;
    bool newer1 = u64(m1 + META_TXNID) > u64(m0 + META_TXNID);
    const uint8_t *old = newer1 ? m0 : m1, *cur = newer1 ? m1 : m0;
    for (int pass = 0; w.seen && pass < 2; pass++) {
        const uint8_t *m = pass ? cur : old;
        w.older = pass == 0;
        /* The free list first (LMDB's own bookkeeping), then the data. */
        uint64_t before = out->total;
        walk_tree(&w, u64(m + META_DBS + DB_ROOT), false, false);
        if (pass)
            out->free = out->total - before;
        walk_tree(&w, u64(m + META_DBS + DB_SIZE + DB_ROOT), true, false);
    }
    bool ok = w.seen != NULL;
    free(w.seen);
    munmap((void *)map, (size_t)st.st_size);
    return ok;
}
