/* SPDX-License-Identifier: ISC */
/* rundns: where a run's DNS answers come from (lib/dns, or a --replay-dns
 * file), what each audit asks through (a view of lib/dns that holds its
 * answers until the audit is over, its questions counted), and --save-dns. */
#ifndef SA_RUNDNS_H
#define SA_RUNDNS_H

#include <stdio.h>

#include "../lib/net/replay.h"
#include "options.h"

struct run_dns {
	struct dns *dns;           /* lib/dns; NULL when replaying */
	struct dns_replay *replay; /* --replay-dns, or NULL */
	struct dns_recorder *rec;  /* --save-dns, or NULL */
	FILE *save;                /* its file, open from the start */
	struct resolver whole;     /* the source itself, answers held for the run */
};

/* Opens the run's DNS for c. Returns 0, or the exit status after one line
 * on stderr (a bad --resolver, --replay-dns or --save-dns is a usage
 * error). run_dns_close releases d either way. */
int run_dns_open(struct run_dns *d, const struct cli *c);
/* Writes --save-dns (when given); returns rc, or 3 when it failed. */
int run_dns_save(struct run_dns *d, const struct cli *c, int rc);
void run_dns_close(struct run_dns *d);

/* What one audit (or the spf subcommand) asks through. */
struct audit_dns {
	struct dns_view *view; /* NULL when replaying */
	struct resolver below;
	struct dns_tap *tap;
	struct resolver res; /* hand this to the audit */
};
void audit_dns_open(struct audit_dns *ad, const struct run_dns *d);
/* Releases ad; returns how many distinct questions were asked through it. */
unsigned long audit_dns_close(struct audit_dns *ad);

#endif
