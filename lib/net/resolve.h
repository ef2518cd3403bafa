/* resolve: how the transports that do not speak DNS themselves (http,
 * whois) learn a server's addresses. The audit hands them one that asks
 * lib/dns, so --resolver, the lookup timeout and the DNS statistics hold
 * for them too, and nothing reads /etc/resolv.conf behind the audit's back. */
#ifndef SA_RESOLVE_H
#define SA_RESOLVE_H

#include <stddef.h>

#include "../util/names.h"

#define RESOLVE_MAX_ADDRS 8

struct host_resolver {
	void *ctx;
	/* Fills addrs (up to max) with host's addresses and returns how many,
	 * or -1 with a reason in why. An address literal is returned as is. */
	int (*resolve)(void *ctx, const char *host, struct ipaddr *addrs, size_t max, char *why, size_t whylen);
};

#endif
