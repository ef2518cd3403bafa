#include "audit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/xalloc.h"
#include "registry.h"

bool audit_enabled(const struct audit *a, const char *id)
{
	long i = registry_index(id);
	return i >= 0 && a->enabled[i];
}

struct job {
	const struct audit *a;
	const struct family *f;
	struct findings out;
	pthread_t th;
	bool threaded;
	bool run;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	j->f->run(j->a, &j->out);
	return NULL;
}

static bool family_wanted(const struct audit *a, const struct family *f)
{
	for (size_t k = 0; k < f->check_count; k++)
		if (audit_enabled(a, f->checks[k].id))
			return true;
	return false;
}

struct ranked {
	long idx;
	size_t pos; /* makes the sort stable */
	struct finding f;
};

static int ranked_cmp(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	if (!a->f.subject != !b->f.subject)
		return (a->f.subject != NULL) - (b->f.subject != NULL);
	int c = (a->f.subject && b->f.subject) ? strcmp(a->f.subject, b->f.subject) : 0;
	if (c)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Puts the catalogue's refs first, keeping any extra ones a check added. */
static void add_catalogue_refs(struct finding *f, const struct check_def *def)
{
	char *extra[FINDING_MAX_REFS];
	size_t n = f->ref_count;
	memcpy(extra, f->refs, n * sizeof *extra);
	f->ref_count = 0;
	for (size_t i = 0; i < CHECK_MAX_REFS && def->refs[i]; i++)
		finding_add_ref(f, def->refs[i]);
	for (size_t i = 0; i < n; i++) {
		finding_add_ref(f, extra[i]);
		free(extra[i]);
	}
}

void audit_run(const struct audit *a, struct findings *out)
{
	/* The audited domains exist, and so does the reverse tree: a resolver
	 * that says their TLD does not is not believed when it says a name
	 * under it does not exist (lib/dns). */
	dns_expect_tld(a->dns, a->t->domain);
	dns_expect_tld(a->dns, a->t->mail_from);
	dns_expect_tld(a->dns, "in-addr.arpa");
	size_t nf = registry_family_count();
	struct job *jobs = xcalloc(nf, sizeof *jobs);
	for (size_t i = 0; i < nf; i++) {
		jobs[i].a = a;
		jobs[i].f = registry_family_at(i);
		findings_init(&jobs[i].out);
		if (!family_wanted(a, jobs[i].f))
			continue;
		jobs[i].run = true;
		/* Families run concurrently: each blocks only on its own chain
		 * of dependent lookups, and the DNS layer overlaps them all. */
		jobs[i].threaded = pthread_create(&jobs[i].th, NULL, job_main, &jobs[i]) == 0;
		if (!jobs[i].threaded)
			job_main(&jobs[i]);
	}
	struct findings all;
	findings_init(&all);
	for (size_t i = 0; i < nf; i++) {
		if (jobs[i].threaded)
			pthread_join(jobs[i].th, NULL);
		findings_append(&all, &jobs[i].out);
	}

	size_t nc = registry_count();
	bool *seen = xcalloc(nc, sizeof *seen);
	for (size_t i = 0; i < all.n;) {
		long idx = registry_index(all.v[i].id);
		if (idx >= 0 && !a->enabled[idx]) {
			findings_remove(&all, i);
			continue;
		}
		if (idx >= 0) {
			seen[idx] = true;
			add_catalogue_refs(&all.v[i], registry_check((size_t)idx));
		}
		i++;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct check_def *def = registry_check(i);
		if (!a->enabled[i]) {
			struct finding *f = findings_add(&all, def->id, NULL, STATUS_SKIP, "disabled by --only/--skip");
			add_catalogue_refs(f, def);
		} else if (!seen[i]) {
			/* Never let a check vanish silently from a report. */
			struct finding *f = findings_add(&all, def->id, NULL, STATUS_ERROR,
			                                 "%s did not report (internal error)", def->id);
			finding_set_remedy(f, "Report this as a bug in senderaudit.");
			add_catalogue_refs(f, def);
		}
	}
	free(seen);

	struct ranked *r = xcalloc(all.n, sizeof *r);
	for (size_t i = 0; i < all.n; i++) {
		long idx = registry_index(all.v[i].id);
		r[i].idx = idx >= 0 ? idx : (long)nc;
		r[i].pos = i;
		r[i].f = all.v[i];
	}
	qsort(r, all.n, sizeof *r, ranked_cmp);
	for (size_t i = 0; i < all.n; i++)
		all.v[i] = r[i].f;
	free(r);
	free(jobs);
	findings_append(out, &all);
}
