/* SPDX-License-Identifier: ISC */
/* dkimkey: DKIM key records (RFC 6376 3.6.1) and the keys they carry.
 *
 * An own tag-list parser (RFC 6376 3.2: tag names, FWS folding, unknown
 * tags ignored, duplicates invalid) and OpenSSL for the key itself: RSA as
 * SubjectPublicKeyInfo or bare PKCS#1 RSAPublicKey, Ed25519 as the raw
 * 32-byte key of RFC 8463. Pure functions; no lookups. */
#ifndef SA_DKIMKEY_H
#define SA_DKIMKEY_H

#include <stdbool.h>
#include <stddef.h>

enum dkim_ktype { DKIM_K_RSA, DKIM_K_ED25519, DKIM_K_UNKNOWN };

struct dkim_tag {
	char *name;
	char *value; /* FWS trimmed; for p, h, s and t all whitespace removed */
};

struct dkim_key {
	struct dkim_tag *tags; /* in record order */
	size_t tag_count;
	bool syntax_ok;  /* a well-formed key record (v= if present is DKIM1, p= present) */
	char error[200]; /* why not, when !syntax_ok */

	enum dkim_ktype ktype; /* from k= (default rsa) */
	const char *k;         /* the k= value as written, or "rsa" */
	bool revoked;          /* p= is empty */
	bool h_given;          /* h= present */
	bool h_sha256;         /* h= allows sha256 (or h= absent) */
	bool h_sha1;           /* h= names sha1 */
	bool s_email;          /* s= includes "*" or "email" (or s= absent) */
	bool testing;          /* t=y */
	bool strict;           /* t=s */

	bool key_ok;         /* the key decodes and suits k= */
	int bits;            /* RSA modulus bits; 256 for Ed25519 */
	const char *format;  /* "spki", "pkcs1", "raw" or NULL */
	char key_error[200]; /* why the key is unusable, when !key_ok && !revoked */
};

/* Parses a key record (the TXT strings concatenated; may hold any bytes).
 * Always fills out (release it with dkimkey_free); returns 0 when the
 * record is well-formed, -1 otherwise (out->error says why). */
int dkimkey_parse(const char *txt, size_t len, struct dkim_key *out);
void dkimkey_free(struct dkim_key *k);

/* The value of tag name, or NULL. */
const char *dkimkey_tag(const struct dkim_key *k, const char *name);

/* True when a TXT record is plausibly meant as a DKIM key (v=DKIM1 first,
 * or a p= or k= tag): tells a key from an unrelated wildcard TXT record. */
bool dkimkey_looks_like(const char *txt, size_t len);

/* Decodes base64 (no whitespace) into a new buffer; returns its length,
 * or -1 when s is not valid base64. */
long dkimkey_base64_new(const char *s, unsigned char **out);

#endif
