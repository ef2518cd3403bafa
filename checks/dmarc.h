/* dmarc: what the dmarc family lends other families: the policy its input
 * IN_DMARC found (BIMI needs it at enforcement). */
#ifndef SA_CHECKS_DMARC_H
#define SA_CHECKS_DMARC_H

#include <stdbool.h>

#include "../lib/net/dns.h"
#include "../lib/records/dmarc.h"

struct dmarc_view {
	bool failed;                      /* the DNS Tree Walk could not finish */
	const struct dns_answer *failure; /* then: the first failed lookup */
	const char *domain;               /* the audited domain */
	const char *org;                  /* its organizational domain (Tree Walk) */
	const struct dmarc_record *r;     /* the applied record, or NULL */
	const char *record_domain;        /* where it was found */
	bool own;                         /* found at _dmarc.<domain> itself */
	const struct dmarc_record *org_r; /* the record at the organizational
	                                     domain, when it is another one */
};

/* Fills out from the value of input IN_DMARC. */
void dmarc_view_of(const void *in_dmarc, struct dmarc_view *out);

#endif
