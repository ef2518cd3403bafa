/* SPDX-License-Identifier: ISC */
/* spf2pool: libspf2's verdict for a request, as a second opinion (receivers
 * such as Exim use libspf2). Process machinery, not a check: libspf2 runs in
 * worker processes (Debian's build lacks the CVE-2023-42118 fix: a hostile
 * record must not take the audit down) whose DNS questions the audit
 * answers through its resolver. */
#ifndef SA_SPF2POOL_H
#define SA_SPF2POOL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "../net/resolver.h"
#include "../records/spf_eval.h"

/* libspf2's verdict for one request. */
struct spf_second {
	bool ran;
	char *result;   /* libspf2's result name, or NULL when it did not finish */
	char *why;      /* when it did not finish: crashed, hung, ... */
	unsigned asked; /* questions it asked over its socket (not known before) */
};
void spf_second_clear(struct spf_second *s);
/* As JSON: {"result": ...} or {"why": ...} (NULL s: not run). */
cJSON *spf_second_json_new(const struct spf_second *s);

struct spf2_pool;

/* Forks the workers (at most `workers` evaluations at once). Call it before
 * the process starts threads: forking a threaded process is best avoided. */
struct spf2_pool *spf2_pool_new(size_t workers);
/* Ends the workers. */
void spf2_pool_free(struct spf2_pool *p);

/* Fills out (ran, result or why). Never fails the audit: a crash, a hang
 * (the whole evaluation over timeout_ms: timeouts.h's libspf2_ms) or an
 * unusable answer is reported in out->why, and the
 * worker replaced. p may be NULL (not run). Thread-safe. The answers to
 * the questions of known (may be NULL), taken from d, go with the request:
 * libspf2 asks d over its socket only for those it lacks. */
void spf_second_run(struct spf2_pool *p, const struct resolver *d, const struct spf_request *rq,
                    const struct resolver_log *known, int timeout_ms, struct spf_second *out);

/* The same for n requests (at most SPF_SECOND_MAX) in one message to one
 * worker: out[i] is rq[i]'s verdict, each with timeout_ms of its own and
 * the answers of known[i]. One that fails is reported as above, and those
 * after it are asked again alone. */
#define SPF_SECOND_MAX 4
void spf_second_run_n(struct spf2_pool *p, const struct resolver *d, const struct spf_request *rq,
                      const struct resolver_log *const *known, size_t n, int timeout_ms,
                      struct spf_second *out);

#endif
