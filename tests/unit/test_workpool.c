/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/proc/workpool: jobs that wait leave their carrier to
 * others (a chain of waits longer than the pool's threads ends), a job
 * blocked in poll lets another carrier run, plain threads and jobs wait on
 * the same queues, and a job has the stack the audits need. A case that
 * would hang gives up after a deadline and fails. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/proc/workpool.h"
#include "unit.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (polling, from the test's own thread) until *n reaches want or
 * the deadline passes; a pool that deadlocked cannot be freed, so the
 * case then ends the program with its failure counted. */
static void await_count(struct unit_ctx *t, pthread_mutex_t *mu, const size_t *n, size_t want, int ms)
{
	int64_t end = now_ms() + ms;
	for (;;) {
		pthread_mutex_lock(mu);
		size_t got = *n;
		pthread_mutex_unlock(mu);
		if (got >= want)
			return;
		if (now_ms() > end) {
			printf("FAIL %s: %zu of %zu jobs done after %d ms (deadlock)\n", t->name, got, want,
			       ms);
			printf("0 passed, 1 failed\n");
			fflush(stdout);
			_exit(1);
		}
		usleep(1000);
	}
}

/* ------------------------------------------------------------ a chain */

#define CHAIN 300

struct chain {
	pthread_mutex_t mu;
	struct waitq changed;
	size_t done; /* links 0 .. done-1 have run, in order */
	size_t order_errors;
};

struct link {
	struct chain *c;
	size_t i;
};

static void link_job(void *arg)
{
	struct link *l = arg;
	struct chain *c = l->c;
	pthread_mutex_lock(&c->mu);
	while (c->done < l->i)
		waitq_wait(&c->changed, &c->mu);
	if (c->done != l->i)
		c->order_errors++;
	c->done++;
	struct waiter *w = waitq_take(&c->changed);
	pthread_mutex_unlock(&c->mu);
	waitq_wake(w);
}

/* 300 jobs, each waiting for the one before, queued last first on 2
 * threads: a job that held its thread while it waited would deadlock. */
static void t_chain_longer_than_threads(struct unit_ctx *t)
{
	struct workpool *p = workpool_new(2);
	UNIT_CHECK(t, p != NULL);
	struct chain c = {.done = 0};
	pthread_mutex_init(&c.mu, NULL);
	static struct link links[CHAIN];
	void *args[CHAIN];
	for (size_t i = 0; i < CHAIN; i++) {
		links[i] = (struct link){&c, i};
		args[i] = &links[CHAIN - 1 - i];
	}
	workpool_submit_all(p, link_job, args, CHAIN);
	await_count(t, &c.mu, &c.done, CHAIN, 20000);
	workpool_free(p);
	UNIT_EQ_INT(t, c.done, CHAIN);
	UNIT_EQ_INT(t, c.order_errors, 0);
	pthread_mutex_destroy(&c.mu);
}

/* ------------------------------------------------------------ blocking */

struct pipe_jobs {
	int fd[2];
	pthread_mutex_t mu;
	size_t readers_done;
	size_t timed_out;
};

static void reader_job(void *arg)
{
	struct pipe_jobs *pj = arg;
	struct pollfd p = {pj->fd[0], POLLIN, 0};
	int r = workpool_poll(&p, 1, 10000);
	pthread_mutex_lock(&pj->mu);
	pj->readers_done++;
	pj->timed_out += r != 1;
	pthread_mutex_unlock(&pj->mu);
}

static void writer_job(void *arg)
{
	struct pipe_jobs *pj = arg;
	(void)!write(pj->fd[1], "x", 1);
}

/* More jobs blocked in poll than the machine has CPUs, queued before the
 * job that ends their wait: it runs on another carrier meanwhile. */
static void t_blocked_poll_lets_others_run(struct unit_ctx *t)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t readers = (size_t)(cpus > 0 ? cpus : 1) + 2;
	struct workpool *p = workpool_new(readers + 2);
	UNIT_CHECK(t, p != NULL);
	struct pipe_jobs pj = {.readers_done = 0};
	pthread_mutex_init(&pj.mu, NULL);
	UNIT_CHECK(t, pipe(pj.fd) == 0);
	void *args[64];
	for (size_t i = 0; i < readers && i < 63; i++)
		args[i] = &pj;
	int64_t t0 = now_ms();
	workpool_submit_all(p, reader_job, args, readers);
	usleep(20000); /* the readers are in poll first */
	void *w = &pj;
	workpool_submit_all(p, writer_job, &w, 1);
	await_count(t, &pj.mu, &pj.readers_done, readers, 20000);
	int64_t took = now_ms() - t0;
	workpool_free(p);
	UNIT_EQ_INT(t, pj.timed_out, 0);
	if (!UNIT_CHECK(t, took < 5000))
		printf("     the readers took %lld ms\n", (long long)took);
	close(pj.fd[0]);
	close(pj.fd[1]);
	pthread_mutex_destroy(&pj.mu);
}

