/* SPDX-License-Identifier: ISC */
/* tls: OpenSSL for the SMTP client and server (STARTTLS, RFC 3207). Both
 * sides observe rather than enforce: they accept every protocol version
 * from TLS 1.0 and record what was negotiated and what the certificate
 * is, so a check can judge it (RFC 8996) instead of the handshake failing
 * with no fact learned. Trust comes from OpenSSL's default paths (the
 * system store; SSL_CERT_FILE and SSL_CERT_DIR replace it, as for every
 * OpenSSL program). Every wait is bounded by a deadline. */
#ifndef SA_TLS_H
#define SA_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TLS_MAX_NAMES 32

/* What a handshake showed. */
struct tls_facts {
	char version[16]; /* "TLSv1.3" */
	char cipher[64];
	/* the peer's certificate (client side); have_cert false without one */
	bool have_cert;
	bool verified;          /* the chain verified against the trust store */
	char verify_error[160]; /* the first verification error, "" if verified */
	bool self_signed;
	bool expired;        /* now after notAfter */
	bool not_yet_valid;  /* now before notBefore */
	long days_left;      /* whole days until notAfter (negative: expired) */
	char not_before[32]; /* RFC 3339, UTC */
	char not_after[32];
	char *subject_cn;           /* or NULL */
	char *issuer;               /* the issuer's CN (else O), or NULL */
	char *names[TLS_MAX_NAMES]; /* subjectAltName dNSNames */
	size_t name_count;
	X509 *cert; /* the leaf, for tls_cert_matches */
};
void tls_facts_clear(struct tls_facts *f);

/* True when the certificate is valid for host (subjectAltName, else CN;
 * wildcards as RFC 6125 and OpenSSL's X509_check_host allow). */
bool tls_cert_matches(const struct tls_facts *f, const char *host);

/* A client context for probing: TLS 1.0 and later, any cipher, the
 * default trust store; verification is recorded, never enforced. NULL with
 * a reason in why on failure. */
SSL_CTX *tls_client_ctx_new(char *why, size_t whylen);

/* A server context with the certificate and key in PEM files, or (both
 * NULL) a self-signed certificate made now for name. TLS 1.0 and later, so
 * that an old client's version is recorded rather than refused. */
SSL_CTX *tls_server_ctx_new(const char *cert_file, const char *key_file, const char *name, char *why,
                            size_t whylen);

/* The handshake on non-blocking socket fd, client (with sni, may be NULL)
 * or server. Returns the connection, or NULL with a reason in why;
 * *timed_out tells a deadline that passed from a failed handshake. On
 * success facts holds version, cipher and (client) the server's
 * certificate with its verification. */
SSL *tls_handshake(SSL_CTX *ctx, int fd, bool server, const char *sni, int64_t deadline,
                   struct tls_facts *facts, bool *timed_out, char *why, size_t whylen);

/* Reads up to n bytes within deadline: > 0 bytes, 0 the peer closed, -1
 * error, -2 deadline passed. */
ssize_t tls_read(SSL *ssl, int fd, void *buf, size_t n, int64_t deadline);
/* Writes all of buf within deadline: 0, -1 error, -2 deadline passed. */
int tls_write(SSL *ssl, int fd, const void *buf, size_t n, int64_t deadline);
/* Sends close_notify without waiting for the peer's, and frees ssl. */
void tls_close(SSL *ssl);

#endif
