/* SPDX-License-Identifier: ISC */
/* psl: registrable (organizational) domains from the Public Suffix List,
 * via libpsl. Thread-safe (read-only after psl_open). */
#ifndef SA_PSL_H
#define SA_PSL_H

#include <stdbool.h>

struct psl;

/* The newest list available: Debian's publicsuffix data if present,
 * else libpsl's built-in copy. Never NULL. */
struct psl *psl_open(void);
void psl_close(struct psl *p);

/* The registrable domain of name ("mail.example.co.uk" -> "example.co.uk"),
 * as a new string, or NULL when name is a public suffix itself, is empty,
 * or is an IP address. Input is normalized first (lower-case, no trailing
 * dot). */
char *psl_registrable_new(const struct psl *p, const char *name);

/* The registrable domain by the ICANN section of the list alone: hosting
 * providers publish their customers' reverse-DNS zones as private-section
 * suffixes ("ip.linodeusercontent.com"), which make a generic name its
 * own registrable domain. New string, or NULL as above. */
char *psl_icann_registrable_new(const struct psl *p, const char *name);

/* True when a and b have the same registrable domain (both non-NULL). */
bool psl_same_org(const struct psl *p, const char *a, const char *b);

#endif
