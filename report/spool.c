/* SPDX-License-Identifier: ISC */
/* spool: report text kept in a temporary file until the end (spool.h). */
#include "spool.h"

#include <string.h>

void spool_init(struct spool *s)
{
	memset(s, 0, sizeof *s);
	s->f = tmpfile();
}

void spool_put(struct spool *s, const struct strbuf *b)
{
	if (!b->len)
		return;
	size_t done = 0;
	/* a full disk must not cut the report: what the file did not take
	 * stays in memory, after what it holds */
	if (s->f && !s->mem.len)
		done = fwrite(b->s, 1, b->len, s->f);
	if (done < b->len)
		sb_putn(&s->mem, b->s + done, b->len - done);
}

void spool_copy(struct spool *s, FILE *out)
{
	if (s->f) {
		fflush(s->f);
		rewind(s->f);
		char buf[16384];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, s->f)) > 0)
			fwrite(buf, 1, k, out);
	}
	fputs(sb_str(&s->mem), out);
}

void spool_free(struct spool *s)
{
	if (s->f)
		fclose(s->f);
	sb_free(&s->mem);
	memset(s, 0, sizeof *s);
}
