/* SPDX-License-Identifier: ISC */
/* psl: registrable (organizational) domains from the Public Suffix List
 * through libpsl, with the ICANN section alone where private suffixes would
 * mislead (see psl.h). */
#include "psl.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xalloc.h"

struct psl {
	psl_ctx_t *ctx; /* owned, from psl_latest() */
	const psl_ctx_t *use;
};

struct psl *psl_open(void)
{
	struct psl *p = xcalloc(1, sizeof *p);
	/* psl_latest picks the newer of Debian's publicsuffix data and the
	 * built-in copy; fall back to the built-in one if it cannot load. */
	p->ctx = psl_latest(NULL);
	p->use = p->ctx ? p->ctx : psl_builtin();
	return p;
}

void psl_close(struct psl *p)
{
	if (!p)
		return;
	if (p->ctx)
		psl_free(p->ctx);
	free(p);
}

static bool looks_like_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

char *psl_registrable_new(const struct psl *p, const char *name)
{
	if (!name || !*name)
		return NULL;
	char *n = name_normalize_new(name);
	if (!*n || strcmp(n, ".") == 0 || looks_like_ip(n) || !p->use) {
		free(n);
		return NULL;
	}
	const char *r = psl_registrable_domain(p->use, n);
	char *out = r ? xstrdup(r) : NULL;
	free(n);
	return out;
}

char *psl_icann_registrable_new(const struct psl *p, const char *name)
{
	if (!name || !*name)
		return NULL;
	char *n = name_normalize_new(name);
	if (!*n || strcmp(n, ".") == 0 || looks_like_ip(n) || !p->use) {
		free(n);
		return NULL;
	}
	/* From the whole name down: the first suffix that is an ICANN public
	 * suffix is the longest; the registrable domain adds one label. */
	const char *prev = NULL, *out = NULL;
	for (const char *s = n; s; prev = s, s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL)
		if (psl_is_public_suffix2(p->use, s, PSL_TYPE_ICANN)) {
			out = prev;
			break;
		}
	char *r = out ? xstrdup(out) : NULL;
	free(n);
	return r;
}

bool psl_same_org(const struct psl *p, const char *a, const char *b)
{
	char *ra = psl_registrable_new(p, a);
	char *rb = psl_registrable_new(p, b);
	bool same = ra && rb && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
}
