/* SPDX-License-Identifier: ISC */
/* nagios: --format nagios, a monitoring plugin's output (Nagios, Icinga,
 * Naemon; a drop-in for check_rbl): one line, "SENDERAUDIT STATE - text |
 * perfdata", where STATE is the word of the exit status (0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN), the text names the worst problems, and the
 * perfdata holds the counts per status, the duration and the DNS lookups.
 * A batch is one line over all its senders. */
#include <stdlib.h>
#include <string.h>

#include "../lib/util/clock.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "report.h"

/* Problems named in the line; the rest are counted ("and 4 more"). */
#define NAGIOS_NAMED       3
#define NAGIOS_SUMMARY_MAX 120

struct nagios_state {
	FILE *out;
	struct report_opts o;
	int64_t t0;
	size_t senders, failing;
	long counts[STATUS_COUNT];
	long duration_ms;
	unsigned long lookups;
	size_t new_count;
	bool baseline;
	/* the worst problems met so far: text, rank (higher first) */
	struct {
		char *text;
		int rank;
	} named[NAGIOS_NAMED];
	size_t named_n, more;
	char who[300]; /* "IP DOMAIN" of a single audit */
};

/* Plugin output is one line and '|' starts the perfdata: neither a newline
 * nor a '|' of outside data may reach it. Long summaries are cut. */
static void put_clean(struct strbuf *b, const char *s, size_t max)
{
	char *u = utf8_sanitize_new(s, strlen(s));
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
		if ((*p & 0xc0) != 0x80 && ++chars > max) {
			sb_printf(b, "...");
			break;
		}
		char c = (char)*p;
		if (*p < 0x20 || *p == 0x7f)
			c = ' ';
		else if (c == '|')
			c = '/';
		sb_putn(b, &c, 1);
	}
	free(u);
}

static void *nagios_begin(FILE *out, const struct report_opts *o)
{
	struct nagios_state *st = xcalloc(1, sizeof *st);
	st->out = out;
	st->o = *o;
	st->t0 = clock_mono_ms();
	return st;
}

/* Keeps the NAGIOS_NAMED worst problems, the first met winning a tie
 * (catalogue order, then input order). */
static void keep(struct nagios_state *st, char *text, int rank)
{
	size_t at = st->named_n;
	while (at > 0 && st->named[at - 1].rank < rank)
		at--;
	if (at == NAGIOS_NAMED) {
		st->more++;
		free(text);
		return;
	}
	if (st->named_n == NAGIOS_NAMED) {
		free(st->named[NAGIOS_NAMED - 1].text);
		st->more++;
	} else {
		st->named_n++;
	}
	memmove(&st->named[at + 1], &st->named[at], (st->named_n - 1 - at) * sizeof st->named[0]);
	st->named[at].text = text;
	st->named[at].rank = rank;
}

static void nagios_sender(void *p, const struct report_info *ri, const struct findings *fs)
{
	struct nagios_state *st = p;
	st->senders++;
	snprintf(st->who, sizeof st->who, "%s %s", ri->t->ip.text, ri->t->domain);
	long counts[STATUS_COUNT];
	report_count(fs, counts);
	for (int s = 0; s < STATUS_COUNT; s++)
		st->counts[s] += counts[s];
	st->duration_ms += ri->duration_ms;
	st->lookups += ri->lookups;
	if (ri->diff) {
		st->baseline = true;
		st->new_count += ri->diff->new_count;
	}
	bool failing = false;
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		enum report_mark m = ri->diff ? ri->diff->marks[i] : MARK_NONE;
		if (f->status != STATUS_FAIL && f->status != STATUS_ERROR && f->status != STATUS_WARN)
			continue;
		bool counts_against = report_fails_run(f, m, &st->o);
		failing |= counts_against;
		struct strbuf b = {0};
		if (st->o.batch)
			sb_printf(&b, "%s %s ", ri->t->ip.text, ri->t->domain);
		sb_printf(&b, "%s %s", report_status_upper(f->status), f->id);
		if (f->subject) {
			sb_printf(&b, " [");
			put_clean(&b, f->subject, 60);
			sb_printf(&b, "]");
		}
		if (m == MARK_NEW)
			sb_printf(&b, " (new)");
		sb_printf(&b, ": ");
		put_clean(&b, f->summary, NAGIOS_SUMMARY_MAX);
		/* what fails the run first, then by severity */
		keep(st, sb_take(&b), (counts_against ? 10 : 0) + status_rank(f->status));
	}
	st->failing += failing;
}

static const char *state_word(int exit_status)
{
	switch (exit_status) {
	case 0: return "OK";
	case 1: return "WARNING";
	case 2: return "CRITICAL";
	default: return "UNKNOWN";
	}
}

static void nagios_end(void *p, int exit_status)
{
	struct nagios_state *st = p;
	struct strbuf b = {0};
	sb_printf(&b, "SENDERAUDIT %s - ", state_word(exit_status));
	if (st->o.batch)
		sb_printf(&b, "%zu sender%s, %zu failing", st->senders, st->senders == 1 ? "" : "s",
		          st->failing);
	size_t problems =
	    (size_t)(st->counts[STATUS_WARN] + st->counts[STATUS_FAIL] + st->counts[STATUS_ERROR]);
	if (!st->o.batch)
		sb_printf(&b, "%s: %zu problem%s", st->who, problems, problems == 1 ? "" : "s");
	if (st->baseline)
		sb_printf(&b, " (%zu new)", st->new_count);
	for (size_t i = 0; i < st->named_n; i++)
		sb_printf(&b, "%s%s", i ? "; " : ": ", st->named[i].text);
	if (st->more)
		sb_printf(&b, "; and %zu more", st->more);
	long ms = st->o.batch ? (long)(clock_mono_ms() - st->t0) : st->duration_ms;
	sb_printf(&b, " |");
	if (st->o.batch)
		sb_printf(&b, " senders=%zu;;;0 failing=%zu;;;0", st->senders, st->failing);
	static const enum status order[] = {STATUS_PASS,  STATUS_WARN, STATUS_FAIL,
	                                    STATUS_ERROR, STATUS_SKIP, STATUS_INFO};
	for (size_t i = 0; i < STATUS_COUNT; i++)
		sb_printf(&b, " %s=%ld;;;0", status_name(order[i]), st->counts[order[i]]);
	if (st->baseline)
		sb_printf(&b, " new=%zu;;;0", st->new_count);
	sb_printf(&b, " duration=%.3fs;;;0 lookups=%lu;;;0", (double)ms / 1000.0, st->lookups);
	fprintf(st->out, "%s\n", sb_str(&b));
	sb_free(&b);
	for (size_t i = 0; i < st->named_n; i++)
		free(st->named[i].text);
	free(st);
}

const struct reporter reporter_nagios = {
    .name = "nagios", .begin = nagios_begin, .sender = nagios_sender, .end = nagios_end};
