/* SPDX-License-Identifier: ISC */
/* strbuf: a growing string (as Postfix's VSTRING), for text built piece by
 * piece: lists, sentences joined by a separator, details. Zero-initialised
 * it is empty and owns nothing; it never fails (xalloc). */
#ifndef SA_STRBUF_H
#define SA_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *s;    /* NUL-terminated, or NULL while nothing was added */
	size_t len; /* bytes in s, the NUL not counted */
	size_t cap;
};

/* Appends printf-formatted text. */
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *b, const char *fmt, va_list ap);
/* Appends sep (unless b is empty) and then printf-formatted text. */
void sb_sep_printf(struct strbuf *b, const char *sep, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends n bytes of s. Inline when they fit: the JSON Lines writer puts
 * a batch's reports a token at a time, and the call was a tenth of it. */
void sb_putn_grow(struct strbuf *b, const char *s, size_t n);
static inline void sb_putn(struct strbuf *b, const char *s, size_t n)
{
	if (b->s && b->len + n < b->cap) {
		memcpy(b->s + b->len, s, n);
		b->len += n;
		b->s[b->len] = '\0';
	} else {
		sb_putn_grow(b, s, n);
	}
}
/* The text so far: "" when empty. */
const char *sb_str(const struct strbuf *b);
/* Hands the text to the caller (a new string, never NULL) and empties b. */
char *sb_take(struct strbuf *b);
void sb_free(struct strbuf *b);
/* Empties b, keeping its memory for what comes next. */
void sb_clear(struct strbuf *b);

#endif
