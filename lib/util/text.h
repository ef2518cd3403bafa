/* SPDX-License-Identifier: ISC */
/* text: making outside data (DNS, RDAP, arguments) safe to show. */
#ifndef SA_TEXT_H
#define SA_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t len);

/* The length of the valid UTF-8 sequence that starts s (NUL-terminated: a
 * sequence cut by the NUL is invalid), or 0. */
size_t utf8_seq_at(const char *s);

/* A copy of s with every invalid UTF-8 sequence replaced by U+FFFD. */
char *utf8_sanitize_new(const char *s, size_t len);

/* Writes s for a terminal: valid UTF-8 passes, control characters and
 * invalid bytes are written as \xNN so no answer can move the cursor,
 * change colours or hide text. */
void text_put_safe(FILE *out, const char *s);

/* s as text_put_safe writes it, cut after max_chars characters with an
 * ellipsis ("…") when longer, into buf; returns buf. For echoing what a
 * user typed in a one-line message: escape sequences and newlines cannot
 * reach the terminal or split the line. */
#define TEXT_SHOWN_MAX 60
const char *text_shown(char *buf, size_t len, const char *s, size_t max_chars);

/* Appends a message formatted from fmt to the list *v of *n strings (the
 * list grows; the caller frees each string and the list). Outside text in
 * it is shown as printable ASCII only ('?' for anything else). */
void text_list_vadd(char ***v, size_t *n, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* text_shown into a buffer that lives until the end of the enclosing block
 * (a compound literal): snprintf(err, n, "'%s' is ...", TEXT_SHOW(arg)). */
#define TEXT_SHOW(s)                                                                                         \
	text_shown((char[TEXT_SHOWN_MAX * 4 + 8]){0}, TEXT_SHOWN_MAX * 4 + 8, (s), TEXT_SHOWN_MAX)

#endif
