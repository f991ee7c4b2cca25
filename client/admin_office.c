/* sertel-admin office: the office profile (kop surat) that documents are
 * printed with, as the broker serves it, and replacing it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "i18n.h"
#include "office.h"
#include "text.h"

static const admin_cmd_t cmd_show = {
    "sertel-admin office show",
    N_("[--logo-out FILE]"),
    N_("Prints the office profile the broker serves (the kop surat of every document:\n"
       "government, agency, address, town, the head's title, the lembar disposisi's\n"
       "instruction boxes and the SOP-monitoring threshold) as its text file.\n"
       "--logo-out saves the logo it names (PNG).\n"),
    false, 0, 0,
};

static const admin_cmd_t cmd_load = {
    "sertel-admin office load",
    N_("FILE"),
    N_("Checks an office profile file (see sop/kantor.conf) and makes it the broker's\n"
       "(DIR/kantor.conf in its data directory). A logo named in it is read from beside\n"
       "FILE and sent along. Only administrators may load it; the change is journaled.\n"),
    false, 1, 1,
};

/* Writes data to a new file (never over an existing one). */
static int save_new(const char *prog, const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wbx");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        cli_error(prog, "%s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

static int office_show(int argc, char **argv)
{
    const char *logo_out = NULL;
    const cli_opt_t opts[] = {
        {"--logo-out", "FILE", &logo_out, NULL, NULL, N_("save the logo to this new file")},
    };
    cli_common_t common = {0};
    int n_pos, rc = admin_parse(&cmd_show, argc, argv, opts, 1, &common, NULL, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    Sertel__OfficeQuery q = SERTEL__OFFICE_QUERY__INIT;
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT, *reply = NULL;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICE_QUERY;
    req.office_query = &q;
    rc = admin_request(cmd_show.prog, &common, &req, SERTEL__ENVELOPE__BODY_OFFICE_PROFILE,
                       &reply);
    if (rc != EXIT_DONE)
        return rc;
    const Sertel__OfficeProfile *p = reply->office_profile;
    fputs(p->text, stdout);
    if (logo_out && !p->logo.len) {
        cli_error(cmd_show.prog, _("the office profile names no logo"));
        rc = EXIT_USAGE;
    } else if (logo_out) {
        rc = save_new(cmd_show.prog, logo_out, p->logo.data, p->logo.len);
    }
    sertel__envelope__free_unpacked(reply, NULL);
    return rc;
}

/* The logo a profile names, read from beside the profile file. */
static uint8_t *read_logo(const char *profile_path, const office_t *o, size_t *len)
{
    const char *slash = strrchr(profile_path, '/');
    char path[4096];
    snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - profile_path + 1) : 0,
             profile_path, o->logo);
    uint8_t *data = cli_read_file(cmd_load.prog, path, OFFICE_LOGO_MAX, len);
    if (data && !office_logo_is_png(data, *len)) {
        cli_error(cmd_load.prog, _("%s: not a PNG image"), path);
        free(data);
        return NULL;
    }
    return data;
}

static int office_load(int argc, char **argv)
{
    cli_common_t common = {0};
    const char *pos[1];
    int n_pos, rc = admin_parse(&cmd_load, argc, argv, NULL, 0, &common, pos, &n_pos);
    if (rc != ADMIN_RUN)
        return rc;
    char err[1024];
    office_t o;
    char *text = text_read_file(pos[0], OFFICE_FILE_MAX, NULL, err, sizeof err);
    if (!text || office_parse(text, pos[0], &o, err, sizeof err) != SERTEL_OK) {
        cli_error(cmd_load.prog, "%s", err);
        free(text);
        return EXIT_USAGE;
    }
    Sertel__OfficeLoad load = SERTEL__OFFICE_LOAD__INIT;
    load.text = text;
    uint8_t *logo = o.logo[0] ? read_logo(pos[0], &o, &load.logo.len) : NULL;
    load.logo.data = logo;
    if (o.logo[0] && !logo) {
        free(text);
        return EXIT_USAGE;
    }
    Sertel__Envelope req = SERTEL__ENVELOPE__INIT;
    req.body_case = SERTEL__ENVELOPE__BODY_OFFICE_LOAD;
    req.office_load = &load;
    rc = admin_command(cmd_load.prog, &common, &req);
    if (rc == EXIT_DONE) {
        printf(_("The office profile of %s is loaded.\n"), o.agency);
    }
    free(logo);
    free(text);
    return rc;
}

static const admin_sub_t subs[] = {
    {"show", office_show, N_("print the office profile (kop surat) the broker serves")},
    {"load", office_load, N_("check an office profile file and make it the broker's")},
};

int admin_office_main(int argc, char **argv)
{
    return admin_group("office", subs, sizeof subs / sizeof subs[0], argc, argv);
}
