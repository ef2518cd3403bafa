/* SPDX-License-Identifier: ISC */
/* audit: the runner. The inputs the enabled checks need are started at
 * once, each a job of the run's pool (a fiber: while it waits for a lookup
 * or another input, its thread runs others), or a thread of its own
 * without a pool. An input waits only for the inputs it is computed from,
 * so an audit lasts as long as its longest chain of dependent lookups;
 * then each enabled check judges them, in catalogue order. Disabled checks appear once as `skip`; a check
 * that reports nothing, or reads an input it did not declare, is an internal error. */
#include "audit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/proc/workpool.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "registry.h"

bool audit_enabled(const struct audit *a, const char *id)
{
	long i = registry_index(id);
	return i >= 0 && a->enabled[i];
}

/* ------------------------------------------------------------ inputs */

enum slot_state { SLOT_IDLE, SLOT_RUNNING, SLOT_DONE };

struct input_table {
	const struct audit *a;
	input_set need; /* what the enabled checks need */
	pthread_mutex_t mu;
	struct waitq all_ended;  /* the runner waits here for the pool's jobs */
	unsigned started, ended; /* jobs given to the pool, and ended */
	struct {
		enum slot_state st;
		struct waitq done; /* one per input: a finished input wakes only
		                    * those waiting for it (a broadcast to all
		                    * cost each audit a hundred wake-ups) */
		void *value;
	} slot[INPUT_COUNT];
	struct strbuf misuse; /* "dmarc.record read IN_SPF" ... */
};

bool input_needed(const struct inputs *in, enum input id)
{
	return (in->tab->need & NEED(id)) != 0;
}

const void *input_get(const struct inputs *in, enum input id)
{
	struct input_table *t = in->tab;
	const struct input_def *def = registry_input(id);
	pthread_mutex_lock(&t->mu);
	if (!(in->allowed & NEED(id)))
		sb_sep_printf(&t->misuse, "; ", "%s reads %s, which it does not declare", in->user,
		              def->name);
	while (t->slot[id].st == SLOT_RUNNING)
		waitq_wait(&t->slot[id].done, &t->mu);
	if (t->slot[id].st == SLOT_IDLE) {
		t->slot[id].st = SLOT_RUNNING;
		pthread_mutex_unlock(&t->mu);
		struct inputs own = {t, def->needs | def->uses, def->name};
		void *v = def->compute(t->a, &own);
		pthread_mutex_lock(&t->mu);
		t->slot[id].value = v;
		t->slot[id].st = SLOT_DONE;
		struct waiter *wake = waitq_take(&t->slot[id].done);
		pthread_mutex_unlock(&t->mu);
		waitq_wake(wake);
		return v;
	}
	void *v = t->slot[id].value;
	pthread_mutex_unlock(&t->mu);
	return v;
}

struct starter {
	struct input_table *tab;
	enum input id;
	pthread_t th;
	bool threaded;
};

static void *start_main(void *arg)
{
	struct starter *s = arg;
	struct inputs all = {s->tab, NEED(s->id), "the runner"};
	input_get(&all, s->id);
	return NULL;
}

/* The same as a job of the run's pool; the table lives until every job
 * it was given has ended. */
static void start_job(void *arg)
{
	struct starter *s = arg;
	start_main(s);
	struct input_table *t = s->tab;
	pthread_mutex_lock(&t->mu);
	struct waiter *wake = ++t->ended == t->started ? waitq_take(&t->all_ended) : NULL;
	pthread_mutex_unlock(&t->mu);
	waitq_wake(wake);
}

/* ------------------------------------------------------------ findings */

/* The order of the report: catalogue index (rank, computed once per
 * finding), then subject (none first), then the order they came in. */
static int finding_cmp(long ra, const struct finding *a, long rb, const struct finding *b)
{
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (!a->subject != !b->subject)
		return (a->subject != NULL) - (b->subject != NULL);
	return a->subject && b->subject ? strcmp(a->subject, b->subject) : 0;
}

/* Puts the catalogue's refs first, keeping any extra ones a check added. */
static void add_catalogue_refs(struct finding *f, const struct check *def)
{
	size_t n = 0;
	while (n < CHECK_MAX_REFS && def->refs[n])
		n++;
	finding_set_catalogue_refs(f, def->refs, n);
}

static void internal_error(struct findings *out, const struct check *def, const char *what)
{
	struct finding *f = findings_add(out, def->id, NULL, STATUS_ERROR, "%s (internal error)", what);
	finding_set_remedy(f, "Report this as a bug in senderaudit.");
}

