/* SPDX-License-Identifier: ISC */
/* workpool: a fixed set of threads over one queue of jobs (see workpool.h).
 * An idle thread waits on a semaphore of its own and a job is handed to it
 * under the pool's lock: woken, it runs the job without taking the lock.
 * (Threads that wait on one condition variable each take the lock again
 * when woken, all at once when jobs come in a burst: the pool's lock was
 * then a third of a batch's futex calls.) */
#include "workpool.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../util/xalloc.h"

struct job {
	void (*fn)(void *arg);
	void *arg;
	struct job *next;
};

struct thread {
	struct workpool *p;
	pthread_t th;
	sem_t wake;
	struct job *given;   /* handed over while idle; NULL: stop */
	struct thread *next; /* in the idle list, or the list to wake */
};

struct workpool {
	pthread_mutex_t mu;
	/* queued only while no thread is idle */
	struct job *head, *tail, *spare; /* spare: finished jobs, for reuse */
	struct thread *idle;
	bool stop;
	struct thread *t;
	size_t n;
};

static void *worker(void *arg)
{
	struct thread *self = arg;
	struct workpool *p = self->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job *j = p->head;
		if (j) {
			p->head = j->next;
			if (!p->head)
				p->tail = NULL;
			pthread_mutex_unlock(&p->mu);
		} else if (p->stop) {
			break; /* stopping, and nothing left */
		} else {
			self->next = p->idle;
			p->idle = self;
			pthread_mutex_unlock(&p->mu);
			while (sem_wait(&self->wake) != 0 && errno == EINTR)
				;
			j = self->given; /* written before the post */
			if (!j) {
				pthread_mutex_lock(&p->mu);
				break;
			}
		}
		j->fn(j->arg);
		pthread_mutex_lock(&p->mu);
		j->next = p->spare;
		p->spare = j;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Posts each thread of list (taken from the idle list under the lock,
 * posted after it: each reads its given on its own). */
static void wake_all(struct thread *list)
{
	while (list) {
		struct thread *t = list;
		list = t->next; /* before the post: t then reuses next */
		sem_post(&t->wake);
	}
}

struct workpool *workpool_new(size_t threads)
{
	struct workpool *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	p->t = xcalloc(threads ? threads : 1, sizeof *p->t);
	for (size_t i = 0; i < threads; i++) {
		struct thread *t = &p->t[p->n];
		t->p = p;
		sem_init(&t->wake, 0, 0);
		if (pthread_create(&t->th, NULL, worker, t) == 0)
			p->n++;
		else
			sem_destroy(&t->wake);
	}
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
	struct thread *idle = p->idle;
	p->idle = NULL;
	for (struct thread *t = idle; t; t = t->next)
		t->given = NULL;
	pthread_mutex_unlock(&p->mu);
	wake_all(idle);
	for (size_t i = 0; i < p->n; i++) {
		pthread_join(p->t[i].th, NULL);
		sem_destroy(&p->t[i].wake);
	}
	while (p->spare) {
		struct job *j = p->spare;
		p->spare = j->next;
		free(j);
	}
	free(p->t);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void workpool_submit_all(struct workpool *p, void (*fn)(void *arg), void *const *args, size_t n)
{
	struct thread *wake = NULL;
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < n; i++) {
		struct job *j = p->spare;
		if (j)
			p->spare = j->next;
		else
			j = xmalloc(sizeof *j);
		*j = (struct job){fn, args[i], NULL};
		struct thread *t = p->idle;
		if (t) {
			p->idle = t->next;
			t->given = j;
			t->next = wake;
			wake = t;
		} else if (p->tail) {
			p->tail->next = j;
			p->tail = j;
		} else {
			p->head = p->tail = j;
		}
	}
	pthread_mutex_unlock(&p->mu);
	wake_all(wake);
}
