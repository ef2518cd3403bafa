/* audit: what one audit looks at (the target), the services it may use,
 * and the runner that executes the check families concurrently. */
#ifndef SA_AUDIT_H
#define SA_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/net/dns.h"
#include "../lib/model/finding.h"
#include "../lib/util/names.h"
#include "../lib/util/psl.h"

struct spf2_pool;
struct http_gate;

/* The audited sender. All names are A-labels, lower-case, no trailing dot. */
struct target {
	struct ipaddr ip;
	char *domain;       /* the From: domain */
	char *helo;         /* HELO/EHLO name, or NULL when not given */
	char *mail_from;    /* envelope domain: --mail-from, else domain */
	bool mail_from_given;
	bool shared;        /* ESP pool rather than dedicated IP */
	char **selectors;   /* DKIM selectors given with --selector */
	size_t selector_count;
};

/* Settings that later check families read (filled by the CLI). */
struct audit_opts {
	char **dnsbl_zones;        /* --dnsbl: zones replacing the built-in list */
	size_t dnsbl_zone_count;
	char **dnsbl_extra;        /* --dnsbl +zone: zones added to the list */
	size_t dnsbl_extra_count;
	bool dnsbl_none;           /* --dnsbl none */
	const char *rdap_bootstrap; /* --rdap-bootstrap, or NULL for IANA */
	char *whois_server;        /* --whois-server host, or NULL for whois.iana.org */
	int whois_port;            /* its #PORT, or 0 for 43 */
	int timeout_ms;            /* per lookup */
	bool resolver_given;       /* --resolver was used */
};

struct audit {
	const struct target *t;
	const struct audit_opts *o;
	struct dns *dns;            /* shared, thread-safe */
	const struct psl *psl;      /* shared, read-only */
	const bool *enabled;        /* per catalogue index (registry.h) */
	struct spf2_pool *spf2;     /* libspf2 workers (spf_second.h), or NULL */
	struct http_gate *http_gate; /* per-server HTTP limits of the whole run (httpgate.h), or NULL */
};

/* True when the user's --only/--skip leave check id enabled. */
bool audit_enabled(const struct audit *a, const char *id);

/* Runs every family that has an enabled check, each on its own thread, and
 * returns all findings in catalogue order: disabled checks appear once as
 * `skip`, each finding carries its catalogue refs. */
void audit_run(const struct audit *a, struct findings *out);

#endif
