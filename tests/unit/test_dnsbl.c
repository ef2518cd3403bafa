/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/dnsbl (zone table, query names, answer decoding, public
 * resolver classification). */
#include <stdlib.h>
#include <sys/socket.h>

#include "../../lib/records/dnsbl.h"
#include "unit.h"

#define A4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static void decode1(const char *zone, uint32_t addr, struct dnsbl_verdict *v)
{
	struct dnsbl_zone tmp;
	dnsbl_decode(dnsbl_zone_get(zone, &tmp), &addr, 1, v);
}

static void t_table(struct unit_ctx *t)
{
	UNIT_CHECK(t, dnsbl_default_count() >= 9);
	for (size_t i = 0; i < dnsbl_default_count(); i++) {
		const struct dnsbl_zone *z = dnsbl_default_at(i);
		UNIT_CHECK(t, z->builtin && z->url && z->name && z->code_count > 0);
		UNIT_CHECK(t, name_is_dns(z->zone));
		UNIT_CHECK(t, dnsbl_zone_find(z->zone) == z);
		/* No dead lists (SORBS closed in June 2024). */
		UNIT_CHECK(t, strstr(z->zone, "sorbs") == NULL);
	}
	UNIT_CHECK(t, dnsbl_default_at(dnsbl_default_count()) == NULL);
	UNIT_CHECK(t, dnsbl_zone_find("nope.example") == NULL);
	const struct dnsbl_zone *zen = dnsbl_zone_find("zen.spamhaus.org");
	UNIT_CHECK(t, zen && (zen->types & DNSBL_IP6) && !(zen->types & DNSBL_DOMAIN));
	const struct dnsbl_zone *dbl = dnsbl_zone_find("dbl.spamhaus.org");
	UNIT_CHECK(t, dbl && dbl->types == DNSBL_DOMAIN);
	UNIT_CHECK(t, dnsbl_zone_find("multi.uribl.com")->match == DNSBL_BITMASK);
	UNIT_CHECK(t, dnsbl_zone_find("multi.surbl.org")->match == DNSBL_BITMASK);
	struct dnsbl_zone tmp;
	const struct dnsbl_zone *g = dnsbl_zone_get("my.bl.example", &tmp);
	UNIT_CHECK(t, g == &tmp && !g->builtin && g->types == DNSBL_IP4);
	UNIT_EQ_STR(t, g->zone, "my.bl.example");
}

