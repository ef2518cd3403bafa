/* SPDX-License-Identifier: ISC */
/* readall: a whole stream in memory (see readall.h). */
#include "readall.h"

#include <string.h>

#include "xalloc.h"

bool read_all_new(FILE *f, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	char chunk[65536];
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		xgrow(&buf, &cap, n + got + 1, 1);
		memcpy(buf + n, chunk, got);
		n += got;
	}
	if (!buf)
		buf = xcalloc(1, 1);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return !ferror(f);
}
