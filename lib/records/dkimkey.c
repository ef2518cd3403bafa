/* SPDX-License-Identifier: ISC */
/* dkimkey: DKIM key records (RFC 6376 3.6.1) parsed by hand, their keys
 * decoded and measured with OpenSSL (RSA bits, Ed25519 per RFC 8463); see
 * dkimkey.h. */
#include "dkimkey.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/xalloc.h"

static bool is_fws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 6376 3.2 VALCHAR (%x21-3A / %x3C-7E) or folding white space. */
static bool is_valchar_or_fws(unsigned char c)
{
	return is_fws(c) || (c >= 0x21 && c <= 0x7e && c != ';');
}

static void trim(const char **a, const char **b)
{
	while (*a < *b && is_fws((unsigned char)**a))
		(*a)++;
	while (*b > *a && is_fws((unsigned char)(*b)[-1]))
		(*b)--;
}

/* A copy of [a,b) without any white space (p=, h=, s=, t= values). */
static char *strip_ws_new(const char *a, const char *b)
{
	char *s = xmalloc((size_t)(b - a) + 1), *w = s;
	for (; a < b; a++)
		if (!is_fws((unsigned char)*a))
			*w++ = *a;
	*w = '\0';
	return s;
}

const char *dkimkey_tag(const struct dkim_key *k, const char *name)
{
	for (size_t i = 0; i < k->tag_count; i++)
		if (strcmp(k->tags[i].name, name) == 0)
			return k->tags[i].value;
	return NULL;
}

/* True when a colon-separated (white-space free) list holds item. */
static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ":");
		if (len == n && strncasecmp(p, item, n) == 0)
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

long dkimkey_base64_new(const char *s, unsigned char **out)
{
	*out = NULL;
	size_t n = strlen(s);
	if (n % 4 != 0)
		return -1;
	size_t pad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			pad++;
			continue;
		}
		/* '=' only as the final padding */
		if (pad || !(is_alpha(c) || is_digit(c) || c == '+' || c == '/'))
			return -1;
	}
	if (pad > 2 || n > 100000)
		return -1;
	unsigned char *buf = xmalloc(n / 4 * 3 + 1);
	int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) : 0;
	if (got < 0 || (size_t)got < pad) {
		free(buf);
		return -1;
	}
	*out = buf;
	return got - (long)pad;
}

static void decode_rsa(struct dkim_key *k, const unsigned char *der, long n)
{
	const unsigned char *q = der;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, n);
	if (pk) {
		int id = EVP_PKEY_get_base_id(pk);
		if (q != der + n) {
			snprintf(k->key_error, sizeof k->key_error, "p= has %ld bytes after the key",
			         (long)(der + n - q));
		} else if (id != EVP_PKEY_RSA) {
			snprintf(k->key_error, sizeof k->key_error,
			         "p= holds a %s key, not the RSA key k= announces", OBJ_nid2sn(id));
		} else {
			k->key_ok = true;
			k->bits = EVP_PKEY_get_bits(pk);
			k->format = "spki";
		}
		EVP_PKEY_free(pk);
		return;
	}
	ERR_clear_error();
	/* RFC 6376 3.6.1 literally names RSAPublicKey (PKCS#1); most
	 * publishers use SubjectPublicKeyInfo. Verifiers accept both. */
	OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&pk, "DER", "type-specific", "RSA",
	                                                     EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	const unsigned char *data = der;
	size_t left = (size_t)n;
	if (dc && OSSL_DECODER_from_data(dc, &data, &left) && pk && left == 0) {
		k->key_ok = true;
		k->bits = EVP_PKEY_get_bits(pk);
		k->format = "pkcs1";
	} else {
		snprintf(k->key_error, sizeof k->key_error,
		         "p= is not an RSA public key (neither SubjectPublicKeyInfo nor PKCS#1 DER)");
	}
	EVP_PKEY_free(pk);
	OSSL_DECODER_CTX_free(dc);
	ERR_clear_error();
}

static void decode_ed25519(struct dkim_key *k, const unsigned char *raw, long n)
{
	if (n == 32) {
		EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
		if (pk) {
			k->key_ok = true;
			k->bits = 256;
			k->format = "raw";
			EVP_PKEY_free(pk);
		} else {
			snprintf(k->key_error, sizeof k->key_error, "p= is not a usable Ed25519 key");
		}
		ERR_clear_error();
		return;
	}
	/* A common mistake: the key pasted as SubjectPublicKeyInfo. */
	const unsigned char *q = raw;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, n);
	if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519)
		snprintf(k->key_error, sizeof k->key_error,
		         "p= holds the Ed25519 key as SubjectPublicKeyInfo (%ld bytes); RFC 8463 wants the "
		         "bare 32-byte key",
		         n);
	else
		snprintf(k->key_error, sizeof k->key_error, "an Ed25519 key is 32 bytes, p= has %ld", n);
	EVP_PKEY_free(pk);
	ERR_clear_error();
}

static int fail(struct dkim_key *k, const char *fmt, const char *arg)
{
	snprintf(k->error, sizeof k->error, fmt, arg);
	k->syntax_ok = false;
	return -1;
}

static void add_tag(struct dkim_key *k, const char *na, const char *nb, const char *va, const char *vb)
{
	k->tags = xrealloc(k->tags, (k->tag_count + 1) * sizeof *k->tags);
	struct dkim_tag *t = &k->tags[k->tag_count++];
	t->name = xstrndup(na, (size_t)(nb - na));
	bool strip = strcmp(t->name, "p") == 0 || strcmp(t->name, "h") == 0 || strcmp(t->name, "s") == 0 ||
	             strcmp(t->name, "t") == 0;
	t->value = strip ? strip_ws_new(va, vb) : xstrndup(va, (size_t)(vb - va));
}

