/* SPDX-License-Identifier: ISC */
/* names: host name syntax, IP address parsing and reverse-DNS names.
 * Pure functions; no lookups. */
#ifndef SA_NAMES_H
#define SA_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct ipaddr {
	int af;              /* AF_INET or AF_INET6 */
	unsigned char b[16]; /* 4 or 16 bytes, network order */
	char text[46];       /* canonical text form (inet_ntop) */
	bool mapped;         /* given as an IPv4-mapped IPv6 address
	                        (::ffff:a.b.c.d), held as the IPv4 one */
};

/* Parses an IPv4 or IPv6 address literal (no brackets, no zone id, no
 * prefix). An IPv4-mapped IPv6 address becomes the IPv4 address it maps
 * (mapped is set). Returns 0, or -1 with a reason in why. */
int ip_parse(const char *s, struct ipaddr *out, char *why, size_t whylen);

/* Number of address bytes: 4 or 16. */
size_t ip_len(const struct ipaddr *ip);

bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);

/* The reverse-lookup name: "10.2.0.192.in-addr.arpa" or 32 nibbles +
 * "ip6.arpa" (no trailing dot). buf needs at least 74 bytes. */
void ip_reverse_name(const struct ipaddr *ip, char *buf, size_t len);

/* The reversed key without the arpa suffix, as DNSBLs want it:
 * "10.2.0.192" or 32 dotted nibbles. buf needs at least 64 bytes. */
void ip_reverse_key(const struct ipaddr *ip, char *buf, size_t len);

/* Lower-cases ASCII and strips one trailing dot; returns a new string. */
char *name_normalize_new(const char *s);
/* The same into out (cap bytes); false, out untouched, when it does not
 * fit. For lookups that must not allocate (the DNS cache's hits). */
bool name_normalize_to(char *out, size_t cap, const char *s);

/* Whether a and b name the same domain as DNS compares names: case aside,
 * a final dot aside. */
bool name_same(const char *a, const char *b);

/* True when s is a syntactically valid DNS name for a query: labels of
 * 1..63 octets, at most 253 octets in all, no empty label. Any octet
 * values are accepted (DNS names are 8-bit clean). */
bool name_is_dns(const char *s);

/* True when s is a host name in the RFC 1123/952 sense: LDH labels not
 * starting or ending with '-', at least two labels, at most 253 chars, and
 * the last label not all-numeric (so not an IP written as a name).
 * On false, why (if not NULL) says which rule failed. */
bool name_is_hostname(const char *s, char *why, size_t whylen);

/* Converts a user-given domain (Unicode or ASCII) to a normalized A-label
 * form: lower-case, no trailing dot. Returns a new string, or NULL with a
 * reason in why when it is not a valid host name. */
char *name_from_user_new(const char *s, char *why, size_t whylen);

/* True when name equals zone or is below it (both normalized). */
bool name_is_under(const char *name, const char *zone);

#endif
