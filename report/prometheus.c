/* SPDX-License-Identifier: ISC */
/* prometheus: --format prometheus, OpenMetrics text for node_exporter's
 * textfile collector (also valid Prometheus text format: gauges only, no
 * OpenMetrics-only types). Every sample carries the sender as labels ip and
 * domain, so a batch is one exposition with a series per sender; samples of
 * one metric stay together, as both formats require, so each metric's
 * lines wait in a temporary file of its own (spool.h) until the end. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/util/strbuf.h"
#include "../lib/util/strmap.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "report.h"
#include "spool.h"

enum metric { M_CHECK, M_CHECKS, M_STATUS, M_DURATION, M_LOOKUPS, M_STARTED, M_NEW, M_COUNT };

static const struct {
	const char *name, *unit, *help;
} metrics[M_COUNT] = {
    {"senderaudit_check_status", NULL,
     "One sample per check (and subject) of the last audit, value 1, its status in the status label."},
    {"senderaudit_checks", NULL, "Number of checks of the last audit with each status."},
    {"senderaudit_status", NULL,
     "Worst status of the last audit as the exit status gives it: 0 pass, info or skip; 1 warn; 2 fail; 3 "
     "error."},
    {"senderaudit_duration_seconds", "seconds", "How long the last audit took."},
    {"senderaudit_dns_lookups", NULL, "Distinct DNS questions the last audit asked."},
    {"senderaudit_last_run_timestamp_seconds", "seconds", "When the last audit started, in Unix time."},
    {"senderaudit_baseline_new_problems", NULL,
     "Problems (warn, fail, error) of the last audit that the --baseline report did not have."},
};

struct prom_state {
	FILE *out;
	struct report_opts o;
	struct spool m[M_COUNT];
	bool any[M_COUNT];   /* the metric has a sample */
	struct strmap *seen; /* "ip domain" of the senders written: a repeated one is left out */
};

static void *prom_begin(FILE *out, const struct report_opts *o)
{
	struct prom_state *st = xcalloc(1, sizeof *st);
	st->out = out;
	st->o = *o;
	for (int m = 0; m < M_COUNT; m++)
		spool_init(&st->m[m]);
	st->seen = strmap_new();
	return st;
}

/* A label value: valid UTF-8, with \, " and newline escaped. */
static void put_value(struct strbuf *b, const char *s)
{
	char *u = utf8_sanitize_new(s, strlen(s));
	for (const char *p = u; *p; p++) {
		if (*p == '\\' || *p == '"')
			sb_printf(b, "\\%c", *p);
		else if (*p == '\n')
			sb_printf(b, "\\n");
		else
			sb_putn(b, p, 1);
	}
	free(u);
}

/* Starts a sample: NAME{ip="...",domain="..." (the caller adds labels and
 * closes it). */
static void sample(struct strbuf *b, enum metric m, const struct report_info *ri)
{
	sb_printf(b, "%s{ip=\"", metrics[m].name);
	put_value(b, ri->t->ip.text);
	sb_printf(b, "\",domain=\"");
	put_value(b, ri->t->domain);
	sb_printf(b, "\"");
}

static int status_code(enum status worst)
{
	switch (worst) {
	case STATUS_FAIL: return 2;
	case STATUS_ERROR: return 3;
	case STATUS_WARN: return 1;
	default: return 0;
	}
}

static long long unix_time(const char *rfc3339)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return (long long)timegm(&tm);
}

static void prom_sender(void *p, const struct report_info *ri, const struct findings *fs)
{
	struct prom_state *st = p;
	char key[400];
	snprintf(key, sizeof key, "%s %s", ri->t->ip.text, ri->t->domain);
	if (strmap_get(st->seen, key))
		return; /* one series per sender: the first audit of it stands */
	strmap_put(st->seen, key, st);

	struct strbuf b[M_COUNT] = {{0}};
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		sample(&b[M_CHECK], M_CHECK, ri);
		sb_printf(&b[M_CHECK], ",check=\"");
		put_value(&b[M_CHECK], f->id);
		sb_printf(&b[M_CHECK], "\",subject=\"");
		put_value(&b[M_CHECK], f->subject ? f->subject : "");
		sb_printf(&b[M_CHECK], "\",status=\"%s\"} 1\n", status_name(f->status));
	}
	long counts[STATUS_COUNT];
	report_count(fs, counts);
	static const enum status order[] = {STATUS_PASS,  STATUS_WARN, STATUS_FAIL,
	                                    STATUS_ERROR, STATUS_SKIP, STATUS_INFO};
	for (size_t i = 0; i < STATUS_COUNT; i++) {
		sample(&b[M_CHECKS], M_CHECKS, ri);
		sb_printf(&b[M_CHECKS], ",status=\"%s\"} %ld\n", status_name(order[i]), counts[order[i]]);
	}
	sample(&b[M_STATUS], M_STATUS, ri);
	sb_printf(&b[M_STATUS], "} %d\n", status_code(findings_worst(fs)));
	sample(&b[M_DURATION], M_DURATION, ri);
	sb_printf(&b[M_DURATION], "} %.3f\n", (double)ri->duration_ms / 1000.0);
	sample(&b[M_LOOKUPS], M_LOOKUPS, ri);
	sb_printf(&b[M_LOOKUPS], "} %lu\n", ri->lookups);
	sample(&b[M_STARTED], M_STARTED, ri);
	sb_printf(&b[M_STARTED], "} %lld\n", unix_time(ri->started_at));
	if (ri->diff) {
		sample(&b[M_NEW], M_NEW, ri);
		sb_printf(&b[M_NEW], "} %zu\n", ri->diff->new_count);
	}
	for (int m = 0; m < M_COUNT; m++) {
		st->any[m] = st->any[m] || b[m].len;
		spool_put(&st->m[m], &b[m]);
		sb_free(&b[m]);
	}
}

static void prom_end(void *p, int exit_status)
{
	struct prom_state *st = p;
	(void)exit_status;
	for (int m = 0; m < M_COUNT; m++) {
		if (st->any[m]) {
			fprintf(st->out, "# HELP %s %s\n# TYPE %s gauge\n", metrics[m].name, metrics[m].help,
			        metrics[m].name);
			if (metrics[m].unit)
				fprintf(st->out, "# UNIT %s %s\n", metrics[m].name, metrics[m].unit);
			spool_copy(&st->m[m], st->out);
		}
		spool_free(&st->m[m]);
	}
	fputs("# EOF\n", st->out);
	strmap_free(st->seen);
	free(st);
}

const struct reporter reporter_prometheus = {
    .name = "prometheus", .begin = prom_begin, .sender = prom_sender, .end = prom_end};
