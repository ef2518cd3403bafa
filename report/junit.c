/* SPDX-License-Identifier: ISC */
/* junit: --format junit, the JUnit XML that GitLab (artifacts:reports:
 * junit), Jenkins (junit step) and GitHub test-report actions read. One
 * testsuite per category (per sender and category in a batch), one
 * testcase per finding: fail is a <failure>, error an <error>, skip
 * <skipped>; a warn is a <failure> when it fails the run (--fail-on warn,
 * the default), and with --fail-on new only new problems are failures or
 * errors. Passes, infos and problems that do not fail the run say what they
 * found in <system-out>. The whole run is one <testsuites> document
 * (testdata/junit/junit.xsd is the dialect, checked with xmllint). */
#include <stdlib.h>
#include <string.h>

#include "../lib/util/strbuf.h"
#include "../lib/util/xalloc.h"
#include "markup.h"
#include "report.h"
#include "spool.h"

struct junit_state {
	FILE *out;
	struct report_opts o;
	struct spool suites; /* every <testsuite> so far */
	long tests, failures, errors, skipped;
	long duration_ms;
};

static void *junit_begin(FILE *out, const struct report_opts *o)
{
	struct junit_state *st = xcalloc(1, sizeof *st);
	st->out = out;
	st->o = *o;
	spool_init(&st->suites);
	return st;
}

/* The body of a problem: detail, fix and sources, one to a line. */
static void put_body(struct strbuf *b, const struct finding *f, enum report_mark m)
{
	if (f->detail) {
		markup_escape(b, f->detail);
		sb_printf(b, "\n");
	}
	if (f->remedy) {
		sb_printf(b, "fix: ");
		markup_escape(b, f->remedy);
		sb_printf(b, "\n");
	}
	for (size_t k = 0; k < f->ref_count; k++) {
		sb_printf(b, "%s", k ? "; " : "refs: ");
		markup_escape(b, f->refs[k]);
	}
	if (f->ref_count)
		sb_printf(b, "\n");
	if (m != MARK_NONE)
		sb_printf(b, "baseline: %s\n", m == MARK_NEW ? "new" : "unchanged");
}

static void put_case(struct junit_state *st, struct strbuf *b, const char *suite, const struct finding *f,
                     enum report_mark m, long sc[4])
{
	sb_printf(b, "    <testcase name=\"");
	markup_escape(b, f->id);
	if (f->subject) {
		sb_printf(b, " [");
		markup_escape(b, f->subject);
		sb_printf(b, "]");
	}
	sb_printf(b, "\" classname=\"");
	markup_escape(b, suite);
	sb_printf(b, "\">\n");
	const char *elem = NULL;
	if (f->status == STATUS_SKIP)
		elem = "skipped";
	else if (report_fails_run(f, m, &st->o))
		elem = f->status == STATUS_ERROR ? "error" : "failure";
	sc[0]++;
	if (elem) {
		sc[f->status == STATUS_SKIP ? 3 : f->status == STATUS_ERROR ? 2 : 1]++;
		sb_printf(b, "      <%s type=\"%s\" message=\"", elem, status_name(f->status));
		markup_escape(b, f->summary);
		sb_printf(b, "\">");
		if (f->status != STATUS_SKIP)
			put_body(b, f, m);
		else
			markup_escape(b, f->detail);
		sb_printf(b, "</%s>\n", elem);
	} else {
		sb_printf(b, "      <system-out>%s: ", report_status_upper(f->status));
		markup_escape(b, f->summary);
		sb_printf(b, "\n");
		put_body(b, f, m);
		sb_printf(b, "</system-out>\n");
	}
	sb_printf(b, "    </testcase>\n");
}

static void junit_sender(void *p, const struct report_info *ri, const struct findings *fs)
{
	struct junit_state *st = p;
	st->duration_ms += ri->duration_ms;
	for (size_t i = 0; i < fs->n;) {
		const char *cat = fs->v[i].category;
		char suite[400];
		if (st->o.batch)
			snprintf(suite, sizeof suite, "%s %s: %s", ri->t->ip.text, ri->t->domain, cat);
		else
			snprintf(suite, sizeof suite, "%s", cat);
		struct strbuf cases = {0};
		long sc[4] = {0}; /* tests, failures, errors, skipped */
		for (; i < fs->n && strcmp(fs->v[i].category, cat) == 0; i++)
			put_case(st, &cases, suite, &fs->v[i], ri->diff ? ri->diff->marks[i] : MARK_NONE, sc);
		struct strbuf b = {0};
		sb_printf(&b, "  <testsuite name=\"");
		markup_escape(&b, suite);
		sb_printf(
		    &b,
		    "\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"%ld\" timestamp=\"%.19s\">\n",
		    sc[0], sc[1], sc[2], sc[3], ri->started_at);
		sb_printf(&b, "    <properties>\n      <property name=\"ip\" value=\"");
		markup_escape(&b, ri->t->ip.text);
		sb_printf(&b, "\"/>\n      <property name=\"domain\" value=\"");
		markup_escape(&b, ri->t->domain);
		sb_printf(&b, "\"/>\n    </properties>\n%s  </testsuite>\n", sb_str(&cases));
		spool_put(&st->suites, &b);
		sb_free(&b);
		sb_free(&cases);
		st->tests += sc[0];
		st->failures += sc[1];
		st->errors += sc[2];
		st->skipped += sc[3];
	}
}

static void junit_end(void *p, int exit_status)
{
	struct junit_state *st = p;
	(void)exit_status;
	fprintf(st->out,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<testsuites name=\"senderaudit\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" "
	        "time=\"%.3f\">\n",
	        st->tests, st->failures, st->errors, (double)st->duration_ms / 1000.0);
	spool_copy(&st->suites, st->out);
	fputs("</testsuites>\n", st->out);
	spool_free(&st->suites);
	free(st);
}

const struct reporter reporter_junit = {
    .name = "junit", .begin = junit_begin, .sender = junit_sender, .end = junit_end};
