/* SPDX-License-Identifier: ISC */
/* timeouts: every time limit of an audit, derived in this one place from
 * --timeout (the budget of one DNS lookup, retries included). The man page
 * (OPTIONS, --timeout) states the same rules and the worst case. */
#ifndef SA_TIMEOUTS_H
#define SA_TIMEOUTS_H

/* --timeout's default, seconds * 1000. */
#define TIMEOUT_DEFAULT_MS 5000
/* --retries' default: extra tries of an unanswered DNS query. */
#define RETRIES_DEFAULT 2

struct timeouts {
	int dns_ms;          /* one DNS lookup, all its tries */
	int http_connect_ms; /* an HTTPS server's connection (RDAP, MTA-STS, BIMI) */
	int http_total_ms;   /* one HTTPS request, redirects included: 2 x */
	int whois_ms;        /* one WHOIS exchange (connect, query, answer): 2 x */
	int libspf2_ms;      /* libspf2's whole evaluation, all its lookups: 4 x */
	int smtp_connect_ms; /* connecting to an SMTP server (no answer: nothing listening): 1 x */
	int smtp_step_ms;    /* each later SMTP step (the greeting, a reply, the TLS handshake): 6 x */
	int smtp_total_ms;   /* one SMTP probe in all, every step and both connections: 12 x */
};

/* The limits for a --timeout of timeout_ms (<= 0: the default). */
void timeouts_from(int timeout_ms, struct timeouts *out);

#endif
