/* SPDX-License-Identifier: ISC */
/* report: back ends that render a finished audit. They never look
 * anything up. */
#ifndef SA_REPORT_H
#define SA_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../lib/model/target.h"
#include "../lib/proc/spf2pool.h"
#include "../lib/records/spf_eval.h"
#include "../lib/model/finding.h"

struct report_info {
	const struct target *t;
	const char *started_at; /* RFC 3339 UTC */
	long duration_ms;
};

struct report_opts {
	bool color;
	int verbosity; /* -1 quiet (problems only), 0 normal, 1 verbose */
	bool compact;  /* JSON on one line (batch: JSON Lines) */
};

void report_text(FILE *out, const struct report_info *ri, const struct findings *fs, const struct report_opts *o);
void report_json(FILE *out, const struct report_info *ri, const struct findings *fs, const struct report_opts *o);

/* The JSON report as a cJSON tree (the caller frees it with cJSON_Delete). */
cJSON *report_json_tree(const struct report_info *ri, const struct findings *fs);
/* Makes every string of a JSON tree valid UTF-8 (DNS and RDAP data are
 * bytes, not text; cJSON prints whatever it holds). */
void report_json_sanitize(cJSON *root);

/* The `senderaudit spf` subcommand's result. */
struct spf_report {
	const struct ipaddr *ip;
	const char *domain, *sender, *helo; /* helo may be NULL */
	const struct spf_verdict *verdict;
	const struct spf_tree *tree;
	const struct spf_second *second; /* libspf2's verdict */
};
void report_spf_text(FILE *out, const struct spf_report *r);
void report_spf_json(FILE *out, const struct spf_report *r);

#endif
