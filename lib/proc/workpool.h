/* SPDX-License-Identifier: ISC */
/* workpool: threads started once and fed jobs, so that a batch of audits
 * does not start (and tear down) a thread for every input of every sender.
 * Jobs may block (on lookups); one that waits for another job's result must
 * compute it itself when that job has not started (checks/audit.c's inputs
 * do), so a full pool never deadlocks. */
#ifndef SA_WORKPOOL_H
#define SA_WORKPOOL_H

#include <stddef.h>

struct workpool;

/* threads: how many jobs run at once. NULL when no thread can be had. */
struct workpool *workpool_new(size_t threads);
/* Runs the queued jobs to their end, then stops the threads. */
void workpool_free(struct workpool *p);
/* Queues fn(args[i]) for each of the n args (under one lock); a thread
 * runs each as soon as one is free. */
void workpool_submit_all(struct workpool *p, void (*fn)(void *arg), void *const *args, size_t n);

#endif
