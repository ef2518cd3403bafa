/* SPDX-License-Identifier: ISC */
/* dnsbl: the built-in DNS blocklist table (dnsbl_zones.def), query names
 * (reversed IPv4, IPv6 nibbles, domains), RFC 5782 test points, and the
 * decoding of answers into listings, policy listings and error codes (see
 * dnsbl.h). Pure: no lookups. */
#include "dnsbl.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsbl_zones.def"

#define BUILTIN_COUNT (sizeof builtin_zones / sizeof *builtin_zones)

const struct dnsbl_zone *dnsbl_zone_find(const char *zone)
{
	for (size_t i = 0; i < BUILTIN_COUNT; i++)
		if (strcmp(builtin_zones[i].zone, zone) == 0)
			return &builtin_zones[i];
	return NULL;
}

size_t dnsbl_default_count(void)
{
	return BUILTIN_COUNT;
}

const struct dnsbl_zone *dnsbl_default_at(size_t i)
{
	return i < BUILTIN_COUNT ? &builtin_zones[i] : NULL;
}

const struct dnsbl_zone *dnsbl_zone_get(const char *zone, struct dnsbl_zone *tmp)
{
	const struct dnsbl_zone *z = dnsbl_zone_find(zone);
	if (z)
		return z;
	/* Unknown lists: the RFC 5782 conventions, IPv4 only (we cannot know
	 * whether the list carries IPv6, and "not listed" must not be guessed). */
	*tmp = (struct dnsbl_zone){zone, zone, DNSBL_IP4, DNSBL_EXACT, NULL, 0, NULL, false, NULL, zone};
	return tmp;
}

static bool join(const char *key, const char *zone, char *buf, size_t len)
{
	size_t k = strlen(key), z = strlen(zone);
	if (k + 1 + z >= len)
		return false;
	memcpy(buf, key, k);
	buf[k] = '.';
	memcpy(buf + k + 1, zone, z + 1);
	return name_is_dns(buf);
}

bool dnsbl_ip_qname(const struct ipaddr *ip, const char *zone, char *buf, size_t len)
{
	char key[80];
	ip_reverse_key(ip, key, sizeof key);
	return join(key, zone, buf, len);
}

bool dnsbl_domain_qname(const char *domain, const char *zone, char *buf, size_t len)
{
	return join(domain, zone, buf, len);
}

bool dnsbl_test_qname(int af, bool listed, const char *zone, char *buf, size_t len)
{
	if (af == 0)
		return join(listed ? "test" : "invalid", zone, buf, len);
	/* RFC 5782 5: 127.0.0.2 / ::FFFF:7F00:2 listed, .1 not. The IPv6 one
	 * is built by hand: ip_parse would take it for the IPv4 address. */
	struct ipaddr ip = {.af = af};
	static const unsigned char v4[4] = {127, 0, 0, 0}, v6[16] = {[10] = 0xff, [11] = 0xff, [12] = 127};
	memcpy(ip.b, af == AF_INET6 ? v6 : v4, af == AF_INET6 ? 16 : 4);
	ip.b[af == AF_INET6 ? 15 : 3] = listed ? 2 : 1;
	return dnsbl_ip_qname(&ip, zone, buf, len); /* reads the octets, not ip.text */
}

bool dnsbl_alt_test_qname(const struct dnsbl_zone *z, char *buf, size_t len)
{
	return z->test_domain && join(z->test_domain, z->zone, buf, len);
}

