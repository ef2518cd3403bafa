/* SPDX-License-Identifier: ISC */
/* dkimverify: the DKIM signatures of a message (RFC 6376), verified with
 * libopendkim, every key asked through a struct resolver (so --resolver,
 * the timeouts and the error discipline hold), and judged by RFC 8301
 * (no rsa-sha1, no RSA key under 1024 bits) and RFC 8463 (Ed25519).
 *
 * A key that could not be fetched (SERVFAIL, timeout, an untrusted
 * negative answer) makes its signature temperror, never fail: libopendkim
 * itself reports such a signature as a bad signature. */
#ifndef SA_DKIMVERIFY_H
#define SA_DKIMVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../net/resolver.h"
#include "rfc5322.h"

/* Signatures verified per message; the rest are counted, not checked (a
 * message with 1,000 signatures must not cost 1,000 key lookups). */
#define DKIMV_MAX 10

enum dkimv_result {
	DKIMV_PASS,
	DKIMV_FAIL,      /* the signature or body hash does not match */
	DKIMV_PERMERROR, /* unusable: syntax, no key, revoked, RFC 8301, expired */
	DKIMV_TEMPERROR, /* the key could not be fetched */
};

struct dkimv_sig {
	size_t field;                /* 1-based among the DKIM-Signature fields */
	size_t line;                 /* where the field starts */
	char *d, *s, *a, *i, *c, *h; /* tags as written (white space removed), or NULL */
	long long l;                 /* l=, -1 when absent */
	long long t, x;              /* t= and x=, -1 when absent */
	enum dkimv_result result;
	char *why;                        /* one line: what decided it */
	char *key_name;                   /* s._domainkey.d, or NULL */
	const struct dns_answer *key_ans; /* its TXT answer (owned by the resolver), or NULL */
	char *key_record;                 /* the record used, or NULL */
	const char *key_type;             /* "rsa", "ed25519" or NULL */
	int key_bits;                     /* 0 when unknown */
	bool key_testing;                 /* t=y in the key */
	int body_hash;                    /* 1 matches, 0 does not, -1 not computed */
	int header_hash;      /* 1 the signature over the headers verifies, 0 not, -1 not checked */
	long long body_len;   /* canonicalized body length, -1 unknown */
	long long signed_len; /* body octets the signature covers, -1 unknown */
	bool h_from;          /* h= names From */
	bool h_unsub;         /* h= names List-Unsubscribe */
	bool h_unsub_post;    /* h= names List-Unsubscribe-Post */
};

struct dkimv {
	struct dkimv_sig *v; /* the first DKIMV_MAX signatures */
	size_t n;
	size_t fields; /* DKIM-Signature fields in the message */
	char *error;   /* libopendkim could not run at all, or NULL */
};

/* Verifies the signatures of m. now: the time to judge x= by (0: the
 * clock). Always fills out; release with dkimv_free. Thread-safe (each call
 * has its own libopendkim library handle). */
void dkimv_run(const struct message *m, const struct resolver *dns, time_t now, struct dkimv *out);
void dkimv_free(struct dkimv *v);

/* "pass", "fail", "permerror", "temperror" (RFC 8601). */
const char *dkimv_result_name(enum dkimv_result r);

#endif
