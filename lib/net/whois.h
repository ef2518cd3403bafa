/* SPDX-License-Identifier: ISC */
/* whois: one WHOIS exchange over TCP port 43 (RFC 3912): the transport for
 * TLDs whose registry has no RDAP service (lib/records/whois_domain.h reads
 * the answers). */
#ifndef SA_WHOIS_H
#define SA_WHOIS_H

#include <stddef.h>

struct resolver;

#define WHOIS_IANA "whois.iana.org"
#define WHOIS_PORT 43

/* Sends query to host:port and returns the answer (at most 256 KiB), or
 * NULL with a reason in why. The whole exchange is bounded by timeout_ms.
 * host is resolved by res (NULL: the system's resolver). */
char *whois_query_new(const struct resolver *res, const char *host, int port, const char *query,
                      int timeout_ms, char *why, size_t whylen);

#endif
