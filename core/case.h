/* A renewal case (perkara) as the engine sees it: a plain value type with
 * fixed-size fields, so that it can be copied with '=' and stored without
 * pointers. The history of a case is not kept here but in the journal of
 * events the engine emits. */
#ifndef SERTEL_CASE_H
#define SERTEL_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "role.h"

#define NIP_LEN 18
#define NIK_LEN 16
#define CASE_ID_MAX 32
#define NAME_MAX_LEN 128
#define EMAIL_MAX_LEN 254
#define PHONE_MAX_LEN 24
#define LETTER_NO_MAX 64
#define SUBJECT_MAX 256
#define TEXT_MAX 512   /* instruction, note, reason, contact summary */
#define HASH_HEX_LEN 64 /* SHA-256 in hex */
#define FILE_NAME_MAX 128
#define SERIAL_MAX 64
#define CASE_MAX_ATTACH 16
#define CASE_MAX_ACTORS 16
#define CASE_RECENT_REQUESTS 8
#define CASE_MAX_BOXES 8  /* instruction boxes ticked on one disposition */
#define BOX_MAX_LEN 64
#define AGENDA_NO_MAX 64  /* the office's agenda number, the SRIKANDI number */

typedef enum {
    CASE_OPEN = 1,      /* a step is in progress */
    CASE_WAITING = 2,   /* returned to the applicant; officers' clock stopped */
    CASE_DONE = 3,      /* last step completed: archived */
    CASE_REJECTED = 4,
    CASE_WITHDRAWN = 5,
} case_state_t;

typedef enum { CHANNEL_SURAT = 1, CHANNEL_TELP, CHANNEL_FAX, CHANNEL_EMAIL } channel_t;
typedef enum { URGENCY_BIASA = 1, URGENCY_SEGERA, URGENCY_SANGAT_SEGERA } urgency_t;
/* Sifat of a letter: its classification, kept apart from urgency. */
typedef enum {
    CLASS_BIASA = 1,
    CLASS_TERBATAS,
    CLASS_RAHASIA,
    CLASS_SANGAT_RAHASIA,
} classification_t;
/* How the verifier reached the applicant. */
typedef enum { CONTACT_EMAIL = 1, CONTACT_SMS, CONTACT_TELP, CONTACT_WHATSAPP } contact_channel_t;
typedef enum { ACTING_NONE = 0, ACTING_PLT = 1, ACTING_PLH = 2 } acting_kind_t;

typedef struct {
    char name[NAME_MAX_LEN + 1];
    char nip[NIP_LEN + 1];
    char nik[NIK_LEN + 1];        /* optional: empty */
    char unit[NAME_MAX_LEN + 1];  /* unit kerja / OPD */
    char position[NAME_MAX_LEN + 1];
    char email[EMAIL_MAX_LEN + 1];
    char phone[PHONE_MAX_LEN + 1];
    channel_t channel;
    char letter_no[LETTER_NO_MAX + 1];
    char letter_date[11];         /* YYYY-MM-DD */
    char subject[SUBJECT_MAX + 1];
    urgency_t urgency;
    classification_t classification; /* sifat; 0 (not given) reads as biasa */
    char agenda_no[AGENDA_NO_MAX + 1];   /* the office's own register, optional */
    char srikandi_no[AGENDA_NO_MAX + 1]; /* optional */
    char received_date[11];       /* YYYY-MM-DD the letter arrived */
} application_t;

/* The instruction boxes ticked on a disposition ("tanggapi", ...). */
typedef struct {
    char v[CASE_MAX_BOXES][BOX_MAX_LEN + 1];
    int n;
} boxes_t;

typedef struct {
    char hash[HASH_HEX_LEN + 1];  /* content hash, lowercase hex */
    char name[FILE_NAME_MAX + 1];
    uint64_t size;
    int step;                     /* step at which it was attached */
    unsigned type;                /* FILETYPE_* from the content, set by the broker
                                     when it arrives; not stored (0 once read back) */
} attachment_t;

typedef struct {
    char id[CASE_ID_MAX + 1];     /* the office's agenda number */
    char sop_code[32];
    case_state_t state;
    application_t app;
    int64_t created_at;
    char received_by[NIP_LEN + 1];

    /* the current step */
    int step;
    char assignee[NIP_LEN + 1];   /* named officer, or empty for the role pool */
    role_t pool_role;             /* role (and quals) of whoever may act */
    unsigned pool_quals;
    char instruction[TEXT_MAX + 1]; /* from the disposition that started the step */
    int64_t step_started_at;      /* wall clock, when the step began */
    int64_t segment_started_at;   /* when the clock last (re)started */
    int64_t work_banked;          /* working seconds used before the last pause */
    int64_t wait_wall;            /* wall seconds waited on the applicant, this step */
    int64_t wait_work;            /* working seconds among them */
    int64_t waiting_since;        /* when CASE_WAITING began */
    int64_t warn_at, due_at;      /* 80% and 100% of Mutu Baku, 0 while waiting */
    bool warned, overdue;
    int contacts;                 /* applicant contacts logged at this step */
    /* the rest of the lembar disposisi that started the step */
    urgency_t urgency;            /* in force: the letter's or the last disposition's */
    int64_t deadline;             /* batas waktu, 0: the Mutu Baku alone */
    boxes_t boxes;
    char note[TEXT_MAX + 1];      /* catatan */

    /* end to end: the completed steps' working seconds and Mutu Baku, summed */
    int64_t case_work, case_standard;

    char cert_serial[SERIAL_MAX + 1]; /* the renewed certificate, once recorded */
    int64_t cert_not_after;

    attachment_t attachments[CASE_MAX_ATTACH];
    int n_attachments;

    /* everyone who acted on the case, for the closing notice */
    char actors[CASE_MAX_ACTORS][NIP_LEN + 1];
    role_t actor_roles[CASE_MAX_ACTORS];
    int n_actors;

    char closed_reason[TEXT_MAX + 1];
    int64_t closed_at;
    /* The time of the case's latest event: a later event is never dated
     * before it, whatever the wall clock says (0 in cases written before
     * it was kept; case_last_event then judges by the other times). */
    int64_t last_event_at;

    struct {
        char nip[NIP_LEN + 1];
        uint64_t id;
    } recent[CASE_RECENT_REQUESTS]; /* ring of applied request ids */
    int n_recent;
} case_t;

const char *case_state_code(case_state_t s);   /* "terbuka", "menunggu", ... */
const char *case_state_title(case_state_t s);  /* translated */
case_state_t case_state_from_code(const char *code); /* 0 if unknown */
/* The time of c's latest event, or of its latest recorded instant for a
 * case written before last_event_at was kept. */
int64_t case_last_event(const case_t *c);
const char *channel_code(channel_t c);         /* "surat", "telp", "fax", "email" */
channel_t channel_from_code(const char *code); /* 0 if unknown */
const char *urgency_code(urgency_t u);         /* "biasa", "segera", "sangat-segera" */
urgency_t urgency_from_code(const char *code);
const char *classification_code(classification_t c); /* "biasa", "terbatas", "rahasia", "sangat-rahasia" */
classification_t classification_from_code(const char *code);
const char *contact_channel_code(contact_channel_t c); /* "email", "sms", "telp", "whatsapp" */
contact_channel_t contact_channel_from_code(const char *code);
const char *acting_code(acting_kind_t k);      /* "", "plt", "plh" */
acting_kind_t acting_from_code(const char *code);
bool case_is_closed(const case_t *c);

#endif
