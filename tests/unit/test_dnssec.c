/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/records/dnssec. A zone signed here with ldns (a key
 * signing key and a zone signing key, ECDSA P-256), handed over in the DNS
 * layer's raw form, and broken in each way a bogus verdict must name: a DS
 * for another key, an expired or future signature, data changed after
 * signing, data without signatures. And TLSA records judged for SMTP. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/records/dnssec.h"
#include "unit.h"

#define ZONE "sec.example"

static ldns_key *key_new(bool ksk, uint32_t inception, uint32_t expiration)
{
	ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
	ldns_rdf *owner = NULL;
	ldns_str2rdf_dname(&owner, ZONE ".");
	ldns_key_set_pubkey_owner(k, owner);
	ldns_key_set_flags(k, ksk ? 257 : 256);
	ldns_key_set_inception(k, inception);
	ldns_key_set_expiration(k, expiration);
	ldns_rr *rr = ldns_key2rr(k);
	ldns_key_set_keytag(k, ldns_calc_keytag(rr));
	ldns_rr_free(rr);
	return k;
}

/* The wire rdata of an ldns RR into a dns_rr, as the DNS layer keeps it. */
static void raw(const ldns_rr *rr, struct dns_rr *out)
{
	memset(out, 0, sizeof *out);
	out->type = (uint16_t)ldns_rr_get_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		out->rdata_len += ldns_rdf_size(ldns_rr_rdf(rr, i));
	out->rdata = malloc(out->rdata_len ? out->rdata_len : 1);
	size_t o = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		memcpy(out->rdata + o, ldns_rdf_data(ldns_rr_rdf(rr, i)), ldns_rdf_size(ldns_rr_rdf(rr, i)));
		o += ldns_rdf_size(ldns_rr_rdf(rr, i));
	}
}

/* An answer for name/type holding set, signed by keys (NULL: unsigned). */
static void answer(struct dns_answer *a, uint16_t type, ldns_rr_list *set, ldns_key_list *keys)
{
	memset(a, 0, sizeof *a);
	a->status = DNS_OK;
	a->qname = strdup(ZONE);
	a->qtype = type;
	a->rr_count = ldns_rr_list_rr_count(set);
	a->rrs = calloc(a->rr_count, sizeof *a->rrs);
	for (size_t i = 0; i < a->rr_count; i++)
		raw(ldns_rr_list_rr(set, i), &a->rrs[i]);
	if (!keys)
		return;
	ldns_rr_list *sigs = ldns_sign_public(set, keys);
	a->sig_count = ldns_rr_list_rr_count(sigs);
	a->sigs = calloc(a->sig_count ? a->sig_count : 1, sizeof *a->sigs);
	for (size_t i = 0; i < a->sig_count; i++)
		raw(ldns_rr_list_rr(sigs, i), &a->sigs[i]);
	ldns_rr_list_deep_free(sigs);
}

static ldns_rr_list *set_of(const char *text)
{
	ldns_rr *rr = NULL;
	ldns_rr_new_frm_str(&rr, text, 300, NULL, NULL);
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr_list_push_rr(l, rr);
	return l;
}

struct zone {
	struct dns_answer ds, dnskey, soa;
};

/* The zone signed by a KSK and a ZSK; the DS names ds_key (the KSK when
 * NULL); signatures valid from inception to expiration. */
static void zone_new(struct zone *z, uint32_t inception, uint32_t expiration, bool other_ds)
{
	ldns_key *ksk = key_new(true, inception, expiration), *zsk = key_new(false, inception, expiration);
	ldns_key *stranger = key_new(true, inception, expiration);
	ldns_rr_list *keys = ldns_rr_list_new();
	ldns_rr_list_push_rr(keys, ldns_key2rr(ksk));
	ldns_rr_list_push_rr(keys, ldns_key2rr(zsk));
	ldns_key_list *kl = ldns_key_list_new(), *zl = ldns_key_list_new();
	ldns_key_list_push_key(kl, ksk);
	ldns_key_list_push_key(zl, zsk);
	answer(&z->dnskey, DNS_T_DNSKEY, keys, kl);
	ldns_rr *dskey = other_ds ? ldns_key2rr(stranger) : ldns_rr_clone(ldns_rr_list_rr(keys, 0));
	ldns_rr_list *ds = ldns_rr_list_new();
	ldns_rr_list_push_rr(ds, ldns_key_rr2ds(dskey, LDNS_SHA256));
	answer(&z->ds, DNS_T_DS, ds, NULL);
	ldns_rr_list *soa = set_of(ZONE ". 300 IN SOA ns." ZONE ". h." ZONE ". 1 3600 600 86400 300");
	answer(&z->soa, DNS_T_SOA, soa, zl);
	ldns_rr_free(dskey);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(ds);
	ldns_rr_list_deep_free(soa);
	ldns_key_list_free(kl); /* ldns_key_list_free frees its keys */
	ldns_key_list_free(zl);
	ldns_key_deep_free(stranger);
}

