/* SPDX-License-Identifier: ISC */
/* vmc: the basics of a BIMI evidence document, a Verified (or Common) Mark
 * Certificate: a PEM chain whose first certificate is the mark's, checked
 * with OpenSSL for what can be known without a mark verifier's data:
 * validity dates, the BIMI extended key usage (1.3.6.1.5.5.7.3.31), that
 * it names the domain, the logotype extension (RFC 3709) that carries the
 * mark, and whether the chain verifies against a trust store. Pure: no
 * fetches (the trust store is read from files). */
#ifndef SA_VMC_H
#define SA_VMC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum vmc_chain {
	VMC_CHAIN_OK,             /* verifies up to a trusted root */
	VMC_CHAIN_UNKNOWN_ISSUER, /* the root is not in the trust store (mark
	                             verifiers' roots are not in the system's) */
	VMC_CHAIN_BAD,            /* a signature, date or constraint fails */
};

struct vmc_result {
	bool parsed; /* at least one certificate */
	size_t cert_count;
	char error[160];   /* why nothing parsed */
	char subject[200]; /* of the mark certificate, one line */
	char issuer[200];
	time_t not_before, not_after;
	bool not_yet_valid, expired; /* at the time checked */
	bool bimi_eku;               /* carries id-kp-BrandIndicatorforMessageIdentification */
	bool logotype;               /* carries the logotype extension */
	bool names_domain;           /* a subjectAltName DNS name is one of the domains */
	char **san;                  /* its DNS names (printable ASCII) */
	size_t san_count;
	enum vmc_chain chain;
	char chain_error[160]; /* OpenSSL's reason when not VMC_CHAIN_OK */
};

/* Checks the PEM text pem at time now. domains: the names the certificate
 * may name (the author and organizational domain). cafile: a PEM file of
 * trusted roots, or NULL for OpenSSL's default paths (the system's store).
 * Always fills out (release it with vmc_result_free); returns 0 when a
 * certificate was read, else -1 with out->error set. */
int vmc_check(const char *pem, size_t len, const char *const *domains, size_t ndomains, time_t now,
              const char *cafile, struct vmc_result *out);
void vmc_result_free(struct vmc_result *r);

#endif
