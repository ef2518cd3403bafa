/* SPDX-License-Identifier: ISC */
/* resolver: the DNS interface of checks and record evaluators (see
 * resolver.h), lib/dns behind it, and host-address lookups for the
 * transports that connect by name (RDAP over HTTP, WHOIS). */
#include "resolver.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "../util/xalloc.h"

void resolver_prefetch(const struct resolver *r, const char *name, uint16_t type)
{
	if (r->prefetch)
		r->prefetch(r->ctx, name, type);
}

const struct dns_answer *resolver_query(const struct resolver *r, const char *name, uint16_t type)
{
	return r->query(r->ctx, name, type);
}

const char *resolver_servers(const struct resolver *r)
{
	return r->servers ? r->servers(r->ctx) : "the resolver";
}

void resolver_prefetch_ex(const struct resolver *r, const char *name, uint16_t type, unsigned flags)
{
	if (r->prefetch_ex)
		r->prefetch_ex(r->ctx, name, type, flags);
	else
		resolver_prefetch(r, name, type);
}

const struct dns_answer *resolver_query_ex(const struct resolver *r, const char *name, uint16_t type,
                                           unsigned flags)
{
	return r->query_ex ? r->query_ex(r->ctx, name, type, flags) : r->query(r->ctx, name, type);
}

void resolver_prefetch_many(const struct resolver *r, const struct dns_question *q, size_t n, unsigned flags)
{
	if (r->prefetch_many) {
		r->prefetch_many(r->ctx, q, n, flags);
		return;
	}
	for (size_t i = 0; i < n; i++)
		resolver_prefetch_ex(r, q[i].name, q[i].type, flags);
}

void resolver_cap_zones(const struct resolver *r, const struct dns_zone_cap *caps, size_t n)
{
	if (r->cap_zones) {
		r->cap_zones(r->ctx, caps, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (r->limit_zone)
			r->limit_zone(r->ctx, caps[i].zone, caps[i].max_inflight);
		if (r->rate_zone)
			r->rate_zone(r->ctx, caps[i].zone, caps[i].key, caps[i].qps);
	}
}

static void dns_pre(void *ctx, const char *name, uint16_t type)
{
	dns_prefetch(ctx, name, type);
}

static const struct dns_answer *dns_ask(void *ctx, const char *name, uint16_t type)
{
	return dns_query(ctx, name, type);
}

static void dns_pre_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	dns_prefetch_ex(ctx, name, type, flags);
}

static const struct dns_answer *dns_ask_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	return dns_query_ex(ctx, name, type, flags);
}

static const char *dns_servers(void *ctx)
{
	return dns_servers_text(ctx);
}

static void dns_limit(void *ctx, const char *zone, int max_inflight)
{
	dns_limit_zone(ctx, zone, max_inflight);
}

static void dns_expect(void *ctx, const char *name)
{
	dns_expect_tld(ctx, name);
}

static void dns_rate(void *ctx, const char *zone, const char *key, double qps)
{
	dns_rate_zone(ctx, zone, key, qps);
}

static void dns_caps(void *ctx, const struct dns_zone_cap *caps, size_t n)
{
	dns_cap_zones(ctx, caps, n);
}

struct resolver dns_resolver(struct dns *d)
{
	return (struct resolver){.ctx = d,
	                         .prefetch = dns_pre,
	                         .query = dns_ask,
	                         .servers = dns_servers,
	                         .limit_zone = dns_limit,
	                         .expect_tld = dns_expect,
	                         .rate_zone = dns_rate,
	                         .prefetch_ex = dns_pre_ex,
	                         .query_ex = dns_ask_ex,
	                         .cap_zones = dns_caps};
}

static void view_pre(void *ctx, const char *name, uint16_t type)
{
	dns_view_prefetch(ctx, name, type);
}

static const struct dns_answer *view_ask(void *ctx, const char *name, uint16_t type)
{
	return dns_view_query(ctx, name, type);
}

static const char *view_servers(void *ctx)
{
	return dns_servers_text(dns_view_dns(ctx));
}

static void view_limit(void *ctx, const char *zone, int max_inflight)
{
	dns_limit_zone(dns_view_dns(ctx), zone, max_inflight);
}

static void view_expect(void *ctx, const char *name)
{
	dns_expect_tld(dns_view_dns(ctx), name);
}

static void view_rate(void *ctx, const char *zone, const char *key, double qps)
{
	dns_rate_zone(dns_view_dns(ctx), zone, key, qps);
}

static void view_pre_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	dns_view_prefetch_ex(ctx, name, type, flags);
}

static const struct dns_answer *view_ask_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	return dns_view_query_ex(ctx, name, type, flags);
}

static void view_pre_many(void *ctx, const struct dns_question *q, size_t n, unsigned flags)
{
	dns_view_prefetch_many(ctx, q, n, flags);
}

static void view_caps(void *ctx, const struct dns_zone_cap *caps, size_t n)
{
	dns_cap_zones(dns_view_dns(ctx), caps, n);
}