/* Splits the tag-list of RFC 6376 3.2 into k->tags. */
static int split_tags(const char *txt, size_t len, struct dkim_key *k)
{
	const char *p = txt, *end = txt + len;
	while (p <= end) {
		const char *segend = memchr(p, ';', (size_t)(end - p));
		if (!segend)
			segend = end;
		const char *a = p, *b = segend;
		trim(&a, &b);
		p = segend + 1;
		/* An empty tag-spec (";;", a trailing ";") is tolerated, as
		 * verifiers do. */
		if (a == b)
			continue;
		const char *eq = memchr(a, '=', (size_t)(b - a));
		if (!eq)
			return fail(k, "%s", "a tag without '=' (tag=value expected)");
		const char *na = a, *nb = eq, *va = eq + 1, *vb = b;
		trim(&na, &nb);
		trim(&va, &vb);
		if (na == nb || !is_alpha((unsigned char)*na))
			return fail(k, "%s", "a tag name must start with a letter");
		for (const char *c = na; c < nb; c++)
			if (!is_alpha((unsigned char)*c) && !is_digit((unsigned char)*c) && *c != '_')
				return fail(
				    k, "%s",
				    "a tag name holds a character other than letters, digits and '_'");
		for (const char *c = va; c < vb; c++)
			if (!is_valchar_or_fws((unsigned char)*c))
				return fail(k, "%s", "a tag value holds a control or non-ASCII character");
		for (size_t i = 0; i < k->tag_count; i++)
			if (strlen(k->tags[i].name) == (size_t)(nb - na) &&
			    memcmp(k->tags[i].name, na, (size_t)(nb - na)) == 0) {
				char nm[64];
				snprintf(nm, sizeof nm, "%.*s", (int)(nb - na) > 40 ? 40 : (int)(nb - na),
				         na);
				return fail(
				    k, "the tag %s= occurs twice (RFC 6376 3.2: the record is invalid)", nm);
			}
		add_tag(k, na, nb, va, vb);
	}
	return 0;
}

int dkimkey_parse(const char *txt, size_t len, struct dkim_key *k)
{
	memset(k, 0, sizeof *k);
	k->k = "rsa";
	k->h_sha256 = true;
	k->s_email = true;
	if (split_tags(txt, len, k) < 0)
		return -1;
	const char *v = dkimkey_tag(k, "v");
	if (v && strcmp(k->tags[0].name, "v") != 0)
		return fail(k, "%s", "v= is present but not the first tag (RFC 6376 3.6.1)");
	if (v && strcmp(v, "DKIM1") != 0)
		return fail(k, "v=%.60s is not DKIM1 (verifiers discard the record)", v);
	const char *p = dkimkey_tag(k, "p");
	if (!p)
		return fail(k, "%s", "no p= tag (the public key is required)");
	k->syntax_ok = true;

	const char *kt = dkimkey_tag(k, "k");
	if (kt) {
		k->k = kt;
		k->ktype = strcasecmp(kt, "rsa") == 0       ? DKIM_K_RSA
		           : strcasecmp(kt, "ed25519") == 0 ? DKIM_K_ED25519
		                                            : DKIM_K_UNKNOWN;
	}
	const char *h = dkimkey_tag(k, "h");
	if (h) {
		k->h_given = true;
		k->h_sha256 = list_has(h, "sha256");
		k->h_sha1 = list_has(h, "sha1");
	}
	const char *s = dkimkey_tag(k, "s");
	if (s)
		k->s_email = list_has(s, "*") || list_has(s, "email");
	const char *t = dkimkey_tag(k, "t");
	if (t) {
		k->testing = list_has(t, "y");
		k->strict = list_has(t, "s");
	}

	if (!*p) {
		k->revoked = true;
		return 0;
	}
	if (k->ktype == DKIM_K_UNKNOWN) {
		snprintf(k->key_error, sizeof k->key_error,
		         "k=%.40s is not a key type verifiers know (rsa, ed25519)", k->k);
		return 0;
	}
	unsigned char *der;
	long n = dkimkey_base64_new(p, &der);
	if (n < 0) {
		snprintf(k->key_error, sizeof k->key_error, "p= is not valid base64");
		return 0;
	}
	if (k->ktype == DKIM_K_RSA)
		decode_rsa(k, der, n);
	else
		decode_ed25519(k, der, n);
	free(der);
	return 0;
}

void dkimkey_free(struct dkim_key *k)
{
	for (size_t i = 0; i < k->tag_count; i++) {
		free(k->tags[i].name);
		free(k->tags[i].value);
	}
	free(k->tags);
	memset(k, 0, sizeof *k);
}

bool dkimkey_looks_like(const char *txt, size_t len)
{
	const char *p = txt, *end = txt + len;
	bool first = true;
	while (p < end) {
		const char *segend = memchr(p, ';', (size_t)(end - p));
		if (!segend)
			segend = end;
		const char *a = p, *b = segend;
		trim(&a, &b);
		p = segend + 1;
		const char *eq = a < b ? memchr(a, '=', (size_t)(b - a)) : NULL;
		if (!eq)
			continue;
		const char *na = a, *nb = eq;
		trim(&na, &nb);
		size_t nl = (size_t)(nb - na);
		if (nl == 1 && (*na == 'p' || *na == 'k'))
			return true;
		if (first && nl == 1 && *na == 'v') {
			const char *va = eq + 1, *vb = b;
			trim(&va, &vb);
			if (vb - va >= 4 && strncasecmp(va, "DKIM", 4) == 0)
				return true;
		}
		first = false;
	}
	return false;
}
