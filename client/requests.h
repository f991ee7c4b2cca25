/* Requests on one case that carry one text (return, resume, reject,
 * withdraw), built the same way by the command line and the terminal UI. */
#ifndef SERTEL_REQUESTS_H
#define SERTEL_REQUESTS_H

#include "sertel.pb-c.h"

/* Room for whichever of the four messages the envelope will point at. */
typedef union {
    Sertel__Return ret;
    Sertel__Resume resume;
    Sertel__Reject reject;
    Sertel__Withdraw withdraw;
} text_msg_t;

/* Each sets req's body to m, filled with the case and the text (the
 * reason, or for resume the note). id and text must outlive req. */
typedef void (*text_fill_fn)(Sertel__Envelope *req, text_msg_t *m, char *id, char *text);
void request_return(Sertel__Envelope *req, text_msg_t *m, char *id, char *text);
void request_resume(Sertel__Envelope *req, text_msg_t *m, char *id, char *text);
void request_reject(Sertel__Envelope *req, text_msg_t *m, char *id, char *text);
void request_withdraw(Sertel__Envelope *req, text_msg_t *m, char *id, char *text);

#endif
