/* Where a process's resident memory is: /proc/PID/smaps summed by kind
 * of mapping, so that section (e) can say which part grows with the
 * connections and which is there from the start.
 *
 * glibc gives each thread other than the main one a malloc arena made of
 * heaps aligned to 64 MiB (HEAP_MAX_SIZE on 64-bit), and a thread's
 * stack is an anonymous mapping right above its guard page: that is how
 * the anonymous mappings are told apart. In the broker the threads other
 * than the main one are libzmq's (the I/O thread and the reaper), so the
 * arenas are what libzmq keeps per connection: its pipes, buffers and
 * CURVE state. */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ARENA_ALIGN (64ul << 20)
#define GUARD_MAX (64ul << 10)

const char *const bench_mem_part_names[MEM_PARTS] = {
    [MEM_LIBS] = "shared libraries (code, data)",
    [MEM_EXE] = "the program itself",
    [MEM_LMDB] = "LMDB map (data.mdb, lock.mdb)",
    [MEM_HEAP] = "malloc, main thread ([heap])",
    [MEM_ARENAS] = "malloc arenas of other threads",
    [MEM_STACKS] = "stacks",
    [MEM_ANON] = "other anonymous (large allocations)",
    [MEM_OTHER] = "other files (locale, catalogue)",
};

typedef struct {
    unsigned long lo, hi;
    char perms[8];
    char path[512];
} mapping_t;

static int classify(const mapping_t *m, const mapping_t *prev, const char *exe)
{
    const char *p = m->path;
    size_t n = strlen(p);
    if (strcmp(p, "[heap]") == 0)
        return MEM_HEAP;
    if (strcmp(p, "[stack]") == 0)
        return MEM_STACKS;
    if (n > 4 && strcmp(p + n - 4, ".mdb") == 0)
        return MEM_LMDB;
    if (strstr(p, ".so"))
        return MEM_LIBS;
    if (exe[0] && strcmp(p, exe) == 0)
        return MEM_EXE;
    if (p[0])
        return MEM_OTHER;
    if (m->lo % ARENA_ALIGN == 0)
        return MEM_ARENAS;
    bool after_guard = prev && !prev->path[0] && prev->hi == m->lo &&
                       strncmp(prev->perms, "---p", 4) == 0 && prev->hi - prev->lo <= GUARD_MAX;
    return after_guard ? MEM_STACKS : MEM_ANON;
}

bool bench_mem_parts(pid_t pid, bench_mem_parts_t *out)
{
    memset(out, 0, sizeof *out);
    char path[64], exe[512] = "", line[1024];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t len = readlink(path, exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = '\0';
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    mapping_t cur = {0}, prev = {0};
    bool have = false, have_prev = false;
    int kind = MEM_ANON;
    while (fgets(line, sizeof line, f)) {
        mapping_t m = {0};
        long kb;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %511[^\n]", &m.lo, &m.hi, m.perms, m.path) >= 3) {
            if (have) {
                prev = cur;
                have_prev = true;
            }
            cur = m;
            have = true;
            kind = classify(&cur, have_prev ? &prev : NULL, exe);
        } else if (have && sscanf(line, "Rss: %ld kB", &kb) == 1) {
            out->kb[kind] += kb;
        }
    }
    fclose(f);
    return true;
}
