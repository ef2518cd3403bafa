/* text: making outside data (DNS, RDAP) safe to show. */
#ifndef SA_TEXT_H
#define SA_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t len);

/* A copy of s with every invalid UTF-8 sequence replaced by U+FFFD. */
char *utf8_sanitize_new(const char *s, size_t len);

/* Writes s for a terminal: valid UTF-8 passes, control characters and
 * invalid bytes are written as \xNN so no answer can move the cursor,
 * change colours or hide text. */
void text_put_safe(FILE *out, const char *s);

#endif
