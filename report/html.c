/* SPDX-License-Identifier: ISC */
/* html: --format html, one self-contained page for people who will not
 * read JSON: no external assets, no JavaScript, a print style. The summary
 * first (a batch: a table of every sender, linked to its section), then per
 * sender its findings by category, each problem with its evidence (detail,
 * raw data) and remedy. The page is one document per run, so sections and
 * the overview's rows wait in temporary files (spool.h) until the end, when
 * the overview's head is known. */
#include <stdlib.h>
#include <string.h>

#include "../lib/model/category.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/xalloc.h"
#include "markup.h"
#include "report.h"
#include "spool.h"

struct html_state {
	FILE *out;
	struct report_opts o;
	struct spool body;  /* the senders' sections */
	struct spool table; /* a batch's overview: a row per sender */
	size_t n;
	enum status worst;
	bool diff;   /* the first sender was compared with a baseline */
	char *first; /* "ip domain" of the first sender: a single audit's title */
};

static const char css[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;"
    "background:#fff;margin:0 auto;max-width:64rem;padding:1rem 1.5rem}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem;"
    "border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}"
    "table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.2rem .6rem;"
    "text-align:left}td.n{text-align:right}"
    ".finding{border-left:6px solid #999;padding:.3rem .8rem;margin:.4rem 0;background:#f7f7f7}"
    ".finding p{margin:.2rem 0}.st{display:inline-block;min-width:3.5rem;font-weight:bold;"
    "font-family:monospace;padding:0 .3rem;border-radius:3px;color:#fff;text-align:center}"
    ".pass{border-color:#2e7d32}.pass .st,.st.pass{background:#2e7d32}"
    ".warn{border-color:#b26a00}.warn .st,.st.warn{background:#b26a00}"
    ".fail{border-color:#c62828}.fail .st,.st.fail{background:#c62828}"
    ".error{border-color:#6a1b9a}.error .st,.st.error{background:#6a1b9a}"
    ".skip{border-color:#9e9e9e}.skip .st,.st.skip{background:#757575}"
    ".info{border-color:#0277bd}.info .st,.st.info{background:#0277bd}"
    "ul.problems{list-style:none;padding-left:0}ul.problems li{margin:.15rem 0}"
    "code{font-family:monospace}.id{font-weight:bold}.fix{font-weight:bold}"
    ".mark{font-size:.85em;border:1px solid #555;border-radius:3px;padding:0 .3rem;margin-left:.4rem}"
    "pre{white-space:pre-wrap;word-break:break-all;font-size:.85em;margin:.2rem 0}"
    ".refs,.detail{color:#444}footer{margin-top:2rem;color:#666;font-size:.85em}"
    "@media print{body{max-width:none;padding:0;font-size:11pt}.finding{break-inside:avoid;"
    "background:none}h2{break-after:avoid}h3{break-after:avoid}a{color:inherit;text-decoration:none}"
    ".st{color:#000;border:1px solid #000;background:none!important}}";

static void *html_begin(FILE *out, const struct report_opts *o)
{
	struct html_state *st = xcalloc(1, sizeof *st);
	st->out = out;
	st->o = *o;
	st->worst = STATUS_SKIP;
	spool_init(&st->body);
	if (o->batch)
		spool_init(&st->table);
	return st;
}

static void counts_cells(struct strbuf *b, const long counts[STATUS_COUNT])
{
	static const enum status order[] = {STATUS_PASS,  STATUS_WARN, STATUS_FAIL,
	                                    STATUS_ERROR, STATUS_SKIP, STATUS_INFO};
	for (size_t i = 0; i < STATUS_COUNT; i++)
		sb_printf(b, "<td class=\"n\">%ld</td>", counts[order[i]]);
}

static bool problem(enum status s)
{
	return s == STATUS_WARN || s == STATUS_FAIL || s == STATUS_ERROR;
}

/* anchor: "s<sender>-<finding>", unique in the page, for the list of
 * problems above the findings. */
static void put_finding(struct strbuf *b, const struct finding *f, enum report_mark m, size_t sender,
                        size_t index)
{
	const char *s = status_name(f->status);
	/* data-check: a handle for scripts and tests (an id would repeat
	 * across the senders of a batch) */
	sb_printf(b, "<div class=\"finding %s\" id=\"s%zu-%zu\" data-check=\"", s, sender, index);
	markup_escape(b, f->id);
	sb_printf(b, "\"><p><span class=\"st\">%s</span> <code class=\"id\">",
	          report_status_upper(f->status));
	markup_escape(b, f->id);
	sb_printf(b, "</code>");
	if (f->subject) {
		sb_printf(b, " [<code>");
		markup_escape(b, f->subject);
		sb_printf(b, "</code>]");
	}
	if (m != MARK_NONE)
		sb_printf(b, "<span class=\"mark\">%s</span>", m == MARK_NEW ? "new" : "unchanged");
	sb_printf(b, ": <span class=\"summary\">");
	markup_escape(b, f->summary);
	sb_printf(b, "</span></p>\n");
	if (f->detail) {
		sb_printf(b, "<p class=\"detail\">");
		markup_escape(b, f->detail);
		sb_printf(b, "</p>\n");
	}
	if (f->remedy &&
	    (f->status == STATUS_WARN || f->status == STATUS_FAIL || f->status == STATUS_ERROR)) {
		sb_printf(b, "<p><span class=\"fix\">Fix:</span> ");
		markup_escape(b, f->remedy);
		sb_printf(b, "</p>\n");
	}
	if (f->ref_count) {
		sb_printf(b, "<p class=\"refs\">Sources: ");
		for (size_t k = 0; k < f->ref_count; k++) {
			if (k)
				sb_printf(b, "; ");
			markup_escape(b, f->refs[k]);
		}
		sb_printf(b, "</p>\n");
	}
	if (f->data && f->data->child) {
		char *d = cJSON_Print(f->data);
		if (d) {
			sb_printf(b, "<details><summary>Evidence (raw data)</summary><pre>");
			markup_escape(b, d);
			sb_printf(b, "</pre></details>\n");
			cJSON_free(d);
		}
	}
	sb_printf(b, "</div>\n");
}

/* A batch's overview row of sender st->n, linked to its section. */
static void table_row(struct html_state *st, const struct report_info *ri, const struct findings *fs,
                      enum status worst)
{
	struct strbuf h = {0};
	long counts[STATUS_COUNT];
	report_count(fs, counts);
	sb_printf(&h, "<tr><td><a href=\"#sender-%zu\">", st->n);
	markup_escape(&h, ri->t->ip.text);
	sb_printf(&h, " ");
	markup_escape(&h, ri->t->domain);
	sb_printf(&h, "</a></td><td><span class=\"st %s\">%s</span></td>", status_name(worst),
	          report_status_upper(worst));
	counts_cells(&h, counts);
	sb_printf(&h, "<td class=\"n\">%ld</td>", ri->duration_ms);
	if (ri->diff)
		sb_printf(&h, "<td class=\"n\">%zu</td>", ri->diff->new_count);
	sb_printf(&h, "</tr>\n");
	spool_put(&st->table, &h);
	sb_free(&h);
}

static void html_sender(void *p, const struct report_info *ri, const struct findings *fs)
{
	struct html_state *st = p;
	const struct target *t = ri->t;
	enum status worst = findings_worst(fs);
	if (status_rank(worst) > status_rank(st->worst))
		st->worst = worst;
	if (!st->n) {
		st->diff = ri->diff != NULL;
		st->first = xasprintf("%s %s", t->ip.text, t->domain);
	}
	st->n++;
	if (st->o.batch)
		table_row(st, ri, fs, worst);

	struct strbuf section = {0}, *b = &section;
	sb_printf(b, "<section id=\"sender-%zu\">\n<h2>", st->n);
	markup_escape(b, t->ip.text);
	sb_printf(b, " sending for ");
	markup_escape(b, t->domain);
	sb_printf(b, " <span class=\"st %s\">%s</span></h2>\n<p>", status_name(worst),
	          report_status_upper(worst));
	if (t->helo) {
		sb_printf(b, "HELO <code>");
		markup_escape(b, t->helo);
		sb_printf(b, "</code>, ");
	}
	if (t->mail_from_given) {
		sb_printf(b, "MAIL FROM domain <code>");
		markup_escape(b, t->mail_from);
		sb_printf(b, "</code>, ");
	}
	sb_printf(b, "%s IP; audit started ", t->shared ? "shared" : "dedicated");
	markup_escape(b, ri->started_at);
	sb_printf(b, ", took %ld ms, %lu DNS lookups.</p>\n", ri->duration_ms, ri->lookups);
	sb_printf(b,
	          "<table><tr><th>pass</th><th>warn</th><th>fail</th><th>error</th><th>skip</th><th>info</th>"
	          "</tr><tr>");
	long counts[STATUS_COUNT];
	report_count(fs, counts);
	counts_cells(b, counts);
	sb_printf(b, "</tr></table>\n");
	if (ri->diff)
		sb_printf(b, "<p>Against the baseline: %zu new, %zu unchanged, %zu fixed problems%s.</p>\n",
		          ri->diff->new_count, ri->diff->unchanged_count, ri->diff->fixed_count,
		          ri->diff->sender_known ? "" : " (the baseline does not hold this sender)");
	size_t problems = 0;
	for (size_t i = 0; i < fs->n; i++)
		problems += problem(fs->v[i].status);
	if (problems) {
		sb_printf(b, "<p>Problems:</p>\n<ul class=\"problems\">\n");
		for (size_t i = 0; i < fs->n; i++) {
			const struct finding *f = &fs->v[i];
			if (!problem(f->status))
				continue;
			sb_printf(b, "<li><a href=\"#s%zu-%zu\"><span class=\"st %s\">%s</span> ", st->n, i,
			          status_name(f->status), report_status_upper(f->status));
			markup_escape(b, f->id);
			if (f->subject) {
				sb_printf(b, " [");
				markup_escape(b, f->subject);
				sb_printf(b, "]");
			}
			sb_printf(b, "</a></li>\n");
		}
		sb_printf(b, "</ul>\n");
	}
	const char *cat = NULL;
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		if (!cat || strcmp(cat, f->category) != 0) {
			cat = f->category;
			sb_printf(b, "<h3>");
			markup_escape(b, category_title(cat));
			sb_printf(b, "</h3>\n");
		}
		put_finding(b, f, ri->diff ? ri->diff->marks[i] : MARK_NONE, st->n, i);
	}
	if (ri->diff && ri->diff->fixed_count) {
		sb_printf(b, "<h3>Fixed since the baseline</h3>\n<ul>\n");
		for (size_t k = 0; k < ri->diff->fixed_count; k++) {
			const struct report_fixed *x = &ri->diff->fixed[k];
			sb_printf(b, "<li>was ");
			markup_escape(b, x->status);
			sb_printf(b, ": <code>");
			markup_escape(b, x->id);
			sb_printf(b, "</code>");
			if (x->subject) {
				sb_printf(b, " [<code>");
				markup_escape(b, x->subject);
				sb_printf(b, "</code>]");
			}
			sb_printf(b, ": ");
			markup_escape(b, x->summary);
			sb_printf(b, "</li>\n");
		}
		sb_printf(b, "</ul>\n");
	}
	sb_printf(b, "</section>\n");
	spool_put(&st->body, b);
	sb_free(b);
}

