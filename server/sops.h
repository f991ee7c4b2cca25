/* The broker's parsed SOPs and working calendar, cached from the store. */
#ifndef SERTEL_SOPS_H
#define SERTEL_SOPS_H

#include "state.h"

/* The SOP with this code (NULL or "": the default one); NULL if not loaded. */
const sop_t *broker_sop(broker_t *b, const char *code);
/* Parses and caches an SOP text (replacing one with the same code). */
sertel_err_t broker_sop_install(broker_t *b, const char *text, const char *name,
                                char *err, size_t errlen);
/* Loads the default SOP's name, the calendar and every stored SOP. */
sertel_err_t sops_load(broker_t *b, store_txn_t *t, char *err, size_t errlen);
/* Reads the stored SOPs again (after a commit that loaded one). */
void sops_reload(broker_t *b);
void sops_free(broker_t *b);

#endif
