/* SPDX-License-Identifier: ISC */
/* dkimverify: DKIM verification of a message (see dkimverify.h).
 *
 * libopendkim does the canonicalisation and the cryptography; this module
 * feeds it the message, answers its key lookups from a struct resolver, and
 * decides each signature's result from what libopendkim says and what it
 * does not: it records each key lookup's DNS status itself (libopendkim
 * reports a key that could not be fetched as a bad signature), enforces
 * RFC 8301, and hands libopendkim keys in the form it reads. Measured on
 * Debian 12's libopendkim 2.11.0~beta2 (tests/dkim-deviations.md):
 * - Ed25519 (RFC 8463) verifies;
 * - rsa-sha1 signatures verify as passed (RFC 8301 forbids that);
 * - a bare PKCS#1 RSAPublicKey in p= is "unable to apply public key": it is
 *   re-encoded as SubjectPublicKeyInfo, as OpenSSL, dkimpy and mail-auth
 *   read either;
 * - a key with t=s leaves its signatures unprocessed (no PASSED flag,
 *   no error): the flag is checked here (the i= domain must be d=) and
 *   removed from the record libopendkim sees.
 *
 * Each call makes its own DKIM_LIB: its options (the fixed time, the
 * callbacks) are per audit, and a library handle is cheap next to one key
 * lookup; no libopendkim state is shared between the audits of a batch. */
#include "dkimverify.h"

#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <opendkim/dkim.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../records/dkimkey.h"
#include "../util/strbuf.h"
#include "../util/xalloc.h"

/* One key asked during the verification. */
struct keyq {
	char *name;
	const struct dns_answer *ans;
	char *record;        /* the TXT record chosen, as published */
	struct dkim_key key; /* parsed */
	bool parsed;
	size_t records; /* TXT records at the name */
};

struct vctx {
	const struct resolver *dns;
	struct keyq *k;
	size_t n, cap;
};

const char *dkimv_result_name(enum dkimv_result r)
{
	static const char *const n[] = {"pass", "fail", "permerror", "temperror"};
	return n[r];
}

static char *key_name_new(const char *s, const char *d)
{
	char *n = xasprintf("%s._domainkey.%s", s, d);
	for (char *p = n; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	size_t l = strlen(n);
	if (l && n[l - 1] == '.')
		n[l - 1] = '\0';
	return n;
}

static struct keyq *keyq_find(struct vctx *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->k[i].name, name) == 0)
			return &c->k[i];
	return NULL;
}

/* p= as SubjectPublicKeyInfo in base64 (a PKCS#1 key re-encoded), or NULL. */
static char *spki_b64_new(const char *p)
{
	unsigned char *der = NULL;
	long n = dkimkey_base64_new(p, &der);
	if (n <= 0) {
		free(der);
		return NULL;
	}
	EVP_PKEY *pk = NULL;
	const unsigned char *data = der;
	size_t left = (size_t)n;
	OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&pk, "DER", "type-specific", "RSA",
	                                                     EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	char *out = NULL;
	if (dc && OSSL_DECODER_from_data(dc, &data, &left) && pk) {
		unsigned char *spki = NULL;
		int sl = i2d_PUBKEY(pk, &spki);
		if (sl > 0) {
			out = xmalloc((size_t)(4 * ((sl + 2) / 3) + 1));
			EVP_EncodeBlock((unsigned char *)out, spki, sl);
		}
		OPENSSL_free(spki);
	}
	OSSL_DECODER_CTX_free(dc);
	EVP_PKEY_free(pk);
	free(der);
	return out;
}

/* The record libopendkim is handed: the usable key rewritten in the form
 * it reads (see the top of the file), else the record as published. */
static char *record_for_lib_new(const struct keyq *q)
{
	const struct dkim_key *k = &q->key;
	if (!k->syntax_ok || !k->key_ok || k->revoked)
		return xstrdup(q->record);
	const char *p = dkimkey_tag(k, "p");
	char *spki = k->format && strcmp(k->format, "pkcs1") == 0 ? spki_b64_new(p) : NULL;
	struct strbuf b = {0};
	sb_printf(&b, "v=DKIM1; k=%s", k->ktype == DKIM_K_ED25519 ? "ed25519" : "rsa");
	const char *h = dkimkey_tag(k, "h"), *s = dkimkey_tag(k, "s"), *t = dkimkey_tag(k, "t");
	if (h)
		sb_printf(&b, "; h=%s", h);
	if (s)
		sb_printf(&b, "; s=%s", s);
	if (t && k->testing)
		sb_printf(&b, "; t=y");
	sb_printf(&b, "; p=%s", spki ? spki : p);
	free(spki);
	return sb_take(&b);
}

