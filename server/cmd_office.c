/* The office profile (kop surat) in the broker's data directory: served
 * to the clients that print documents, replaced by an administrator.
 * The file stays where the administrator can also edit it by hand; the
 * broker reads it on every request, so an edit needs no restart. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "i18n.h"
#include "office.h"
#include "text.h"

static void path_in_data(const broker_t *b, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", b->cfg.data_dir, name);
}

/* Writes data to path durably: a temporary file, fsync, rename over the
 * old one, fsync of the directory. A crash leaves the old or the new
 * file, never half of one. */
static sertel_err_t write_durably(cmd_ctx_t *ctx, const char *path, const void *data, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    bool ok = fd >= 0 && done == len && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        int saved = errno;
        unlink(tmp);
        return cmd_fail(ctx, SERTEL_E_IO, _("writing %s: %s"), path, strerror(saved));
    }
    int dir = open(ctx->b->cfg.data_dir, O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return SERTEL_OK;
}

static sertel_err_t read_logo(cmd_ctx_t *ctx, const char *name, Sertel__OfficeProfile *p)
{
    char path[4200];
    path_in_data(ctx->b, name, path, sizeof path);
    size_t len;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cmd_fail(ctx, SERTEL_E_IO, _("the office profile's logo %s: %s"), path,
                        strerror(errno));
    uint8_t *buf = cmd_alloc(ctx, OFFICE_LOGO_MAX + 1);
    len = buf ? fread(buf, 1, OFFICE_LOGO_MAX + 1, f) : 0;
    fclose(f);
    if (!buf)
        return SERTEL_E_NOMEM;
    if (len > OFFICE_LOGO_MAX || !office_logo_is_png(buf, len))
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the office profile's logo %s is not a PNG "
                                                 "image of at most 1 MiB"), path);
    p->logo.data = buf;
    p->logo.len = len;
    return SERTEL_OK;
}

CMD(cmd_office_query)
{
    (void)req;
    char path[4200], err[1024];
    path_in_data(ctx->b, OFFICE_FILE, path, sizeof path);
    char *text = text_read_file(path, OFFICE_FILE_MAX, NULL, err, sizeof err);
    if (!text || !cmd_defer(ctx, free, text)) {
        free(text);
        return cmd_fail(ctx, SERTEL_E_NOT_FOUND, _("the office profile: %s"), err);
    }
    office_t o;
    if (office_parse(text, path, &o, ctx->why, sizeof ctx->why) != SERTEL_OK)
        return SERTEL_E_INVALID;
    Sertel__OfficeProfile *p = cmd_alloc(ctx, sizeof *p);
    if (!p)
        return SERTEL_E_NOMEM;
    sertel__office_profile__init(p);
    p->text = text;
    sertel_err_t e = o.logo[0] ? read_logo(ctx, o.logo, p) : SERTEL_OK;
    reply->body_case = SERTEL__ENVELOPE__BODY_OFFICE_PROFILE;
    reply->office_profile = p;
    return e;
}

CMD(cmd_office_load)
{
    const Sertel__OfficeLoad *in = req->office_load;
    const char *text = in->text ? in->text : "";
    office_t o;
    if (office_parse(text, OFFICE_FILE, &o, ctx->why, sizeof ctx->why) != SERTEL_OK)
        return SERTEL_E_INVALID;
    if (o.logo[0] && in->logo.len && !office_logo_is_png(in->logo.data, in->logo.len))
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the logo %s is not a PNG image"), o.logo);
    if (in->logo.len > OFFICE_LOGO_MAX)
        return cmd_fail(ctx, SERTEL_E_INVALID, _("the logo is larger than 1 MiB"));
    char path[4200];
    sertel_err_t e = SERTEL_OK;
    if (o.logo[0] && in->logo.len) {
        path_in_data(ctx->b, o.logo, path, sizeof path);
        e = write_durably(ctx, path, in->logo.data, in->logo.len);
    } else if (o.logo[0]) {
        path_in_data(ctx->b, o.logo, path, sizeof path);
        if (access(path, R_OK) != 0)
            return cmd_fail(ctx, SERTEL_E_INVALID,
                            _("the profile names the logo %s, which was not sent and is not in "
                              "the data directory"), o.logo);
    }
    path_in_data(ctx->b, OFFICE_FILE, path, sizeof path);
    if (e == SERTEL_OK)
        e = write_durably(ctx, path, text, strlen(text));
    char note[TEXT_MAX + 1];
    snprintf(note, sizeof note, "office load (%s%s%s)", o.agency, o.logo[0] ? ", logo " : "",
             o.logo);
    if (e == SERTEL_OK)
        e = broker_record_admin(ctx, SERTEL__EVENT_KIND__EV_OFFICE_LOADED, note);
    return e == SERTEL_OK ? cmd_ping(ctx, NULL, reply) : e;
}
