/* SPDX-License-Identifier: ISC */
/* text: the human report, grouped by category. */
#include <string.h>

#include "../lib/model/category.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "report.h"

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

void report_text(FILE *out, const struct report_info *ri, const struct findings *fs, const struct report_opts *o)
{
	const struct target *t = ri->t;
	fprintf(out, "senderaudit %s: ", SA_VERSION);
	text_put_safe(out, t->ip.text);
	if (t->ip.mapped)
		fprintf(out, " (given as ::ffff:%s, an IPv4-mapped IPv6 address)", t->ip.text);
	fputs(" sending for ", out);
	text_put_safe(out, t->domain);
	fputs(" (", out);
	if (t->helo) {
		fputs("HELO ", out);
		text_put_safe(out, t->helo);
		fputs(", ", out);
	}
	if (t->mail_from_given) {
		fputs("MAIL FROM domain ", out);
		text_put_safe(out, t->mail_from);
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
		fprintf(out, ">, %zu recipient%s, %zu bytes\n", w->rcpt_count, w->rcpt_count == 1 ? "" : "s", w->size);
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
			fprintf(out, "\n%s%s%s\n", o->color ? "\033[1m" : "", category_title(cat), o->color ? "\033[0m" : "");
		}
		fputs("  ", out);
		put_status(out, f->status, o->color);
		fputs("  ", out);
		text_put_safe(out, f->id);
		if (f->subject) {
			fputs(" [", out);
			text_put_safe(out, f->subject);
			fputc(']', out);
		}
		fputs(": ", out);
		text_put_safe(out, f->summary);
		fputc('\n', out);
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
	long counts[STATUS_COUNT] = {0};
	for (size_t i = 0; i < fs->n; i++)
		counts[fs->v[i].status]++;
	enum status worst = findings_worst(fs);
	fprintf(out, "\n%ld pass, %ld warn, %ld fail, %ld error, %ld skip, %ld info: ", counts[STATUS_PASS],
	        counts[STATUS_WARN], counts[STATUS_FAIL], counts[STATUS_ERROR], counts[STATUS_SKIP],
	        counts[STATUS_INFO]);
	put_status(out, worst, o->color);
	fprintf(out, " (%ld ms)\n", ri->duration_ms);
}
