/* spf_second: libspf2's verdict for a request, as a second opinion.
 * libspf2 runs in worker processes (Debian's build lacks the CVE-2023-42118
 * fix: a hostile record must not take the audit down) whose DNS questions
 * the audit answers through lib/dns. */
#ifndef SA_SPF_SECOND_H
#define SA_SPF_SECOND_H

#include "../lib/net/dns.h"
#include "../lib/records/spf_eval.h"
#include "spf.h"

struct spf2_pool;

/* Forks the workers (at most `workers` evaluations at once). Call it before
 * the process starts threads: forking a threaded process is best avoided. */
struct spf2_pool *spf2_pool_new(size_t workers);
/* Ends the workers. */
void spf2_pool_free(struct spf2_pool *p);

/* Fills out (ran, result or why). Never fails the audit: a crash, a hang
 * (timeout_ms) or an unusable answer is reported in out->why, and the
 * worker replaced. p may be NULL (not run). Thread-safe. */
void spf_second_run(struct spf2_pool *p, struct dns *d, const struct spf_request *rq, int timeout_ms,
                    struct spf_second *out);

#endif
