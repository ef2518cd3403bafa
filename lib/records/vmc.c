/* SPDX-License-Identifier: ISC */
/* vmc: a mark certificate's basics checked with OpenSSL (see vmc.h): the
 * PEM chain read, the first certificate's dates, extended key usage, names
 * and logotype extension looked at, and the chain verified with
 * X509_verify_cert against the given trust store at the given time. */
#include "vmc.h"

#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/xalloc.h"

/* id-kp-BrandIndicatorforMessageIdentification and id-pe-logotype. */
#define OID_BIMI_EKU "1.3.6.1.5.5.7.3.31"
#define OID_LOGOTYPE "1.3.6.1.5.5.7.1.12"

static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static bool has_bimi_eku(X509 *leaf)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
	bool found = false;
	for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku) && !found; i++) {
		char oid[80];
		if (OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(eku, i), 1) > 0)
			found = strcmp(oid, OID_BIMI_EKU) == 0;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static bool has_logotype(X509 *leaf)
{
	ASN1_OBJECT *o = OBJ_txt2obj(OID_LOGOTYPE, 1);
	bool found = o && X509_get_ext_by_OBJ(leaf, o, -1) >= 0;
	ASN1_OBJECT_free(o);
	return found;
}

static void take_names(X509 *leaf, const char *const *domains, size_t ndomains, struct vmc_result *out)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
		int dl = ASN1_STRING_length(g->d.dNSName);
		if (dl <= 0 || dl > 253)
			continue;
		char *name = xmalloc((size_t)dl + 1);
		memcpy(name, d, (size_t)dl);
		name[dl] = '\0';
		printable(name);
		for (size_t k = 0; k < ndomains; k++)
			if (domains[k] && strcasecmp(name, domains[k]) == 0)
				out->names_domain = true;
		if (out->san_count < 20) {
			out->san = xrealloc(out->san, (out->san_count + 1) * sizeof *out->san);
			out->san[out->san_count++] = name;
		} else {
			free(name);
		}
	}
	GENERAL_NAMES_free(gens);
}

static void verify_chain(X509 *leaf, STACK_OF(X509) * rest, time_t now, const char *cafile,
                         struct vmc_result *out)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int loaded = st ? (cafile ? X509_STORE_load_file(st, cafile) : X509_STORE_set_default_paths(st)) : 0;
	if (!st || !ctx || loaded != 1 || X509_STORE_CTX_init(ctx, st, leaf, rest) != 1) {
		out->chain = VMC_CHAIN_BAD;
		snprintf(out->chain_error, sizeof out->chain_error, "the trust store could not be loaded");
	} else {
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
		if (X509_verify_cert(ctx) == 1) {
			out->chain = VMC_CHAIN_OK;
		} else {
			int err = X509_STORE_CTX_get_error(ctx);
			switch (err) {
			case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
			case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
			case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
			case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
				out->chain = VMC_CHAIN_UNKNOWN_ISSUER;
				break;
			default: out->chain = VMC_CHAIN_BAD; break;
			}
			snprintf(out->chain_error, sizeof out->chain_error, "%s",
			         X509_verify_cert_error_string(err));
		}
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
}

int vmc_check(const char *pem, size_t len, const char *const *domains, size_t ndomains, time_t now,
              const char *cafile, struct vmc_result *out)
{
	memset(out, 0, sizeof *out);
	out->chain = VMC_CHAIN_BAD;
	if (len > INT_MAX) {
		snprintf(out->error, sizeof out->error, "too large");
		return -1;
	}
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509 *c;
	while (bio && certs && (c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(certs, c))
			X509_free(c);
	ERR_clear_error(); /* the end of the PEM text reads as an error */
	BIO_free(bio);
	out->cert_count = certs ? (size_t)sk_X509_num(certs) : 0;
	if (out->cert_count == 0) {
		snprintf(out->error, sizeof out->error, "no PEM certificate in it");
		sk_X509_free(certs);
		return -1;
	}
	out->parsed = true;
	X509 *leaf = sk_X509_shift(certs);
	X509_NAME_oneline(X509_get_subject_name(leaf), out->subject, sizeof out->subject);
	X509_NAME_oneline(X509_get_issuer_name(leaf), out->issuer, sizeof out->issuer);
	printable(out->subject);
	printable(out->issuer);
	out->not_before = asn1_time(X509_get0_notBefore(leaf));
	out->not_after = asn1_time(X509_get0_notAfter(leaf));
	out->not_yet_valid = now < out->not_before;
	out->expired = now > out->not_after;
	out->bimi_eku = has_bimi_eku(leaf);
	out->logotype = has_logotype(leaf);
	take_names(leaf, domains, ndomains, out);
	verify_chain(leaf, certs, now, cafile, out);
	ERR_clear_error();
	X509_free(leaf);
	sk_X509_pop_free(certs, X509_free);
	return 0;
}

void vmc_result_free(struct vmc_result *r)
{
	for (size_t i = 0; i < r->san_count; i++)
		free(r->san[i]);
	free(r->san);
	memset(r, 0, sizeof *r);
}
