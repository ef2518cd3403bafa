/* SPDX-License-Identifier: ISC */
/* text: the human report, grouped by category, and its reporter: one block
 * per sender, and in a batch a closing table of each sender's worst status
 * and counts. Names are shown in their Unicode form (the JSON keeps the
 * A-labels); with -q, identical errors of one category are one entry that
 * names its checks. */
#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/model/category.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "report.h"
#include "spool.h"

static const char *colour_of(enum status s)
{
	switch (s) {
	case STATUS_PASS: return "\033[32m";
	case STATUS_WARN: return "\033[33m";
	case STATUS_FAIL: return "\033[1;31m";
	case STATUS_ERROR: return "\033[35m";
	case STATUS_SKIP: return "\033[2m";
	case STATUS_INFO: return "\033[36m";
	}
	return "";
}

static void put_status(FILE *out, enum status s, bool color)
{
	char word[8];
	const char *n = status_name(s);
	size_t i = 0;
	for (; n[i] && i < sizeof word - 1; i++)
		word[i] = (char)(n[i] - 'a' + 'A');
	word[i] = '\0';
	if (color)
		fprintf(out, "%s%-5s\033[0m", colour_of(s), word);
	else
		fprintf(out, "%-5s", word);
}

static bool is_problem(enum status s)
{
	return s == STATUS_WARN || s == STATUS_FAIL || s == STATUS_ERROR;
}

static void put_line(FILE *out, const char *prefix, const char *s)
{
	fputs(prefix, out);
	text_put_safe(out, s);
	fputc('\n', out);
}

/* A name as people read it: an IDN's U-labels ("bücher.example"); any
 * other name, or one libidn2 will not decode, as it is. */
