/* spf_second: libspf2's verdict for a request, as a second opinion.
 * libspf2 runs in a child process (Debian's build lacks the CVE-2023-42118
 * fix: a hostile record must not take the audit down), fed only answers
 * the parent has already looked up. */
#ifndef SA_SPF_SECOND_H
#define SA_SPF_SECOND_H

#include "../lib/dns.h"
#include "../lib/spf_eval.h"
#include "spf.h"

/* Fills out (ran, result or why). Never fails the audit: a crash, a hang
 * (timeout_ms) or an unusable answer is reported in out->why. */
void spf_second_run(struct dns *d, const struct spf_request *rq, int timeout_ms, struct spf_second *out);

#endif
