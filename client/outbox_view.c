#include "outbox_view.h"

#include <time.h>

#include "i18n.h"
#include "json.h"
#include "message.h"

static void json_items(FILE *out, const Sertel__OutboxList *l)
{
    json_t j;
    json_init(&j, out);
    json_obj_begin(&j, NULL);
    json_arr_begin(&j, "messages");
    for (size_t i = 0; i < l->n_items; i++) {
        const Sertel__OutboxItem *m = l->items[i];
        json_obj_begin(&j, NULL);
        json_uint(&j, "id", m->id);
        json_str(&j, "case", m->case_id);
        json_str(&j, "channel", message_channel_code(m->channel));
        json_str(&j, "to", m->to);
        json_str(&j, "subject", m->subject);
        json_str(&j, "state", message_state_code(m->state));
        json_uint(&j, "tries", m->tries);
        json_str(&j, "reason", m->reason);
        json_str(&j, "cause", m->cause);
        json_int(&j, "queued_at", m->queued_at);
        json_int(&j, "updated_at", m->updated_at);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    json_finish(&j);
}

void outbox_view_print(FILE *out, const Sertel__OutboxList *l, bool json)
{
    if (json) {
        json_items(out, l);
        return;
    }
    if (!l->n_items) {
        fprintf(out, "%s\n", _("No messages."));
        return;
    }
    for (size_t i = 0; i < l->n_items; i++) {
        const Sertel__OutboxItem *m = l->items[i];
        char when[32];
        time_t t = (time_t)m->updated_at;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        fprintf(out, "#%-5llu %-16s %-9s %-11s %s  %s\n", (unsigned long long)m->id,
                m->case_id[0] ? m->case_id : "-", message_channel_code(m->channel),
                message_state_title(m->state), when, m->to);
        if (m->subject[0])
            fprintf(out, "       %s\n", m->subject);
        if (m->reason[0])
            fprintf(out, "       %s: %s (%s: %u)\n", _("reason"), m->reason, _("tries"), m->tries);
    }
}
