/* The workflow engine: the SOP's rules as a pure function.
 *
 *   engine_apply(sop, calendar, case, command, actor, now)
 *       -> new case + events | refusal with a reason
 *
 * No sockets, no clock, no storage, no logging. The caller resolves the
 * acting officer, any acting assignment (Plt/Plh) and any named target
 * officer from its registry and passes them in; the engine only decides.
 * A refusal leaves *out and *evs untouched in meaning (the caller must
 * discard them). */
#ifndef SERTEL_ENGINE_H
#define SERTEL_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "err.h"
#include "sop.h"
#include "worktime.h"

typedef struct {
    char nip[NIP_LEN + 1];
    char name[NAME_MAX_LEN + 1];
    char unit[NAME_MAX_LEN + 1];     /* optional */
    char position[NAME_MAX_LEN + 1]; /* jabatan, optional */
    role_t role;
    unsigned quals;
    bool active;
} officer_t;

/* An officer acting for another during a period (Plt or Plh). */
typedef struct {
    acting_kind_t kind;
    officer_t holder;      /* the official whose place is taken */
    char by_nip[NIP_LEN + 1];
    int64_t from, to;      /* [from, to) */
} acting_t;

typedef struct {
    officer_t self;
    const acting_t *acting; /* NULL when acting in their own right */
} actor_t;

typedef enum {
    CMD_INTAKE = 1,   /* register an application: creates the case at step 1 */
    CMD_COMPLETE,     /* complete the current step, dispose to the next */
    CMD_RETURN,       /* return an incomplete application to the applicant */
    CMD_RESUME,       /* the applicant answered: the clock runs again */
    CMD_REJECT,
    CMD_WITHDRAW,     /* the applicant withdrew */
    CMD_ATTACH,       /* attach a document at the current step */
    CMD_CONTACT,      /* log a contact with the applicant */
    CMD_CERTIFICATE,  /* record the renewed certificate */
    CMD_TAKE,         /* take a case from the pool of the step's role */
    CMD_REASSIGN,     /* a superior gives a taken step to another officer, or back to the pool */
} command_kind_t;

typedef struct {
    command_kind_t kind;
    uint64_t request_id;          /* client-chosen; repeats are refused */
    const char *case_id;          /* CMD_INTAKE: the new agenda number */
    const char *sop_code;         /* CMD_INTAKE */
    const application_t *app;     /* CMD_INTAKE */
    const attachment_t *attachments; /* CMD_INTAKE, CMD_COMPLETE, CMD_ATTACH */
    int n_attachments;
    const officer_t *to;          /* CMD_COMPLETE: chosen next officer, or NULL;
                                     CMD_REASSIGN: the new holder, or NULL for the pool */
    const char *instruction;      /* CMD_COMPLETE: the disposition's instruction */
    const char *note;             /* CMD_COMPLETE: catatan; CMD_RESUME: free note */
    const boxes_t *boxes;         /* CMD_COMPLETE: instruction boxes ticked, or NULL */
    int64_t deadline;             /* CMD_COMPLETE: batas waktu, 0: none */
    urgency_t urgency;            /* CMD_COMPLETE: 0 keeps the urgency in force */
    const char *reason;           /* CMD_RETURN, CMD_REJECT, CMD_WITHDRAW, CMD_REASSIGN */
    contact_channel_t contact_channel; /* CMD_CONTACT */
    const char *summary;          /* CMD_CONTACT */
    const char *force_note;       /* CMD_INTAKE: why a likely duplicate is registered, or NULL */
    const char *force_of;         /* CMD_INTAKE: the open case it resembles, or NULL */
    const char *cert_serial;      /* CMD_CERTIFICATE */
    int64_t cert_not_after;       /* CMD_CERTIFICATE */
    const char *cert_holder;      /* CMD_CERTIFICATE: the subject's CN when the certificate
                                     itself was sent, else NULL (serial typed in) */
    const char *cert_holder_id;   /* CMD_CERTIFICATE: digits of the subject's serialNumber
                                     (a NIK or NIP), or NULL */
} command_t;

