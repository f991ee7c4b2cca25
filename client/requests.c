#include "requests.h"

void request_return(Sertel__Envelope *req, text_msg_t *m, char *id, char *text)
{
    sertel__return__init(&m->ret);
    m->ret.case_id = id;
    m->ret.reason = text;
    req->body_case = SERTEL__ENVELOPE__BODY_RETURN;
    req->return_ = &m->ret;
}

void request_resume(Sertel__Envelope *req, text_msg_t *m, char *id, char *text)
{
    sertel__resume__init(&m->resume);
    m->resume.case_id = id;
    m->resume.note = text;
    req->body_case = SERTEL__ENVELOPE__BODY_RESUME;
    req->resume = &m->resume;
}

void request_reject(Sertel__Envelope *req, text_msg_t *m, char *id, char *text)
{
    sertel__reject__init(&m->reject);
    m->reject.case_id = id;
    m->reject.reason = text;
    req->body_case = SERTEL__ENVELOPE__BODY_REJECT;
    req->reject = &m->reject;
}

void request_withdraw(Sertel__Envelope *req, text_msg_t *m, char *id, char *text)
{
    sertel__withdraw__init(&m->withdraw);
    m->withdraw.case_id = id;
    m->withdraw.reason = text;
    req->body_case = SERTEL__ENVELOPE__BODY_WITHDRAW;
    req->withdraw = &m->withdraw;
}
