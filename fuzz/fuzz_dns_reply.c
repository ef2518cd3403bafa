/* SPDX-License-Identifier: ISC */
/* Fuzz: grading a DNS reply (hostile answers: CNAME games, bad rdata, the
 * signatures and raw rdata of the DNSSEC and DANE types); half the time
 * lib/dns's reader of common replies and ldns both grade it, and must
 * agree (a difference aborts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/net/dns.h"

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same(const struct dns_answer *a, const struct dns_answer *b)
{
	if (a->status != b->status || a->rcode != b->rcode || a->ad != b->ad || a->rr_count != b->rr_count ||
	    a->cname_count != b->cname_count || a->sig_count != b->sig_count || !same_str(a->why, b->why))
		return false;
	for (size_t i = 0; i < a->rr_count; i++) {
		const struct dns_rr *x = &a->rrs[i], *y = &b->rrs[i];
		if (x->type != y->type || x->ttl != y->ttl || x->pref != y->pref ||
		    memcmp(x->addr, y->addr, sizeof x->addr) != 0 || !same_str(x->name, y->name) ||
		    x->txt_len != y->txt_len || (x->txt_len && memcmp(x->txt, y->txt, x->txt_len) != 0) ||
		    x->rdata_len != y->rdata_len ||
		    (x->rdata_len && memcmp(x->rdata, y->rdata, x->rdata_len) != 0))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {DNS_T_A,     DNS_T_AAAA,  DNS_T_MX, DNS_T_PTR,
	                                 DNS_T_TXT,   DNS_T_CNAME, DNS_T_DS, DNS_T_DNSKEY,
	                                 DNS_T_RRSIG, DNS_T_TLSA,  DNS_T_NS, DNS_T_SOA};
	if (size < 1)
		return 0;
	uint16_t type = types[(data[0] & 0x3f) % (sizeof types / sizeof *types)];
	unsigned flags = data[0] & 0x40 ? DNS_Q_DO : 0;
	struct dns_answer a;
	if (data[0] & 0x80) {
		struct dns_answer b;
		uint32_t ta = 0, tb = 0;
		bool ga = dns_grade_wire_ex(data + 1, size - 1, "example.com", type, flags, false, &a, &ta);
		bool gb = dns_grade_wire_ex(data + 1, size - 1, "example.com", type, flags, true, &b, &tb);
		if (ga != gb || (ga && (!same(&a, &b) || ta != tb)))
			abort();
		dns_answer_clear(&b);
	} else {
		dns_grade_wire(data + 1, size - 1, "example.com", type, &a);
	}
	dns_answer_clear(&a);
	return 0;
}