/* libopendkim's key lookup: through the audit's resolver. */
static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct vctx *c = dkim_get_user_context(dkim);
	const char *s = (const char *)dkim_sig_getselector(sig), *d = (const char *)dkim_sig_getdomain(sig);
	if (!c || !s || !d)
		return DKIM_CBSTAT_ERROR;
	char *name = key_name_new(s, d);
	struct keyq *q = keyq_find(c, name);
	if (!q) {
		xgrow(&c->k, &c->cap, c->n + 1, sizeof *c->k);
		q = &c->k[c->n++];
		memset(q, 0, sizeof *q);
		q->name = name;
		if (name_is_dns(name)) {
			q->ans = resolver_query(c->dns, name, DNS_T_TXT);
			for (size_t i = 0; q->ans->status == DNS_OK && i < q->ans->rr_count; i++) {
				const struct dns_rr *rr = &q->ans->rrs[i];
				if (!rr->txt)
					continue;
				q->records++;
				if (!q->record || (!dkimkey_looks_like(q->record, strlen(q->record)) &&
				                   dkimkey_looks_like(rr->txt, rr->txt_len))) {
					free(q->record);
					q->record = xstrndup(rr->txt, rr->txt_len);
				}
			}
			if (q->record) {
				dkimkey_parse(q->record, strlen(q->record), &q->key);
				q->parsed = true;
			}
		}
	} else {
		free(name);
	}
	if (!q->ans)
		return DKIM_CBSTAT_NOTFOUND;
	/* A lookup that failed is recorded here and judged temperror; told
	 * TRYAGAIN, libopendkim would stop at this signature and verify none
	 * of the others. */
	if (!dns_status_answered(q->ans->status))
		return DKIM_CBSTAT_NOTFOUND;
	if (!q->record)
		return DKIM_CBSTAT_NOTFOUND;
	char *r = record_for_lib_new(q);
	size_t rl = strlen(r);
	if (rl >= buflen) {
		free(r);
		return DKIM_CBSTAT_NOTFOUND;
	}
	memcpy(buf, r, rl + 1);
	free(r);
	return DKIM_CBSTAT_CONTINUE;
}

