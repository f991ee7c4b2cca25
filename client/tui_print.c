/* The laporan hasil pembaharuan and the lembar disposisi from the UI:
 * written by the code of `sertel print` (doc_source.h) to CASE-laporan.pdf
 * or CASE-disposisi.pdf in the current directory, named on the status
 * line, and opened with xdg-open when a desktop is there to show it, so
 * that the verifier reads the laporan before attaching it to step 6 and
 * the Kepala Dinas before archiving. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doc_source.h"
#include "i18n.h"
#include "tui_internal.h"

/* xdg-open is there and a display to open on. */
static bool can_open(void)
{
    if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
        return false;
    const char *path = getenv("PATH");
    char copy[4096], full[4200];
    snprintf(copy, sizeof copy, "%s", path ? path : "");
    for (char *dir = strtok(copy, ":"); dir; dir = strtok(NULL, ":")) {
        snprintf(full, sizeof full, "%s/xdg-open", dir);
        if (access(full, X_OK) == 0)
            return true;
    }
    return false;
}

/* Starts xdg-open on path, detached from the terminal (its output would
 * scribble on the screen); the UI does not wait for the viewer. */
static bool open_file(const char *path)
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        /* A grandchild, so that nothing is left to reap. */
        if (fork() != 0)
            _exit(0);
        setsid();
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execlp("xdg-open", "xdg-open", path, (char *)NULL);
        _exit(127);
    }
    int st;
    return waitpid(pid, &st, 0) == pid;
}

_Static_assert(sizeof(((tui_t *)0)->laporan) >= PATH_MAX, "a written laporan's path is kept whole");

void tui_print(tui_t *t, const char *case_id, bool laporan)
{
    /* path: realpath's size. */
    char id[CASE_ID_MAX + 1], name[CASE_ID_MAX + 32], path[PATH_MAX];
    snprintf(id, sizeof id, "%s", case_id);
    snprintf(name, sizeof name, "%s-%s.pdf", id, laporan ? "laporan" : "disposisi");
    if (!realpath(".", path) || strlen(path) + strlen(name) + 2 > sizeof path)
        snprintf(path, sizeof path, "%s", name);
    else
        snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", name);
    tui_status(t, false, "%s", _("writing the PDF…"));
    tui_draw_screen(t, (int64_t)time(NULL));
    char why[TUI_STATUS_MAX] = "";
    int rc = EXIT_DONE;
    Sertel__Envelope *reply = NULL;
    cli_error_to(why, sizeof why);
    doc_source_t *src = doc_source_new(&t->cli, "sertel", &rc);
    if (src)
        rc = doc_fetch_case(&t->cli, "sertel", id, &reply);
    if (src && rc == EXIT_DONE)
        rc = doc_source_print(src, "sertel", reply->case_detail, laporan ? "laporan" : "lembar",
                              path, NULL, 0);
    cli_error_to(NULL, 0);
    if (reply)
        sertel__envelope__free_unpacked(reply, NULL);
    doc_source_destroy(&src);
    if (rc != EXIT_DONE) {
        tui_status(t, true, "%s: %s", id, why[0] ? why : _("the PDF was not written"));
        return;
    }
    if (laporan) {
        snprintf(t->laporan, sizeof t->laporan, "%s", path);
        snprintf(t->laporan_case, sizeof t->laporan_case, "%s", id);
    }
    if (can_open() && open_file(path))
        tui_status(t, false, _("%s written; opened with xdg-open"), path);
    else
        tui_status(t, false, _("%s written"), path);
}
