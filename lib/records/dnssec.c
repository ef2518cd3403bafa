/* SPDX-License-Identifier: ISC */
/* dnssec: a zone's chain of trust verified with ldns from answers the DNS
 * layer kept as raw rdata (see dnssec.h), and TLSA records read and judged
 * for SMTP. */
#include "dnssec.h"

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

/* The name an answer's records are owned by: the last CNAME target, or the
 * name asked. */
static const char *owner_of(const struct dns_answer *a)
{
	return a->cname_count ? a->cnames[a->cname_count - 1] : a->qname;
}

/* An ldns RR from the layer's raw form (owner, type, TTL, wire rdata). */
static ldns_rr *rr_new(const char *owner, uint16_t type, uint32_t ttl, const unsigned char *rdata, size_t len)
{
	ldns_rdf *dn = NULL;
	if (!rdata || len > 65535 || ldns_str2rdf_dname(&dn, owner) != LDNS_STATUS_OK)
		return NULL;
	size_t dl = ldns_rdf_size(dn), wl = dl + 10 + len, o = dl;
	uint8_t *w = xmalloc(wl);
	memcpy(w, ldns_rdf_data(dn), dl);
	ldns_rdf_deep_free(dn);
	w[o++] = (uint8_t)(type >> 8);
	w[o++] = (uint8_t)type;
	w[o++] = 0;
	w[o++] = LDNS_RR_CLASS_IN;
	w[o++] = (uint8_t)(ttl >> 24);
	w[o++] = (uint8_t)(ttl >> 16);
	w[o++] = (uint8_t)(ttl >> 8);
	w[o++] = (uint8_t)ttl;
	w[o++] = (uint8_t)(len >> 8);
	w[o++] = (uint8_t)len;
	memcpy(w + o, rdata, len);
	ldns_rr *rr = NULL;
	size_t pos = 0;
	if (ldns_wire2rr(&rr, w, wl, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK || pos != wl) {
		ldns_rr_free(rr);
		rr = NULL;
	}
	free(w);
	return rr;
}

/* The records (or, with sigs, the RRSIGs) of an answer as an ldns list;
 * NULL when one cannot be read. */
static ldns_rr_list *list_new(const struct dns_answer *a, bool sigs)
{
	ldns_rr_list *l = ldns_rr_list_new();
	const struct dns_rr *v = sigs ? a->sigs : a->rrs;
	size_t n = sigs ? a->sig_count : a->rr_count;
	uint16_t type = sigs ? DNS_T_RRSIG : a->qtype;
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = rr_new(owner_of(a), type, v[i].ttl, v[i].rdata, v[i].rdata_len);
		if (!rr) {
			ldns_rr_list_deep_free(l);
			return NULL;
		}
		ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

/* "2020-01-31" for an RRSIG's expiration (rdf 4) or inception (rdf 5). */
static void sig_date(const ldns_rr *sig, size_t rdf, char *buf, size_t len)
{
	buf[0] = '\0';
	if (ldns_rr_rd_count(sig) <= rdf)
		return;
	time_t t = (time_t)ldns_rdf2native_time_t(ldns_rr_rdf(sig, rdf));
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(buf, len, "%Y-%m-%d", &tm);
}

/* Verifies set against its signatures with keys: 0; -1 with why when no
 * signature verifies; -2 when they use an algorithm ldns cannot check
 * (validators then treat the zone as insecure, not bogus: RFC 4035 5.2). */
static int verify_set(const ldns_rr_list *set, const ldns_rr_list *sigs, const ldns_rr_list *keys, time_t now,
                      const char *what, char *why, size_t whylen)
{
	if (ldns_rr_list_rr_count(sigs) == 0) {
		snprintf(why, whylen, "%s carries no RRSIG", what);
		return -1;
	}
	ldns_status last = LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY;
	const ldns_rr *last_sig = NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		const ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		ldns_status st = ldns_verify_rrsig_keylist_time(set, sig, keys, now, NULL);
		if (st == LDNS_STATUS_OK)
			return 0;
		if (st == LDNS_STATUS_CRYPTO_UNKNOWN_ALGO || st == LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL) {
			snprintf(why, whylen, "the RRSIG over %s uses an algorithm this build cannot verify",
			         what);
			return -2;
		}
		/* the most telling failure: a date over "no key" */
		if (!last_sig || last == LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY) {
			last = st;
			last_sig = sig;
		}
	}
	const ldns_rdf *tag = ldns_rr_rrsig_keytag(last_sig);
	unsigned keytag = tag && ldns_rdf_size(tag) == 2 ? ldns_rdf2native_int16(tag) : 0;
	char date[32];
	if (last == LDNS_STATUS_CRYPTO_SIG_EXPIRED) {
		sig_date(last_sig, 4, date, sizeof date);
		snprintf(why, whylen, "the RRSIG over %s expired on %s (key tag %u)", what, date, keytag);
	} else if (last == LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED) {
		sig_date(last_sig, 5, date, sizeof date);
		snprintf(why, whylen, "the RRSIG over %s is not valid before %s (key tag %u)", what, date,
		         keytag);
	} else {
		snprintf(why, whylen, "the RRSIG over %s (key tag %u) does not verify: %s", what, keytag,
		         ldns_get_errorstr_by_id(last));
	}
	return -1;
}

int dnssec_verify_chain(const struct dns_answer *ds, const struct dns_answer *dnskey,
                        const struct dns_answer *data, time_t now, char *why, size_t whylen)
{
	const char *zone = owner_of(dnskey);
	ldns_rr_list *dsl = list_new(ds, false), *keys = list_new(dnskey, false),
	             *ksigs = list_new(dnskey, true), *dl = list_new(data, false),
	             *dsigs = list_new(data, true);
	ldns_rr_list *trusted = ldns_rr_list_new();
	int rc = -2;
	char what[300];
	if (!dsl || !keys || !ksigs || !dl || !dsigs) {
		snprintf(why, whylen, "a DS, DNSKEY or RRSIG record of %s could not be read", zone);
		goto out;
	}
	/* 1. the DS names a key of the zone */
	for (size_t i = 0; i < ldns_rr_list_rr_count(keys); i++)
		for (size_t k = 0; k < ldns_rr_list_rr_count(dsl); k++)
			if (ldns_rr_compare_ds(ldns_rr_list_rr(dsl, k), ldns_rr_list_rr(keys, i))) {
				ldns_rr_list_push_rr(trusted, ldns_rr_list_rr(keys, i));
				break;
			}
	/* A DS whose digest type ldns does not know proves nothing. */
	for (size_t k = 0; ldns_rr_list_rr_count(trusted) == 0 && k < ldns_rr_list_rr_count(dsl); k++) {
		const ldns_rdf *dt = ldns_rr_rdf(ldns_rr_list_rr(dsl, k), 2);
		int t = dt && ldns_rdf_size(dt) == 1 ? ldns_rdf2native_int8(dt) : -1;
		if (t != LDNS_SHA1 && t != LDNS_SHA256 && t != LDNS_SHA384) {
			snprintf(why, whylen, "a DS of %s uses digest type %d, which this build cannot check",
			         zone, t);
			goto out;
		}
	}
	rc = -1;
	if (ldns_rr_list_rr_count(trusted) == 0) {
		snprintf(why, whylen, "no DNSKEY of %s matches the DS record%s at the parent", zone,
		         ldns_rr_list_rr_count(dsl) == 1 ? "" : "s");
		goto out;
	}
	/* 2. that key signs the key set; 3. the keys sign the zone's data */
	snprintf(what, sizeof what, "the DNSKEY set of %s", zone);
	if ((rc = verify_set(keys, ksigs, trusted, now, what, why, whylen)) < 0)
		goto out;
	char tb[16];
	snprintf(what, sizeof what, "the %s set of %s", dns_type_name(data->qtype, tb, sizeof tb),
	         owner_of(data));
	rc = verify_set(dl, dsigs, keys, now, what, why, whylen);
out:
	ldns_rr_list_free(trusted); /* shallow: its records belong to keys */
	ldns_rr_list_deep_free(dsl);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(ksigs);
	ldns_rr_list_deep_free(dl);
	ldns_rr_list_deep_free(dsigs);
	return rc;
}

/* ------------------------------------------------------------ TLSA */

int tlsa_parse(const unsigned char *rdata, size_t len, struct tlsa *out)
{
	memset(out, 0, sizeof *out);
	if (!rdata || len < 3) {
		out->usage = out->selector = out->mtype = -1;
		return -1;
	}
	out->usage = rdata[0];
	out->selector = rdata[1];
	out->mtype = rdata[2];
	out->data_len = len - 3;
	return 0;
}

const char *tlsa_smtp_problem(const struct tlsa *t, char *buf, size_t len)
{
	if (t->usage < 0)
		snprintf(buf, len, "the record is too short to be TLSA");
	else if (t->usage == 0 || t->usage == 1)
		snprintf(buf, len,
		         "usage %s(%d) is unusable for SMTP (RFC 7672 3.1.3: only DANE-TA(2) and DANE-EE(3))",
		         t->usage == 0 ? "PKIX-TA" : "PKIX-EE", t->usage);
	else if (t->usage > 3)
		snprintf(buf, len, "usage %d is not defined", t->usage);
	else if (t->selector > 1)
		snprintf(buf, len, "selector %d is not defined (0: certificate, 1: public key)", t->selector);
	else if (t->mtype > 2)
		snprintf(buf, len, "matching type %d is not defined (0: full, 1: SHA2-256, 2: SHA2-512)",
		         t->mtype);
	else if (t->mtype == 1 && t->data_len != 32)
		snprintf(buf, len, "a SHA2-256 digest of %zu bytes, not 32", t->data_len);
	else if (t->mtype == 2 && t->data_len != 64)
		snprintf(buf, len, "a SHA2-512 digest of %zu bytes, not 64", t->data_len);
	else if (t->mtype == 0 && t->data_len == 0)
		snprintf(buf, len, "no association data");
	else
		return NULL;
	return buf;
}
