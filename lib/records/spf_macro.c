/* SPDX-License-Identifier: ISC */
/* spf_macro: RFC 7208 section 7 macro expansion (see spf_macro.h). */
#include "spf_macro.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/xalloc.h"

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	xgrow(&b->p, &b->cap, b->n + n + 1, 1);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* The value of one macro letter, freshly allocated. */
static char *letter_value_new(char l, const struct spf_macro_env *env)
{
	const char *sender = env->sender ? env->sender : "";
	const char *at = strrchr(sender, '@');
	unsigned char a[16];
	switch (l) {
	case 's': return xstrdup(sender);
	case 'l': return at ? xstrndup(sender, (size_t)(at - sender)) : xstrdup("postmaster");
	case 'o': return xstrdup(at ? at + 1 : sender);
	case 'd': return xstrdup(env->domain ? env->domain : "");
	case 'h': return xstrdup(env->helo ? env->helo : "unknown");
	case 'p': return xstrdup(env->ptr_name ? env->ptr_name : "unknown");
	case 'r': return xstrdup("unknown");
	case 't': return xasprintf("%lld", (long long)time(NULL));
	case 'c': return xstrdup(env->ip ? env->ip : "");
	case 'v':
	case 'i':
		if (env->ip && inet_pton(AF_INET, env->ip, a) == 1)
			return l == 'v' ? xstrdup("in-addr")
			                : xasprintf("%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		if (env->ip && inet_pton(AF_INET6, env->ip, a) == 1) {
			if (l == 'v')
				return xstrdup("ip6");
			/* %{i} of an IPv6 address is its nibbles, dot-separated */
			char *s = xmalloc(64);
			for (int k = 0; k < 32; k++) {
				s[2 * k] = "0123456789abcdef"[(a[k / 2] >> (k % 2 ? 0 : 4)) & 15];
				s[2 * k + 1] = '.';
			}
			s[63] = '\0';
			return s;
		}
		return xstrdup("");
	default: return NULL;
	}
}

/* Applies the transformers: split on delims, optional reverse, keep the
 * rightmost digits parts, join with '.'. */
static char *transform_new(const char *v, const char *delims, size_t ndelims, long digits, bool rev)
{
	size_t nparts = 1, len = strlen(v);
	for (size_t i = 0; i < len; i++)
		nparts += ndelims && memchr(delims, v[i], ndelims) != NULL;
	const char **starts = xcalloc(nparts, sizeof *starts);
	size_t *lens = xcalloc(nparts, sizeof *lens);
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= len; i++)
		if (i == len || (ndelims && memchr(delims, v[i], ndelims))) {
			starts[k] = v + start;
			lens[k++] = i - start;
			start = i + 1;
		}
	struct buf b = {0};
	put(&b, "", 0);
	size_t first = (digits > 0 && (size_t)digits < nparts) ? nparts - (size_t)digits : 0;
	for (size_t j = first; j < nparts; j++) {
		size_t idx = rev ? nparts - 1 - j : j;
		if (j > first)
			put(&b, ".", 1);
		put(&b, starts[idx], lens[idx]);
	}
	free(starts);
	free(lens);
	return b.p;
}

char *spf_macro_expand_new(const char *s, size_t len, const struct spf_macro_env *env, bool exp, char *err,
                           size_t errlen)
{
	struct buf b = {0};
	put(&b, "", 0);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			put(&b, s + i, 1);
			continue;
		}
		if (i + 1 >= len)
			goto bad;
		char c = s[++i];
		if (c == '%' || c == '_' || c == '-') {
			put(&b, c == '%' ? "%" : c == '_' ? " " : "%20", c == '-' ? 3 : 1);
			continue;
		}
		if (c != '{' || ++i >= len)
			goto bad;
		char letter = s[i];
		char l = (char)tolower((unsigned char)letter);
		/* strchr finds the terminator too: a NUL byte is no letter. */
		if (!l || (!strchr("slodiphv", l) && !(exp && strchr("crt", l))))
			goto bad;
		i++;
		long digits = 0;
		size_t nd = 0;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (digits < 1000)
				digits = digits * 10 + (s[i] - '0');
			i++;
			nd++;
		}
		if (nd && digits == 0)
			goto bad; /* a DIGIT transformer must be nonzero */
		bool rev = false;
		if (i < len && (s[i] == 'r' || s[i] == 'R')) {
			rev = true;
			i++;
		}
		size_t dstart = i;
		while (i < len && s[i] && strchr(".-+,/_=", s[i]))
			i++;
		if (i >= len || s[i] != '}')
			goto bad;
		char *v = letter_value_new(l, env);
		char *t =
		    transform_new(v, i > dstart ? s + dstart : ".", i > dstart ? i - dstart : 1, digits, rev);
		free(v);
		if (isupper((unsigned char)letter)) {
			/* uppercase: URL-escape everything but RFC 3986 unreserved */
			for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
				char e[4];
				if (isalnum(*p) || strchr("-._~", *p))
					put(&b, (const char *)p, 1);
				else {
					snprintf(e, sizeof e, "%%%02X", *p);
					put(&b, e, 3);
				}
			}
		} else
			put(&b, t, strlen(t));
		free(t);
	}
	return b.p;
bad:
	snprintf(err, errlen, "invalid macro in \"%.*s\"", (int)(len > 64 ? 64 : len), s);
	free(b.p);
	return NULL;
}

void spf_macro_truncate(char *d)
{
	size_t len = strlen(d);
	char *p = d;
	while (len - (size_t)(p - d) > 253) {
		char *dot = strchr(p, '.');
		if (!dot)
			break;
		p = dot + 1;
	}
	if (p != d)
		memmove(d, p, strlen(p) + 1);
}