/* Runs check i; its findings, and only its, go to out. */
static void run_check(const struct audit *a, struct input_table *tab, size_t i, struct findings *out)
{
	const struct check *def = registry_check(i);
	struct findings fs;
	findings_init(&fs);
	if (!a->enabled[i]) {
		findings_add(&fs, def->id, NULL, STATUS_SKIP, "disabled by --only/--skip");
	} else {
		struct inputs in = {tab, def->needs, def->id};
		def->run(a, &in, &fs);
		/* Never let a check vanish silently from a report, nor report
		 * for another. */
		size_t own = 0;
		for (size_t k = 0; k < fs.n; k++)
			own += strcmp(fs.v[k].id, def->id) == 0;
		if (own != fs.n || !own) {
			findings_free(&fs);
			findings_init(&fs);
			internal_error(&fs, def,
			               own ? "the check reported for another" : "the check did not report");
		}
	}
	for (size_t k = 0; k < fs.n; k++)
		add_catalogue_refs(&fs.v[k], def);
	findings_append(out, &fs);
}

/* A stable insertion sort, in place: the checks ran in catalogue order, so
 * little moves (qsort, and the copy it sorted, allocated large blocks per
 * audit, each of which made glibc's malloc consolidate its free lists). */
static void sort_catalogue(struct findings *all)
{
	long nc = (long)registry_count(), small[128];
	long *rank = all->n <= 128 ? small : xcalloc(all->n, sizeof *rank);
	long hint = 0;
	for (size_t i = 0; i < all->n; i++) {
		long idx = registry_index_near(all->v[i].id, hint);
		rank[i] = idx >= 0 ? idx : nc;
		hint = idx >= 0 ? idx : hint;
	}
	for (size_t i = 1; i < all->n; i++) {
		struct finding f = all->v[i];
		long r = rank[i];
		size_t j = i;
		for (; j > 0 && finding_cmp(rank[j - 1], &all->v[j - 1], r, &f) > 0; j--) {
			all->v[j] = all->v[j - 1];
			rank[j] = rank[j - 1];
		}
		all->v[j] = f;
		rank[j] = r;
	}
	if (rank != small)
		free(rank);
}

void audit_run(const struct audit *a, struct findings *out)
{
	/* The audited domains exist, and so does the reverse tree: a resolver
	 * that says their TLD does not is not believed when it says a name
	 * under it does not exist (lib/dns). */
	if (a->dns->expect_tld) {
		a->dns->expect_tld(a->dns->ctx, a->t->domain);
		a->dns->expect_tld(a->dns->ctx, a->t->mail_from);
		a->dns->expect_tld(a->dns->ctx, "in-addr.arpa");
	}
	struct input_table tab = {.a = a};
	pthread_mutex_init(&tab.mu, NULL);

	/* Every input an enabled check needs starts now: each blocks only on
	 * its own chain of lookups, and the DNS layer overlaps them all. */
	input_set need = registry_needs(a->enabled);
	tab.need = need;
	struct starter st[INPUT_COUNT];
	void *jobs[INPUT_COUNT];
	for (unsigned k = 0; k < INPUT_COUNT; k++) {
		st[k] = (struct starter){&tab, (enum input)k, 0, false};
		if (!(need & NEED(k)))
			continue;
		if (a->pool)
			jobs[tab.started++] = &st[k];
		else
			st[k].threaded = pthread_create(&st[k].th, NULL, start_main, &st[k]) == 0;
	}
	if (a->pool)
		workpool_submit_all(a->pool, start_job, jobs, tab.started);

	struct findings all;
	findings_init(&all);
	size_t nc = registry_count();
	/* at least one finding a check: one array from the start */
	xgrow(&all.v, &all.cap, nc + 8, sizeof *all.v);
	for (size_t i = 0; i < nc; i++)
		run_check(a, &tab, i, &all);
	for (unsigned k = 0; k < INPUT_COUNT; k++)
		if (st[k].threaded)
			pthread_join(st[k].th, NULL);
	pthread_mutex_lock(&tab.mu);
	while (tab.ended < tab.started)
		waitq_wait(&tab.all_ended, &tab.mu);
	pthread_mutex_unlock(&tab.mu);

	if (tab.misuse.len) {
		/* a check read an input it does not declare: a bug the option
		 * sweep of the tests would catch */
		struct finding *f = findings_add(&all, registry_check(0)->id, "internal", STATUS_ERROR,
		                                 "internal error: %s", tab.misuse.s);
		finding_set_remedy(f, "Report this as a bug in senderaudit.");
	}
	sort_catalogue(&all);
	findings_append(out, &all);

	for (unsigned k = 0; k < INPUT_COUNT; k++)
		if (tab.slot[k].st == SLOT_DONE)
			registry_input((enum input)k)->free(tab.slot[k].value);
	sb_free(&tab.misuse);
	pthread_mutex_destroy(&tab.mu);
}
