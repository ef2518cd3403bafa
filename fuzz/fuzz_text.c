/* SPDX-License-Identifier: ISC */
/* Fuzz: making outside bytes safe for JSON (UTF-8) and for terminals. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *clean = utf8_sanitize_new((const char *)data, size);
	if (!utf8_valid(clean, strlen(clean)))
		abort(); /* the sanitizer must produce valid UTF-8 */
	free(clean);
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	text_put_safe(f, s);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort(); /* no control character reaches the terminal */
	free(out);
	free(s);
	return 0;
}
