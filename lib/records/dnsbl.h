/* SPDX-License-Identifier: ISC */
/* dnsbl: DNS blocklists without the DNS. The built-in zone table (with each
 * list's return codes), the names to query (RFC 5782 2.1, 2.4, 5) and the
 * decoding of A answers into a verdict. Pure functions, thread-safe. */
#ifndef SA_DNSBL_H
#define SA_DNSBL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/names.h"

/* What a list can be asked about. */
enum {
	DNSBL_IP4 = 1,
	DNSBL_IP6 = 2,
	DNSBL_DOMAIN = 4,
};

/* How the last octet of an answer is read. */
enum dnsbl_match {
	DNSBL_EXACT,   /* each address has its own meaning (Spamhaus) */
	DNSBL_BITMASK, /* each bit of the last octet is a sub-list (SURBL, URIBL) */
};

enum dnsbl_kind {
	DNSBL_LISTED,  /* a listing */
	DNSBL_POLICY,  /* a policy listing: end-user/dynamic space (Spamhaus PBL) */
	DNSBL_ERRCODE, /* the list refused to answer (public resolver, over limit) */
	DNSBL_RANGE,   /* answer outside 127.0.0.0/8: wildcard or rewriting resolver */
};

/* One return code. Addresses are in host order (127.0.0.2 = 0x7f000002). */
struct dnsbl_code {
	uint32_t addr; /* exact lists: the address; bitmask lists: the bit */
	uint32_t mask; /* exact lists: which bits of addr must match (a range
	                  like 127.255.255.0/24 has 0xffffff00); bitmask
	                  lists: 0 for a bit, 0xffffffff for an exact code */
	enum dnsbl_kind kind;
	const char *meaning;
	const char *todo; /* error codes: what to do about it */
};

struct dnsbl_zone {
	const char *zone; /* "zen.spamhaus.org" */
	const char *name; /* "Spamhaus ZEN" */
	unsigned types;   /* DNSBL_IP4 | DNSBL_IP6 | DNSBL_DOMAIN */
	enum dnsbl_match match;
	const struct dnsbl_code *codes;
	size_t code_count;
	const char *url; /* where to look an entry up and ask for delisting */
	bool builtin;    /* false for a zone the user named that we do not know */
	/* Domain lists: the entry the operator documents as always listed. It
	 * is accepted as well as RFC 5782's "test", which not every operator
	 * is known to carry; NULL when there is none. */
	const char *test_domain;
	/* Who runs it ("spamhaus"): the rate cap is per operator. The zone
	 * itself for a list the user named that we do not know. */
	const char *operator;
};

/* Queries per second per list operator unless --rate says otherwise: the
 * public lists block heavy users (Spamhaus' free use is "low volume",
 * URIBL and SURBL answer free queries from small sites only), and a batch
 * would otherwise send thousands a second. Our choice, not a number the
 * operators publish. */
#define DNSBL_RATE_DEFAULT 50

/* The built-in zone whose name is zone (normalized), or NULL. */
const struct dnsbl_zone *dnsbl_zone_find(const char *zone);

/* The built-in default list, in order. */
size_t dnsbl_default_count(void);
const struct dnsbl_zone *dnsbl_default_at(size_t i);

/* The description of zone: the built-in entry, or a generic IPv4 list
 * (any 127.0.0.0/8 answer but 127.0.0.1 is a listing) filled into *tmp,
 * which must outlive the result and holds a pointer to zone. */
const struct dnsbl_zone *dnsbl_zone_get(const char *zone, struct dnsbl_zone *tmp);

/* Query names, no trailing dot. Return false when the name would not be a
 * valid DNS name (too long). Buffers of 256 bytes always suffice. */
bool dnsbl_ip_qname(const struct ipaddr *ip, const char *zone, char *buf, size_t len);
bool dnsbl_domain_qname(const char *domain, const char *zone, char *buf, size_t len);
/* The RFC 5782 5 test points: listed (127.0.0.2, ::FFFF:7F00:2, "test") or
 * not (127.0.0.1, ::FFFF:7F00:1, "invalid"); af is AF_INET, AF_INET6, or 0
 * for a domain list. */
bool dnsbl_test_qname(int af, bool listed, const char *zone, char *buf, size_t len);
/* The operator's own listed test entry on z (see test_domain); false when
 * the zone has none. */
bool dnsbl_alt_test_qname(const struct dnsbl_zone *z, char *buf, size_t len);

/* One decoded meaning of an answer. */
struct dnsbl_hit {
	uint32_t addr; /* the answer (host order) */
	enum dnsbl_kind kind;
	const char *meaning; /* NULL: a code the table does not know */
	const char *todo;    /* for errors */
};

#define DNSBL_MAX_HITS 16

enum dnsbl_state {
	DNSBL_NOT_LISTED,
	DNSBL_IS_LISTED,
	DNSBL_IS_ERROR, /* an error code or an answer outside 127/8 */
};

struct dnsbl_verdict {
	enum dnsbl_state state;
	bool policy_only; /* listed, and every listing is a policy listing */
	bool any_policy;
	struct dnsbl_hit hits[DNSBL_MAX_HITS]; /* errors first when state is error */
	size_t hit_count;
};

/* Decodes the addresses (host order) of the A records answering a query
 * on z. No records = not listed. Any error code or out-of-range answer
 * makes the whole answer an error: it cannot be trusted. */
void dnsbl_decode(const struct dnsbl_zone *z, const uint32_t *addrs, size_t n, struct dnsbl_verdict *out);

/* The A record address of rr bytes (network order) in host order. */
uint32_t dnsbl_addr(const unsigned char *b);

/* When text (as dns_servers_text gives it: "ADDR[#PORT], ...") names a
 * well-known public resolver, the operator's name; else NULL. */
const char *dnsbl_public_resolver(const char *text);

#endif
