/* SPDX-License-Identifier: ISC */
/* batch: --batch FILE, many senders over one DNS layer, streamed: read as
 * needed, reported in input (or completion) order, freed once written. */
#ifndef SA_BATCH_H
#define SA_BATCH_H

#include <stdio.h>

#include "../checks/audit.h"
#include "../report/report.h"
#include "options.h"

struct baseline;
struct run_dns;
struct strmap;

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

/* Blocks SIGINT and SIGTERM in the calling thread and every thread it
 * starts later: call it before the run's first thread, so that a batch
 * takes them itself (batch_run) and stops between two reports. */
void batch_block_signals(void);

/* --resume FILE: the senders an earlier run's JSON Lines report (a count
 * per sender), or NULL with a reason in err. A missing FILE holds none; a
 * last line cut short (the earlier run was killed) is removed from FILE so
 * that appending to it keeps it JSON Lines. */
struct strmap *batch_resume_load(const char *file, char *err, size_t errlen);

struct batch_result {
	size_t written;   /* reports handed to the reporter */
	size_t resumed;   /* senders skipped: --resume's file had them */
	int failed_lines; /* malformed lines (reported on stderr), or 1 when
	                     nothing could be audited */
	int signo;        /* SIGINT or SIGTERM stopped the batch: what was done
	                     is written, audits in flight are abandoned (the
	                     caller ends the report and exits at once) */
};

/* Audits every sender of c->batch (a0 gives the rest of each audit), skips
 * those done_before counts (consuming it; may be NULL) and hands each
 * report to o in input order (c->order) as soon as it can. */
void batch_run(const struct cli *c, const struct run_dns *d, const struct audit *a0,
               struct strmap *done_before, struct run_out *o, struct batch_result *res);

#endif
