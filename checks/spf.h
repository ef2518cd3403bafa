/* spf: the SPF family's evaluation of one identity, shared by the audit's
 * checks and the `senderaudit spf` subcommand. */
#ifndef SA_CHECKS_SPF_H
#define SA_CHECKS_SPF_H

#include <cjson/cJSON.h>

#include "../lib/net/dns.h"
#include "../lib/records/spf_eval.h"

/* libspf2's verdict for the same request, evaluated in a child process
 * from the answers the evaluator saw (a second opinion: receivers such as
 * Exim use libspf2). */
struct spf_second {
	bool ran;
	char *result; /* libspf2's result name, or NULL when it did not finish */
	char *why;    /* when it did not finish: crashed, hung, ... */
};

struct spf_outcome {
	struct spf_verdict verdict; /* the decision (RFC 7208, limits applied) */
	struct spf_tree tree;       /* the published tree, walked in full */
	struct spf_second second;
};

/* Evaluates rq over d: the tree walk first (it starts every lookup the
 * evaluation will need), then check_host from the cache, then libspf2 in
 * spf2's workers (NULL: not asked). */
struct spf2_pool;
void spf_outcome_run(struct dns *d, struct spf2_pool *spf2, const struct spf_request *rq, int timeout_ms,
                     struct spf_outcome *out);
void spf_outcome_clear(struct spf_outcome *o);

/* The tree as nested JSON objects (domain, via, status, record, lookups,
 * total, children). */
cJSON *spf_tree_json_new(const struct spf_tree *t);
/* The verdict's facts as a JSON object (result, reason, matched, ...). */
cJSON *spf_outcome_json_new(const struct spf_outcome *o);

#endif
