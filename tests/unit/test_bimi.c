/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/records/bimi (BIMI assertion records, the SVG Tiny PS
 * scan) and lib/records/vmc (mark certificates, made here with OpenSSL: a
 * test root, and certificates with or without the BIMI key usage, for the
 * domain or not, current or expired). */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/records/bimi.h"
#include "../../lib/records/vmc.h"
#include "unit.h"

static void t_record(struct unit_ctx *t)
{
	static const struct {
		const char *txt;
		int valid;
		const char *l, *a;
		int declined;
	} cases[] = {
	    {"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem", 1,
	     "https://example.com/logo.svg", "https://example.com/vmc.pem", 0},
	    {"v=BIMI1;l=https://example.com/logo.svg", 1, "https://example.com/logo.svg", NULL, 0},
	    {"v = BIMI1 ; l = https://example.com/l.svg ; a= ;", 1, "https://example.com/l.svg", NULL, 0},
	    {"v=BIMI1; l=; a=;", 1, NULL, NULL, 1},
	    {"v=BIMI1; l=; a=; lps=true", 1, NULL, NULL, 1},
	    {"v=BIMI1; l=https://example.com/l.svg; avp=personal; x=1", 1, "https://example.com/l.svg", NULL,
	     0},
	    {"v=BIMI1; a=https://example.com/vmc.pem", 0, NULL, NULL, 0}, /* no l= */
	    {"v=BIMI1; l=http://example.com/logo.svg", 0, NULL, NULL, 0}, /* not https */
	    {"v=BIMI1; l=https://a.example/1.svg,https://b.example/2.svg", 0, NULL, NULL, 0},
	    {"v=BIMI1; l=https://example.com/l.svg; l=https://example.com/m.svg", 0, NULL, NULL, 0},
	    {"v=BIMI1; l=https:///logo.svg", 0, NULL, NULL, 0},
	    {"v=bimi1; l=https://example.com/l.svg", 0, NULL, NULL, 0},
	    {"l=https://example.com/l.svg; v=BIMI1", 0, NULL, NULL, 0},
	    {"v=BIMI1; l=https://example.com/l.svg; 9x=1", 0, NULL, NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct bimi_record r;
		int rc = bimi_parse(cases[i].txt, strlen(cases[i].txt), &r);
		if (!unit_check(t, (rc == 0) == cases[i].valid, cases[i].txt, __FILE__, __LINE__))
			printf("     got %d (%s)\n", rc, r.error);
		if (rc == 0) {
			UNIT_EQ_STR(t, r.l, cases[i].l);
			UNIT_EQ_STR(t, r.a, cases[i].a);
			UNIT_EQ_INT(t, r.declined, cases[i].declined);
		}
		bimi_free(&r);
	}
	UNIT_CHECK(t, bimi_is_record("v=BIMI1", 7));
	UNIT_CHECK(t, !bimi_is_record("v=BIMI10", 8));
	UNIT_CHECK(t, !bimi_is_record("v=DMARC1", 8));
}

#define TINY_PS_HEAD                                                                                         \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "             \
	"version=\"1.2\" "                                                                                   \
	"baseProfile=\"tiny-ps\" viewBox=\"0 0 100 100\">"

static void t_svg(struct unit_ctx *t)
{
	static const struct {
		const char *doc;
		const char *problem; /* a substring of a problem, or NULL for none */
	} cases[] = {
	    {TINY_PS_HEAD "<title>Example</title><circle cx=\"50\" cy=\"50\" r=\"40\"/></svg>", NULL},
	    {TINY_PS_HEAD "<!-- <script> in a comment --><title>E</title><![CDATA[<script>]]></svg>", NULL},
	    {TINY_PS_HEAD "<title>E</title><script>alert(1)</script></svg>", "a script"},
	    {TINY_PS_HEAD "<title>E</title><svg:script xmlns:svg=\"http://www.w3.org/2000/svg\"/></svg>",
	     "a script"},
	    {TINY_PS_HEAD "<title>E</title><foreignObject/></svg>", "foreignObject"},
	    {TINY_PS_HEAD "<title>E</title><image href=\"logo.png\"/></svg>", "embedded image"},
	    {TINY_PS_HEAD "<title>E</title><rect onclick=\"x()\"/></svg>", "event handler"},
	    {TINY_PS_HEAD "<title>E</title><use xlink:href=\"https://evil.example/x.svg#a\"/></svg>",
	     "outside content"},
	    {TINY_PS_HEAD "<title>E</title><animate attributeName=\"r\"/></svg>", "animation"},
	    {TINY_PS_HEAD "<circle r=\"1\"/></svg>", "no <title>"},
	    {"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><title>E</title></svg>",
	     "version=\"1.2\""},
	    {"<svg version=\"1.2\" baseProfile=\"tiny\"><title>E</title></svg>", "tiny-ps"},
	    {"<svg version=\"1.2\" baseProfile=\"tiny-ps\" x=\"0\"><title>E</title></svg>", "x= attribute"},
	    {"<html><title>x</title></html>", "not <svg>"},
	    {"GIF89a", "not an SVG"},
	    {TINY_PS_HEAD "<title>E</title><rect width=\"1", "not well-formed"},
	    {"<!DOCTYPE svg [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]>" TINY_PS_HEAD
	     "<title>&b;</title></svg>",
	     "declares entities"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct bimi_svg s;
		int rc = bimi_svg_check(cases[i].doc, strlen(cases[i].doc), &s);
		bool ok;
		if (!cases[i].problem) {
			ok = rc == 0 && s.svg && s.tiny_ps && s.version_12 && s.title && s.square;
		} else {
			ok = rc < 0;
			bool found = false;
			for (size_t k = 0; k < s.problem_count; k++)
				found |= strstr(s.problems[k], cases[i].problem) != NULL;
			ok = ok && found;
		}
		if (!unit_check(t, ok, cases[i].doc, __FILE__, __LINE__))
			printf("     rc %d, %zu problems, first: %s\n", rc, s.problem_count,
			       s.problem_count ? s.problems[0] : "-");
		bimi_svg_free(&s);
	}
	/* not square: a note, not a problem */
	struct bimi_svg s;
	const char *wide =
	    "<svg version=\"1.2\" baseProfile=\"tiny-ps\" viewBox=\"0 0 200 100\"><title>E</title></svg>";
	UNIT_EQ_INT(t, bimi_svg_check(wide, strlen(wide), &s), 0);
	UNIT_CHECK(t, s.note_count == 1 && !s.square);
	bimi_svg_free(&s);
	/* over the size limit */
	size_t big = BIMI_SVG_MAX + 100;
	char *doc = malloc(big + 1);
	memset(doc, ' ', big);
	memcpy(doc, TINY_PS_HEAD "<title>E</title>", strlen(TINY_PS_HEAD "<title>E</title>"));
	memcpy(doc + big - 6, "</svg>", 6);
	doc[big] = '\0';
	UNIT_EQ_INT(t, bimi_svg_check(doc, big, &s), -1);
	UNIT_CHECK(t, s.problem_count == 1 && strstr(s.problems[0], "32768"));
	bimi_svg_free(&s);
	free(doc);
	/* 200,000 nested elements: linear, no recursion */
	size_t n = 200000, cap = n * 7 + 200, o = 0;
	doc = malloc(cap);
	o += (size_t)snprintf(doc, cap, "%s", TINY_PS_HEAD);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(doc + o, cap - o, "<g>");
	UNIT_EQ_INT(t, bimi_svg_check(doc, o, &s), -1); /* too big, no title */
	bimi_svg_free(&s);
	free(doc);
}

/* ------------------------------------------------------------ VMC */

static EVP_PKEY *key_new(void)
{
	return EVP_EC_gen("P-256");
}

/* A certificate of subject cn signed by (issuer, ikey), or self-signed
 * when issuer is NULL; valid from nb to na (seconds from now). */
static X509 *cert_new(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, long nb, long na, bool ca,
                      bool bimi_eku, const char *san)
{
	X509 *c = X509_new();
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), (long)rand());
	X509_gmtime_adj(X509_getm_notBefore(c), nb);
	X509_gmtime_adj(X509_getm_notAfter(c), na);
	X509_NAME *name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(c, key);
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer ? issuer : c, c, NULL, NULL, 0);
	const char *exts[][2] = {{"basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE"},
	                         {"keyUsage", ca ? "critical,keyCertSign" : "digitalSignature"},
	                         {"extendedKeyUsage", bimi_eku ? "1.3.6.1.5.5.7.3.31" : NULL},
	                         {"subjectAltName", san}};
	for (size_t i = 0; i < 4; i++) {
		if (!exts[i][1])
			continue;
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
		X509_add_ext(c, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(c, ikey ? ikey : key, EVP_sha256());
	return c;
}

static char *pem_new(X509 *a, X509 *b, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, a);
	if (b)
		PEM_write_bio_X509(bio, b);
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	char *out = malloc((size_t)n + 1);
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

static void t_vmc(struct unit_ctx *t)
{
	char cafile[] = "/tmp/senderaudit-vmc-ca.XXXXXX";
	int fd = mkstemp(cafile);
	EVP_PKEY *rk = key_new(), *lk = key_new(), *ok = key_new();
	X509 *root = cert_new("test mark root", rk, NULL, NULL, -86400, 86400 * 30, true, false, NULL);
	X509 *other = cert_new("other root", ok, NULL, NULL, -86400, 86400 * 30, true, false, NULL);
	FILE *f = fdopen(fd, "w");
	PEM_write_X509(f, root);
	fclose(f);
	const char *doms[] = {"brand.example", NULL};
	time_t now = time(NULL);
	struct vmc_result r;
	size_t len;
	char *pem;

	X509 *good = cert_new("Brand", lk, root, rk, -3600, 86400 * 10, false, true, "DNS:brand.example");
	pem = pem_new(good, NULL, &len);
	UNIT_EQ_INT(t, vmc_check(pem, len, doms, 1, now, cafile, &r), 0);
	UNIT_CHECK(t, r.parsed && r.cert_count == 1 && r.bimi_eku && r.names_domain && !r.expired &&
	                  !r.not_yet_valid);
	UNIT_EQ_INT(t, r.chain, VMC_CHAIN_OK);
	UNIT_CHECK(t, !r.logotype && r.san_count == 1);
	vmc_result_free(&r);
	/* the same against another root: the issuer is unknown */
	char otherfile[] = "/tmp/senderaudit-vmc-other.XXXXXX";
	f = fdopen(mkstemp(otherfile), "w");
	PEM_write_X509(f, other);
	fclose(f);
	vmc_check(pem, len, doms, 1, now, otherfile, &r);
	UNIT_EQ_INT(t, r.chain, VMC_CHAIN_UNKNOWN_ISSUER);
	vmc_result_free(&r);
	/* checked a year later: expired, and the chain fails on it */
	vmc_check(pem, len, doms, 1, now + 86400 * 365, cafile, &r);
	UNIT_CHECK(t, r.expired && r.chain == VMC_CHAIN_BAD);
	vmc_result_free(&r);
	free(pem);

	X509 *plain = cert_new("Brand", lk, root, rk, -3600, 86400, false, false, "DNS:other.example");
	pem = pem_new(plain, root, &len);
	vmc_check(pem, len, doms, 1, now, cafile, &r);
	UNIT_CHECK(t, r.cert_count == 2 && !r.bimi_eku && !r.names_domain && r.chain == VMC_CHAIN_OK);
	vmc_result_free(&r);
	free(pem);

	/* signed by a key that is not the root's: a bad signature */
	X509 *forged = cert_new("Brand", lk, root, ok, -3600, 86400, false, true, "DNS:brand.example");
	pem = pem_new(forged, NULL, &len);
	vmc_check(pem, len, doms, 1, now, cafile, &r);
	UNIT_EQ_INT(t, r.chain, VMC_CHAIN_BAD);
	vmc_result_free(&r);
	free(pem);

	const char *junk = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
	UNIT_EQ_INT(t, vmc_check(junk, strlen(junk), doms, 1, now, cafile, &r), -1);
	UNIT_CHECK(t, !r.parsed && r.error[0]);
	vmc_result_free(&r);
	UNIT_EQ_INT(t, vmc_check("", 0, doms, 1, now, cafile, &r), -1);
	vmc_result_free(&r);

	X509_free(root);
	X509_free(other);
	X509_free(good);
	X509_free(plain);
	X509_free(forged);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(lk);
	EVP_PKEY_free(ok);
	unlink(cafile);
	unlink(otherfile);
}

static const struct unit_case cases[] = {
    {"BIMI record", t_record},
    {"SVG Tiny PS scan", t_svg},
    {"mark certificates", t_vmc},
};
UNIT_MAIN(cases)
