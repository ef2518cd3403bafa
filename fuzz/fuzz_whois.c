/* SPDX-License-Identifier: ISC */
/* Fuzz: WHOIS text parsing (referrals and the key/value domain fields). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/records/rdap.h"
#include "../lib/records/whois_domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	free(whois_referral_new(s));
	struct rdap_domain d;
	memset(&d, 0, sizeof d);
	whois_parse_domain(s, "example.com", &d);
	rdap_domain_free(&d);
	free(s);
	return 0;
}
