/* SPDX-License-Identifier: ISC */
/* dns: every DNS lookup of an audit goes through here.
 *
 * One event-loop thread keeps many queries in flight at once over UDP (TCP
 * when an answer is truncated), with a per-lookup deadline and retries. A
 * cache shared by all threads merges identical queries, including ones
 * still in flight. Answers are graded: checks must tell "no such record"
 * (NXDOMAIN, NODATA) from "could not ask" (every other failure). */
#ifndef SA_DNS_H
#define SA_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dns_status {
	DNS_OK,        /* records of the asked type */
	DNS_NXDOMAIN,  /* the name does not exist */
	DNS_NODATA,    /* the name exists, no records of that type */
	DNS_SERVFAIL,  /* server failure (also FORMERR, NOTIMP, other rcodes) */
	DNS_REFUSED,   /* the server refused to answer */
	DNS_TIMEOUT,   /* no usable answer within the deadline */
	DNS_MALFORMED, /* unparseable answer, CNAME loop, invalid name */
	DNS_NETWORK,   /* could not send or connect (port closed, no route) */
	DNS_UNTRUSTED, /* NXDOMAIN or NODATA from a resolver that also denies
	                  names that exist (the root's NS, the name's TLD) */
};

enum {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	/* DNSSEC and DANE: kept as raw rdata (dns_rr.rdata) */
	DNS_T_DS = 43,
	DNS_T_RRSIG = 46,
	DNS_T_DNSKEY = 48,
	DNS_T_TLSA = 52,
};

/* Per-lookup flags (dns_query_ex); each combination is its own cache entry. */
#define DNS_Q_DO                                                                                             \
	1u /* ask with the DNSSEC OK bit: signatures come back in                                            \
	      dns_answer.sigs, and a validating resolver sets AD */
#define DNS_Q_CD                                                                                             \
	2u /* checking disabled: a validating resolver answers                                               \
	      without validating (tells bogus data from a dead                                               \
	      server) */

/* "OK", "NXDOMAIN", ... */
const char *dns_status_name(enum dns_status s);
/* True for OK, NXDOMAIN and NODATA: the server answered the question. */
bool dns_status_answered(enum dns_status s);
/* "A", "TXT", ... or "TYPEnn" (buf needs 12 bytes). */
const char *dns_type_name(uint16_t type, char *buf, size_t len);

struct dns_rr {
	uint16_t type;
	uint32_t ttl;
	uint16_t pref;          /* MX preference */
	unsigned char addr[16]; /* A (4 bytes) or AAAA (16 bytes) */
	char *name;             /* PTR, MX, CNAME, NS target: lower-case, no
	                           trailing dot ("." for the root: null MX) */
	char *txt;              /* TXT: character-strings concatenated, NUL-
	                           terminated; may contain NUL bytes: use txt_len */
	size_t txt_len;
	unsigned char *rdata; /* the wire rdata (names uncompressed) of the
	                         types not parsed above (DS, DNSKEY, RRSIG,
	                         TLSA, SOA, ...), else NULL */
	size_t rdata_len;
};

struct dns_answer {
	enum dns_status status;
	char *qname; /* normalized */
	uint16_t qtype;
	char *why;          /* for failures: what went wrong, human-readable */
	struct dns_rr *rrs; /* records of qtype owned by the final name */
	size_t rr_count;
	char **cnames; /* CNAME targets followed from qname, in order */
	size_t cname_count;
	unsigned rcode;      /* of the last answer used */
	bool ad;             /* the resolver marked the answer authentic
	                        (AD; only asked with DNS_Q_DO) */
	struct dns_rr *sigs; /* the RRSIGs over the records (their owner and
	                        type); only with DNS_Q_DO */
	size_t sig_count;
};

struct dns_config {
	/* Servers as "ADDR" or "ADDR#PORT" (IPv4 or IPv6). Empty: the
	 * nameservers of /etc/resolv.conf. */
	const char *const *servers;
	size_t server_count;
	int timeout_ms;   /* whole budget of one lookup, all tries included */
	int retries;      /* extra tries after the first (each to the next server) */
	int max_inflight; /* 0: default */
	/* Take NXDOMAIN and NODATA at face value. By default they are vetted:
	 * trusted only while the resolver answers the root's NS (asked once
	 * per run) and the TLDs named by dns_expect_tld, so a resolver that
	 * denies every name yields DNS_UNTRUSTED, not "does not exist". */
	bool trust_negatives;
	/* Entries the cache keeps before the least recently used idle ones go
	 * (0: the default, 5,000). Answers are also kept only for their TTL. */
	size_t cache_max;
};

/* Starts the DNS layer. Returns NULL with a reason in err when the
 * configuration is unusable (bad server address, no nameserver). */
struct dns *dns_new(const struct dns_config *cfg, char *err, size_t errlen);
void dns_free(struct dns *d);

/* Caps the lookups under zone that are on the wire at once (a batch should
 * not flood one blocklist operator); the rest wait their turn. Applies to
 * lookups started after the call. */