static void put_name(FILE *out, const char *name)
{
	char *u = NULL;
	if (strstr(name, "xn--") && idn2_to_unicode_8z8z(name, &u, 0) == IDN2_OK && u) {
		text_put_safe(out, u);
		idn2_free(u);
		return;
	}
	idn2_free(u);
	text_put_safe(out, name);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

/* A summary or subject with every name that holds an A-label in its
 * Unicode form. Details and remedies keep the A-labels: they name what to
 * type into a zone file. */
static void put_idn_text(FILE *out, const char *s)
{
	if (!strstr(s, "xn--")) {
		text_put_safe(out, s);
		return;
	}
	struct strbuf b = {0};
	for (const char *p = s; *p;) {
		size_t n = 0;
		while (name_char(p[n]))
			n++;
		if (n == 0) {
			sb_putn(&b, p++, 1);
			continue;
		}
		char *run = xstrndup(p, n), *u = NULL;
		if (strstr(run, "xn--") && idn2_to_unicode_8z8z(run, &u, 0) == IDN2_OK && u)
			sb_printf(&b, "%s", u);
		else
			sb_putn(&b, p, n);
		idn2_free(u);
		free(run);
		p += n;
	}
	text_put_safe(out, sb_str(&b));
	sb_free(&b);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* With -q, the errors that one failed lookup leaves on a whole category
 * (six rdns checks with the same three lines) are one entry: true when
 * g has the same category, status, summary, detail and remedy as f. */
static bool same_error(const struct finding *f, const struct finding *g)
{
	return f->status == STATUS_ERROR && g->status == STATUS_ERROR &&
	       strcmp(f->category, g->category) == 0 && same_text(f->summary, g->summary) &&
	       same_text(f->detail, g->detail) && same_text(f->remedy, g->remedy);
}

static const char *mark_text(const struct report_info *ri, size_t i)
{
	if (!ri->diff)
		return NULL;
	switch (ri->diff->marks[i]) {
	case MARK_NEW: return "new";
	case MARK_UNCHANGED: return "unchanged";
	case MARK_NONE: break;
	}
	return NULL;
}

void report_text(FILE *out, const struct report_info *ri, const struct findings *fs,
                 const struct report_opts *o)
{
	const struct target *t = ri->t;
	fprintf(out, "senderaudit %s: ", SA_VERSION);
	text_put_safe(out, t->ip.text);
	if (t->ip.mapped)
		fprintf(out, " (given as ::ffff:%s, an IPv4-mapped IPv6 address)", t->ip.text);
	fputs(" sending for ", out);
	put_name(out, t->domain);
	fputs(" (", out);
	if (t->helo) {
		fputs("HELO ", out);
		put_name(out, t->helo);
		fputs(", ", out);
	}
	if (t->mail_from_given) {
		fputs("MAIL FROM domain ", out);
		put_name(out, t->mail_from);
		fputs(", ", out);
	}
	fprintf(out, "%s IP)\n", t->shared ? "shared" : "dedicated");
	if (t->message && !t->wire) {
		/* what the message's headers supplied is a hint, and says so */
		fputs("message ", out);
		text_put_safe(out, strcmp(t->message_file, "-") == 0 ? "(standard input)" : t->message_file);
		fprintf(out, " (%zu bytes)", t->message_len);
		struct strbuf h = {0};
		if (t->ip_src == SRC_HEADER)
			sb_sep_printf(&h, ", ", "IP");
		if (t->helo && t->helo_src == SRC_HEADER)
			sb_sep_printf(&h, ", ", "HELO");
		if (t->ip_src == SRC_HEADER || (t->helo && t->helo_src == SRC_HEADER))
			sb_printf(&h, " from the Received field at line %zu", t->received_line);
		if (t->mail_from_src == SRC_HEADER)
			sb_sep_printf(&h, "; ", "MAIL FROM from Return-Path");
		if (t->domain_src == SRC_HEADER)
			sb_sep_printf(&h, "; ", "DOMAIN from From");
		if (h.len) {
			fputs(": ", out);
			text_put_safe(out, sb_str(&h));
			fputs(" (hints: headers can be forged)", out);
		}
		sb_free(&h);
		fputc('\n', out);
	}
	if (t->wire) {
		const struct target_wire *w = t->wire;
		fprintf(out, "received %s from %s port %d: %s ", w->received_at, t->ip.text, w->client_port,
		        w->esmtp ? "EHLO" : "HELO");
		text_put_safe(out, w->helo ? w->helo : "");
		if (w->starttls)
			fprintf(out, ", STARTTLS %s %s", w->tls_version, w->tls_cipher);
		else
			fputs(", no STARTTLS", out);
		fputs(", MAIL FROM <", out);
		text_put_safe(out, w->mail_from ? w->mail_from : "");
		fprintf(out, ">, %zu recipient%s, %zu bytes\n", w->rcpt_count, w->rcpt_count == 1 ? "" : "s",
		        w->size);
	}

	const char *cat = NULL;
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		if (o->verbosity < 0 && !is_problem(f->status))
			continue;
		if (o->verbosity <= 0 && f->status == STATUS_SKIP && f->summary &&
		    strcmp(f->summary, "disabled by --only/--skip") == 0)
			continue;
		if (!cat || strcmp(cat, f->category) != 0) {
			cat = f->category;
			fprintf(out, "\n%s%s%s\n", o->color ? "\033[1m" : "", category_title(cat),
			        o->color ? "\033[0m" : "");
		}
		fputs("  ", out);
		put_status(out, f->status, o->color);
		fputs("  ", out);
		text_put_safe(out, f->id);
		if (f->subject) {
			fputs(" [", out);
			put_idn_text(out, f->subject);
			fputc(']', out);
		}
		size_t last = i;
		while (o->verbosity < 0 && last + 1 < fs->n && same_error(f, &fs->v[last + 1]) &&
		       same_text(mark_text(ri, i), mark_text(ri, last + 1))) {
			const struct finding *g = &fs->v[++last];
			fputs(", ", out);
			text_put_safe(out, g->id);
			if (g->subject) {
				fputs(" [", out);
				text_put_safe(out, g->subject);
				fputc(']', out);
			}
		}
		fputs(": ", out);
		put_idn_text(out, f->summary);
		if (mark_text(ri, i))
			fprintf(out, "  [%s]", mark_text(ri, i));
		fputc('\n', out);
		i = last;
		bool problem = is_problem(f->status);
		if (f->detail && (problem || o->verbosity > 0 || f->status == STATUS_SKIP))
			put_line(out, "         ", f->detail);
		if (problem && f->remedy)
			put_line(out, "         fix: ", f->remedy);
		if (o->verbosity > 0) {
			if (f->ref_count) {
				fputs("         refs: ", out);
				for (size_t k = 0; k < f->ref_count; k++) {
					if (k)
						fputs("; ", out);
					text_put_safe(out, f->refs[k]);
				}
				fputc('\n', out);
			}
			if (f->data && f->data->child) {
				char *d = cJSON_PrintUnformatted(f->data);
				if (d) {
					put_line(out, "         data: ", d);
					cJSON_free(d);
				}
			}
		}
	}
	const struct report_diff *d = ri->diff;
	if (d && d->fixed_count) {
		fprintf(out, "\n%sFixed since the baseline%s\n", o->color ? "\033[1m" : "",
		        o->color ? "\033[0m" : "");
		for (size_t k = 0; k < d->fixed_count; k++) {
			const struct report_fixed *x = &d->fixed[k];
			fputs("  was ", out);
			text_put_safe(out, x->status);
			fputs("  ", out);
			text_put_safe(out, x->id);
			if (x->subject) {
				fputs(" [", out);
				text_put_safe(out, x->subject);
				fputc(']', out);
			}
			fputs(": ", out);
			text_put_safe(out, x->summary);
			fputc('\n', out);
		}
	}
	long counts[STATUS_COUNT];
	report_count(fs, counts);
	enum status worst = findings_worst(fs);
	if (d)
		fprintf(out, "\nbaseline: %zu new, %zu unchanged, %zu fixed%s", d->new_count,
		        d->unchanged_count, d->fixed_count,
		        d->sender_known ? "" : " (the baseline does not hold this sender)");
	fprintf(out, "\n%ld pass, %ld warn, %ld fail, %ld error, %ld skip, %ld info: ", counts[STATUS_PASS],
	        counts[STATUS_WARN], counts[STATUS_FAIL], counts[STATUS_ERROR], counts[STATUS_SKIP],
	        counts[STATUS_INFO]);
	put_status(out, worst, o->color);
	fprintf(out, " (%ld ms)\n", ri->duration_ms);
}

/* The text reporter: a block per sender; a batch ends with a table of each
 * sender's worst status and counts. The rows wait in a temporary file, so
 * that a batch of a million senders streams in memory that does not grow
 * with it. */
struct text_state {
	FILE *out;
	struct report_opts o;
	struct spool rows; /* "worst who counts..." lines (a batch's) */
	size_t n;
};

static void *text_begin(FILE *out, const struct report_opts *o)
{
	struct text_state *st = xcalloc(1, sizeof *st);
	st->out = out;
	st->o = *o;
	if (o->batch)
		spool_init(&st->rows);
	return st;
}

static void text_sender(void *p, const struct report_info *ri, const struct findings *fs)
{
	struct text_state *st = p;
	if (st->n++)
		fputc('\n', st->out);
	report_text(st->out, ri, fs, &st->o);
	if (!st->o.batch)
		return;
	char who[300];
	snprintf(who, sizeof who, "%s %s", ri->t->ip.text, ri->t->domain);
	long counts[STATUS_COUNT];
	report_count(fs, counts);
	struct strbuf row = {0};
	sb_printf(&row, "%-40s %-6s %5ld %5ld %5ld %5ld %5ld %5ld\n", who, status_name(findings_worst(fs)),
	          counts[STATUS_PASS], counts[STATUS_WARN], counts[STATUS_FAIL], counts[STATUS_ERROR],
	          counts[STATUS_SKIP], counts[STATUS_INFO]);
	spool_put(&st->rows, &row);
	sb_free(&row);
}

static void text_end(void *p, int exit_status)
{
	struct text_state *st = p;
	(void)exit_status;
	if (st->o.batch && st->n) {
		fprintf(st->out, "\n%-40s %-6s %5s %5s %5s %5s %5s %5s\n", "sender", "status", "pass", "warn",
		        "fail", "error", "skip", "info");
		spool_copy(&st->rows, st->out);
	}
	if (st->o.batch)
		spool_free(&st->rows);
	free(st);
}

const struct reporter reporter_text = {
    .name = "text", .begin = text_begin, .sender = text_sender, .end = text_end};
