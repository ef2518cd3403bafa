/* SPDX-License-Identifier: ISC */
/* workpool: a fixed set of threads over one queue of jobs (see workpool.h). */
#include "workpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../util/xalloc.h"

struct job {
	void (*fn)(void *arg);
	void *arg;
	struct job *next;
};

struct workpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail, *spare; /* spare: finished jobs, for reuse */
	bool stop;
	pthread_t *th;
	size_t n;
};

static void *worker(void *arg)
{
	struct workpool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		struct job *j = p->head;
		if (!j)
			break; /* stopping, and nothing left */
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		j->fn(j->arg);
		pthread_mutex_lock(&p->mu);
		j->next = p->spare;
		p->spare = j;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct workpool *workpool_new(size_t threads)
{
	struct workpool *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->th = xcalloc(threads ? threads : 1, sizeof *p->th);
	for (size_t i = 0; i < threads; i++)
		if (pthread_create(&p->th[p->n], NULL, worker, p) == 0)
			p->n++;
	if (!p->n) {
		workpool_free(p);
		return NULL;
	}
	return p;
}

void workpool_free(struct workpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	while (p->spare) {
		struct job *j = p->spare;
		p->spare = j->next;
		free(j);
	}
	free(p->th);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

void workpool_submit(struct workpool *p, void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&p->mu);
	struct job *j = p->spare;
	if (j)
		p->spare = j->next;
	else
		j = xmalloc(sizeof *j);
	*j = (struct job){fn, arg, NULL};
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
