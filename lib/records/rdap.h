/* SPDX-License-Identifier: ISC */
/* rdap: the facts senderaudit needs from RDAP answers (RFC 9083): the IP
 * network holding an address (holder, size, abuse contact) and a domain's
 * registration (events, status, registrant, registrar abuse contact,
 * redaction vs privacy/proxy services). Pure functions over JSON text. */
#ifndef SA_RDAP_H
#define SA_RDAP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../util/names.h"

struct strv {
	char **v;
	size_t n;
};
void strv_add_unique(struct strv *s, const char *str);
void strv_free(struct strv *s);

struct rdap_ipnet {
	char *handle, *name, *type, *country;
	char *start, *end; /* canonical addresses, or NULL */
	char *cidr;        /* "192.0.2.0/24", or "start - end" for a range */
	int host_bits;     /* log2 of the smallest CIDR block covering the range, -1 unknown */
	int af;            /* AF_INET/AF_INET6 of start/end, 0 unknown */
	unsigned char lo[16], hi[16];
	char *holder; /* registrant org/fn, else NULL */
	char *holder_handle;
	struct strv abuse_emails;
	char *abuse_handle;     /* the entity that carried the abuse role */
	bool abuse_entity;      /* an entity with role abuse exists (e-mail or not) */
	bool abuse_from_remark; /* e-mail found only in a remark ("abuse reports to …") */
	struct strv emails;     /* every entity e-mail (for relating the holder to a domain) */
};

/* Parses an "ip network" answer. Returns 0, or -1 with a reason in why
 * (not JSON, an RDAP error object, not a network). */
int rdap_ipnet_parse(const char *json, size_t len, struct rdap_ipnet *out, char *why, size_t whylen);
void rdap_ipnet_free(struct rdap_ipnet *n);
/* True when ip lies in the network's range (false when the range is unknown). */
bool rdap_ipnet_contains(const struct rdap_ipnet *n, const struct ipaddr *ip);

enum rdap_registrant {
	RDAP_REG_NONE,       /* no registrant in the answer */
	RDAP_REG_IDENTIFIED, /* a name or organisation is published */
	RDAP_REG_REDACTED,   /* withheld by registry/registrar policy (GDPR) */
	RDAP_REG_PROXY,      /* a privacy/proxy service stands in */
};

struct rdap_domain {
	char *ldh;                  /* lower-case, no trailing dot */
	struct strv status;         /* as given ("client hold") */
	time_t registered, expires; /* 0 = not given */
	char *registrar;
	bool registrar_present;
	struct strv registrar_abuse; /* e-mails of the registrar's abuse contact */
	enum rdap_registrant reg;
	char *registrant;     /* org or name as published */
	char *why_reg;        /* which rule decided reg (proxy/redaction) */
	struct strv redacted; /* RFC 9537 redacted field names */
	char *related;        /* the registrar's RDAP URL (links rel=related) */
	bool whois;           /* filled from WHOIS, not RDAP */
};

/* Parses a "domain" answer. Returns 0, or -1 with a reason in why. */
int rdap_domain_parse(const char *json, size_t len, struct rdap_domain *out, char *why, size_t whylen);
void rdap_domain_free(struct rdap_domain *d);
/* Takes from the registrar's answer what the (thin) registry lacked:
 * registrant, registrar abuse contact, missing dates. */
void rdap_domain_merge(struct rdap_domain *registry, const struct rdap_domain *registrar);

/* The privacy/proxy service name s contains (case-insensitive), or NULL. */
const char *rdap_proxy_service(const char *s);

/* Parses RFC 3339 date-times as registries write them: "Z", "+01:00",
 * "+0000", fractions, and no zone (taken as UTC). Returns 0 or -1. */
int rdap_time_parse(const char *s, time_t *out);

/* Status value normalised for comparison: lower-case, no spaces or
 * underscores ("client hold" and "clientHold" -> "clienthold"). */
void rdap_status_key(const char *s, char *buf, size_t len);

#endif
