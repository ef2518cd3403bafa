/* SPDX-License-Identifier: ISC */
/* audit: one audit of a target: the services its checks may use, and the
 * runner that computes the inputs the enabled checks need (once each,
 * concurrently) and then runs each enabled check on them. */
#ifndef SA_AUDIT_H
#define SA_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/model/finding.h"
#include "../lib/model/target.h"
#include "../lib/net/resolver.h"
#include "../lib/util/names.h"
#include "../lib/util/psl.h"

struct spf2_pool;
struct http_gate;
struct workpool;

/* Settings that check families read (filled by the CLI). */
struct audit_opts {
	char **dnsbl_zones; /* --dnsbl: zones replacing the built-in list */
	size_t dnsbl_zone_count;
	char **dnsbl_extra; /* --dnsbl +zone: zones added to the list */
	size_t dnsbl_extra_count;
	bool dnsbl_none;            /* --dnsbl none */
	double dnsbl_rate;          /* --rate: queries/s per list operator; 0: no cap; < 0: the default */
	const char *rdap_bootstrap; /* --rdap-bootstrap, or NULL for IANA */
	char *whois_server;         /* --whois-server host, or NULL for whois.iana.org */
	int whois_port;             /* its #PORT, or 0 for 43 */
	int timeout_ms;             /* per lookup (see lib/util/timeouts.h) */
	bool resolver_given;        /* --resolver was used */
	bool smtp;                  /* --smtp: connect to the IP and the MX hosts */
	int smtp_port;              /* --smtp-port, else 25 */
};

struct audit {
	const struct target *t;
	const struct audit_opts *o;
	const struct resolver *dns;  /* every DNS question goes here */
	const struct psl *psl;       /* shared, read-only */
	const bool *enabled;         /* per catalogue index (registry.h) */
	struct spf2_pool *spf2;      /* libspf2 workers (lib/proc/spf2pool.h), or NULL */
	struct http_gate *http_gate; /* per-server HTTP limits of the whole run (httpgate.h), or NULL */
	struct workpool *pool;       /* jobs that compute inputs (lib/proc/workpool.h), or NULL:
	                                a thread per input */
};

/* True when the user's --only/--skip leave check id enabled. */
bool audit_enabled(const struct audit *a, const char *id);

/* Computes the inputs of the enabled checks, runs them, and appends every
 * finding in catalogue order: disabled checks appear once as `skip`, each
 * finding carries its catalogue refs. */
void audit_run(const struct audit *a, struct findings *out);

#endif