typedef enum {
    EV_RECEIVED = 1,   /* case created at step 1 */
    EV_DISPOSED,       /* step completed; the next step assigned */
    EV_ARCHIVED,       /* last step completed */
    EV_RETURNED,
    EV_RESUMED,
    EV_REJECTED,
    EV_WITHDRAWN,
    EV_ATTACHED,
    EV_CONTACTED,
    EV_CERTIFIED,
    EV_WARNED,         /* a step reached 80% of its Mutu Baku (from sla) */
    EV_OVERDUE,        /* a step passed its Mutu Baku; escalated (from sla) */
    /* numbered as in the protocol's EventKind */
    EV_TAKEN = 30,     /* an officer of the pool took the step */
    EV_REASSIGNED = 31, /* a superior gave the step to another (note: the previous holder) */
} event_kind_t;

typedef struct {
    event_kind_t kind;
    char case_id[CASE_ID_MAX + 1];
    int64_t at;
    int step;                      /* the step acted on */
    /* who: the person, and whom they acted for */
    char actor[NIP_LEN + 1];
    role_t actor_role;             /* effective role */
    acting_kind_t acting;
    char acting_for[NIP_LEN + 1];
    /* where the case went (EV_RECEIVED, EV_DISPOSED, EV_OVERDUE) */
    int next_step;
    char assignee[NIP_LEN + 1];    /* empty: the role pool */
    role_t assignee_role;
    unsigned assignee_quals;
    role_t escalate_to;            /* EV_OVERDUE: the superior's role */
    char text[TEXT_MAX + 1];       /* instruction, reason or contact summary */
    char note[TEXT_MAX + 1];
    /* a completed step's timing (EV_DISPOSED, EV_ARCHIVED) */
    int64_t work;                  /* working seconds used */
    int64_t wall;                  /* wall seconds from start to completion */
    int64_t wait_wall, wait_work;  /* waiting on the applicant, excluded from work */
    int64_t standard;              /* Mutu Baku in working seconds (urgency applied) */
    int64_t case_work, case_standard; /* EV_ARCHIVED: the whole case, end to end */
    /* the lembar disposisi (EV_RECEIVED, EV_DISPOSED) */
    boxes_t boxes;
    int64_t deadline;              /* batas waktu, 0: none */
    urgency_t urgency;             /* in force for the next step */
} event_t;

#define ENGINE_MAX_EVENTS (CASE_MAX_ATTACH + 2)

typedef struct {
    event_t ev[ENGINE_MAX_EVENTS];
    int n;
} events_t;

/* Applies cmd. in is NULL for CMD_INTAKE. On SERTEL_OK, *out is the new
 * case and evs the events it caused, in order (evs->ev[0..n); the slots
 * after them are not written). Otherwise why holds the
 * translated reason and nothing may be kept. */
sertel_err_t engine_apply(const sop_t *sop, const calendar_t *cal, const case_t *in,
                          const command_t *cmd, const actor_t *actor, int64_t now,
                          case_t *out, events_t *evs, char *why, size_t whylen);

/* Whether app is the letter of the open case c again: the same
 * applicant (NIP) and letter number (ignoring case and spaces). */
bool engine_same_letter(const case_t *c, const application_t *app);

/* The officer's effective role and qualifications at now, taking an
 * acting assignment into account. */
role_t actor_effective_role(const actor_t *a, int64_t now, unsigned *quals);

/* Working seconds used so far on the current step (0 once closed). */
int64_t engine_step_work(const calendar_t *cal, const case_t *c, int64_t now);

/* SLA sweep for one case at now: emits EV_WARNED when the step has passed
 * 80% of its Mutu Baku, EV_OVERDUE (with escalate_to) when it has passed
 * 100%, each once per step. Returns the number of events added to evs
 * and updates *c. Cases that wait on the applicant are never due. */
int engine_sla_check(const sop_t *sop, const calendar_t *cal, case_t *c, int64_t now,
                     events_t *evs);

/* NULL for a value that names no kind. */
const char *event_kind_code(event_kind_t k);   /* "diterima", "didisposisikan", ... */
const char *event_kind_title(event_kind_t k);  /* translated */

#endif
