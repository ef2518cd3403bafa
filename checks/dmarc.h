/* SPDX-License-Identifier: ISC */
/* dmarc: the DMARC family's policy discovery (RFC 9989 DNS Tree Walk, the
 * RFC 7489 view beside it), shared with the message family, which judges a
 * message's From: domain by the same rules (checks/message.c), and with the
 * domain family (BIMI needs the policy at enforcement, checks/domain.c). */
#ifndef SA_CHECKS_DMARC_H
#define SA_CHECKS_DMARC_H

#include <stdbool.h>

#include "../lib/records/dmarc.h"
#include "audit.h"

/* The policy of a domain, as input IN_DMARC holds it. */
struct dmarc_policy;
/* Looks the policy of domain up (lookups through a->dns; call it only
 * from an input's computation). */
struct dmarc_policy *dmarc_policy_new(const struct audit *a, const char *domain);
void dmarc_policy_free(struct dmarc_policy *p);

/* What a policy says, borrowed from it (the value of input IN_DMARC is a
 * struct dmarc_policy). */
struct dmarc_facts {
	const char *domain;
	const struct dns_answer *failure; /* the policy is unknown: this lookup failed */
	const struct dmarc_record *r;     /* the usable record that applies, or NULL */
	const char *record_domain;        /* where it was found */
	const char *org;                  /* the organizational domain (Tree Walk) */
	const char *psl_org;              /* ... by the Public Suffix List (RFC 7489), or NULL */
	const char *rfc7489_domain;       /* where RFC 7489 receivers find a record, or NULL */
	bool rfc7489_failed;              /* ... unknown: that lookup failed */
	bool own;                         /* r was found at _dmarc.<domain> itself */
	const struct dmarc_record *org_r; /* the organizational domain's usable
	                                     record, when it is another one */
};
void dmarc_policy_facts(const struct dmarc_policy *p, struct dmarc_facts *out);

/* The organizational domain of domain by the DNS Tree Walk, as a new
 * string; NULL with *failure set when a lookup it needed failed. */
char *dmarc_org_new(const struct audit *a, const char *domain, const struct dns_answer **failure);

#endif
