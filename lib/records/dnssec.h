/* SPDX-License-Identifier: ISC */
/* dnssec: the proof behind a "bogus" verdict. A validating resolver that
 * answers SERVFAIL may have found the zone's signatures broken, or may
 * just have failed to reach it; asked again with checking disabled (CD) it
 * hands over the data it refused, and this module verifies that data
 * itself with ldns: the DS at the parent against the zone's keys, the
 * signature over the key set, and one signed RRset of the zone. Pure: the
 * answers come in (asked with DNS_Q_DO, so they carry their RRSIGs). */
#ifndef SA_DNSSEC_H
#define SA_DNSSEC_H

#include <stddef.h>
#include <time.h>

#include "../net/dns.h"

/* Verifies, at time now:
 *   1. a DS of ds (the zone's DS RRset) matches a DNSKEY of dnskey,
 *   2. an RRSIG over the DNSKEY RRset made by such a key verifies and is
 *      within its validity period,
 *   3. an RRSIG over data (an RRset of the zone, e.g. its SOA) made by one
 *      of the DNSKEYs verifies and is within its validity period.
 * Returns 0 when all three hold; -1 with the first that does not in why
 * ("the RRSIG over the DNSKEY set of example.com expired on 2020-01-31
 * (key tag 1234)"); -2 when nothing can be proven either way (why says
 * so): a record cannot be read, or a DS digest or signature algorithm is
 * one ldns cannot check, which validators treat as insecure, not bogus. */
int dnssec_verify_chain(const struct dns_answer *ds, const struct dns_answer *dnskey,
                        const struct dns_answer *data, time_t now, char *why, size_t whylen);

/* A TLSA record (RFC 6698 2.1) judged for SMTP (RFC 7672 3.1). */
struct tlsa {
	int usage, selector, mtype; /* -1 when the rdata is too short */
	size_t data_len;            /* bytes of association data */
};

/* Reads a TLSA rdata; returns 0, or -1 when it is shorter than 3 bytes. */
int tlsa_parse(const unsigned char *rdata, size_t len, struct tlsa *out);

/* NULL when SMTP clients can use the record: DANE-TA(2) or DANE-EE(3),
 * selector Cert(0) or SPKI(1), matching type Full(0), SHA2-256(1, 32
 * bytes) or SHA2-512(2, 64 bytes); else why not, in buf. */
const char *tlsa_smtp_problem(const struct tlsa *t, char *buf, size_t len);

#endif
