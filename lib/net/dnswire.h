/* SPDX-License-Identifier: ISC */
/* dnswire: the wire form of a DNS query (RFC 1035 4.1, EDNS per RFC 6891),
 * built into the caller's buffer without allocating. lib/dns sends one for
 * every lookup; ldns built the same bytes with an allocation per name,
 * label and record and a compression tree (a query has nothing to
 * compress): 7 % of a batch's CPU. */
#ifndef SA_DNSWIRE_H
#define SA_DNSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest query: header, a name of 255 octets, type and class, OPT. */
#define DNSWIRE_QUERY_MAX (12 + 255 + 4 + 11)

struct dnswire_query {
	const char *name;  /* presentation form: "a.example", "." is the root,
	                    * \DDD and \X escapes as in zone files */
	uint16_t type;     /* class IN */
	bool cd;           /* checking disabled */
	uint16_t edns_udp; /* the OPT record's UDP size; 0: no OPT record */
	bool dnssec_ok;    /* the DO bit (only with an OPT record) */
};

/* Writes q with ID 0 and RD set into out (cap octets, DNSWIRE_QUERY_MAX
 * always suffices). Returns the length, or -1 when the name is not one (an
 * empty label, a label over 63 octets, over 255 in all, a bad escape). */
int dnswire_query(const struct dnswire_query *q, uint8_t *out, size_t cap);

/* Replies: the reader of the common ones (lib/dns grades a reply with it
 * when it can, else with ldns). */

/* Reads the name at *pos of msg (len octets) as text, lower case, without
 * the final dot ("." for the root) into out (256 octets), and moves *pos
 * past it. Plain names only: labels of ASCII letters, digits, '-', '_' and
 * '*', at most 250 octets in all, compression pointers that point back.
 * False for any other (a full parser then decides what it is). */
bool dnswire_plain_name(const uint8_t *msg, size_t len, size_t *pos, char out[256]);
/* The same name as uncompressed wire octets, its case kept, into out; its
 * length in *out_len. */
bool dnswire_plain_name_wire(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[256], size_t *out_len);

/* The 16-bit and 32-bit big-endian numbers at p. */
uint16_t dnswire_u16(const uint8_t *p);
uint32_t dnswire_u32(const uint8_t *p);

#endif
