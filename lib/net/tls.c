/* SPDX-License-Identifier: ISC */
/* tls: STARTTLS for the SMTP probe and the receive server, on OpenSSL (see
 * tls.h). The handshake runs on a non-blocking socket, polled against a
 * deadline. The server's certificate is verified after the handshake, on a
 * store context of our own, so that every error of the chain is seen (a
 * self-signed certificate that has also expired is both) without a
 * process-wide ex_data index. */
#include "tls.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../proc/workpool.h"
#include "../util/xalloc.h"
#include "tcp.h"

void tls_facts_clear(struct tls_facts *f)
{
	free(f->subject_cn);
	free(f->issuer);
	for (size_t i = 0; i < f->name_count; i++)
		free(f->names[i]);
	X509_free(f->cert);
	memset(f, 0, sizeof *f);
}

bool tls_cert_matches(const struct tls_facts *f, const char *host)
{
	return f->cert && host && *host && X509_check_host(f->cert, host, strlen(host), 0, NULL) == 1;
}

/* OpenSSL writes to its socket without MSG_NOSIGNAL: a peer that reset
 * the connection would kill the process with SIGPIPE. While OpenSSL runs,
 * the calling thread blocks SIGPIPE, and takes back one it raised. */
struct sigpipe_guard {
	sigset_t old;
	bool was_pending;
};

static void guard_on(struct sigpipe_guard *g)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
	sigpending(&pend);
	g->was_pending = sigismember(&pend, SIGPIPE) == 1;
}

static void guard_off(struct sigpipe_guard *g)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	if (!g->was_pending && sigismember(&pend, SIGPIPE) == 1) {
		struct timespec now = {0, 0};
		sigtimedwait(&set, NULL, &now);
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* The last OpenSSL error as text, or fallback. */
static void ssl_why(char *why, size_t whylen, const char *what, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	char buf[200];
	if (e) {
		ERR_error_string_n(e, buf, sizeof buf);
		snprintf(why, whylen, "%s: %s", what, buf);
	} else {
		snprintf(why, whylen, "%s: %s", what, fallback);
	}
	ERR_clear_error();
}

/* Both sides talk to whatever the peer speaks, so its version is what we
 * report: TLS 1.0 needs security level 0 under OpenSSL 3. */
static int observe_all_versions(SSL_CTX *ctx)
{
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0"))
		return -1;
	return 0;
}

SSL_CTX *tls_client_ctx_new(char *why, size_t whylen)
{
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || observe_all_versions(ctx) < 0 || SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ssl_why(why, whylen, "TLS client set-up", "failed");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

/* A self-signed certificate for name, valid from an hour ago for 30 days,
 * on a new P-256 key. */
static int self_signed(SSL_CTX *ctx, const char *name)
{
	int ok = 0;
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_EXTENSION *ext = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	if (!pk || !x || RAND_bytes(serial, sizeof serial) != 1)
		goto out;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	X509_NAME *subj = X509_get_subject_name(x);
	char san[300];
	snprintf(san, sizeof san, "DNS:%s", name);
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) || !X509_set_version(x, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) ||
	    !X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0) ||
	    !X509_set_issuer_name(x, subj) || !X509_set_pubkey(x, pk))
		goto out;
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	if (!ext || !X509_add_ext(x, ext, -1) || !X509_sign(x, pk, EVP_sha256()))
		goto out;
	ok = SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, pk) == 1;
out:
	X509_EXTENSION_free(ext);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pk);
	return ok ? 0 : -1;
}

