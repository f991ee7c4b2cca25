/* The inbox: one row per case that waits on the officer, most pressing
 * first, with a countdown against the step's Mutu Baku recomputed on
 * every redraw, and a mark on dispositions not yet looked at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case_order.h"
#include "engine.h"
#include "i18n.h"
#include "timeleft.h"
#include "tui_internal.h"

#define PREVIEW_LINES 2

/* ---- fresh marks */

void tui_mark_fresh(tui_t *t, const char *id)
{
    if (tui_is_fresh(t, id))
        return;
    if (t->n_fresh == TUI_MAX_FRESH) { /* the oldest gives way */
        memmove(t->fresh[0], t->fresh[1], sizeof t->fresh[0] * (TUI_MAX_FRESH - 1));
        t->n_fresh--;
    }
    snprintf(t->fresh[t->n_fresh++], sizeof t->fresh[0], "%s", id);
}

bool tui_is_fresh(const tui_t *t, const char *id)
{
    for (int i = 0; i < t->n_fresh; i++)
        if (strcmp(t->fresh[i], id) == 0)
            return true;
    return false;
}

void tui_unmark_fresh(tui_t *t, const char *id)
{
    for (int i = 0; i < t->n_fresh; i++)
        if (strcmp(t->fresh[i], id) == 0) {
            memmove(t->fresh[i], t->fresh[i + 1], sizeof t->fresh[0] * (size_t)(t->n_fresh - i - 1));
            t->n_fresh--;
            return;
        }
}

/* ---- the list */

const Sertel__Case *tui_inbox_selected(const tui_t *t)
{
    return t->sel >= 0 && (size_t)t->sel < t->n_rows ? t->rows[t->sel] : NULL;
}

void tui_inbox_clear(tui_t *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    if (t->inbox)
        sertel__envelope__free_unpacked(t->inbox, NULL);
    t->inbox = NULL;
}

void tui_inbox_set(tui_t *t, Sertel__Envelope *reply)
{
    char keep[CASE_ID_MAX + 1] = "";
    const Sertel__Case *sel = tui_inbox_selected(t);
    if (sel)
        snprintf(keep, sizeof keep, "%s", sel->id);
    const Sertel__CaseList *l = reply->case_list;
    Sertel__Case **rows = malloc((l->n_cases ? l->n_cases : 1) * sizeof *rows);
    if (!rows) {
        sertel__envelope__free_unpacked(reply, NULL);
        return;
    }
    if (l->n_cases) /* an empty list may come as NULL */
        memcpy(rows, l->cases, l->n_cases * sizeof *rows);
    case_order_sort(rows, l->n_cases);
    tui_inbox_clear(t);
    t->inbox = reply;
    t->rows = rows;
    t->n_rows = l->n_cases;
    t->inbox_at = (int64_t)time(NULL);
    /* The selection stays on its case; a case that left stays put by row. */
    for (size_t i = 0; keep[0] && i < t->n_rows; i++)
        if (strcmp(t->rows[i]->id, keep) == 0)
            t->sel = (int)i;
    if (t->sel >= (int)t->n_rows)
        t->sel = (int)t->n_rows - 1;
    if (t->sel < 0)
        t->sel = 0;
    /* A mark on a case no longer here is forgotten. */
    for (int i = t->n_fresh - 1; i >= 0; i--) {
        bool here = false;
        for (size_t j = 0; j < t->n_rows && !here; j++)
            here = strcmp(t->rows[j]->id, t->fresh[i]) == 0;
        if (!here)
            tui_unmark_fresh(t, t->fresh[i]);
    }
}

/* ---- the countdown */

