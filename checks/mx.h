/* mx: the value of input IN_MX (checks/mx.c), which the SMTP probe of the
 * MX hosts (checks/smtp.c) reads too. */
#ifndef SA_CHECKS_MX_H
#define SA_CHECKS_MX_H

#include "lookup.h"

/* RFC 5321 5.1 looks at the ten best exchanges at most in practice. */
#define MX_MAX 10

/* The MAIL FROM domain's MX records and their hosts' addresses. */
struct mx_facts {
	const struct dns_answer *mx;
	const struct dns_rr **hosts; /* best first, at most MX_MAX, null MX excluded */
	struct addr_set *addrs;      /* per host */
	size_t n, nulls;
	struct addr_set implicit; /* the domain's own addresses (NODATA for MX) */
};

#endif
