/* SPDX-License-Identifier: ISC */
/* spf: the SPF family's evaluation of an identity (lib/records/spf_eval),
 * shared by its checks, helo.spf and the `senderaudit spf` subcommand. */
#ifndef SA_CHECKS_SPF_H
#define SA_CHECKS_SPF_H

#include <cjson/cJSON.h>

#include "../lib/net/resolver.h"
#include "../lib/proc/spf2pool.h"
#include "../lib/records/spf_eval.h"
#include "audit.h"

/* SPF of one identity: the decision and the tree as published (inputs
 * IN_SPF and IN_HELO_SPF). libspf2's second opinion is input
 * IN_SPF_SECOND / IN_HELO_SPF_SECOND. */
struct spf_outcome {
	struct spf_verdict verdict;        /* the decision (RFC 7208, limits applied) */
	struct spf_tree tree;              /* the published tree, walked in full */
	const struct dns_answer *root_txt; /* the domain's TXT answer (for its
	                                      failure, when it failed) */
	struct resolver_log asked;         /* the questions of both, for libspf2 */
};

/* The tree walk first (it starts every lookup the evaluation will need),
 * then check_host from the cache. */
void spf_outcome_run(const struct resolver *dns, const struct spf_request *rq, struct spf_outcome *out);
void spf_outcome_clear(struct spf_outcome *o);

/* The helo.spf finding (checks/helo.c owns the check). */
void spf_helo_finding(const struct audit *a, const struct spf_outcome *o, const struct spf_second *second,
                      struct findings *out);

#endif
