/* The time for programs that let a test set it: Unix seconds read from
 * the file named by SERTEL_CLOCK_FILE (the broker and the clients read
 * the same file, so both sides agree on "now"); the real time while the
 * variable is unset or the file is missing or holds no positive number. */
#ifndef SERTEL_CLOCKFILE_H
#define SERTEL_CLOCKFILE_H

#include <stdint.h>

/* The time in the file at path, or the real time. */
int64_t clock_file_now(const char *path);
/* clock_file_now of $SERTEL_CLOCK_FILE, or the real time without it. */
int64_t clock_now(void);

#endif
