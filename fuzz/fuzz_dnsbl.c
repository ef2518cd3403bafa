/* SPDX-License-Identifier: ISC */
/* Fuzz: DNSBL answer decoding over every built-in zone and the generic
 * rules, query-name building and the public-resolver classifier. Input: one
 * byte choosing the zone, then A record addresses, 4 bytes each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/records/dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct dnsbl_zone tmp;
	size_t nz = dnsbl_default_count();
	const struct dnsbl_zone *z =
	    data[0] < nz ? dnsbl_default_at(data[0]) : dnsbl_zone_get("generic.bl.example", &tmp);
	uint32_t addrs[256];
	size_t n = 0;
	for (size_t i = 1; i + 4 <= size && n < 256; i += 4)
		addrs[n++] = dnsbl_addr(data + i);
	struct dnsbl_verdict v;
	dnsbl_decode(z, addrs, n, &v);
	if (v.hit_count > DNSBL_MAX_HITS || (v.state == DNSBL_NOT_LISTED) != (n == 0))
		abort();
	for (size_t i = 0; i < v.hit_count; i++)
		if (v.hits[i].meaning && strlen(v.hits[i].meaning) == 0)
			abort();

	/* The rest as text: a domain to query, and a server list. */
	if (size < 300) {
		char s[301], buf[256];
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		if (dnsbl_domain_qname(s, z->zone, buf, sizeof buf) && strlen(buf) > 253)
			abort();
		dnsbl_public_resolver(s);
	}
	return 0;
}
