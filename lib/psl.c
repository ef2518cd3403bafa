#include "psl.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xalloc.h"

struct psl {
	psl_ctx_t *ctx;      /* owned, from psl_latest() */
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

bool psl_same_org(const struct psl *p, const char *a, const char *b)
{
	char *ra = psl_registrable_new(p, a);
	char *rb = psl_registrable_new(p, b);
	bool same = ra && rb && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
}
