/* SPDX-License-Identifier: ISC */
/* target: what one audit looks at, as the command line (or a --batch line)
 * gave it. Read by the checks and by the reports. */
#ifndef SA_TARGET_H
#define SA_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/names.h"

/* The audited sender. All names are A-labels, lower-case, no trailing dot. */
struct target {
	struct ipaddr ip;
	char *domain;       /* the From: domain */
	char *helo;         /* HELO/EHLO name, or NULL when not given */
	char *mail_from;    /* envelope domain: --mail-from, else domain */
	bool mail_from_given;
	bool shared;        /* ESP pool rather than dedicated IP */
	char **selectors;   /* DKIM selectors given with --selector */
	size_t selector_count;
};

#endif
