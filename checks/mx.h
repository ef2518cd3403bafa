/* SPDX-License-Identifier: ISC */
/* mx: what the mx family lends other families: the MX hosts of a domain
 * as its inputs hold them (IN_MX for the MAIL FROM domain, IN_DOMAIN_MX
 * for DOMAIN itself, which MTA-STS and DANE judge; the SMTP probe of the
 * MX hosts, checks/smtp.c, reads IN_MX). */
#ifndef SA_MX_H
#define SA_MX_H

#include <stddef.h>

#include "lookup.h"

/* RFC 5321 5.1 looks at the ten best exchanges at most in practice. */
#define MX_MAX 10

struct mx_facts {
	const char *domain;
	const struct dns_answer *mx; /* the MX answer (its status tells errors) */
	const struct dns_rr **hosts; /* best first, at most MX_MAX, null MX excluded */
	struct addr_set *addrs;      /* per host */
	size_t n, nulls;
	struct addr_set implicit; /* the domain's own addresses (NODATA for MX) */
};

#endif