SSL_CTX *tls_server_ctx_new(const char *cert_file, const char *key_file, const char *name, char *why,
                            size_t whylen)
{
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || observe_all_versions(ctx) < 0) {
		ssl_why(why, whylen, "TLS server set-up", "failed");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (cert_file) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
			ssl_why(why, whylen, cert_file, "cannot load the certificate");
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
			ssl_why(why, whylen, key_file, "cannot load the key");
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			ssl_why(why, whylen, key_file, "the key does not belong to the certificate");
			goto fail;
		}
	} else if (self_signed(ctx, name) < 0) {
		ssl_why(why, whylen, "making a self-signed certificate", "failed");
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Waits until fd is ready for what OpenSSL asked; -2 at the deadline. */
static int wait_for(SSL *ssl, int fd, int rc, int64_t deadline)
{
	int e = SSL_get_error(ssl, rc);
	short ev;
	if (e == SSL_ERROR_WANT_READ)
		ev = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		ev = POLLOUT;
	else
		return -1;
	struct pollfd p = {fd, ev, 0};
	int n;
	do
		n = workpool_poll(&p, 1, tcp_remaining(deadline));
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : n == 0 ? -2 : -1;
}

/* ------------------------------------------------------------ facts */

static void time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;
	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, len, "?");
}

static char *name_entry_new(const X509_NAME *n, int nid)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	if (i < 0)
		return NULL;
	const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	unsigned char *u = NULL;
	int len = ASN1_STRING_to_UTF8(&u, s);
	if (len < 0)
		return NULL;
	char *r = xstrndup((const char *)u, (size_t)len);
	OPENSSL_free(u);
	return r;
}

struct verify_log {
	int first; /* the first error, X509_V_OK when none */
	int first_depth;
	bool self_signed;
};

/* Records every error of the chain and lets verification go on, so the
 * whole chain is judged. */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	struct verify_log *log = X509_STORE_CTX_get_app_data(xs);
	if (!ok) {
		int e = X509_STORE_CTX_get_error(xs);
		if (log->first == X509_V_OK) {
			log->first = e;
			log->first_depth = X509_STORE_CTX_get_error_depth(xs);
		}
		if (e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
			log->self_signed = true;
	}
	return 1;
}

static void cert_facts(SSL *ssl, struct tls_facts *f)
{
	X509 *leaf = SSL_get1_peer_certificate(ssl);
	if (!leaf)
		return;
	f->have_cert = true;
	f->cert = leaf;
	f->subject_cn = name_entry_new(X509_get_subject_name(leaf), NID_commonName);
	f->issuer = name_entry_new(X509_get_issuer_name(leaf), NID_commonName);
	if (!f->issuer)
		f->issuer = name_entry_new(X509_get_issuer_name(leaf), NID_organizationName);
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && f->name_count < TLS_MAX_NAMES; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		const ASN1_IA5STRING *s = g->d.dNSName;
		f->names[f->name_count++] =
		    xstrndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	}
	GENERAL_NAMES_free(gens);

	const ASN1_TIME *nb = X509_get0_notBefore(leaf), *na = X509_get0_notAfter(leaf);
	time_text(nb, f->not_before, sizeof f->not_before);
	time_text(na, f->not_after, sizeof f->not_after);
	int days = 0, secs = 0;
	if (na && ASN1_TIME_diff(&days, &secs, NULL, na) == 1)
		f->days_left = days;
	f->expired = X509_cmp_current_time(na) <= 0;
	f->not_yet_valid = X509_cmp_current_time(nb) > 0;

	struct verify_log log = {X509_V_OK, 0, false};
	X509_STORE_CTX *xs = X509_STORE_CTX_new();
	SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
	if (xs &&
	    X509_STORE_CTX_init(xs, SSL_CTX_get_cert_store(ctx), leaf, SSL_get_peer_cert_chain(ssl)) == 1) {
		X509_STORE_CTX_set_default(xs, "ssl_server");
		X509_STORE_CTX_set_app_data(xs, &log);
		X509_STORE_CTX_set_verify_cb(xs, verify_cb);
		if (X509_verify_cert(xs) != 1 && log.first == X509_V_OK)
			log.first = X509_STORE_CTX_get_error(xs);
	} else {
		log.first = X509_V_ERR_UNSPECIFIED;
	}
	X509_STORE_CTX_free(xs);
	ERR_clear_error();
	f->verified = log.first == X509_V_OK;
	f->self_signed = log.self_signed || X509_self_signed(leaf, 0) == 1;
	if (!f->verified)
		snprintf(f->verify_error, sizeof f->verify_error, "%s%s",
		         X509_verify_cert_error_string(log.first),
		         log.first_depth > 0 ? " (in the chain)" : "");
}

