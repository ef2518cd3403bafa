/* SPDX-License-Identifier: ISC */
/* baseline: the problems of an earlier JSON report, by sender, and the
 * marks of a new audit's findings against them (see baseline.h for the
 * rule). */
#include "baseline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/readall.h"
#include "../lib/util/strmap.h"
#include "../lib/util/xalloc.h"

struct bl_problem {
	char *id, *subject, *status, *summary;
};

struct bl_sender {
	struct bl_problem *v;
	size_t n;
};

struct baseline {
	struct strmap *senders; /* "ip domain" -> struct bl_sender * */
	struct bl_sender **all;
	size_t n_all;
};

static bool is_problem(const char *status)
{
	return strcmp(status, "warn") == 0 || strcmp(status, "fail") == 0 || strcmp(status, "error") == 0;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One report object into b; -1 when it is not a senderaudit report. */
static int add_report(struct baseline *b, const cJSON *r)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(r, "schema_version");
	const cJSON *tg = cJSON_GetObjectItemCaseSensitive(r, "target");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(r, "checks");
	const char *ip = str_of(tg, "ip"), *dom = str_of(tg, "domain");
	if (!cJSON_IsNumber(ver) || ver->valueint != 1 || !ip || !dom || !cJSON_IsArray(checks))
		return -1;
	char *key = xasprintf("%s %s", ip, dom);
	if (strmap_get(b->senders, key)) {
		free(key); /* a sender audited twice: the first report stands */
		return 0;
	}
	struct bl_sender *s = xcalloc(1, sizeof *s);
	const cJSON *c;
	cJSON_ArrayForEach(c, checks)
	{
		const char *id = str_of(c, "id"), *st = str_of(c, "status"), *sum = str_of(c, "summary");
		if (!id || !st || !is_problem(st))
			continue;
		s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
		const char *sub = str_of(c, "subject");
		s->v[s->n++] = (struct bl_problem){xstrdup(id), sub ? xstrdup(sub) : NULL, xstrdup(st),
		                                   xstrdup(sum ? sum : "")};
	}
	strmap_put(b->senders, key, s);
	free(key);
	b->all = xrealloc(b->all, (b->n_all + 1) * sizeof *b->all);
	b->all[b->n_all++] = s;
	return 0;
}

struct baseline *baseline_load(const char *path, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read '%.200s': %s", path,
		         strcmp(path, "-") == 0 ? "not from stdin" : strerror(errno));
		return NULL;
	}
	char *buf;
	size_t len;
	read_all_new(f, &buf, &len); /* a read cut short is a parse error below */
	fclose(f);
	struct baseline *b = xcalloc(1, sizeof *b);
	b->senders = strmap_new();
	size_t pos = 0, reports = 0;
	const char *why = NULL;
	while (buf && !why) {
		while (pos < len &&
		       (buf[pos] == ' ' || buf[pos] == '\n' || buf[pos] == '\r' || buf[pos] == '\t'))
			pos++;
		if (pos >= len)
			break;
		const char *end = NULL;
		cJSON *r = cJSON_ParseWithLengthOpts(buf + pos, len - pos, &end, false);
		if (!r) {
			why = "not JSON";
			break;
		}
		if (add_report(b, r) < 0)
			why = "a JSON value that is not a senderaudit report (schema_version 1)";
		cJSON_Delete(r);
		pos = (size_t)(end - buf);
		reports++;
	}
	free(buf);
	if (!why && reports == 0)
		why = "no report in it";
	if (why) {
		snprintf(err, errlen, "'%.200s': %s", path, why);
		baseline_free(b);
		return NULL;
	}
	return b;
}

void baseline_free(struct baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_all; i++) {
		for (size_t k = 0; k < b->all[i]->n; k++) {
			struct bl_problem *p = &b->all[i]->v[k];
			free(p->id);
			free(p->subject);
			free(p->status);
			free(p->summary);
		}
		free(b->all[i]->v);
		free(b->all[i]);
	}
	free(b->all);
	strmap_free(b->senders);
	free(b);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

struct report_diff *report_diff_new(const struct baseline *b, const struct target *t,
                                    const struct findings *fs)
{
	struct report_diff *d = xcalloc(1, sizeof *d);
	d->marks = xcalloc(fs->n ? fs->n : 1, sizeof *d->marks);
	char *key = xasprintf("%s %s", t->ip.text, t->domain);
	const struct bl_sender *s = strmap_get(b->senders, key);
	free(key);
	d->sender_known = s != NULL;
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		if (!is_problem(status_name(f->status)))
			continue;
		bool known = false;
		for (size_t k = 0; s && k < s->n && !known; k++)
			known = strcmp(s->v[k].id, f->id) == 0 && same(s->v[k].subject, f->subject) &&
			        strcmp(s->v[k].status, status_name(f->status)) == 0;
		d->marks[i] = known ? MARK_UNCHANGED : MARK_NEW;
		if (known)
			d->unchanged_count++;
		else
			d->new_count++;
	}
	for (size_t k = 0; s && k < s->n; k++) {
		bool fixed = false;
		for (size_t i = 0; i < fs->n && !fixed; i++) {
			const struct finding *f = &fs->v[i];
			fixed = strcmp(s->v[k].id, f->id) == 0 && same(s->v[k].subject, f->subject) &&
			        (f->status == STATUS_PASS || f->status == STATUS_INFO);
		}
		if (!fixed)
			continue;
		d->fixed = xrealloc(d->fixed, (d->fixed_count + 1) * sizeof *d->fixed);
		d->fixed[d->fixed_count++] = (struct report_fixed){
		    xstrdup(s->v[k].id), s->v[k].subject ? xstrdup(s->v[k].subject) : NULL,
		    xstrdup(s->v[k].status), xstrdup(s->v[k].summary)};
	}
	return d;
}

void report_diff_free(struct report_diff *d)
{
	if (!d)
		return;
	for (size_t k = 0; k < d->fixed_count; k++) {
		free(d->fixed[k].id);
		free(d->fixed[k].subject);
		free(d->fixed[k].status);
		free(d->fixed[k].summary);
	}
	free(d->fixed);
	free(d->marks);
	free(d);
}
