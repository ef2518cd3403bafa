/* whois: WHOIS over TCP port 43 (RFC 3912), the fallback for TLDs whose
 * registry has no RDAP service: the referral from whois.iana.org, then the
 * registry's answer parsed into the same facts as an RDAP domain. */
#ifndef SA_WHOIS_H
#define SA_WHOIS_H

#include <stddef.h>

#include "../records/rdap.h"
struct resolver;

#define WHOIS_IANA "whois.iana.org"
#define WHOIS_PORT 43

/* Sends query to host:port and returns the answer (at most 256 KiB), or
 * NULL with a reason in why. The whole exchange is bounded by timeout_ms.
 * host is resolved by res (NULL: the system's resolver). */
char *whois_query_new(const struct resolver *res, const char *host, int port, const char *query,
                      int timeout_ms, char *why, size_t whylen);

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
