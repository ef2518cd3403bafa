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

#include "../util/clock.h"
#include "../util/xalloc.h"
#include "resolver.h"
#include "tcp.h"

#define WHOIS_MAX (256 * 1024)

/* Connects to one of host's addresses (from res, or the system's resolver
 * when res has none) without passing the deadline. */
static int connect_host(const struct resolver *res, const char *host, int port, int64_t deadline,
                        char *why, size_t whylen)
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
		if (poll(&p, 1, tcp_remaining(deadline)) != 1)
			break;
		ssize_t w = send(fd, q + off, ql - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	while (off == ql) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, tcp_remaining(deadline)) != 1) {
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
static void each_field(const char *text, bool (*fn)(const char *k, const char *v, void *ctx), void *ctx)
{
	const char *p = text;
	while (*p) {
		size_t ll = strcspn(p, "\r\n");
		char *line = xstrndup(p, ll);
		p += ll;
		while (*p == '\r' || *p == '\n')
			p++;
		char *colon = strchr(line, ':');
		if (colon && line[0] != '%' && line[0] != '#' && line[0] != '>') {
			*colon = '\0';
			char *k = line, *v = colon + 1;
			while (isspace((unsigned char)*k))
				k++;
			size_t kl = strlen(k);
			while (kl && isspace((unsigned char)k[kl - 1]))
				k[--kl] = '\0';
			while (isspace((unsigned char)*v))
				v++;
			size_t vl = strlen(v);
			while (vl && isspace((unsigned char)v[vl - 1]))
				v[--vl] = '\0';
			if (*k && *v && fn(k, v, ctx)) {
				free(line);
				return;
			}
		}
		free(line);
	}
}

static bool find_refer(const char *k, const char *v, void *ctx)
{
	char **out = ctx;
	if ((strcasecmp(k, "refer") == 0 || strcasecmp(k, "whois") == 0) && !strchr(v, ' ')) {
		*out = xstrdup(v);
		return true;
	}
	return false;
}

char *whois_referral_new(const char *text)
{
	char *out = NULL;
	each_field(text, find_refer, &out);
	return out;
}

static bool key_in(const char *k, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcasecmp(k, *keys) == 0)
			return true;
	return false;
}

struct parse {
	struct rdap_domain *d;
	int fields;
	char *org, *name;
};

static bool take_field(const char *k, const char *v, void *ctx)
{
	static const char *const created[] = {
	    "Creation Date", "created", "Registered on", "Registration Time", "Domain Registration Date",
	    "registered",    NULL};
	static const char *const expiry[] = {"Registry Expiry Date",
	                                     "Expiration Date",
	                                     "Expiry Date",
	                                     "expires",
	                                     "paid-till",
	                                     "Expiration Time",
	                                     "Registrar Registration Expiration Date",
	                                     NULL};
	static const char *const status[] = {"Domain Status", "status", "state", NULL};
	struct parse *ps = ctx;
	struct rdap_domain *d = ps->d;
	time_t t;
	if (key_in(k, created) && !d->registered && rdap_time_parse(v, &t) == 0) {
		d->registered = t;
	} else if (key_in(k, expiry) && !d->expires && rdap_time_parse(v, &t) == 0) {
		d->expires = t;
	} else if (key_in(k, status)) {
		/* "clientHold https://icann.org/epp#clientHold": the code only */
		char *s = xstrndup(v, strcspn(v, " \t("));
		strv_add_unique(&d->status, s);
		free(s);
	} else if (strcasecmp(k, "Registrant Organization") == 0 ||
	           strcasecmp(k, "Registrant Organisation") == 0) {
		if (!ps->org)
			ps->org = xstrdup(v);
	} else if (strcasecmp(k, "Registrant Name") == 0 || strcasecmp(k, "Registrant") == 0) {
		if (!ps->name)
			ps->name = xstrdup(v);
	} else if (strcasecmp(k, "Registrar") == 0 || strcasecmp(k, "Sponsoring Registrar") == 0) {
		if (!d->registrar) {
			d->registrar = xstrdup(v);
			d->registrar_present = true;
		}
	} else if (strcasecmp(k, "Registrar Abuse Contact Email") == 0) {
		strv_add_unique(&d->registrar_abuse, v);
	} else {
		return false;
	}
	ps->fields++;
	return false;
}

int whois_parse_domain(const char *text, const char *domain, struct rdap_domain *d)
{
	memset(d, 0, sizeof *d);
	d->whois = true;
	d->ldh = xstrdup(domain);
	/* Registries say "no such domain" in their own words, at a line start. */
	static const char *const absent[] = {"No match for",     "NOT FOUND",        "No Data Found",
	                                     "No entries found", "No Object Found",  "Domain not found",
	                                     "Status: free",     "Status: AVAILABLE"};
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
			if (strncasecmp(line, absent[i], strlen(absent[i])) == 0)
				return 0;
	}
	struct parse ps = {d, 0, NULL, NULL};
	each_field(text, take_field, &ps);
	if (ps.fields == 0) {
		free(ps.org);
		free(ps.name);
		return -1;
	}
	const char *probe[2] = {ps.org, ps.name};
	for (int i = 0; i < 2 && d->reg == RDAP_REG_NONE; i++) {
		const char *svc = rdap_proxy_service(probe[i]);
		if (svc) {
			d->reg = RDAP_REG_PROXY;
			d->registrant = xstrdup(probe[i]);
			d->why_reg =
			    xasprintf("the registrant \"%.100s\" matches the privacy/proxy service \"%s\"",
			              probe[i], svc);
		}
	}
	for (int i = 0; i < 2 && d->reg == RDAP_REG_NONE; i++) {
		if (!probe[i])
			continue;
		if (strcasestr(probe[i], "redacted") || strcasestr(probe[i], "data protected") ||
		    strcasestr(probe[i], "not disclosed")) {
			d->reg = RDAP_REG_REDACTED;
			d->why_reg = xstrdup("the registrant is marked \"REDACTED FOR PRIVACY\"");
		} else {
			d->reg = RDAP_REG_IDENTIFIED;
			d->registrant = xstrdup(probe[i]);
		}
	}
	free(ps.org);
	free(ps.name);
	return 1;
}

int whois_domain_lookup(const struct resolver *res, const char *iana_host, int port, const char *domain,
                        int timeout_ms, struct rdap_domain *d, char **server, char *why, size_t whylen)
{
	memset(d, 0, sizeof *d);
	*server = NULL;
	const char *tld = strrchr(domain, '.');
	tld = tld ? tld + 1 : domain;
	char *iana = whois_query_new(res, iana_host, port, tld, timeout_ms, why, whylen);
	if (!iana)
		return -1;
	char *ref = whois_referral_new(iana);
	free(iana);
	if (!ref) {
		snprintf(why, whylen, "%s names no WHOIS server for .%s", iana_host, tld);
		return -1;
	}
	*server = ref;
	char *text = whois_query_new(res, ref, port, domain, timeout_ms, why, whylen);
	if (!text)
		return -1;
	int rc = whois_parse_domain(text, domain, d);
	free(text);
	if (rc < 0)
		snprintf(why, whylen, "the answer of WHOIS server %s has no fields senderaudit knows", ref);
	return rc;
}
