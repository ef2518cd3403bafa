/* SPDX-License-Identifier: ISC */
/* whois: one WHOIS exchange over TCP port 43 (RFC 3912), see whois.h: the
 * host resolved through the caller's resolver, the exchange bounded in time
 * and size. Reading the answers is lib/records/whois_domain.c's. */
#include "whois.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../proc/workpool.h"
#include "../util/clock.h"
#include "../util/xalloc.h"
#include "resolver.h"
#include "tcp.h"

#define WHOIS_MAX (256 * 1024)

/* Connects to one of host's addresses (from res, or the system's resolver
 * when res has none) without passing the deadline. */
static int connect_host(const struct resolver *res, const char *host, int port, int64_t deadline, char *why,
                        size_t whylen)
{
	int fd = -1, err = 0;
	if (res) {
		struct ipaddr addrs[RESOLVE_MAX_ADDRS];
		char w[200];
		int n = resolver_host_addrs(res, host, addrs, RESOLVE_MAX_ADDRS, w, sizeof w);
		if (n < 0) {
			snprintf(why, whylen, "WHOIS server %s: %s", host, w);
			return -1;
		}
		for (int i = 0; i < n && fd < 0 && tcp_remaining(deadline); i++) {
			fd = tcp_connect_ip(&addrs[i], port, deadline);
			if (fd < 0)
				err = errno;
		}
	} else {
		char ps[16];
		snprintf(ps, sizeof ps, "%d", port);
		struct addrinfo hints = {0}, *ai0 = NULL;
		hints.ai_socktype = SOCK_STREAM;
		int gr = getaddrinfo(host, ps, &hints, &ai0);
		if (gr != 0) {
			snprintf(why, whylen, "cannot resolve WHOIS server %s: %s", host, gai_strerror(gr));
			return -1;
		}
		for (struct addrinfo *ai = ai0; ai && fd < 0 && tcp_remaining(deadline); ai = ai->ai_next) {
			fd = tcp_connect_sa(ai->ai_addr, ai->ai_addrlen, deadline);
			if (fd < 0)
				err = errno;
		}
		freeaddrinfo(ai0);
	}
	if (fd < 0)
		snprintf(why, whylen, "cannot connect to WHOIS server %s port %d: %s", host, port,
		         err == ETIMEDOUT || !err ? "timed out" : strerror(err));
	return fd;
}

char *whois_query_new(const struct resolver *res, const char *host, int port, const char *query,
                      int timeout_ms, char *why, size_t whylen)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int fd = connect_host(res, host, port, deadline, why, whylen);
	if (fd < 0)
		return NULL;
	char *q = xasprintf("%s\r\n", query);
	size_t ql = strlen(q), off = 0;
	char *buf = xmalloc(WHOIS_MAX + 1);
	size_t n = 0;
	bool ok = false;
	while (off < ql) {
		struct pollfd p = {fd, POLLOUT, 0};
		if (workpool_poll(&p, 1, tcp_remaining(deadline)) != 1)
			break;
		ssize_t w = send(fd, q + off, ql - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	while (off == ql) {
		struct pollfd p = {fd, POLLIN, 0};
		if (workpool_poll(&p, 1, tcp_remaining(deadline)) != 1) {
			snprintf(why, whylen, "WHOIS server %s did not finish its answer within %d ms", host,
			         timeout_ms);
			break;
		}
		ssize_t r = recv(fd, buf + n, WHOIS_MAX - n, 0);
		if (r == 0) {
			ok = true;
			break;
		}
		if (r < 0) {
			snprintf(why, whylen, "reading from WHOIS server %s: %s", host, strerror(errno));
			break;
		}
		n += (size_t)r;
		if (n == WHOIS_MAX) {
			snprintf(why, whylen, "the answer of WHOIS server %s is larger than %d bytes", host,
			         WHOIS_MAX);
			break;
		}
	}
	if (off != ql)
		snprintf(why, whylen, "cannot send the query to WHOIS server %s", host);
	close(fd);
	free(q);
	if (!ok) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	/* NULs would cut the text short silently: make them visible. */
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	return buf;
}

/* Calls fn(key, value) for each "Key: value" line; stops when fn returns true. */
