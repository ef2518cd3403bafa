/* SPDX-License-Identifier: ISC */
/* resolver: what code that asks DNS sees. The audit hands every check (and
 * the SPF evaluator, the RDAP and WHOIS clients) one of these over lib/dns;
 * unit tests and fuzzers hand them one over a zone in memory
 * (tests/memdns.h). Answers are lib/dns's graded ones. */
#ifndef SA_RESOLVER_H
#define SA_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "../util/names.h"
#include "dns.h"

struct resolver {
	void *ctx;
	/* Starts a lookup without waiting; may be NULL. */
	void (*prefetch)(void *ctx, const char *name, uint16_t type);
	/* The graded answer; never NULL, owned by the provider, valid while it
	 * lives. Blocks until graded. */
	const struct dns_answer *(*query)(void *ctx, const char *name, uint16_t type);
	/* Which servers answer, for remedies ("127.0.0.1#53"); may be NULL. */
	const char *(*servers)(void *ctx);
	/* Caps one zone's lookups on the wire at once (dns_limit_zone); may be NULL. */
	void (*limit_zone)(void *ctx, const char *zone, int max_inflight);
	/* Declares that name exists (dns_expect_tld); may be NULL. */
	void (*expect_tld)(void *ctx, const char *name);
	/* Caps a zone's query rate, shared by key (dns_rate_zone); may be NULL. */
	void (*rate_zone)(void *ctx, const char *zone, const char *key, double qps);
	/* prefetch and query with DNS_Q_* flags (DNSSEC OK, checking
	 * disabled); may be NULL: then the flags are dropped, and the answers
	 * carry no signatures and no AD, as a resolver without DNSSEC gives. */
	void (*prefetch_ex)(void *ctx, const char *name, uint16_t type, unsigned flags);
	const struct dns_answer *(*query_ex)(void *ctx, const char *name, uint16_t type, unsigned flags);
	/* Gives back an answer query_ex (or query, flags 0) returned for that
	 * question, once per time it returned it: the caller reads it no more.
	 * May be NULL: the answers then live as long as the provider. The
	 * audit's tap gives back all it was given when the audit is over. */
	void (*release)(void *ctx, const char *name, uint16_t type, unsigned flags,
	                const struct dns_answer *a);
	/* prefetch_ex of n questions at once, and limit_zone and rate_zone of
	 * n zones at once (lib/dns takes its lock once for them); may be NULL:
	 * resolver_prefetch_many and resolver_cap_zones make one call each. */
	void (*prefetch_many)(void *ctx, const struct dns_question *q, size_t n, unsigned flags);
	void (*cap_zones)(void *ctx, const struct dns_zone_cap *caps, size_t n);
};

void resolver_prefetch(const struct resolver *r, const char *name, uint16_t type);
const struct dns_answer *resolver_query(const struct resolver *r, const char *name, uint16_t type);
const char *resolver_servers(const struct resolver *r);
void resolver_prefetch_ex(const struct resolver *r, const char *name, uint16_t type, unsigned flags);
const struct dns_answer *resolver_query_ex(const struct resolver *r, const char *name, uint16_t type,
                                           unsigned flags);
void resolver_prefetch_many(const struct resolver *r, const struct dns_question *q, size_t n, unsigned flags);
void resolver_cap_zones(const struct resolver *r, const struct dns_zone_cap *caps, size_t n);

/* lib/dns behind the interface: answers held for good (tools, the spf
 * subcommand), or held by a view until dns_view_free (an audit). */
struct resolver dns_resolver(struct dns *d);
struct resolver dns_view_resolver(struct dns_view *v);

/* The questions one evaluation asked (query, or query_ex without flags),
 * each once, in order: libspf2's second opinion is handed the answers the
 * audit's own SPF evaluation had, instead of asking them one by one over
 * its socket. */
struct resolver_question {
	char *name;
	uint16_t type;
};
struct resolver_log {
	const struct resolver *inner;
	struct resolver_question *q;
	size_t n, cap;
};
/* A resolver that passes everything to inner and notes the questions in
 * log (set up here; one thread at a time). */
struct resolver resolver_logging(struct resolver_log *log, const struct resolver *inner);
void resolver_log_clear(struct resolver_log *log);

#define RESOLVE_MAX_ADDRS 8
/* The addresses of host (A and AAAA asked at once), for connecting to it:
 * up to max, IPv4 first. An address literal (a URL's [IPv6] too) is returned
 * as is. Returns how many, or -1 with a reason in why (the lookups failed,
 * or the name has no address). */
int resolver_host_addrs(const struct resolver *r, const char *host, struct ipaddr *out, size_t max, char *why,
                        size_t whylen);

#endif
