/* SPDX-License-Identifier: ISC */
/* generic: the rdns.generic heuristic. Decides whether a PTR host name looks
 * like a generic / dynamic (end-user) name for an IP. Pure: no lookups, no
 * allocation, no global state.
 *
 * Beyond the values listed below, encoding may be "underscored",
 * "x-separated" ("113x35x70x11"), "mixed separators", "out of order" or
 * "literal" (the name is an address literal). With the IP unknown, octets
 * and octets_text describe the address-like numbers found (4 of them). */
#ifndef SA_GENERIC_H
#define SA_GENERIC_H

#include <stdbool.h>

#include "../model/finding.h"
#include "../util/names.h"

/* clang-format off: the interface as agreed, long comments included. */
struct generic_verdict {
	enum status status; /* STATUS_PASS, STATUS_WARN or STATUS_FAIL */
	int octets; /* how many of the IP's octets (IPv4: 0-4) or 16-bit groups (IPv6) the name carries */
	char octets_text[64]; /* which ones, e.g. "198, 51, 100, 23" */
	char encoding[32];    /* how they are written: "dashed", "dotted", "reversed", "zero-padded", "hex",
	                         "decimal", "split", ... or "" */
	char keyword[32];     /* the dynamic/end-user keyword found (first one), or "" */
	bool pool;            /* the name clearly names a pool / dynamic range */
	bool static_token;    /* "static", "fix", "fixed", "fixip" present */
	char reason[256];     /* one sentence saying which rule fired, e.g. "carries 4 octets of 198.51.100.23
	                         (dashed) and the keyword 'dsl'" */
	/* Additions. */
	bool role;      /* a server role word is present (mail, smtp, mx, mta, out, relay, ns, www, ...) */
	char shape[40]; /* another generic sign, used when octets and keywords do not decide:
	                 * "address literal", "address-like numbers", "serial number",
	                 * "numbered by last octet", "machine-generated label", or "" */
};

/* name: the PTR name, lower-case, no trailing dot. registrable: its registrable
 * domain (strip it before looking for octets/keywords; NULL = unknown, then strip
 * the last two labels). ip: the address the name was found for, or NULL when unknown
 * (then only keyword and generic 4-number patterns count). Never fails. */
void generic_classify(const char *name, const char *registrable, const struct ipaddr *ip,
                      struct generic_verdict *out);
/* clang-format on */

#endif
