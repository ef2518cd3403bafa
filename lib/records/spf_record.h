/* SPDX-License-Identifier: ISC */
/* spf_record: RFC 7208 record syntax (section 4.6.1 and 12) parsed into terms.
 * Pure parsing, no DNS: the walker/evaluator builds on this. */
#ifndef SA_SPF_RECORD_H
#define SA_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>

enum spf_kind {
	SPF_ALL,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
	SPF_REDIRECT,
	SPF_EXP,
	SPF_MODIFIER /* unknown modifier: ignored by check_host */
};

struct spf_term {
	enum spf_kind kind;
	char qualifier;    /* '+', '-', '~', '?' (mechanisms only) */
	char *domain_spec; /* as written, or NULL when absent */
	char *addr;        /* ip4/ip6 address text */
	int cidr4, cidr6;  /* -1 when not given */
	bool has_macro;    /* domain_spec contains a macro: not statically countable */
};

struct spf_record {
	struct spf_term *terms;
	size_t n;
};

/* True when txt (len bytes) is an SPF record: "v=spf1" then a space or the end. */
bool spf_is_record(const char *txt, size_t len);

/* Parses a record; NULL on a syntax error, with the reason in err (permerror). */
struct spf_record *spf_record_parse_new(const char *txt, size_t len, char *err, size_t errlen);
void spf_record_free(struct spf_record *r);

/* Terms that cost a DNS lookup per RFC 7208 4.6.4 (include a mx ptr exists redirect). */
bool spf_term_queries_dns(const struct spf_term *t);

/* Checks a macro-string (RFC 7208 7.1); exp_only allows the c, r, t letters. */
bool spf_macro_string_valid(const char *s, size_t len, bool exp_only);

#endif