/* ------------------------------------------------------------ threads and jobs */

struct gate {
	pthread_mutex_t mu;
	struct waitq q;
	bool open;
	size_t passed;
};

static void gate_job(void *arg)
{
	struct gate *g = arg;
	pthread_mutex_lock(&g->mu);
	while (!g->open)
		waitq_wait(&g->q, &g->mu);
	g->passed++;
	struct waiter *w = waitq_take(&g->q);
	pthread_mutex_unlock(&g->mu);
	waitq_wake(w);
}

static void *gate_thread(void *arg)
{
	gate_job(arg);
	return NULL;
}

/* Jobs and plain threads wait on one queue; a plain thread opens it, and
 * waits itself until all passed. */
static void t_threads_and_jobs_share_a_queue(struct unit_ctx *t)
{
	struct workpool *p = workpool_new(4);
	struct gate g = {.open = false};
	pthread_mutex_init(&g.mu, NULL);
	void *args[50];
	for (size_t i = 0; i < 50; i++)
		args[i] = &g;
	workpool_submit_all(p, gate_job, args, 50);
	pthread_t th[3];
	for (size_t i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, gate_thread, &g);
	usleep(20000);
	pthread_mutex_lock(&g.mu);
	UNIT_EQ_INT(t, g.passed, 0);
	g.open = true;
	struct waiter *w = waitq_take(&g.q);
	pthread_mutex_unlock(&g.mu);
	waitq_wake(w);
	await_count(t, &g.mu, &g.passed, 53, 20000);
	UNIT_EQ_INT(t, g.passed, 53);
	for (size_t i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	workpool_free(p);
	pthread_mutex_destroy(&g.mu);
}

/* waitq_take_one takes one waiter, the others stay. */
static void t_take_one(struct unit_ctx *t)
{
	struct workpool *p = workpool_new(2);
	struct gate g = {.open = true};
	pthread_mutex_init(&g.mu, NULL);
	/* closed again: the jobs wait; each one woken passes, as open */
	g.open = false;
	void *args[3] = {&g, &g, &g};
	workpool_submit_all(p, gate_job, args, 3);
	usleep(20000);
	pthread_mutex_lock(&g.mu);
	g.open = true;
	struct waiter *one = waitq_take_one(&g.q);
	UNIT_CHECK(t, one != NULL);
	UNIT_CHECK(t, g.q.head != NULL); /* two left */
	pthread_mutex_unlock(&g.mu);
	waitq_wake(one);
	/* the one woken wakes the rest as it passes */
	await_count(t, &g.mu, &g.passed, 3, 20000);
	UNIT_EQ_INT(t, g.passed, 3);
	workpool_free(p);
	pthread_mutex_destroy(&g.mu);
}

/* ------------------------------------------------------------ stacks */

static size_t deep(size_t levels)
{
	volatile char frame[4096];
	frame[0] = (char)levels;
	frame[sizeof frame - 1] = (char)levels;
	return levels ? deep(levels - 1) + (size_t)frame[0] % 2 : 0;
}

struct deep_arg {
	pthread_mutex_t mu;
	size_t done;
};

static void deep_job(void *arg)
{
	struct deep_arg *d = arg;
	deep(128); /* half a megabyte */
	pthread_mutex_lock(&d->mu);
	d->done++;
	pthread_mutex_unlock(&d->mu);
}

/* Jobs have room for deep recursion (cJSON's nesting limit, under the
 * sanitizers), one after another on the same fibers. */
static void t_deep_stacks(struct unit_ctx *t)
{
	struct workpool *p = workpool_new(2);
	struct deep_arg d = {.done = 0};
	pthread_mutex_init(&d.mu, NULL);
	void *args[8];
	for (size_t i = 0; i < 8; i++)
		args[i] = &d;
	workpool_submit_all(p, deep_job, args, 8);
	await_count(t, &d.mu, &d.done, 8, 20000);
	workpool_free(p);
	UNIT_EQ_INT(t, d.done, 8);
	pthread_mutex_destroy(&d.mu);
}

/* ------------------------------------------------------------ yield */

struct yield_arg {
	pthread_mutex_t mu;
	bool other_ran;    /* the second job has run */
	size_t done;       /* jobs ended */
	size_t saw_other;  /* the first job, after it yielded, saw the second's mark */
	size_t alone_kept; /* workpool_yield with nothing else to run returned false */
};

struct yield_job {
	struct yield_arg *y;
	int role; /* 0: yields until 1 has run; 1: marks; 2: alone */
};

static void yield_job(void *arg)
{
	struct yield_job *j = arg;
	struct yield_arg *y = j->y;
	if (j->role == 0) {
		bool seen = false;
		for (int i = 0; i < 1000; i++) {
			pthread_mutex_lock(&y->mu);
			seen = y->other_ran;
			pthread_mutex_unlock(&y->mu);
			if (seen || !workpool_yield())
				break;
		}
		pthread_mutex_lock(&y->mu);
		y->saw_other += seen;
		pthread_mutex_unlock(&y->mu);
	} else if (j->role == 2) {
		bool kept = !workpool_yield();
		pthread_mutex_lock(&y->mu);
		y->alone_kept += kept;
		pthread_mutex_unlock(&y->mu);
	}
	pthread_mutex_lock(&y->mu);
	y->other_ran |= j->role == 1;
	y->done++;
	pthread_mutex_unlock(&y->mu);
}

/* On one carrier, a job that yields lets the one queued after it run
 * (without, it would wait for it forever); alone, or outside a job, a
 * yield returns at once. */
static void t_yield(struct unit_ctx *t)
{
	UNIT_CHECK(t, !workpool_yield());
	struct workpool *p = workpool_new(1);
	UNIT_CHECK(t, p != NULL);
	struct yield_arg y = {.done = 0};
	pthread_mutex_init(&y.mu, NULL);
	struct yield_job jobs[2] = {{&y, 0}, {&y, 1}};
	void *args[2] = {&jobs[0], &jobs[1]};
	workpool_submit_all(p, yield_job, args, 2);
	await_count(t, &y.mu, &y.done, 2, 20000);
	UNIT_EQ_INT(t, y.saw_other, 1);
	struct yield_job alone = {&y, 2};
	void *a = &alone;
	workpool_submit_all(p, yield_job, &a, 1);
	await_count(t, &y.mu, &y.done, 3, 20000);
	workpool_free(p);
	UNIT_EQ_INT(t, y.alone_kept, 1);
	pthread_mutex_destroy(&y.mu);
}

static const struct unit_case cases[] = {
    {"chain longer than threads", t_chain_longer_than_threads},
    {"blocked poll lets others run", t_blocked_poll_lets_others_run},
    {"threads and jobs share a queue", t_threads_and_jobs_share_a_queue},
    {"take one", t_take_one},
    {"deep stacks", t_deep_stacks},
    {"yield", t_yield},
};

UNIT_MAIN(cases)
