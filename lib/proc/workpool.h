/* SPDX-License-Identifier: ISC */
/* workpool: jobs run as fibers (each on a stack of its own) over a few
 * threads, the carriers. A job that waits (a lookup not yet answered,
 * another job's result: a struct waitq) leaves its carrier to run the next
 * job that can go on, and the one that wakes it puts it back in the queue:
 * no thread sleeps and wakes per lookup. At most as many carriers run jobs
 * as the machine has CPUs; a job that blocks its thread in a system call
 * (poll on a socket: workpool_poll, or workpool_block_begin/end around it)
 * lets another carrier take its place meanwhile.
 *
 * A job must not wait on a struct waitq while it holds a lock other than
 * the one it passes (it may come back on another thread). One that waits
 * for another job's result must compute it itself when that job has not
 * started (checks/audit.c's inputs do). */
#ifndef SA_WORKPOOL_H
#define SA_WORKPOOL_H

#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stddef.h>

struct workpool;

/* threads: the most carriers at once, those blocked in system calls
 * included. NULL when no thread can be had. */
struct workpool *workpool_new(size_t threads);
/* Waits for every job to end, then stops the carriers. */
void workpool_free(struct workpool *p);
/* Queues fn(args[i]) for each of the n args (under one lock). */
void workpool_submit_all(struct workpool *p, void (*fn)(void *arg), void *const *args, size_t n);

/* Around a call that blocks the thread: another carrier may run jobs
 * meanwhile. Nothing outside a job. Pairs nest. */
void workpool_block_begin(void);
void workpool_block_end(void);
/* In a job: lets the jobs that can go on run first, and comes back after
 * them (maybe on another carrier). False at once when none can, or
 * outside a job: then nothing ran meanwhile. */
bool workpool_yield(void);
/* poll(2), inside workpool_block_begin/end unless it has nothing to wait for. */
int workpool_poll(struct pollfd *fds, nfds_t n, int timeout_ms);

/* Where threads and jobs wait for each other, as on a condition variable:
 * a job waiting here does not hold its carrier. Zero-initialised: empty. */
struct waiter;
struct waitq {
	struct waiter *head;
};
/* mu held on entry and on return; returns once woken (wait in a loop on
 * the condition, as with pthread_cond_wait). */
void waitq_wait(struct waitq *q, pthread_mutex_t *mu);
/* mu held: takes every waiter out of q, to wake with waitq_wake once mu is
 * let go (woken under it, each would only block on it). */
struct waiter *waitq_take(struct waitq *q);
/* mu held: takes the waiter that came last (to wake one of several that
 * wait for the same thing), or NULL. */
struct waiter *waitq_take_one(struct waitq *q);
/* Appends the waiters of q to list (mu held), for one waitq_wake of several. */
struct waiter *waitq_take_onto(struct waitq *q, struct waiter *list);
void waitq_wake(struct waiter *list);

#endif
