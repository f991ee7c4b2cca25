/* Mutu Baku watch: the PERINGATAN of the SOP made into warnings. The
 * engine sets warn_at and due_at whenever a step starts or resumes; the
 * sweep only compares them with now, so it is cheap enough to run over
 * every due timer row and gives the same answer after a restart. */
#include "engine.h"

#include <stddef.h>
#include <string.h>

int64_t engine_step_work(const calendar_t *cal, const case_t *c, int64_t now)
{
    if (!cal || !c || case_is_closed(c))
        return 0;
    int64_t running = c->state == CASE_OPEN
                          ? calendar_work_between(cal, c->segment_started_at, now)
                          : 0;
    return c->work_banked + running;
}

/* Each threshold fires once per step: its flag in the case says whether it
 * has, its instant when it is due. Overdue escalates to the superior of
 * the step's role; a Kadis step has none and is still recorded. */
static const struct {
    event_kind_t kind;
    size_t fired;  /* offset of the bool in case_t */
    size_t at;     /* offset of the int64_t in case_t */
    bool escalate;
} thresholds[] = {
    {EV_WARNED, offsetof(case_t, warned), offsetof(case_t, warn_at), false},
    {EV_OVERDUE, offsetof(case_t, overdue), offsetof(case_t, due_at), true},
};

static void sla_event(const sop_t *sop, const sop_step_t *st, const calendar_t *cal,
                      const case_t *c, int64_t now, event_t *ev)
{
    memset(ev, 0, sizeof *ev);
    memcpy(ev->case_id, c->id, sizeof ev->case_id);
    ev->case_id[CASE_ID_MAX] = '\0';
    ev->at = now;
    ev->step = ev->next_step = c->step;
    memcpy(ev->assignee, c->assignee, sizeof ev->assignee);
    ev->assignee[NIP_LEN] = '\0';
    ev->assignee_role = c->pool_role;
    ev->assignee_quals = c->pool_quals;
    ev->work = engine_step_work(cal, c, now);
    ev->wall = now - c->step_started_at;
    ev->wait_wall = c->wait_wall;
    ev->wait_work = c->wait_work;
    ev->standard = calendar_duration(cal, st->std_amount, st->std_unit) *
                   sop_urgency_percent(sop, (int)c->urgency) / 100;
    ev->deadline = c->deadline;
}

int engine_sla_check(const sop_t *sop, const calendar_t *cal, case_t *c, int64_t now,
                     events_t *evs)
{
    if (!sop || !cal || !c || !evs || c->state != CASE_OPEN)
        return 0;
    const sop_step_t *st = sop_step(sop, c->step);
    if (!st)
        return 0;
    int added = 0;
    for (size_t i = 0; i < sizeof thresholds / sizeof thresholds[0]; i++) {
        bool *fired = (bool *)((char *)c + thresholds[i].fired);
        int64_t at = *(const int64_t *)((const char *)c + thresholds[i].at);
        if (*fired || at <= 0 || now < at || evs->n < 0 || evs->n >= ENGINE_MAX_EVENTS)
            continue;
        event_t *ev = &evs->ev[evs->n++];
        sla_event(sop, st, cal, c, now, ev);
        ev->kind = thresholds[i].kind;
        ev->escalate_to = thresholds[i].escalate ? role_superior(st->role) : ROLE_NONE;
        *fired = true;
        added++;
    }
    return added;
}
