/* SPDX-License-Identifier: ISC */
/* whois_domain: the WHOIS fallback for TLDs whose registry has no RDAP
 * service: the referral from whois.iana.org, then the registry's answer
 * parsed into the same facts as an RDAP domain. */
#ifndef SA_WHOIS_DOMAIN_H
#define SA_WHOIS_DOMAIN_H

#include <stddef.h>

#include "rdap.h"

struct resolver;

/* The server an IANA answer refers to ("refer:" or "whois:"), or NULL. */
char *whois_referral_new(const char *text);

/* Fills d from a registry's answer. Returns 1 (registered), 0 (the
 * registry says no such domain) or -1 (nothing recognisable). */
int whois_parse_domain(const char *text, const char *domain, struct rdap_domain *d);

/* The whole lookup: iana_host:port for the referral (--whois-server; the
 * port then also applies to the referred server), every host resolved by
 * res. server gets the registry's WHOIS host. Returns 1, 0 or -1 (why says
 * what failed). */
int whois_domain_lookup(const struct resolver *res, const char *iana_host, int port, const char *domain,
                        int timeout_ms, struct rdap_domain *d, char **server, char *why, size_t whylen);

#endif
