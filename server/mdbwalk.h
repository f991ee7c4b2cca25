/* A walk of every record of an LMDB environment, in a child process,
 * before the broker (or check, or restore) trusts the file.
 *
 * LMDB keeps no checksums: it follows the page numbers, node offsets,
 * sizes and flags it finds in its pages. A damaged page sends it astray
 * inside the library (a node whose flags say "duplicates" in a database
 * without them makes it write through a NULL sub-cursor; a child page
 * number or a node offset past the file reads outside the map), and the
 * process dies of SIGSEGV or SIGBUS the first time a request reaches that
 * page, possibly long after start. mdbfile.c checks only the two meta
 * pages. So every database is walked once, record by record, in a forked
 * child: a child that dies of a signal, meets an LMDB error, finds a
 * record outside the file, keys out of order, a record its own key does
 * not find, a count that disagrees with the database's header, or a free
 * list naming pages outside the file or twice, means the file is damaged
 * and the caller refuses it. The parent never maps a page of it. */
#ifndef SERTEL_MDBWALK_H
#define SERTEL_MDBWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned databases;  /* named databases walked */
    uint64_t records;    /* in them */
    uint64_t free_pages; /* listed in the free list */
} mdbwalk_stats_t;

/* dir holds data.mdb (and lock.mdb, unless exclusive: a caller holding
 * the data directory's lock, or reading a backup nobody writes, opens it
 * without LMDB's lock file). Returns false with the reason (translated,
 * without the file name) in why. */
bool mdbwalk_check(const char *dir, bool exclusive, mdbwalk_stats_t *stats, char *why,
                   size_t whylen);

#endif
