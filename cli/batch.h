/* SPDX-License-Identifier: ISC */
/* batch: --batch FILE, many senders over one DNS layer. */
#ifndef SA_BATCH_H
#define SA_BATCH_H

#include <stdio.h>

#include "../report/report.h"
#include "options.h"

struct http_gate;

struct baseline;
struct run_dns;
struct workpool;

/* Where a run's finished audits go, and what they add up to. */
struct run_out {
	const struct reporter *rep;
	void *st;  /* rep's state */
	FILE *out; /* what rep writes to */
	const struct report_opts *ro;
	const struct baseline *baseline; /* --baseline, or NULL */
	enum status worst;               /* over every finding */
	enum status worst_failing;       /* over the findings that fail the run
	                                    (report_fails_run); STATUS_SKIP: none */
};

/* Marks fs against the baseline, hands it to the reporter and adds it up.
 * ri->diff is set here. */
void run_out_sender(struct run_out *o, struct report_info *ri, const struct findings *fs);

/* Audits one sender (a->dns is replaced by one of d's audit resolvers,
 * its questions counted) and hands it to o. */
void run_one(const struct audit *a, const struct run_dns *d, struct run_out *o);

/* Audits every sender of c->batch and hands each to o in input order, as
 * soon as it is done. *failed_lines counts malformed lines (reported on
 * stderr), or is 1 when nothing could be audited. */
void batch_run(const struct cli *c, const struct run_dns *d, const struct psl *psl, struct spf2_pool *spf2,
               struct http_gate *gate, struct workpool *pool, struct run_out *o, int *failed_lines);

#endif
