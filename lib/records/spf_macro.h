/* SPDX-License-Identifier: ISC */
/* spf_macro: RFC 7208 section 7 macro expansion (pure; no DNS). */
#ifndef SA_SPF_MACRO_H
#define SA_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>

struct spf_macro_env {
	const char *sender;   /* <sender>: local-part "@" domain */
	const char *domain;   /* <domain> of the current check_host() */
	const char *ip;       /* <ip> as text (IPv4 or IPv6) */
	const char *helo;     /* HELO/EHLO name, or NULL */
	const char *ptr_name; /* validated domain name for %{p}, or NULL ("unknown") */
};

/* Expands a macro-string; exp allows c, r and t. NULL on an invalid
 * macro (permerror), with the reason in err. */
char *spf_macro_expand_new(const char *s, size_t len, const struct spf_macro_env *env, bool exp, char *err,
                           size_t errlen);

/* Shortens an expanded domain to at most 253 characters by dropping
 * labels on the left (RFC 7208 7.3); in place. */
void spf_macro_truncate(char *domain);

#endif