static DKIM_CBSTAT prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int n)
{
	(void)dkim;
	for (int i = DKIMV_MAX; i < n; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

static long long tag_number(const char *v)
{
	if (!v || !*v || strlen(v) > 18)
		return -1;
	long long n = 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

/* The tags of each signature, as written, and its key name prefetched. */
static void read_fields(const struct message *m, const struct resolver *dns, struct dkimv *out)
{
	for (size_t i = 0; i < m->nf; i++) {
		const struct msg_field *f = &m->f[i];
		if (!f->name || strcasecmp(f->name, "DKIM-Signature") != 0)
			continue;
		out->fields++;
		if (out->n == DKIMV_MAX)
			continue;
		struct dkimv_sig *s = &out->v[out->n++];
		memset(s, 0, sizeof *s);
		s->field = out->fields;
		s->line = f->line;
		s->d = msg_tag_new(f->value, "d");
		s->s = msg_tag_new(f->value, "s");
		s->a = msg_tag_new(f->value, "a");
		s->i = msg_tag_new(f->value, "i");
		s->c = msg_tag_new(f->value, "c");
		s->h = msg_tag_new(f->value, "h");
		char *l = msg_tag_new(f->value, "l"), *t = msg_tag_new(f->value, "t"),
		     *x = msg_tag_new(f->value, "x");
		s->l = l ? tag_number(l) : -1;
		s->t = t ? tag_number(t) : -1;
		s->x = x ? tag_number(x) : -1;
		free(l);
		free(t);
		free(x);
		s->h_from = s->h && msg_list_has(s->h, "From");
		s->h_unsub = s->h && msg_list_has(s->h, "List-Unsubscribe");
		s->h_unsub_post = s->h && msg_list_has(s->h, "List-Unsubscribe-Post");
		s->body_hash = s->header_hash = -1;
		s->body_len = s->signed_len = -1;
		s->result = DKIMV_PERMERROR;
		if (s->d && s->s && *s->d && *s->s) {
			s->key_name = key_name_new(s->s, s->d);
			if (name_is_dns(s->key_name))
				resolver_prefetch(dns, s->key_name, DNS_T_TXT);
		}
	}
}

static void set_why(struct dkimv_sig *s, enum dkimv_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_why(struct dkimv_sig *s, enum dkimv_result r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(s->why);
	s->why = xvasprintf(fmt, ap);
	va_end(ap);
	s->result = r;
}

static bool ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* The domain of an i= value ("user@sub.example.com"). */
static const char *i_domain(const char *i)
{
	const char *at = i ? strrchr(i, '@') : NULL;
	return at ? at + 1 : NULL;
}

/* Decides one signature from libopendkim's verdict and the key facts. */
static void judge(struct dkimv_sig *s, DKIM *dkim, DKIM_SIGINFO *sig, struct vctx *c)
{
	unsigned flags = dkim_sig_getflags(sig);
	int bh = dkim_sig_getbh(sig), err = dkim_sig_geterror(sig);
	s->body_hash = bh == DKIM_SIGBH_MATCH ? 1 : bh == DKIM_SIGBH_MISMATCH ? 0 : -1;
	s->header_hash = (flags & DKIM_SIGFLAG_PASSED) ? 1 : err == DKIM_SIGERROR_BADSIG ? 0 : -1;
	ssize_t msglen = -1, canonlen = -1, signlen = -1;
	if (dkim_sig_getcanonlen(dkim, sig, &msglen, &canonlen, &signlen) == DKIM_STAT_OK) {
		s->body_len = msglen;
		s->signed_len = canonlen;
	}
	struct keyq *q = s->key_name ? keyq_find(c, s->key_name) : NULL;
	if (q) {
		s->key_ans = q->ans;
		if (q->record)
			s->key_record = xstrdup(q->record);
		if (q->parsed && q->key.syntax_ok && q->key.key_ok) {
			s->key_type = q->key.ktype == DKIM_K_ED25519 ? "ed25519" : "rsa";
			s->key_bits = q->key.bits;
			s->key_testing = q->key.testing;
		}
	}
	bool pass = (flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH;
	/* What the DNS said comes first: a key not fetched is not a key missing. */
	if (q && q->ans && !dns_status_answered(q->ans->status)) {
		set_why(s, DKIMV_TEMPERROR, "the key at %s could not be fetched: %s", q->name,
		        q->ans->why ? q->ans->why : dns_status_name(q->ans->status));
		return;
	}
	if (q && q->ans && !q->record) {
		set_why(s, DKIMV_PERMERROR, "no key at %s (%s)", q->name,
		        q->ans->status == DNS_NXDOMAIN ? "the name does not exist" : "no TXT record");
		return;
	}
	if (q && q->parsed) {
		const struct dkim_key *k = &q->key;
		if (!k->syntax_ok) {
			set_why(s, DKIMV_PERMERROR, "the key record at %s does not parse: %s", q->name,
			        k->error);
			return;
		}
		if (k->revoked) {
			set_why(s, DKIMV_PERMERROR, "the key at %s is revoked (empty p=)", q->name);
			return;
		}
		if (!k->key_ok) {
			set_why(s, DKIMV_PERMERROR, "the key at %s is unusable: %s", q->name, k->key_error);
			return;
		}
		if (!k->s_email) {
			set_why(s, DKIMV_PERMERROR, "the key at %s is not for e-mail (s=%s)", q->name,
			        dkimkey_tag(k, "s"));
			return;
		}
		if (k->strict && s->i && !ieq(i_domain(s->i), s->d)) {
			set_why(s, DKIMV_PERMERROR, "the key says t=s (i= must be in d= exactly) but i=%s",
			        s->i);
			return;
		}
	}
	if (!pass) {
		if (err == DKIM_SIGERROR_EXPIRED)
			set_why(s, DKIMV_PERMERROR, "the signature expired (x=%lld)", s->x);
		else if (bh == DKIM_SIGBH_MISMATCH)
			set_why(s, DKIMV_FAIL,
			        "the body hash does not match: the body changed after signing%s",
			        s->l >= 0 ? "" : " (or was re-encoded on the way)");
		else if (err == DKIM_SIGERROR_BADSIG || err == DKIM_SIGERROR_OK)
			set_why(s, DKIMV_FAIL,
			        "the signature does not verify: a signed header field changed after signing");
		else
			set_why(s, DKIMV_PERMERROR, "%s",
			        dkim_sig_geterrorstr(err) ? dkim_sig_geterrorstr(err) : "not verified");
		return;
	}
	/* libopendkim passed it; RFC 6376 and RFC 8301 may still not. */
	if (!s->h_from)
		set_why(s, DKIMV_PERMERROR, "h= does not include From (RFC 6376 5.4: From must be signed)");
	else if (ieq(s->a, "rsa-sha1"))
		set_why(s, DKIMV_PERMERROR,
		        "a=rsa-sha1: RFC 8301 forbids verifiers to accept SHA-1 signatures");
	else if (s->key_type && strcmp(s->key_type, "rsa") == 0 && s->key_bits && s->key_bits < 1024)
		set_why(s, DKIMV_PERMERROR, "an RSA key of %d bits: RFC 8301 requires at least 1024",
		        s->key_bits);
	else
		set_why(s, DKIMV_PASS, "the signature verifies (%s, %s)", s->a ? s->a : "?",
		        s->key_type && strcmp(s->key_type, "ed25519") == 0
		            ? "Ed25519 key"
		            : (s->key_bits ? "RSA key" : "key"));
}

/* Feeds the message to libopendkim and judges each signature. */
static void verify(const struct message *m, DKIM_LIB *lib, struct vctx *c, struct dkimv *out)
{
	DKIM_STAT st;
	DKIM *dkim = dkim_verify(lib, (const unsigned char *)"senderaudit", NULL, &st);
	if (!dkim) {
		out->error =
		    xasprintf("libopendkim could not start a verification: %s", dkim_getresultstr(st));
		return;
	}
	dkim_set_user_context(dkim, c);
	for (size_t i = 0; i < m->nf; i++) {
		const struct msg_field *f = &m->f[i];
		/* a field with a NUL cannot be passed on (message.headers says so) */
		if (f->malformed || memchr(f->raw, '\0', f->raw_len))
			continue;
		dkim_header(dkim, (u_char *)f->raw, f->raw_len);
	}
	st = dkim_eoh(dkim);
	const char *eoh_error = st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG ? NULL : dkim_geterror(dkim);
	if (st == DKIM_STAT_OK) {
		const char *b = m->data + m->body_off;
		size_t left = m->len - m->body_off;
		while (left) {
			size_t k = left > 65536 ? 65536 : left;
			dkim_body(dkim, (u_char *)b, k);
			b += k;
			left -= k;
		}
		_Bool testkey = 0;
		dkim_eom(dkim, &testkey);
	}
	DKIM_SIGINFO **sigs = NULL;
	int ns = 0;
	if (dkim_getsiglist(dkim, &sigs, &ns) != DKIM_STAT_OK)
		ns = 0;
	bool *used = xcalloc(out->n ? out->n : 1, sizeof *used);
	for (int k = 0; k < ns && k < DKIMV_MAX; k++) {
		const char *d = (const char *)dkim_sig_getdomain(sigs[k]),
		           *s = (const char *)dkim_sig_getselector(sigs[k]);
		for (size_t j = 0; j < out->n; j++) {
			if (used[j] || !ieq(out->v[j].d, d) || !ieq(out->v[j].s, s))
				continue;
			used[j] = true;
			judge(&out->v[j], dkim, sigs[k], c);
			break;
		}
	}
	for (size_t j = 0; j < out->n; j++) {
		struct dkimv_sig *s = &out->v[j];
		if (used[j])
			continue;
		if (!s->d || !s->s || !*s->d || !*s->s)
			set_why(s, DKIMV_PERMERROR, "the signature has no %s= tag",
			        !s->d || !*s->d ? "d" : "s");
		else
			set_why(s, DKIMV_PERMERROR, "libopendkim could not read the signature%s%s",
			        eoh_error ? ": " : "", eoh_error ? eoh_error : "");
	}
	free(used);
	dkim_free(dkim);
}

void dkimv_run(const struct message *m, const struct resolver *dns, time_t now, struct dkimv *out)
{
	memset(out, 0, sizeof *out);
	out->v = xcalloc(DKIMV_MAX, sizeof *out->v);
	read_fields(m, dns, out);
	if (!out->fields)
		return;
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	if (!lib) {
		out->error = xstrdup("libopendkim could not be initialised");
		return;
	}
	dkim_set_key_lookup(lib, key_lookup);
	dkim_set_prescreen(lib, prescreen);
	if (now > 0) {
		uint64_t fixed = (uint64_t)now;
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed, sizeof fixed);
	}
	struct vctx c = {.dns = dns};
	verify(m, lib, &c, out);
	for (size_t i = 0; i < c.n; i++) {
		free(c.k[i].name);
		free(c.k[i].record);
		if (c.k[i].parsed)
			dkimkey_free(&c.k[i].key);
	}
	free(c.k);
	dkim_close(lib);
}

void dkimv_free(struct dkimv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		struct dkimv_sig *s = &v->v[i];
		free(s->d);
		free(s->s);
		free(s->a);
		free(s->i);
		free(s->c);
		free(s->h);
		free(s->why);
		free(s->key_name);
		free(s->key_record);
	}
	free(v->v);
	free(v->error);
	memset(v, 0, sizeof *v);
}