struct resolver dns_view_resolver(struct dns_view *v)
{
	return (struct resolver){.ctx = v,
	                         .prefetch = view_pre,
	                         .query = view_ask,
	                         .servers = view_servers,
	                         .limit_zone = view_limit,
	                         .expect_tld = view_expect,
	                         .rate_zone = view_rate,
	                         .prefetch_ex = view_pre_ex,
	                         .query_ex = view_ask_ex,
	                         .prefetch_many = view_pre_many,
	                         .cap_zones = view_caps};
}

/* ------------------------------------------------------------ logging */

/* A question is kept once: an evaluation repeats few, a linear search is
 * enough. */
static void note(struct resolver_log *log, const char *name, uint16_t type)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->q[i].type == type && strcasecmp(log->q[i].name, name) == 0)
			return;
	xgrow(&log->q, &log->cap, log->n + 1, sizeof *log->q);
	log->q[log->n++] = (struct resolver_question){xstrdup(name), type};
}

static void log_pre(void *ctx, const char *name, uint16_t type)
{
	struct resolver_log *log = ctx;
	log->inner->prefetch(log->inner->ctx, name, type);
}

static const struct dns_answer *log_ask(void *ctx, const char *name, uint16_t type)
{
	struct resolver_log *log = ctx;
	note(log, name, type);
	return log->inner->query(log->inner->ctx, name, type);
}

static const char *log_servers(void *ctx)
{
	struct resolver_log *log = ctx;
	return log->inner->servers(log->inner->ctx);
}

static void log_limit(void *ctx, const char *zone, int max_inflight)
{
	struct resolver_log *log = ctx;
	log->inner->limit_zone(log->inner->ctx, zone, max_inflight);
}

static void log_expect(void *ctx, const char *name)
{
	struct resolver_log *log = ctx;
	log->inner->expect_tld(log->inner->ctx, name);
}

static void log_rate(void *ctx, const char *zone, const char *key, double qps)
{
	struct resolver_log *log = ctx;
	log->inner->rate_zone(log->inner->ctx, zone, key, qps);
}

static void log_pre_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	struct resolver_log *log = ctx;
	log->inner->prefetch_ex(log->inner->ctx, name, type, flags);
}

static const struct dns_answer *log_ask_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	struct resolver_log *log = ctx;
	if (!flags)
		note(log, name, type);
	return log->inner->query_ex(log->inner->ctx, name, type, flags);
}

static void log_release(void *ctx, const char *name, uint16_t type, unsigned flags,
                        const struct dns_answer *a)
{
	struct resolver_log *log = ctx;
	log->inner->release(log->inner->ctx, name, type, flags, a);
}

struct resolver resolver_logging(struct resolver_log *log, const struct resolver *inner)
{
	*log = (struct resolver_log){.inner = inner};
	/* what inner lacks, the logging resolver lacks: the callers' fallbacks
	 * (resolver_query_ex without query_ex, ...) stay the same */
	return (struct resolver){.ctx = log,
	                         .prefetch = inner->prefetch ? log_pre : NULL,
	                         .query = log_ask,
	                         .servers = inner->servers ? log_servers : NULL,
	                         .limit_zone = inner->limit_zone ? log_limit : NULL,
	                         .expect_tld = inner->expect_tld ? log_expect : NULL,
	                         .rate_zone = inner->rate_zone ? log_rate : NULL,
	                         .prefetch_ex = inner->prefetch_ex ? log_pre_ex : NULL,
	                         .query_ex = inner->query_ex ? log_ask_ex : NULL,
	                         .release = inner->release ? log_release : NULL};
}

void resolver_log_clear(struct resolver_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		free(log->q[i].name);
	free(log->q);
	*log = (struct resolver_log){0};
}

int resolver_host_addrs(const struct resolver *r, const char *host, struct ipaddr *out, size_t max, char *why,
                        size_t whylen)
{
	char lit[64];
	snprintf(lit, sizeof lit, "%s", host);
	size_t hl = strlen(lit);
	if (hl > 2 && lit[0] == '[' && lit[hl - 1] == ']') {
		memmove(lit, lit + 1, hl - 2);
		lit[hl - 2] = '\0';
	}
	char w[80];
	if (max && strlen(host) < sizeof lit && ip_parse(lit, &out[0], w, sizeof w) == 0)
		return 1;
	resolver_prefetch(r, host, DNS_T_A);
	resolver_prefetch(r, host, DNS_T_AAAA);
	const struct dns_answer *both[2] = {resolver_query(r, host, DNS_T_A),
	                                    resolver_query(r, host, DNS_T_AAAA)};
	size_t n = 0;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; both[k]->status == DNS_OK && i < both[k]->rr_count && n < max; i++) {
			struct ipaddr *ip = &out[n++];
			memset(ip, 0, sizeof *ip);
			ip->af = k == 0 ? AF_INET : AF_INET6;
			memcpy(ip->b, both[k]->rrs[i].addr, k == 0 ? 4 : 16);
			inet_ntop(ip->af, ip->b, ip->text, sizeof ip->text);
		}
	if (n)
		return (int)n;
	const struct dns_answer *bad = !dns_status_answered(both[0]->status) ? both[0] : both[1];
	if (!dns_status_answered(bad->status))
		snprintf(why, whylen, "cannot resolve %.100s: %s", host, dns_answer_why(bad));
	else
		snprintf(why, whylen, "%.100s has no address (%s)", host, dns_status_name(both[0]->status));
	return -1;
}
