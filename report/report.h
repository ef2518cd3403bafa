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

struct strbuf;

/* What a back end is told of a baseline (--baseline): per finding whether
 * the problem is new or was already in the baseline, and the baseline's
 * problems this audit no longer has. A problem is a warn, fail or error
 * finding, known by its check id, subject and status (report/baseline.h). */
enum report_mark { MARK_NONE, MARK_NEW, MARK_UNCHANGED };

struct report_fixed {
	char *id, *subject, *status, *summary; /* as the baseline said; subject may be NULL */
};

struct report_diff {
	enum report_mark *marks; /* one per finding; MARK_NONE for pass, info, skip */
	size_t new_count, unchanged_count;
	struct report_fixed *fixed; /* baseline problems gone now */
	size_t fixed_count;
	bool sender_known; /* the baseline holds this sender */
};

/* One finished audit. */
struct report_info {
	const struct target *t;
	const char *started_at; /* RFC 3339 UTC */
	long duration_ms;
	unsigned long lookups;          /* distinct DNS questions the audit asked */
	const struct report_diff *diff; /* NULL without --baseline */
};

struct report_opts {
	bool color;
	int verbosity; /* -1 quiet (problems only), 0 normal, 1 verbose */
	bool compact;  /* JSON on one line (batch: JSON Lines) */
	bool batch;    /* a --batch run: one document for many senders */
	bool warn_ok;  /* --fail-on fail: a warning does not fail the run */
	bool new_only; /* --fail-on new: only problems absent from the baseline fail it */
};

/* A report format: a run calls begin once, sender once per audited sender
 * (in input order, as soon as it is done), and end once with the run's
 * exit status as cli/ decided it. Formats that are one document per run
 * (JUnit, Prometheus, HTML, Nagios' line) keep what they need of each
 * sender between the calls; text and JSON write each sender at once. A
 * back end only renders: it never looks anything up. */
struct reporter {
	const char *name; /* the --format value */
	/* Returns the back end's state, owned by it until end. */
	void *(*begin)(FILE *out, const struct report_opts *o);
	void (*sender)(void *st, const struct report_info *ri, const struct findings *fs);
	/* Writes what is left and frees st. */
	void (*end)(void *st, int exit_status);
	/* Optional: what sender writes for the sender, appended to out, made
	 * from nothing but the arguments (no state of the run): a batch makes
	 * it on the thread that audited the sender, and its writer only
	 * writes it (JSON Lines were a writer thread's CPU a batch waited on). */
	void (*sender_text)(const struct report_opts *o, const struct report_info *ri,
	                    const struct findings *fs, struct strbuf *out);
};

/* The back end of a --format name, or NULL. */
const struct reporter *reporter_find(const char *name);
/* The --format names, NULL-terminated, in the order --help lists them. */
extern const char *const report_format_names[];

/* Whether a finding counts against the run under the opts' --fail-on:
 * warn, fail or error (a warn not with --fail-on fail; with --fail-on new,
 * only a problem the baseline did not have). */
bool report_fails_run(const struct finding *f, enum report_mark m, const struct report_opts *o);

/* Every format's single-sender renderers (the reporters use them). */
void report_text(FILE *out, const struct report_info *ri, const struct findings *fs,
                 const struct report_opts *o);
void report_json(FILE *out, const struct report_info *ri, const struct findings *fs,
                 const struct report_opts *o);

/* The back ends, for reporter_find. */
extern const struct reporter reporter_text, reporter_json, reporter_nagios, reporter_junit,
    reporter_prometheus, reporter_html;

/* Shared by the back ends: a status in capitals ("FAIL"), and the number
 * of findings with each status. */
const char *report_status_upper(enum status s);
void report_count(const struct findings *fs, long counts[STATUS_COUNT]);

/* The JSON report as a cJSON tree (the caller frees it with cJSON_Delete,
 * before fs: the findings' data are referenced, not copied). */
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
