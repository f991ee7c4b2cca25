/* Step activities (Kegiatan) and Mutu Baku for the inbox and the case
 * view. The broker's replies name a case's SOP and step but not the
 * step's words, so they are read from the SOP files: $SERTEL_SOP_DIR,
 * else the shipped ones (common/paths.h). Without a file the UI shows only
 * "Step N". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "tui_internal.h"

#define MAX_SOPS 16

struct tui_sops {
    sop_t *sop[MAX_SOPS];
    int n;
};

static void load_dir(tui_sops_t *s, const char *dir)
{
    DIR *d = dir && *dir ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && s->n < MAX_SOPS) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sop") != 0)
            continue;
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        sop_t *sop = sop_load(path, err, sizeof err);
        if (sop)
            s->sop[s->n++] = sop; /* a broken file is the administrator's to fix */
    }
    closedir(d);
}

tui_sops_t *tui_sops_load(void)
{
    tui_sops_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    load_dir(s, paths_sop_dir());
    return s;
}

void tui_sops_destroy(tui_sops_t **sp)
{
    tui_sops_t *s = sp ? *sp : NULL;
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        sop_destroy(&s->sop[i]);
    free(s);
    *sp = NULL;
}

const sop_step_t *tui_sops_step(const tui_sops_t *s, const char *sop_code, int step)
{
    for (int i = 0; s && sop_code && i < s->n; i++)
        if (strcmp(s->sop[i]->code, sop_code) == 0)
            return sop_step(s->sop[i], step);
    return NULL;
}
