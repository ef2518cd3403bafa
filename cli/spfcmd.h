/* SPDX-License-Identifier: ISC */
/* spfcmd: `senderaudit spf IP SENDER`, the SPF verdict alone (like
 * spfquery), with its reason, explanation and lookup tree. */
#ifndef SA_SPFCMD_H
#define SA_SPFCMD_H

#include <stdio.h>

#include "options.h"

struct spf2_pool;
struct resolver;

/* Evaluates and prints; returns the exit status (0 pass, 1 neutral, none
 * or softfail, 2 fail or permerror, 3 temperror). */
int spf_command(const struct cli *c, const struct resolver *dns, struct spf2_pool *spf2, FILE *out);

#endif
