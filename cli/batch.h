/* SPDX-License-Identifier: ISC */
/* batch: --batch FILE, many senders over one DNS layer. */
#ifndef SA_BATCH_H
#define SA_BATCH_H

#include <stdio.h>

#include "../report/report.h"
#include "options.h"

struct http_gate;

/* Audits every sender of c->batch and prints their reports (JSON Lines, or
 * text blocks and a summary table). Returns the worst status over all
 * senders; *failed_lines counts malformed lines (reported on stderr). */
struct workpool;
enum status batch_run(const struct cli *c, struct dns *dns, const struct psl *psl, struct spf2_pool *spf2,
                      struct http_gate *gate, struct workpool *pool, const struct report_opts *ro, FILE *out,
                      int *failed_lines);

#endif
