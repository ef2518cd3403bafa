/* SPDX-License-Identifier: ISC */
/* Fuzz: BIMI assertion records and the SVG Tiny PS scan of a logo (the
 * first input byte picks which). */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/records/bimi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	if (data[0] & 1) {
		struct bimi_svg svg;
		bimi_svg_check(s, n, &svg);
		bimi_svg_free(&svg);
	} else {
		struct bimi_record r;
		bimi_is_record(s, n);
		bimi_parse(s, n, &r);
		bimi_free(&r);
	}
	return 0;
}
