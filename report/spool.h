/* SPDX-License-Identifier: ISC */
/* spool: what a one-document report (a text batch's closing table, JUnit,
 * HTML, OpenMetrics) writes before its header or grouped by metric, kept
 * in a temporary file until the end, so a batch's memory does not grow
 * with its senders. Without a temporary file (no writable /tmp) it stays
 * in memory: the report is whole, only the bound is lost. */
#ifndef SA_SPOOL_H
#define SA_SPOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "../lib/util/strbuf.h"

struct spool {
	FILE *f;           /* the temporary file, or NULL */
	struct strbuf mem; /* the fallback */
};

void spool_init(struct spool *s);
/* Appends the text of b. */
void spool_put(struct spool *s, const struct strbuf *b);
/* Writes everything spooled to out, in order. */
void spool_copy(struct spool *s, FILE *out);
/* Releases the file or memory; the spool is then empty and unusable. */
void spool_free(struct spool *s);

#endif