const char *tui_countdown(tui_t *t, const Sertel__Case *c, int64_t fetched_at, int64_t now,
                          char *buf, size_t len, int *level)
{
    *level = 0;
    buf[0] = '\0';
    if (c->state == SERTEL__CASE_STATE__STATE_WAITING) {
        /* The state says whom it waits on; this says what it means. */
        snprintf(buf, len, "%s", _("clock stopped"));
        return buf;
    }
    if (c->state != SERTEL__CASE_STATE__STATE_OPEN)
        return buf;
    if (c->due_at > 0) {
        bool late = now > c->due_at;
        timeleft_format(t->cal, late ? calendar_work_between(t->cal, c->due_at, now)
                                     : calendar_work_between(t->cal, now, c->due_at),
                        late, buf, len);
        *level = late ? 2 : c->warned || (c->warn_at && now >= c->warn_at) ? 1 : 0;
        return buf;
    }
    /* No due time in the reply: from the work used and the SOP's standard. */
    const sop_step_t *st = tui_sops_step(t->sops, c->sop_code, c->step);
    if (!st)
        return buf;
    int64_t standard = calendar_duration(t->cal, st->std_amount, st->std_unit);
    int64_t used = c->work_used + calendar_work_between(t->cal, fetched_at, now);
    bool late = used >= standard;
    timeleft_format(t->cal, late ? used - standard : standard - used, late, buf, len);
    *level = late ? 2 : used * 5 >= standard * 4 ? 1 : 0;
    return buf;
}

/* ---- drawing */

static int urgency_of(const Sertel__Case *c)
{
    return c->app ? (int)c->app->urgency : 0;
}

static const char *urgency_title(int u)
{
    switch (u) {
    case SERTEL__URGENCY__URGENCY_SEGERA:
        return _("urgent");
    case SERTEL__URGENCY__URGENCY_SANGAT_SEGERA:
        return _("very urgent");
    default:
        return _("normal");
    }
}

static void step_text(tui_t *t, const Sertel__Case *c, char *buf, size_t len)
{
    const sop_step_t *st = tui_sops_step(t->sops, c->sop_code, c->step);
    if (st)
        snprintf(buf, len, _("Step %d: %s"), (int)c->step, st->activity);
    else
        snprintf(buf, len, _("Step %d"), (int)c->step);
}

typedef struct {
    int id, urg, app, step, cd, state;
} cols_t;

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Fixed columns take what their widest cell needs (within limits); the
 * applicant and the step share the rest. */
static cols_t layout(tui_t *t, int width, int64_t now, int first, int last)
{
    int wide = width >= 110;
    cols_t c = {.id = clamp(tui_width(_("Agenda no.")), 13, 20),
                .urg = clamp(tui_width(_("Urgency")), 5, wide ? 14 : 7),
                .cd = clamp(tui_width(_("Mutu Baku")), 8, 26),
                .state = clamp(tui_width(_("State")), 5, wide ? 16 : 8)};
    char buf[128];
    int lv;
    for (int i = first; i < last; i++) {
        const Sertel__Case *k = t->rows[i];
        c.id = clamp(tui_width(k->id), c.id, 20);
        c.urg = clamp(tui_width(urgency_title(urgency_of(k))), c.urg, wide ? 14 : 7);
        c.cd = clamp(tui_width(tui_countdown(t, k, t->inbox_at, now, buf, sizeof buf, &lv)), c.cd, 26);
        c.state = clamp(tui_width(case_state_title((case_state_t)k->state)), c.state, wide ? 16 : 8);
    }
    /* 2 for the mark, one blank between columns */
    int rest = width - 2 - c.id - c.urg - c.cd - c.state - 5;
    if (rest < 16) { /* very narrow: the state goes first */
        rest += c.state + 1;
        c.state = 0;
    }
    c.app = clamp(rest * 2 / 5, 6, 40);
    c.step = rest - c.app - 1;
    if (c.step < 6) {
        c.app = rest / 2;
        c.step = rest - c.app - 1;
    }
    return c;
}

static void draw_cells(int y, const cols_t *c, const char *mark, const char *id, const char *urg,
                       int urg_attr, const char *app, const char *step, const char *cd, int cd_attr,
                       const char *state, int base)
{
    int x = 0;
    attrset(base);
    x += tui_put(y, x, mark, 2, true);
    x += tui_put(y, x, id, c->id, true);
    x += tui_put(y, x, " ", 1, true);
    attrset(base | urg_attr);
    x += tui_put(y, x, urg, c->urg, true);
    attrset(base);
    x += tui_put(y, x, " ", 1, true);
    x += tui_put(y, x, app, c->app, true);
    x += tui_put(y, x, " ", 1, true);
    x += tui_put(y, x, step, c->step, true);
    x += tui_put(y, x, " ", 1, true);
    attrset(base | cd_attr);
    x += tui_put(y, x, cd, c->cd, true);
    attrset(base);
    if (c->state) {
        x += tui_put(y, x, " ", 1, true);
        tui_put(y, x, state, c->state, true);
    }
    attrset(A_NORMAL);
}

