/* SPDX-License-Identifier: ISC */
/* check: the unit the registry runs. A check declares the inputs it needs
 * (facts several checks share: the PTR names, the SPF tree, the DMARC
 * policy...), and judges them: it never looks anything up itself and never
 * prints. An input is computed once per audit, on its own thread, by the
 * family that knows how (its lookups go through the audit's resolver); the
 * runner computes exactly the inputs of the enabled checks, so disabling one
 * check cannot leave another's input missing. */
#ifndef SA_CHECK_H
#define SA_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/model/finding.h"
#include "audit.h"

/* The shared inputs; each is defined (computed) in the file named. */
enum input {
	IN_PTR,             /* lookup.c: the IP's PTR names */
	IN_PTR_ADDRS,       /* rdns.c: the addresses of every PTR name */
	IN_HELO_ADDRS,      /* helo.c: the addresses of the HELO name */
	IN_SPF,             /* spf.c: SPF of the MAIL FROM domain (tree, verdict) */
	IN_SPF_SECOND,      /* spf.c: libspf2's verdict for it */
	IN_HELO_SPF,        /* spf.c: SPF of the HELO identity */
	IN_HELO_SPF_SECOND, /* spf.c: libspf2's verdict for it */
	IN_DKIM,            /* dkim.c: the selectors' key records */
	IN_DMARC,           /* dmarc.c: the domain's policy (DNS Tree Walk) */
	IN_DMARC_AUTH,      /* dmarc.c: the report destinations' authorizations */
	IN_MAILFROM_ORG,    /* dmarc.c: the MAIL FROM domain's Tree Walk */
	IN_MX,              /* mx.c: the MAIL FROM domain's MX hosts */
	IN_RDAP_IP,         /* rdap.c: registration data of the IP's network */
	IN_RDAP_DOMAIN,     /* rdap.c: registration data of the domain */
	IN_DNSBL_IP,        /* dnsbl.c: the IP on each blocklist */
	IN_DNSBL_DOMAIN,    /* dnsbl.c: the domains on each domain blocklist */
	IN_MESSAGE,         /* message.c: the --message, parsed */
	IN_MSG_DKIM,        /* message.c: its DKIM signatures, verified */
	IN_MSG_DMARC,       /* message.c: its From: domain's DMARC policy and the
	                       organizational domains of what may align with it */
	IN_DOMAIN_MX,       /* mx.c: the domain's own MX hosts (MTA-STS, DANE) */
	IN_MX_RDNS,         /* mx.c: PTR and FCrDNS of the MAIL FROM domain's MX hosts */
	IN_DMARC_DEST,      /* dmarc.c: whether the report mailboxes' domains receive mail */
	IN_MTASTS,          /* domain.c: the MTA-STS record and policy file */
	IN_TLSRPT,          /* domain.c: the TLS-RPT record */
	IN_BIMI,            /* domain.c: the BIMI assertion record */
	IN_BIMI_FILES,      /* domain.c: the BIMI logo and mark certificate */
	IN_DNSSEC,          /* domain.c: the domain's zone: signed, validated, bogus */
	IN_DANE,            /* domain.c: TLSA records of the domain's MX hosts */
	IN_SMTP_PROBE,      /* smtp.c: the SMTP conversation with IP:port (--smtp) */
	IN_SMTP_MX,         /* smtp.c: STARTTLS of the MAIL FROM domain's MX hosts (--smtp) */
	INPUT_COUNT
};
/* A set of inputs: bit x is input x. */
typedef uint64_t input_set;
#define NEED(x) ((input_set)1 << (x))
_Static_assert(INPUT_COUNT <= 64, "an input_set holds at most 64 inputs");

/* What one check (or one input's computation) may read. */
struct inputs {
	struct input_table *tab;
	input_set allowed; /* the declared needs */
	const char *user;  /* check id or input name, for the misuse report */
};

/* Whether the audit computes input id (an enabled check needs it). */
bool input_needed(const struct inputs *in, enum input id);

/* The value of input id, computed on first use (or waited for). Reading an
 * input that was not declared still works, but the runner reports it as an
 * internal error (the suites would see it). */
const void *input_get(const struct inputs *in, enum input id);

struct input_def {
	enum input id;
	const char *name;
	input_set needs; /* the inputs it is computed from */
	/* Inputs it reads only when the audit computes them anyway (for a
	 * check of its own: input_needed); they do not make it start them. */
	input_set uses;
	/* Computes the value: lookups through a->dns, failures recorded in the
	 * value (never "not found" for "could not ask"). Never NULL. */
	void *(*compute)(const struct audit *a, const struct inputs *in);
	void (*free)(void *value);
};

#define CHECK_MAX_REFS 4

struct check {
	const char *id;                   /* "rdns.ptr" */
	const char *title;                /* one line for --list-checks and the man page */
	const char *refs[CHECK_MAX_REFS]; /* sources, cited by short name */
	input_set needs;                  /* NEED(IN_PTR) | ... */
	/* Appends its findings (one, or one per subject) judging its inputs:
	 * a fact that could not be learned makes it `error`, never pass or
	 * fail. Must not print, exit or look anything up. */
	void (*run)(const struct audit *a, const struct inputs *in, struct findings *out);
	const char *file; /* __FILE__ of the definition: one hop from id to code */
};

/* A family's checks, for the registry (checks/families.inc). */
struct family {
	const char *name;
	const struct check *checks;
	size_t count;
};
#define FAMILY_OF(fam, arr) const struct family family_##fam = {#fam, arr, sizeof arr / sizeof *arr}

#endif
