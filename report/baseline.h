/* SPDX-License-Identifier: ISC */
/* baseline: an earlier JSON report (or JSON Lines batch) that a run is
 * compared with (--baseline FILE). A problem is a warn, fail or error
 * finding, known by its sender (IP and domain), check id, subject and
 * status:
 *   new        the baseline's report of the sender has no such problem
 *              (a sender it lacks has only new problems; a status that
 *              changed, warn to fail, is a new problem);
 *   unchanged  it has;
 *   fixed      a baseline problem whose check id and subject now end in
 *              pass or info.
 * A back end shows the marks (report.h, struct report_diff); cli/ uses the
 * new ones for --fail-on new. */
#ifndef SA_BASELINE_H
#define SA_BASELINE_H

#include <stddef.h>

#include "report.h"

struct baseline;

/* Reads FILE: one JSON report, or one per line. Returns NULL with a reason
 * in err when it cannot be read or holds no senderaudit report. */
struct baseline *baseline_load(const char *path, char *err, size_t errlen);
void baseline_free(struct baseline *b);

/* The marks of one audit's findings against the baseline; the caller
 * frees it with report_diff_free. */
struct report_diff *report_diff_new(const struct baseline *b, const struct target *t,
                                    const struct findings *fs);
void report_diff_free(struct report_diff *d);

#endif
