/* SPDX-License-Identifier: ISC */
/* spf_json: the SPF evaluator's results as JSON, for the spf checks' data
 * and the `senderaudit spf` report. */
#ifndef SA_SPF_JSON_H
#define SA_SPF_JSON_H

#include <cjson/cJSON.h>

#include "spf_eval.h"

/* The tree as nested objects (domain, via, status, why, record, lookups,
 * total, macro_terms, children), or null for an empty tree. */
cJSON *spf_tree_json_new(const struct spf_tree *t);
/* The verdict's facts (result, reason, matched, matched_in, explanation,
 * lookups, void_lookups). */
cJSON *spf_verdict_json_new(const struct spf_verdict *v);

#endif
