/* SPDX-License-Identifier: ISC */
/* strbuf: a growing string (see strbuf.h). */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void reserve(struct strbuf *b, size_t more)
{
	if (b->s && b->len + more < b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap <= b->len + more)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
	if (b->len == 0)
		b->s[0] = '\0';
}

void sb_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void sb_sep_printf(struct strbuf *b, const char *sep, const char *fmt, ...)
{
	if (b->len)
		sb_putn(b, sep, strlen(sep));
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void sb_putn_grow(struct strbuf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

const char *sb_str(const struct strbuf *b)
{
	return b->s ? b->s : "";
}

char *sb_take(struct strbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void sb_clear(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}