static void zone_free(struct zone *z)
{
	dns_answer_clear(&z->ds);
	dns_answer_clear(&z->dnskey);
	dns_answer_clear(&z->soa);
}

static void expect(struct unit_ctx *t, struct zone *z, time_t now, int want, const char *why_part,
                   const char *what)
{
	char why[300] = "";
	int rc = dnssec_verify_chain(&z->ds, &z->dnskey, &z->soa, now, why, sizeof why);
	if (!unit_check(t, rc == want && (!why_part || strstr(why, why_part)), what, __FILE__, __LINE__))
		printf("     got %d: %s\n", rc, why);
}

static void t_chain(struct unit_ctx *t)
{
	time_t now = time(NULL);
	uint32_t from = (uint32_t)(now - 86400), to = (uint32_t)(now + 86400 * 30);
	struct zone z;

	zone_new(&z, from, to, false);
	expect(t, &z, now, 0, NULL, "a sound chain verifies");
	/* the same zone checked after its signatures expired, and before they start */
	expect(t, &z, now + 86400 * 60, -1, "the RRSIG over the DNSKEY set of " ZONE " expired on",
	       "expired");
	expect(t, &z, now - 86400 * 2, -1, "is not valid before", "not yet valid");
	/* the SOA changed after signing */
	z.soa.rrs[0].rdata[z.soa.rrs[0].rdata_len - 1] ^= 1;
	expect(t, &z, now, -1, "the RRSIG over the SOA set of " ZONE " (key tag",
	       "data changed after signing");
	/* and without its signatures */
	z.soa.sig_count = 0;
	expect(t, &z, now, -1, "carries no RRSIG", "unsigned data");
	z.soa.sig_count = 1;
	/* a DNSKEY that cannot be read */
	z.dnskey.rrs[0].rdata_len = 1;
	expect(t, &z, now, -2, "could not be read", "unreadable");
	zone_free(&z);

	zone_new(&z, from, to, true);
	expect(t, &z, now, -1, "no DNSKEY of " ZONE " matches the DS record at the parent",
	       "a DS for another key");
	zone_free(&z);

	/* a DS digest type ldns does not know: validators would call the
	 * zone insecure, so nothing is proven */
	zone_new(&z, from, to, false);
	z.ds.rrs[0].rdata[3] = 99;
	expect(t, &z, now, -2, "digest type 99", "an unknown digest type");
	zone_free(&z);
}

static void t_tlsa(struct unit_ctx *t)
{
	unsigned char rd[3 + 64];
	memset(rd, 0xab, sizeof rd);
	struct tlsa x;
	char buf[160];
	static const struct {
		unsigned char u, s, m;
		size_t len;
		const char *problem;
	} cases[] = {
	    {3, 1, 1, 32, NULL},
	    {2, 0, 2, 64, NULL},
	    {3, 0, 0, 40, NULL},
	    {0, 0, 1, 32, "PKIX-TA(0)"},
	    {1, 1, 1, 32, "PKIX-EE(1)"},
	    {4, 1, 1, 32, "usage 4"},
	    {3, 2, 1, 32, "selector 2"},
	    {3, 1, 3, 32, "matching type 3"},
	    {3, 1, 1, 20, "20 bytes, not 32"},
	    {3, 1, 2, 32, "32 bytes, not 64"},
	    {3, 1, 0, 0, "no association data"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rd[0] = cases[i].u;
		rd[1] = cases[i].s;
		rd[2] = cases[i].m;
		UNIT_EQ_INT(t, tlsa_parse(rd, 3 + cases[i].len, &x), 0);
		const char *p = tlsa_smtp_problem(&x, buf, sizeof buf);
		if (!unit_check(t, cases[i].problem ? p && strstr(p, cases[i].problem) : !p, "tlsa case",
		                __FILE__, __LINE__))
			printf("     case %zu: got %s\n", i, p ? p : "(usable)");
	}
	UNIT_EQ_INT(t, tlsa_parse(rd, 2, &x), -1);
	UNIT_CHECK(t, tlsa_smtp_problem(&x, buf, sizeof buf) != NULL);
}

static const struct unit_case cases[] = {
    {"chain of trust proofs", t_chain},
    {"TLSA for SMTP", t_tlsa},
};
UNIT_MAIN(cases)
