/* SPDX-License-Identifier: ISC */
/* Fuzz: the MTA-STS TXT record, the MTA-STS policy file and its mx
 * patterns matched against a host name (the first input byte picks which),
 * and the TLS-RPT record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/records/mta_sts.h"
#include "../lib/records/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0: {
		struct mta_sts_record r;
		mta_sts_is_record(s, n);
		mta_sts_record_parse(s, n, &r);
		break;
	}
	case 1: {
		/* the policy, then every pattern against a host taken from the
		 * input's last line */
		struct mta_sts_policy p;
		mta_sts_policy_parse(s, n, &p);
		const char *nl = memrchr(s, '\n', n);
		size_t hl = nl ? n - (size_t)(nl + 1 - s) : 0;
		char host[256];
		if (hl < sizeof host) {
			memcpy(host, nl ? nl + 1 : s, hl);
			host[hl] = '\0';
			mta_sts_policy_match(&p, host);
		}
		mta_sts_policy_free(&p);
		break;
	}
	default: {
		struct tlsrpt_record r;
		tlsrpt_is_record(s, n);
		tlsrpt_parse(s, n, &r);
		tlsrpt_free(&r);
		break;
	}
	}
	return 0;
}
