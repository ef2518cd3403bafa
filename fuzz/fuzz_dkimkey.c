/* SPDX-License-Identifier: ISC */
/* Fuzz: the DKIM key-record parser and key decoding (OpenSSL). */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/records/dkimkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_key k;
	dkimkey_looks_like((const char *)data, size);
	dkimkey_parse((const char *)data, size, &k);
	dkimkey_tag(&k, "p");
	dkimkey_free(&k);
	return 0;
}
