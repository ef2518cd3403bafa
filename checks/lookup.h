/* SPDX-License-Identifier: ISC */
/* lookup: what several check families share: lookups through the audit's
 * resolver, the IP's PTR names (input IN_PTR), the addresses of a name,
 * and the grading of a failed lookup into an `error` finding. */
#ifndef SA_LOOKUP_H
#define SA_LOOKUP_H

#include "../lib/util/json.h"
#include "audit.h"
#include "check.h"

/* a->dns, shorter. */
const struct dns_answer *lookup(const struct audit *a, const char *name, uint16_t type);
void prefetch(const struct audit *a, const char *name, uint16_t type);

/* Input IN_PTR: the PTR names of the audited IP. */
struct ptr_set {
	const struct dns_answer *ans; /* the PTR answer (status tells errors) */
	char rev[80];                 /* the reverse name asked */
	char **names;                 /* sorted, de-duplicated */
	size_t count;
};
/* The set, or NULL with a finding of id added to out when the lookup failed
 * (error) or found no name (skip "no PTR name to check"). */
const struct ptr_set *ptr_names_or_report(const struct audit *a, const struct inputs *in, const char *id,
                                          const char *what, struct findings *out);

/* The addresses of a name, A and AAAA asked at once. */
struct addr_set {
	const struct dns_answer *a4, *a6;
	bool has_ip;                      /* the audited IP is among them */
	size_t count;                     /* addresses found in both families */
	bool resolves;                    /* at least one address */
	bool failed;                      /* a lookup failed (not NXDOMAIN/NODATA) */
	const struct dns_answer *failure; /* the first failed answer */
};
/* Starts both lookups without waiting (so several names overlap). */
void addr_prefetch(const struct audit *a, const char *name);
void addr_lookup(const struct audit *a, const char *name, struct addr_set *out);
/* The answer of the audited IP's own family (A for IPv4, AAAA for IPv6). */
const struct dns_answer *addr_own(const struct audit *a, const struct addr_set *s);
/* A JSON array of the addresses as text. */
cJSON *addr_set_json(const struct addr_set *s);

/* Marks f as `error` because of a failed lookup: summary stays, detail
 * says why, remedy says what to check. */
void finding_lookup_failed(const struct audit *a, struct finding *f, const struct dns_answer *ans);

/* Appends a finding with status error for a failed lookup. */
struct finding *add_lookup_error(const struct audit *a, struct findings *out, const char *id,
                                 const char *subject, const char *what, const struct dns_answer *ans);

#endif
