/* A look at an LMDB data file before LMDB maps it. LMDB trusts its file:
 * a data.mdb cut short (a full disk during a copy, a careless truncate)
 * is mapped anyway and the first read past its end kills the process
 * with SIGBUS; an empty one is taken for a new environment and
 * overwritten. So the two meta pages are read with plain reads, using the
 * layout LMDB documents for its own format (version 1), and the file must
 * hold every page the newest meta says is in use. */
#ifndef SERTEL_MDBFILE_H
#define SERTEL_MDBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t page_size;
    uint64_t last_page;  /* of the newest meta page */
    uint64_t txn_id;     /* of the newest meta page */
    uint64_t file_size;
} mdbfile_info_t;

/* Checks the meta pages in the first bytes of a data file (len of them,
 * normally two pages) against the file's size. Returns false with the
 * reason in why (translated, without the file name). */
bool mdbfile_check_bytes(const uint8_t *head, size_t len, uint64_t file_size,
                         mdbfile_info_t *info, char *why, size_t whylen);

/* The same on a file: missing, empty, not a regular file, not LMDB, or
 * shorter than its meta says are all refused. */
bool mdbfile_check(const char *path, mdbfile_info_t *info, char *err, size_t errlen);

#endif