static void html_end(void *p, int exit_status)
{
	struct html_state *st = p;
	struct strbuf h = {0};
	sb_printf(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	if (st->n == 1 && !st->o.batch) {
		sb_printf(&h, "senderaudit: ");
		markup_escape(&h, st->first);
	} else {
		sb_printf(&h, "senderaudit: %zu senders", st->n);
	}
	sb_printf(&h, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>senderaudit %s report</h1>\n", css,
	          SA_VERSION);
	sb_printf(&h,
	          "<p>Worst status <span class=\"st %s\">%s</span> over %zu sender%s; exit status %d. "
	          "Each problem says what to change; <b>error</b> means a lookup failed and the "
	          "status is unknown.</p>\n",
	          status_name(st->worst), report_status_upper(st->worst), st->n, st->n == 1 ? "" : "s",
	          exit_status);
	if (st->o.batch)
		sb_printf(
		    &h,
		    "<h2>Senders</h2>\n<table>\n<tr><th>sender</th><th>status</th><th>pass</th><th>warn</th>"
		    "<th>fail</th><th>error</th><th>skip</th><th>info</th><th>ms</th>%s</tr>\n",
		    st->n && st->diff ? "<th>new</th>" : "");
	fputs(sb_str(&h), st->out);
	if (st->o.batch) {
		spool_copy(&st->table, st->out);
		fputs("</table>\n", st->out);
		spool_free(&st->table);
	}
	spool_copy(&st->body, st->out);
	fprintf(st->out,
	        "<footer>senderaudit %s: pass, warn, fail, error, skip and info as in "
	        "<code>man senderaudit</code>.</footer>\n</body>\n</html>\n",
	        SA_VERSION);
	sb_free(&h);
	spool_free(&st->body);
	free(st->first);
	free(st);
}

const struct reporter reporter_html = {
    .name = "html", .begin = html_begin, .sender = html_sender, .end = html_end};
