/* SPDX-License-Identifier: ISC */
/* reporter: the table of report formats behind --format (one back end per
 * file of report/), and the few facts every back end reads the same way:
 * what counts against the run, counts per status, status words. */
#include <string.h>

#include "report.h"

static const struct reporter *const reporters[] = {
    &reporter_text, &reporter_json, &reporter_nagios, &reporter_junit, &reporter_prometheus, &reporter_html,
};

const char *const report_format_names[] = {"text", "json", "nagios", "junit", "prometheus", "html", NULL};

const struct reporter *reporter_find(const char *name)
{
	for (size_t i = 0; i < sizeof reporters / sizeof *reporters; i++)
		if (strcmp(reporters[i]->name, name) == 0)
			return reporters[i];
	return NULL;
}

bool report_fails_run(const struct finding *f, enum report_mark m, const struct report_opts *o)
{
	if (f->status != STATUS_FAIL && f->status != STATUS_ERROR && f->status != STATUS_WARN)
		return false;
	if (o->new_only)
		return m == MARK_NEW && !(f->status == STATUS_WARN && o->warn_ok);
	return !(f->status == STATUS_WARN && o->warn_ok);
}

const char *report_status_upper(enum status s)
{
	switch (s) {
	case STATUS_PASS: return "PASS";
	case STATUS_WARN: return "WARN";
	case STATUS_FAIL: return "FAIL";
	case STATUS_ERROR: return "ERROR";
	case STATUS_SKIP: return "SKIP";
	case STATUS_INFO: return "INFO";
	}
	return "?";
}

void report_count(const struct findings *fs, long counts[STATUS_COUNT])
{
	memset(counts, 0, STATUS_COUNT * sizeof *counts);
	for (size_t i = 0; i < fs->n; i++)
		counts[fs->v[i].status]++;
}
