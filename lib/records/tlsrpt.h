/* SPDX-License-Identifier: ISC */
/* tlsrpt: SMTP TLS Reporting records (RFC 8460 3), the TXT record at
 * _smtp._tls.DOMAIN that says where sending MTAs report TLS failures.
 * Pure functions; no lookups.
 *
 * Grammar: v=TLSRPTv1 first and case-sensitive; fields separated by ';'
 * with optional white space; rua= a comma-separated list of mailto: or
 * https: URIs (commas inside a URI %-encoded); extension fields well-formed
 * and ignored; a record without rua= is invalid. */
#ifndef SA_TLSRPT_H
#define SA_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>

/* True when a TXT record starts with "v=TLSRPTv1" followed by ';', white
 * space or its end (3: records that do not are discarded). */
bool tlsrpt_is_record(const char *txt, size_t len);

struct tlsrpt_uri {
	char *text; /* as written (printable ASCII; other bytes as '?') */
	bool valid;
	char why[120]; /* why not valid */
	bool https;    /* an https: URI, else mailto: */
	char *domain;  /* mailto: the address's domain; https: the host; lower-case */
};

struct tlsrpt_record {
	bool valid;      /* well-formed, with at least one valid rua URI and no invalid one */
	char error[160]; /* why not valid */
	struct tlsrpt_uri *rua;
	size_t rua_count;
};

/* Parses a record. Always fills out (release it with tlsrpt_free); returns
 * 0 when valid, -1 with out->error set. */
int tlsrpt_parse(const char *txt, size_t len, struct tlsrpt_record *out);
void tlsrpt_free(struct tlsrpt_record *r);

#endif
