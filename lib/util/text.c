/* SPDX-License-Identifier: ISC */
/* text: outside data made safe to show: UTF-8 validation and repair for
 * JSON, terminal-safe output with control bytes escaped, and arguments
 * echoed in messages escaped and cut (see text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len;
	unsigned cp;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

size_t utf8_seq_at(const char *s)
{
	/* utf8_seq stops at the first byte that is not a continuation, and
	 * the NUL is none: it reads no further */
	return utf8_seq((const unsigned char *)s, 4);
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t l = utf8_seq(p + i, len - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

char *utf8_sanitize_new(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(len * 3 + 1);
	size_t o = 0, i = 0;
	while (i < len) {
		size_t l = utf8_seq(p + i, len - i);
		if (l && !(l == 1 && p[i] == 0)) {
			memcpy(out + o, p + i, l);
			o += l;
			i += l;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

/* One character of s for a terminal: the valid UTF-8 sequence at p, or
 * \xNN for a control character (C0, DEL, C1) or an invalid byte. Writes it
 * to out (at least 5 bytes) and returns how many bytes of p it took; *w
 * gets the bytes written. */
static size_t safe_char(const unsigned char *p, size_t n, char *out, size_t *w)
{
	size_t l = utf8_seq(p, n);
	bool c1 = l == 2 && p[0] == 0xc2 && p[1] < 0xa0;
	if (l == 0 || (l == 1 && (p[0] < 0x20 || p[0] == 0x7f)) || c1) {
		*w = (size_t)snprintf(out, 5, "\\x%02x", p[0]);
		return 1;
	}
	memcpy(out, p, l);
	*w = l;
	return l;
}

void text_put_safe(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	char c[5];
	while (i < n) {
		size_t w;
		i += safe_char(p + i, n - i, c, &w);
		fwrite(c, 1, w, out);
	}
}

const char *text_shown(char *buf, size_t len, const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0, chars = 0;
	char c[5];
	/* room for the longest character and the ellipsis */
	while (i < n && chars < max_chars && o + 5 + 4 <= len) {
		size_t w;
		i += safe_char(p + i, n - i, c, &w);
		memcpy(buf + o, c, w);
		o += w;
		chars++;
	}
	if (i < n && o + 4 <= len) {
		memcpy(buf + o, "\xe2\x80\xa6", 3); /* U+2026 */
		o += 3;
	}
	if (len)
		buf[o < len ? o : len - 1] = '\0';
	return buf;
}

void text_list_vadd(char ***v, size_t *n, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}