uint32_t dnsbl_addr(const unsigned char *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

static void hit(struct dnsbl_verdict *v, uint32_t addr, enum dnsbl_kind kind, const char *meaning,
                const char *todo)
{
	if (v->hit_count < DNSBL_MAX_HITS)
		v->hits[v->hit_count++] = (struct dnsbl_hit){addr, kind, meaning, todo};
}

/* The first exact code (or range) matching addr, or NULL. */
static const struct dnsbl_code *exact_code(const struct dnsbl_zone *z, uint32_t addr)
{
	for (size_t i = 0; i < z->code_count; i++) {
		const struct dnsbl_code *c = &z->codes[i];
		if (c->mask && (addr & c->mask) == (c->addr & c->mask))
			return c;
	}
	return NULL;
}

static const char *const range_meaning =
    "answer outside 127.0.0.0/8: the zone is wildcarded or a resolver rewrites answers";
static const char *const range_todo =
    "Use a resolver that does not rewrite NXDOMAIN answers (your own recursive "
    "resolver), and check that the zone name is a working blocklist";
static const char *const loop_meaning =
    "127.0.0.1 is the RFC 5782 \"never listed\" address: the list refused the "
    "query or is broken";
static const char *const loop_todo =
    "Query the list through your own recursive resolver (not a public one), or "
    "use the list's paid or registered access";

static void decode_one(const struct dnsbl_zone *z, uint32_t addr, struct dnsbl_verdict *v)
{
	if ((addr >> 24) != 127) {
		hit(v, addr, DNSBL_RANGE, range_meaning, range_todo);
		return;
	}
	const struct dnsbl_code *c = exact_code(z, addr);
	if (c) {
		hit(v, addr, c->kind, c->meaning, c->todo);
		return;
	}
	if (addr == A(127, 0, 0, 1)) {
		hit(v, addr, DNSBL_ERRCODE, loop_meaning, loop_todo);
		return;
	}
	if (z->match == DNSBL_BITMASK) {
		/* Only the last octet counts (SURBL: the middle octets are
		 * reserved and to be ignored). Unknown bits are still a listing:
		 * RFC 5782 2.1 makes any A record one. */
		unsigned last = addr & 0xff, known = 0;
		for (size_t i = 0; i < z->code_count; i++) {
			const struct dnsbl_code *b = &z->codes[i];
			if (b->mask == 0 && (last & b->addr)) {
				hit(v, addr, b->kind, b->meaning, NULL);
				known |= b->addr;
			}
		}
		if ((last & ~known) || last == 0) /* no bit at all: still an answer */
			hit(v, addr, DNSBL_LISTED, NULL, NULL);
		return;
	}
	hit(v, addr, DNSBL_LISTED, NULL, NULL);
}

void dnsbl_decode(const struct dnsbl_zone *z, const uint32_t *addrs, size_t n, struct dnsbl_verdict *out)
{
	memset(out, 0, sizeof *out);
	struct dnsbl_verdict all = {0};
	for (size_t i = 0; i < n; i++)
		decode_one(z, addrs[i], &all);
	bool error = false;
	for (size_t i = 0; i < all.hit_count; i++)
		if (all.hits[i].kind == DNSBL_ERRCODE || all.hits[i].kind == DNSBL_RANGE)
			error = true;
	/* Errors first, so a report names why it cannot be trusted. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < all.hit_count; i++) {
			bool is_err = all.hits[i].kind == DNSBL_ERRCODE || all.hits[i].kind == DNSBL_RANGE;
			if (is_err == (pass == 0))
				out->hits[out->hit_count++] = all.hits[i];
		}
	if (error) {
		out->state = DNSBL_IS_ERROR;
		return;
	}
	if (!out->hit_count)
		return;
	out->state = DNSBL_IS_LISTED;
	out->policy_only = true;
	for (size_t i = 0; i < out->hit_count; i++) {
		if (out->hits[i].kind == DNSBL_POLICY)
			out->any_policy = true;
		else
			out->policy_only = false;
	}
}

/* Resolvers run for the public (their operators' documentation); the big
 * lists refuse queries from them or answer error codes. */
static const struct {
	const char *addr, *name;
} public_resolvers[] = {
    {"8.8.8.8", "Google Public DNS"},
    {"8.8.4.4", "Google Public DNS"},
    {"2001:4860:4860::8888", "Google Public DNS"},
    {"2001:4860:4860::8844", "Google Public DNS"},
    {"1.1.1.1", "Cloudflare"},
    {"1.0.0.1", "Cloudflare"},
    {"2606:4700:4700::1111", "Cloudflare"},
    {"2606:4700:4700::1001", "Cloudflare"},
    {"9.9.9.9", "Quad9"},
    {"149.112.112.112", "Quad9"},
    {"2620:fe::fe", "Quad9"},
    {"2620:fe::9", "Quad9"},
    {"208.67.222.222", "OpenDNS"},
    {"208.67.220.220", "OpenDNS"},
    {"2620:119:35::35", "OpenDNS"},
    {"2620:119:53::53", "OpenDNS"},
};

const char *dnsbl_public_resolver(const char *text)
{
	const char *p = text;
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		char one[80];
		if (n && n < sizeof one) {
			memcpy(one, p, n);
			one[n] = '\0';
			one[strcspn(one, "#")] = '\0';
			if (one[0] == '[') { /* "[v6]" */
				memmove(one, one + 1, strlen(one));
				one[strcspn(one, "]")] = '\0';
			}
			unsigned char got[16], want[16];
			int af = strchr(one, ':') ? AF_INET6 : AF_INET;
			if (inet_pton(af, one, got) == 1)
				for (size_t i = 0; i < sizeof public_resolvers / sizeof *public_resolvers;
				     i++) {
					const char *w = public_resolvers[i].addr;
					if ((strchr(w, ':') ? AF_INET6 : AF_INET) == af &&
					    inet_pton(af, w, want) == 1 &&
					    memcmp(got, want, af == AF_INET ? 4 : 16) == 0)
						return public_resolvers[i].name;
				}
		}
		p += n;
	}
	return NULL;
}
