/* SPDX-License-Identifier: ISC */
/* xalloc: allocation that succeeds or does not return (as Postfix's
 * mymalloc): running out of memory ends the process with a message, so no
 * caller has a NULL to forget. */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noreturn)) static void oom(void)
{
	fputs("senderaudit: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

void xgrow(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp;
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	if (n > ((size_t)-1) / size)
		oom();
	*p = xrealloc(*p, n * size);
	*cap = n;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Formatted on the stack first, then copied at its size: glibc's
 * vasprintf grows a heap buffer and shrinks it again (three allocations
 * for a finding's summary; a batch formats dozens a sender). */
char *xvasprintf(const char *fmt, va_list ap)
{
	char buf[512];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(buf, sizeof buf, fmt, cp);
	va_end(cp);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof buf)
		memcpy(p, buf, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
