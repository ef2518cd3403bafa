/* SPDX-License-Identifier: ISC */
/* Fuzz: the SMTP reply parser, fed as the connection feeds it: the input
 * parsed again and again as it grows, replies taken off the front. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/net/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t off = 0;
	/* grow the visible part in steps of up to 7 bytes, as reads do */
	for (size_t have = 0; have <= size;) {
		struct smtp_reply r;
		size_t used = 0;
		char why[200];
		int rc = smtp_reply_parse(buf + off, have - off, &r, &used, why, sizeof why);
		if (rc == SMTP_PARSE_BAD)
			break;
		if (rc == SMTP_PARSE_DONE) {
			if (used == 0 || used > have - off || r.n == 0 || r.code < 200 || r.code > 599)
				abort();
			for (size_t i = 0; i < r.n; i++)
				if (strlen(r.lines[i]) > SMTP_LINE_MAX)
					abort();
			smtp_reply_clear(&r);
			off += used;
			continue;
		}
		if (have == size)
			break;
		have += 1 + (size_t)(data[have] % 7);
		if (have > size)
			have = size;
	}
	return 0;
}
