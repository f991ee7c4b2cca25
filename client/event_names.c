#include "event_names.h"

#include <stddef.h>

#include "engine.h"
#include "i18n.h"
#include "sertel.pb-c.h"

static const struct {
    Sertel__EventKind kind;
    const char *code, *title; /* title: N_() */
} admin_kinds[] = {
    {SERTEL__EVENT_KIND__EV_OFFICER_CHANGED, "petugas", N_("officer changed")},
    {SERTEL__EVENT_KIND__EV_ACTING_CHANGED, "plt-plh", N_("acting official changed")},
    {SERTEL__EVENT_KIND__EV_SOP_LOADED, "sop", N_("SOP loaded")},
    {SERTEL__EVENT_KIND__EV_CALENDAR_LOADED, "kalender", N_("working calendar loaded")},
    {SERTEL__EVENT_KIND__EV_OFFICE_LOADED, "profil-kantor", N_("office profile loaded")},
    {SERTEL__EVENT_KIND__EV_MESSAGE_QUEUED, "pesan", N_("message to the applicant")},
    {SERTEL__EVENT_KIND__EV_MESSAGE_STATE, "pesan-status", N_("message state")},
    {SERTEL__EVENT_KIND__EV_CERT_DUE, "perlu-diperbarui", N_("certificate due for renewal")},
    {SERTEL__EVENT_KIND__EV_CERT_REGISTERED, "sertifikat-terdaftar", N_("certificate registered")},
};

static int admin_index(int kind)
{
    for (size_t i = 0; i < sizeof admin_kinds / sizeof admin_kinds[0]; i++)
        if ((int)admin_kinds[i].kind == kind)
            return (int)i;
    return -1;
}

const char *event_name_code(int kind)
{
    int i = admin_index(kind);
    if (i >= 0)
        return admin_kinds[i].code;
    const char *code = event_kind_code((event_kind_t)kind);
    return code ? code : "";
}

const char *event_name_title(int kind)
{
    int i = admin_index(kind);
    if (i >= 0)
        return _(admin_kinds[i].title);
    const char *title = event_kind_title((event_kind_t)kind);
    return title && title[0] ? title : _("unknown event");
}