SSL *tls_handshake(SSL_CTX *ctx, int fd, bool server, const char *sni, int64_t deadline,
                   struct tls_facts *facts, bool *timed_out, char *why, size_t whylen)
{
	*timed_out = false;
	ERR_clear_error();
	SSL *ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1) {
		ssl_why(why, whylen, "TLS", "cannot set up the connection");
		SSL_free(ssl);
		return NULL;
	}
	if (server) {
		SSL_set_accept_state(ssl);
	} else {
		SSL_set_connect_state(ssl);
		if (sni && *sni)
			SSL_set_tlsext_host_name(ssl, sni);
	}
	for (;;) {
		struct sigpipe_guard g;
		guard_on(&g);
		int rc = SSL_do_handshake(ssl);
		guard_off(&g);
		if (rc == 1)
			break;
		int w = wait_for(ssl, fd, rc, deadline);
		if (w == 0)
			continue;
		if (w == -2) {
			*timed_out = true;
			snprintf(why, whylen, "no TLS handshake before the time limit");
		} else {
			int e = SSL_get_error(ssl, rc);
			if (e == SSL_ERROR_SYSCALL && !ERR_peek_last_error())
				snprintf(why, whylen, "TLS handshake failed: %s",
				         errno ? strerror(errno) : "the connection was closed");
			else
				ssl_why(why, whylen, "TLS handshake failed", "protocol error");
		}
		ERR_clear_error();
		SSL_free(ssl);
		return NULL;
	}
	snprintf(facts->version, sizeof facts->version, "%s", SSL_get_version(ssl));
	const char *c = SSL_get_cipher_name(ssl);
	snprintf(facts->cipher, sizeof facts->cipher, "%s", c ? c : "?");
	if (!server)
		cert_facts(ssl, facts);
	return ssl;
}

ssize_t tls_read(SSL *ssl, int fd, void *buf, size_t n, int64_t deadline)
{
	for (;;) {
		ERR_clear_error();
		struct sigpipe_guard g;
		guard_on(&g);
		int rc = SSL_read(ssl, buf, n > 0x7fffffff ? 0x7fffffff : (int)n);
		guard_off(&g);
		if (rc > 0)
			return rc;
		int e = SSL_get_error(ssl, rc);
		if (e == SSL_ERROR_ZERO_RETURN)
			return 0;
		int w = wait_for(ssl, fd, rc, deadline);
		if (w < 0) {
			ERR_clear_error();
			/* an EOF without close_notify is a close all the same */
			return w == -2 ? -2 : e == SSL_ERROR_SYSCALL && errno == 0 ? 0 : -1;
		}
	}
}

int tls_write(SSL *ssl, int fd, const void *buf, size_t n, int64_t deadline)
{
	const char *p = buf;
	while (n) {
		ERR_clear_error();
		struct sigpipe_guard g;
		guard_on(&g);
		int rc = SSL_write(ssl, p, n > 0x7fffffff ? 0x7fffffff : (int)n);
		guard_off(&g);
		if (rc > 0) {
			p += rc;
			n -= (size_t)rc;
			continue;
		}
		int w = wait_for(ssl, fd, rc, deadline);
		if (w < 0) {
			ERR_clear_error();
			return w;
		}
	}
	return 0;
}

void tls_close(SSL *ssl)
{
	if (!ssl)
		return;
	struct sigpipe_guard g;
	guard_on(&g);
	SSL_shutdown(ssl);
	guard_off(&g);
	ERR_clear_error();
	SSL_free(ssl);
}
