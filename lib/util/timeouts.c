/* SPDX-License-Identifier: ISC */
/* timeouts: the audit's time limits from --timeout (see timeouts.h). An
 * RDAP or WHOIS exchange is a connection plus a request, so twice a
 * lookup's budget; libspf2 evaluates a whole tree one lookup after another
 * (each bounded by the DNS budget), so four times. An SMTP server is
 * given a lookup's budget to accept the connection, then six times that
 * for each step: tarpits delay their greeting by design (RFC 5321 4.5.3.2
 * allows five minutes), and one waited for is no verdict on the server. */
#include "timeouts.h"

void timeouts_from(int timeout_ms, struct timeouts *out)
{
	int t = timeout_ms > 0 ? timeout_ms : TIMEOUT_DEFAULT_MS;
	out->dns_ms = t;
	out->http_connect_ms = t;
	out->http_total_ms = 2 * t;
	out->whois_ms = 2 * t;
	out->libspf2_ms = 4 * t;
	out->smtp_connect_ms = t;
	out->smtp_step_ms = 6 * t;
	out->smtp_total_ms = 12 * t;
}