static void draw_preview(tui_t *t, const Sertel__Case *c, int y, int width)
{
    char line[1024], step[512];
    const Sertel__Application *a = c->app;
    snprintf(line, sizeof line, "%s — %s%s%s", c->id, a && a->name ? a->name : "",
             a && a->unit && *a->unit ? ", " : "", a && a->unit ? a->unit : "");
    attrset(A_BOLD);
    tui_put(y, 1, line, width - 2, false);
    step_text(t, c, step, sizeof step);
    if (c->instruction && *c->instruction)
        snprintf(line, sizeof line, "%s — %s: %s", step, _("Instruction"), c->instruction);
    else
        snprintf(line, sizeof line, "%s", step);
    attrset(A_NORMAL);
    tui_put(y + 1, 1, line, width - 2, false);
}

void tui_inbox_draw(tui_t *t, int y, int height, int width, int64_t now)
{
    if (!t->inbox) {
        tui_put(y + 1, 2, t->online ? _("Reading the inbox…") : _("Waiting for the broker…"), width - 3, false);
        return;
    }
    if (t->n_rows == 0) {
        tui_put(y + 1, 2, _("No cases wait on you."), width - 3, false);
        return;
    }
    bool preview = height >= 8;
    int visible = height - 1 - (preview ? PREVIEW_LINES + 1 : 0);
    if (visible < 1)
        visible = 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + visible)
        t->top = t->sel - visible + 1;
    if (t->top > (int)t->n_rows - visible)
        t->top = (int)t->n_rows - visible;
    if (t->top < 0)
        t->top = 0;
    int last = t->top + visible < (int)t->n_rows ? t->top + visible : (int)t->n_rows;
    cols_t c = layout(t, width, now, t->top, last);
    draw_cells(y, &c, "", _("Agenda no."), _("Urgency"), 0, _("Applicant"), _("Step"),
               _("Mutu Baku"), 0, _("State"), (int)(A_BOLD | A_UNDERLINE));
    for (int i = t->top; i < last; i++) {
        const Sertel__Case *k = t->rows[i];
        char step[512], cd[128];
        int level;
        step_text(t, k, step, sizeof step);
        tui_countdown(t, k, t->inbox_at, now, cd, sizeof cd, &level);
        bool fresh = tui_is_fresh(t, k->id);
        int base = (i == t->sel ? (int)A_REVERSE : 0) | (fresh ? (int)A_BOLD | tui_attr(PAIR_FRESH) : 0);
        int cd_attr = level == 2 ? tui_attr(PAIR_LATE) | (int)A_BOLD : level == 1 ? tui_attr(PAIR_WARN) : 0;
        int urg_attr = urgency_of(k) >= SERTEL__URGENCY__URGENCY_SEGERA ? (int)A_BOLD : 0;
        draw_cells(y + 1 + i - t->top, &c, fresh ? "* " : "  ", k->id, urgency_title(urgency_of(k)),
                   urg_attr, k->app && k->app->name ? k->app->name : "", step, cd, cd_attr,
                   case_state_title((case_state_t)k->state), base);
    }
    if (preview && tui_inbox_selected(t)) {
        attrset(A_DIM);
        mvhline(y + height - PREVIEW_LINES - 1, 0, ACS_HLINE, width);
        attrset(A_NORMAL);
        draw_preview(t, tui_inbox_selected(t), y + height - PREVIEW_LINES, width);
    }
}

bool tui_inbox_key(tui_t *t, wint_t key, int height)
{
    int page = height > 6 ? height - 5 : 1, n = (int)t->n_rows, sel = t->sel;
    switch (key) {
    case KEY_UP:
        sel--;
        break;
    case KEY_DOWN:
        sel++;
        break;
    case KEY_PPAGE:
        sel -= page;
        break;
    case KEY_NPAGE:
        sel += page;
        break;
    case KEY_HOME:
        sel = 0;
        break;
    case KEY_END:
        sel = n - 1;
        break;
    default:
        return false;
    }
    t->sel = clamp(sel, 0, n > 0 ? n - 1 : 0);
    /* Looking at a new disposition is what clears its mark. */
    if (tui_inbox_selected(t))
        tui_unmark_fresh(t, tui_inbox_selected(t)->id);
    return true;
}