void dns_limit_zone(struct dns *d, const char *zone, int max_inflight);

/* Declares that name exists (the audited domain): from now on, a negative
 * answer for a name under its TLD is trusted only while the resolver says
 * that TLD exists (see dns_config.trust_negatives). Starts that question. */
void dns_expect_tld(struct dns *d, const char *name);

/* Caps the queries under zone to qps a second (0: no cap), shared by every
 * zone given the same key (one operator's lists), with a burst of one
 * second's worth; the rest wait their turn. Applies to lookups started
 * after the call. */
void dns_rate_zone(struct dns *d, const char *zone, const char *key, double qps);

/* dns_limit_zone and dns_rate_zone for several zones at once (a caller
 * that sets them for every audit of a batch takes the lock once). */
struct dns_zone_cap {
	const char *zone;
	int max_inflight;
	const char *key; /* the rate's, as dns_rate_zone */
	double qps;
};
void dns_cap_zones(struct dns *d, const struct dns_zone_cap *caps, size_t n);

/* Starts a lookup without waiting for it (so independent lookups overlap). */
void dns_prefetch(struct dns *d, const char *name, uint16_t type);

/* A question, for the calls that take several. */
struct dns_question {
	const char *name;
	uint16_t type;
};

/* Looks name/type up (cached for its TTL; merged with an identical lookup
 * in flight), following CNAMEs. Blocks until graded. The answer is owned by
 * d and valid until dns_free: it is never evicted (for tools; an audit asks
 * through a view). Thread-safe. */
const struct dns_answer *dns_query(struct dns *d, const char *name, uint16_t type);

/* dns_prefetch and dns_query with DNS_Q_* flags (0: the plain lookup). */
void dns_prefetch_ex(struct dns *d, const char *name, uint16_t type, unsigned flags);
const struct dns_answer *dns_query_ex(struct dns *d, const char *name, uint16_t type, unsigned flags);

/* A view is what one audit (or any other user that ends) asks through: the
 * answers it was handed stay valid until dns_view_free, and then the cache
 * may let them go (their TTL is over, or it is full). Thread-safe. */
struct dns_view;
struct dns_view *dns_view_new(struct dns *d);
void dns_view_free(struct dns_view *v);
const struct dns_answer *dns_view_query(struct dns_view *v, const char *name, uint16_t type);
void dns_view_prefetch(struct dns_view *v, const char *name, uint16_t type);
/* ... with DNS_Q_* flags. */
const struct dns_answer *dns_view_query_ex(struct dns_view *v, const char *name, uint16_t type,
                                           unsigned flags);
void dns_view_prefetch_ex(struct dns_view *v, const char *name, uint16_t type, unsigned flags);
/* dns_view_prefetch_ex of n questions under one lock (a blocklist audit
 * starts some fifty at once). */
void dns_view_prefetch_many(struct dns_view *v, const struct dns_question *q, size_t n, unsigned flags);
struct dns *dns_view_dns(const struct dns_view *v);

/* A one-line description of a failed answer for findings:
 * "SERVFAIL from 127.0.0.1#53 for mail.example.com/A". */
const char *dns_answer_why(const struct dns_answer *a);

struct dns_stats {
	unsigned long lookups;    /* dns_query/dns_prefetch calls */
	unsigned long cache_hits; /* answered or merged from the cache */
	unsigned long sent;       /* packets sent (UDP tries and TCP) */
	unsigned long tcp;        /* TCP fallbacks */
	unsigned long timeouts;
	unsigned long max_inflight; /* most lookups on the wire at once */
	unsigned long expired;      /* cached answers asked again after their TTL */
	unsigned long evicted;      /* idle answers dropped to keep the cache's size */
	unsigned long sockets;      /* UDP sockets opened (the pool and its replacements) */
};
void dns_get_stats(struct dns *d, struct dns_stats *out);

/* Grades a reply packet for name/type as the event loop does once its ID
 * matched: question check, CNAME chain, records, rcode. Pure (no I/O), for
 * tests and fuzzing. Returns false when the packet is unparseable or answers
 * another question; out must then still be released with dns_answer_clear. */
bool dns_grade_wire(const uint8_t *buf, size_t len, const char *name, uint16_t type, struct dns_answer *out);
/* The same, asked with flags (DNS_Q_*); with ldns_only, ldns reads the
 * reply even when the reader of the common ones could (the tests compare
 * the two); the cache lifetime the reply gives in *ttl_s (may be NULL). */
bool dns_grade_wire_ex(const uint8_t *buf, size_t len, const char *name, uint16_t type, unsigned flags,
                       bool ldns_only, struct dns_answer *out, uint32_t *ttl_s);
void dns_answer_clear(struct dns_answer *a);

/* A deep copy of a (a recorder keeps answers the cache may let go);
 * release it with dns_answer_clear and free. */
struct dns_answer *dns_answer_copy_new(const struct dns_answer *a);

/* Description of the servers in use, e.g. "127.0.0.1#5353". */
const char *dns_servers_text(const struct dns *d);

#endif
