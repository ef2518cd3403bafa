/* SPDX-License-Identifier: ISC */
/* Fuzz: the DMARC record parser and the tree-walk name list. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/records/dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record r;
	dmarc_is_record((const char *)data, size);
	dmarc_parse((const char *)data, size, &r);
	dmarc_record_free(&r);
	if (size < 300) {
		char name[301];
		memcpy(name, data, size);
		name[size] = '\0';
		char *names[8];
		size_t n = dmarc_walk_names_new(name, names);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
	}
	return 0;
}
