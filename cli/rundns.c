/* SPDX-License-Identifier: ISC */
/* rundns: the run's DNS source, per-audit views and taps, and the
 * --save-dns file (see rundns.h). */
#include "rundns.h"

#include <errno.h>
#include <string.h>

#include "../lib/util/text.h"

#define EXIT_USAGE   64
#define EXIT_UNKNOWN 3

int run_dns_open(struct run_dns *d, const struct cli *c)
{
	char err[1024];
	memset(d, 0, sizeof *d);
	if (c->replay_dns) {
		d->replay = dns_replay_load(c->replay_dns, err, sizeof err);
		if (!d->replay) {
			fprintf(stderr, "senderaudit: --replay-dns: ");
			text_put_safe(stderr, err);
			fprintf(stderr, " (see senderaudit --help)\n");
			return EXIT_USAGE;
		}
		d->whole = dns_replay_resolver(d->replay);
	} else {
		struct dns_config dc = {
		    .servers = (const char *const *)c->resolvers,
		    .server_count = c->resolver_count,
		    .timeout_ms = c->ao.timeout_ms,
		    .retries = c->retries,
		};
		d->dns = dns_new(&dc, err, sizeof err);
		if (!d->dns) {
			/* A malformed --resolver is a usage error; an unusable system
			 * configuration means nothing could be checked. */
			fprintf(stderr, "senderaudit: %s%s%s\n", c->resolver_count ? "--resolver: " : "", err,
			        c->resolver_count ? " (see senderaudit --help)" : "");
			return c->resolver_count ? EXIT_USAGE : EXIT_UNKNOWN;
		}
		d->whole = dns_resolver(d->dns);
	}
	if (c->save_dns) {
		/* opened now, so a file that cannot be written costs no lookups */
		d->save = fopen(c->save_dns, "w");
		if (!d->save) {
			fprintf(stderr, "senderaudit: --save-dns: cannot write ");
			text_put_safe(stderr, c->save_dns);
			fprintf(stderr, ": %s (see senderaudit --help)\n", strerror(errno));
			return EXIT_USAGE;
		}
		d->rec = dns_recorder_new();
	}
	return 0;
}

int run_dns_save(struct run_dns *d, const struct cli *c, int rc)
{
	if (!d->save)
		return rc;
	int r = dns_recorder_write(d->rec, resolver_servers(&d->whole), d->save);
	int e = errno;
	if (fclose(d->save) != 0 && r == 0) {
		r = -1;
		e = errno;
	}
	d->save = NULL;
	if (r == 0)
		return rc;
	fprintf(stderr, "senderaudit: --save-dns: cannot write ");
	text_put_safe(stderr, c->save_dns);
	fprintf(stderr, ": %s\n", strerror(e));
	return EXIT_UNKNOWN;
}

void run_dns_close(struct run_dns *d)
{
	if (d->save)
		fclose(d->save);
	dns_recorder_free(d->rec);
	dns_free(d->dns);
	dns_replay_free(d->replay);
	memset(d, 0, sizeof *d);
}

void audit_dns_open(struct audit_dns *ad, const struct run_dns *d)
{
	memset(ad, 0, sizeof *ad);
	if (d->dns) {
		/* the audit's answers are held until it is over */
		ad->view = dns_view_new(d->dns);
		ad->below = dns_view_resolver(ad->view);
	} else {
		ad->below = d->whole;
	}
	ad->tap = dns_tap_new(&ad->below, d->rec);
	ad->res = dns_tap_resolver(ad->tap);
}

unsigned long audit_dns_close(struct audit_dns *ad)
{
	unsigned long n = dns_tap_count(ad->tap);
	dns_tap_free(ad->tap);
	dns_view_free(ad->view);
	memset(ad, 0, sizeof *ad);
	return n;
}
