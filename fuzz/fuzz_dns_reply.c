/* SPDX-License-Identifier: ISC */
/* Fuzz: grading a DNS reply (hostile answers: CNAME games, bad rdata, the
 * signatures and raw rdata of the DNSSEC and DANE types). */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {DNS_T_A,     DNS_T_AAAA, DNS_T_MX,     DNS_T_PTR,   DNS_T_TXT,
	                                 DNS_T_CNAME, DNS_T_DS,   DNS_T_DNSKEY, DNS_T_RRSIG, DNS_T_TLSA};
	if (size < 1)
		return 0;
	struct dns_answer a;
	dns_grade_wire(data + 1, size - 1, "example.com", types[data[0] % (sizeof types / sizeof *types)],
	               &a);
	dns_answer_clear(&a);
	return 0;
}