static void t_qnames(struct unit_ctx *t)
{
	struct ipaddr ip;
	char why[64], buf[256];
	ip_parse("192.0.2.99", &ip, why, sizeof why);
	UNIT_CHECK(t, dnsbl_ip_qname(&ip, "zen.spamhaus.org", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "99.2.0.192.zen.spamhaus.org");
	ip_parse("2001:db8::1", &ip, why, sizeof why);
	UNIT_CHECK(t, dnsbl_ip_qname(&ip, "zen.spamhaus.org", buf, sizeof buf));
	UNIT_EQ_STR(t, buf,
	            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org");
	UNIT_CHECK(t, dnsbl_domain_qname("example.com", "dbl.spamhaus.org", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "example.com.dbl.spamhaus.org");
	/* RFC 5782 5 test points. */
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET, true, "bl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "2.0.0.127.bl.example");
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET, false, "bl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "1.0.0.127.bl.example");
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET6, true, "bl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example");
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET6, false, "bl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example");
	UNIT_CHECK(t, dnsbl_test_qname(0, true, "dbl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "test.dbl.example");
	UNIT_CHECK(t, dnsbl_test_qname(0, false, "dbl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "invalid.dbl.example");
	/* Too long for DNS (253 octets), or for the buffer: refused. */
	char longd[260];
	memset(longd, 'a', sizeof longd);
	for (size_t i = 60; i < 250; i += 61)
		longd[i] = '.';
	longd[250] = '\0';
	UNIT_CHECK(t, !dnsbl_domain_qname(longd, "dbl.spamhaus.org", buf, sizeof buf));
	UNIT_CHECK(t, !dnsbl_domain_qname("example.com", "dbl.spamhaus.org", buf, 10));
	const unsigned char b[4] = {127, 0, 1, 2};
	UNIT_EQ_INT(t, dnsbl_addr(b), A4(127, 0, 1, 2));
}

static void t_zen(struct unit_ctx *t)
{
	struct dnsbl_verdict v;
	decode1("zen.spamhaus.org", A4(127, 0, 0, 2), &v);
	UNIT_EQ_INT(t, v.state, DNSBL_IS_LISTED);
	UNIT_CHECK(t, !v.policy_only && !v.any_policy);
	UNIT_EQ_INT(t, v.hit_count, 1);
	UNIT_CHECK(t, strstr(v.hits[0].meaning, "SBL") != NULL);
	decode1("zen.spamhaus.org", A4(127, 0, 0, 4), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && strstr(v.hits[0].meaning, "XBL"));
	decode1("zen.spamhaus.org", A4(127, 0, 0, 9), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && strstr(v.hits[0].meaning, "DROP"));
	decode1("zen.spamhaus.org", A4(127, 0, 0, 10), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.policy_only && v.any_policy);
	decode1("zen.spamhaus.org", A4(127, 0, 0, 11), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.policy_only);
	/* SBL + PBL: a real listing that also carries the policy part. */
	uint32_t two[] = {A4(127, 0, 0, 11), A4(127, 0, 0, 2)};
	dnsbl_decode(dnsbl_zone_find("zen.spamhaus.org"), two, 2, &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && !v.policy_only && v.any_policy && v.hit_count == 2);
	/* An undocumented code is still a listing, without a meaning. */
	decode1("zen.spamhaus.org", A4(127, 0, 0, 42), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hits[0].meaning == NULL);
	/* Nothing = not listed. */
	dnsbl_decode(dnsbl_zone_find("zen.spamhaus.org"), NULL, 0, &v);
	UNIT_CHECK(t, v.state == DNSBL_NOT_LISTED && v.hit_count == 0);
}

static void t_errors(struct unit_ctx *t)
{
	struct dnsbl_verdict v;
	/* The whole of 127.255.255.0/24 is an error on Spamhaus zones. */
	for (unsigned last = 0; last < 256; last++) {
		decode1("zen.spamhaus.org", A4(127, 255, 255, last), &v);
		UNIT_CHECK(t, v.state == DNSBL_IS_ERROR && v.hits[0].kind == DNSBL_ERRCODE && v.hits[0].todo);
		decode1("dbl.spamhaus.org", A4(127, 255, 255, last), &v);
		UNIT_CHECK(t, v.state == DNSBL_IS_ERROR);
	}
	decode1("zen.spamhaus.org", A4(127, 255, 255, 254), &v);
	UNIT_CHECK(t, strstr(v.hits[0].meaning, "public or open resolver") != NULL);
	decode1("zen.spamhaus.org", A4(127, 255, 255, 252), &v);
	UNIT_CHECK(t, strstr(v.hits[0].meaning, "typo") != NULL);
	decode1("zen.spamhaus.org", A4(127, 255, 255, 255), &v);
	UNIT_CHECK(t, strstr(v.hits[0].meaning, "excessive") != NULL);
	decode1("dbl.spamhaus.org", A4(127, 0, 1, 255), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_ERROR && strstr(v.hits[0].meaning, "IP address"));
	/* Outside 127/8: never a listing, whatever the zone. */
	const char *zones[] = {"zen.spamhaus.org", "multi.uribl.com", "bl.spamcop.net", "unknown.example"};
	for (size_t i = 0; i < 4; i++) {
		decode1(zones[i], A4(10, 0, 0, 2), &v);
		UNIT_CHECK(t, v.state == DNSBL_IS_ERROR && v.hits[0].kind == DNSBL_RANGE);
		decode1(zones[i], A4(127, 0, 0, 1), &v);
		UNIT_CHECK(t, v.state == DNSBL_IS_ERROR && v.hits[0].kind == DNSBL_ERRCODE);
	}
	/* One bad answer spoils the lot, and is named first. */
	uint32_t mixed[] = {A4(127, 0, 0, 2), A4(192, 0, 2, 1)};
	dnsbl_decode(dnsbl_zone_find("zen.spamhaus.org"), mixed, 2, &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_ERROR && v.hits[0].kind == DNSBL_RANGE && v.hit_count == 2);
}

static void t_bitmask(struct unit_ctx *t)
{
	struct dnsbl_verdict v;
	decode1("multi.uribl.com", A4(127, 0, 0, 2), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == 1 && strstr(v.hits[0].meaning, "black"));
	decode1("multi.uribl.com", A4(127, 0, 0, 14), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == 3);
	decode1("multi.uribl.com", A4(127, 0, 0, 1), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_ERROR && strstr(v.hits[0].meaning, "refused"));
	decode1("multi.surbl.org", A4(127, 0, 0, 24), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == 2);
	UNIT_CHECK(t, strstr(v.hits[0].meaning, "PH") && strstr(v.hits[1].meaning, "MW"));
	/* SURBL: the middle octets are reserved and ignored. */
	decode1("multi.surbl.org", A4(127, 9, 9, 64), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == 1 && strstr(v.hits[0].meaning, "ABUSE"));
	/* An unknown bit is a listing without a meaning. */
	decode1("multi.surbl.org", A4(127, 0, 0, 2), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == 1 && v.hits[0].meaning == NULL);
	/* No bit set is still an answer, so still a listing (found by fuzz_dnsbl). */
	decode1("multi.surbl.org", A4(127, 149, 23, 0), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == 1 && v.hits[0].meaning == NULL);
	/* Hits are capped, never overflow. */
	uint32_t many[40];
	for (size_t i = 0; i < 40; i++)
		many[i] = A4(127, 0, 0, 254);
	dnsbl_decode(dnsbl_zone_find("multi.surbl.org"), many, 40, &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hit_count == DNSBL_MAX_HITS);
}

static void t_generic(struct unit_ctx *t)
{
	struct dnsbl_verdict v;
	decode1("bl.example", A4(127, 0, 0, 2), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED && v.hits[0].meaning == NULL);
	decode1("bl.example", A4(127, 1, 2, 3), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_LISTED);
	decode1("bl.example", A4(126, 0, 0, 2), &v);
	UNIT_CHECK(t, v.state == DNSBL_IS_ERROR);
}

static void t_public_resolver(struct unit_ctx *t)
{
	static const char *const pub[] = {"8.8.8.8",
	                                  "8.8.4.4#53",
	                                  "1.1.1.1",
	                                  "1.0.0.1",
	                                  "9.9.9.9",
	                                  "149.112.112.112",
	                                  "208.67.222.222",
	                                  "208.67.220.220",
	                                  "2001:4860:4860::8888",
	                                  "2606:4700:4700::1111#53",
	                                  "2620:fe::fe",
	                                  "127.0.0.1#5353, 1.1.1.1"};
	for (size_t i = 0; i < sizeof pub / sizeof *pub; i++)
		if (!UNIT_CHECK(t, dnsbl_public_resolver(pub[i]) != NULL))
			printf("     %s\n", pub[i]);
	UNIT_EQ_STR(t, dnsbl_public_resolver("8.8.8.8"), "Google Public DNS");
	UNIT_EQ_STR(t, dnsbl_public_resolver("1.1.1.1#53"), "Cloudflare");
	static const char *const priv[] = {"127.0.0.1", "127.0.0.1#5353", "192.0.2.53",
	                                   "::1",       "8.8.8.88",       "18.8.8.8",
	                                   "",          "garbage, , #",   "2001:4860:4860::1"};
	for (size_t i = 0; i < sizeof priv / sizeof *priv; i++)
		if (!UNIT_CHECK(t, dnsbl_public_resolver(priv[i]) == NULL))
			printf("     %s\n", priv[i]);
}

static const struct unit_case cases[] = {
    {"table", t_table},
    {"qnames", t_qnames},
    {"zen", t_zen},
    {"errors", t_errors},
    {"bitmask", t_bitmask},
    {"generic", t_generic},
    {"public_resolver", t_public_resolver},
};

UNIT_MAIN(cases)
