/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/records/generic.c: the rdns.generic heuristic. */
#include "unit.h"

#include <stdlib.h>

#include "../../lib/records/generic.h"

struct row {
	const char *name;
	const char *ip; /* NULL = unknown */
	enum status status;
	int octets;           /* -1 = don't check */
	const char *encoding; /* NULL = don't check */
	const char *keyword;  /* NULL = don't check */
};

static bool parse_ip(const char *s, struct ipaddr *ip)
{
	char why[128];
	return s && *s && ip_parse(s, ip, why, sizeof(why)) == 0;
}

static void classify(const char *name, const char *reg, const char *ipt, struct generic_verdict *v)
{
	struct ipaddr ip;
	bool have = parse_ip(ipt, &ip);
	generic_classify(name, reg, have ? &ip : NULL, v);
}

/* The verdict's strings are terminated within their buffers and the status is
 * one of the three. */
static void check_sane(struct unit_ctx *t, const struct generic_verdict *v)
{
	UNIT_CHECK(t, v->status == STATUS_PASS || v->status == STATUS_WARN || v->status == STATUS_FAIL);
	UNIT_CHECK(t, memchr(v->octets_text, '\0', sizeof(v->octets_text)) != NULL);
	UNIT_CHECK(t, memchr(v->encoding, '\0', sizeof(v->encoding)) != NULL);
	UNIT_CHECK(t, memchr(v->keyword, '\0', sizeof(v->keyword)) != NULL);
	UNIT_CHECK(t, memchr(v->reason, '\0', sizeof(v->reason)) != NULL);
	UNIT_CHECK(t, memchr(v->shape, '\0', sizeof(v->shape)) != NULL);
	UNIT_CHECK(t, v->reason[0] != '\0');
	UNIT_CHECK(t, v->octets >= 0 && v->octets <= 8);
}

static void run_rows(struct unit_ctx *t, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct generic_verdict v;
		const struct row *r = &rows[i];
		classify(r->name, NULL, r->ip, &v);
		check_sane(t, &v);
		bool ok = v.status == r->status && (r->octets < 0 || v.octets == r->octets) &&
		          (!r->encoding || strcmp(v.encoding, r->encoding) == 0) &&
		          (!r->keyword || strcmp(v.keyword, r->keyword) == 0);
		if (!unit_check(t, ok, r->name, __FILE__, __LINE__))
			printf("     %s %s: got %s, %d octets, '%s', '%s' (%s)\n", r->name,
			       r->ip ? r->ip : "-", status_name(v.status), v.octets, v.encoding, v.keyword,
			       v.reason);
	}
}

#define P STATUS_PASS
#define W STATUS_WARN
#define F STATUS_FAIL

static void test_encodings_v4(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"192-0-2-7.example.net", "192.0.2.7", W, 4, "dashed", ""},
	    {"198.51.100.7.example.net", "198.51.100.7", W, 4, "dotted", ""},
	    {"192_0_2_7.example.net", "192.0.2.7", W, 4, "underscored", ""},
	    {"7.2.0.192.example.net", "192.0.2.7", W, 4, "reversed", ""},
	    {"7-100-51-198.example.net", "198.51.100.7", W, 4, "reversed", ""},
	    {"198.51-100-7.example.net", "198.51.100.7", W, 4, "split", ""},
	    {"198-51.cust.100-7.example.net", "198.51.100.7", F, 4, "split", "cust"},
	    {"203x0x113x9.example.net", "203.0.113.9", W, 4, "x-separated", ""},
	    {"d51-198-7-100.example.net", "198.51.100.7", W, 4, "out of order", ""},
	    {"dhcp024-210-034-053.columbus.rr.com", "24.210.34.53", F, 4, "zero-padded", "dhcp"},
	    {"dhcp192-000-002-007.example.net", "192.0.2.7", F, 4, "zero-padded", "dhcp"},
	    {"192000002007.example.net", "192.0.2.7", W, 4, "zero-padded", ""},
	    {"007002000192.example.net", "192.0.2.7", W, 4, "zero-padded", ""},
	    {"c0000207.example.net", "192.0.2.7", W, 4, "hex", ""},
	    {"C0000207.example.net", "192.0.2.7", W, 4, "hex", ""},
	    {"070200c0.example.net", "192.0.2.7", W, 4, "hex", ""},
	    {"pd9e4f89f.dip.t-dialin.net", "217.228.248.159", F, 4, "hex", "dip"},
	    {"pD9E4F89F.dip.t-dialin.net", "217.228.248.159", F, 4, "hex", "dip"},
	    {"0xc0000207.dhcp.example.net", "192.0.2.7", F, 4, "hex", "dhcp"},
	    {"ool-18be1aaf.dyn.optonline.net", "24.190.26.175", F, 4, "hex", "dyn"},
	    {"3221225991.example.net", "192.0.2.7", W, 4, "decimal", ""},
	    {"host-3221225991.example.net", "192.0.2.7", F, 4, "decimal", "host"},
	    {"modemcable090.28-201-24.mc.videotron.ca", "24.201.28.90", F, 4, "reversed", "modemcable"},
	    {"[192.0.2.7]", "192.0.2.7", W, 4, "literal", ""},
	    {"192.0.2.7", "192.0.2.7", W, 4, "literal", ""},
	    {"[192.0.2.8]", "192.0.2.7", W, 0, "", ""},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));
}

/* Every keyword: with the IP it fails; alone it warns; glued to more letters
 * it is no keyword. */
static void test_keyword_families(struct unit_ctx *t)
{
	static const char *const kws[] = {
	    "dyn",         "dynamic", "dynip",      "dhcp",       "ddns",      "pool",   "dsl",  "adsl",
	    "vdsl",        "xdsl",    "cable",      "catv",       "docsis",    "cpe",    "ppp",  "pppoe",
	    "pptp",        "dial",    "dialup",     "dialin",     "dip",       "modem",  "isdn", "cust",
	    "customer",    "client",  "user",       "subscriber", "broadband", "bb",     "res",  "resnet",
	    "residential", "home",    "nat",        "wireless",   "wlan",      "mobile", "lte",  "ftth",
	    "fttx",        "fiber",   "unassigned", "unknown",    "generic",   "host",   "ip",   "pc",
	    "node",        "cm",      "rev",        "reverse",
	};
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		char name[128];
		struct generic_verdict v;

		snprintf(name, sizeof(name), "%s-198-51-100-23.example.net", kws[i]);
		classify(name, NULL, "198.51.100.23", &v);
		if (!unit_check(t, v.status == STATUS_FAIL && strcmp(v.keyword, kws[i]) == 0, name, __FILE__,
		                __LINE__))
			printf("     got %s '%s' (%s)\n", status_name(v.status), v.keyword, v.reason);

		snprintf(name, sizeof(name), "%s.example.net", kws[i]);
		classify(name, NULL, "198.51.100.23", &v);
		if (!unit_check(t, v.status == STATUS_WARN && strcmp(v.keyword, kws[i]) == 0, name, __FILE__,
		                __LINE__))
			printf("     got %s '%s' (%s)\n", status_name(v.status), v.keyword, v.reason);

		/* The prefix form: the keyword glued to digits. */
		snprintf(name, sizeof(name), "%s17.example.net", kws[i]);
		classify(name, NULL, "198.51.100.23", &v);
		if (!unit_check(t, v.status != STATUS_PASS && strcmp(v.keyword, kws[i]) == 0, name, __FILE__,
		                __LINE__))
			printf("     got %s '%s' (%s)\n", status_name(v.status), v.keyword, v.reason);

		snprintf(name, sizeof(name), "%szq-198-51-100-23.example.net", kws[i]);
		classify(name, NULL, "198.51.100.23", &v);
		if (!unit_check(t, v.status == STATUS_WARN && v.keyword[0] == '\0', name, __FILE__, __LINE__))
			printf("     got %s '%s' (%s)\n", status_name(v.status), v.keyword, v.reason);
	}
}

static void test_longer_words(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"mail.dynamics-corp.example.com", "192.0.2.30", P, 0, NULL, ""},
	    {"dynamics-mx1.example.net", "192.0.2.31", P, 0, NULL, ""},
	    {"dynamo.example.net", "192.0.2.31", P, 0, NULL, ""},
	    {"customer-service.example.com", "192.0.2.41", P, 0, NULL, ""},
	    {"mail.customer-service.example.com", "192.0.2.40", P, 0, NULL, ""},
	    {"customerservice.example.com", "192.0.2.42", P, 0, NULL, ""},
	    {"customers.example.net", "192.0.2.43", P, 0, NULL, ""},
	    {"hosting1.example.net", "192.0.2.44", P, 0, NULL, ""},
	    {"userland-mx.example.org", "198.51.100.46", P, 0, NULL, ""},
	    {"poolside-mail.example.com", "198.51.100.47", P, 0, NULL, ""},
	    {"homepage.example.net", "198.51.100.48", P, 0, NULL, ""},
	    {"dialog-relay.example.com", "203.0.113.49", P, 0, NULL, ""},
	    {"resort-smtp.example.com", "203.0.113.50", P, 0, NULL, ""},
	    {"natural-mx.example.com", "203.0.113.51", P, 0, NULL, ""},
	    {"ipsum.example.com", "203.0.113.52", P, 0, NULL, ""},
	    {"pcworld-mail.example.com", "203.0.113.53", P, 0, NULL, ""},
	    {"cmsadmin.example.com", "203.0.113.54", P, 0, NULL, ""},
	    {"bbc-relay.example.com", "203.0.113.55", P, 0, NULL, ""},
	    {"nodejs-mx.example.com", "203.0.113.56", P, 0, NULL, ""},
	    {"mail.ip6.example.com", "2001:db8::25", P, 0, NULL, ""},
	    /* beside a word, a keyword counts once the name carries the IP */
	    {"customer-service-198-51-100-7.example.net", "198.51.100.7", F, 4, "dashed", "customer"},
	    /* made only of keywords */
	    {"adsldhcp-198-51-100-7.example.net", "198.51.100.7", F, 4, "dashed", "adsldhcp"},
	    {"dynamics-198-51-100-7.example.net", "198.51.100.7", W, 4, "dashed", ""},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));
}

static void test_octet_counting(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"mx7.example.net", "198.51.100.7", P, 1, "", ""},
	    {"m100-7.example.net", "198.51.100.7", P, 2, "dashed", ""},
	    {"a51-100-7.example.net", "198.51.100.7", W, 3, "dashed", ""},
	    {"x198-51-100-7.example.net", "198.51.100.7", W, 4, "dashed", ""},
	    {"m100-7.dsl.example.net", "198.51.100.7", F, 2, "dashed", "dsl"},
	    {"m7.dsl.example.net", "198.51.100.7", W, 1, "", "dsl"},
	    {"relay-07.example.org", "192.0.2.7", P, 1, "", ""},
	    /* a value the IP holds twice counts at both positions */
	    {"c-71-63-151.example.net", "71.63.151.151", W, 4, NULL, ""},
	    {"dsl-151.example.net", "198.51.151.151", F, 2, NULL, "dsl"},
	    /* 1000 and 0256 are no octets */
	    {"a1000-0256.example.net", "192.0.2.7", P, 0, "", ""},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));

	struct generic_verdict v;
	classify("ppp-198-51-100-23.dsl.example.net", NULL, "198.51.100.23", &v);
	UNIT_EQ_STR(t, v.octets_text, "198, 51, 100, 23");
	UNIT_EQ_STR(t, v.reason, "carries 4 octets of 198.51.100.23 (dashed) and the keyword 'ppp'");
	classify("fia83-8.dsl.hccnet.nl", NULL, "62.251.8.83", &v);
	UNIT_EQ_STR(t, v.octets_text, "8, 83");
	UNIT_EQ_STR(t, v.encoding, "reversed");

	/* The registrable domain is stripped: its numbers and words don't count. */
	classify("m17-178.vip.126.com", "126.com", "123.58.178.17", &v);
	UNIT_EQ_INT(t, v.octets, 2);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);
	classify("mx7.dsl-100.example.co.uk", "dsl-100.example.co.uk", "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);
	UNIT_EQ_INT(t, v.octets, 1);
	UNIT_EQ_STR(t, v.keyword, "");
	/* ...while with it unknown only the last two labels go */
	classify("mx7.dsl-100.example.co.uk", NULL, "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	UNIT_EQ_STR(t, v.keyword, "dsl");
	/* a registrable domain that is not a suffix: fall back */
	classify("dsl-198-51-100-7.example.net", "other.example", "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	classify("example.com", "example.com", "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);
	classify("Mail.Example.COM", "example.com", "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);
	UNIT_CHECK(t, v.role);
}

/* A weak (access-technology) keyword high in the ISP's zone tree names a
 * division, not the host; dynamic-assignment keywords count anywhere. */
static void test_keyword_depth(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"cmr-198-51-100-7.cr.net.cable.example.com", "198.51.100.7", W, 4, "dashed", ""},
	    {"cmr-198-51-100-7.cr.cable.example.com", "198.51.100.7", F, 4, "dashed", "cable"},
	    {"c-198-51-100-7.a.b.client.example.com", "198.51.100.7", F, 4, "dashed", "client"},
	    {"203x0x113x9.ap113.ftth.example.net", "203.0.113.9", F, 4, "x-separated", "ftth"},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));
}

static void test_pool_and_static(struct unit_ctx *t)
{
	struct generic_verdict v;
	classify("dyn123.example.net", NULL, "192.0.2.80", &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	UNIT_CHECK(t, v.pool);
	classify("dsl.dynamic8510023760.ttnet.net.tr", NULL, NULL, &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	UNIT_CHECK(t, v.pool);
	UNIT_EQ_STR(t, v.keyword, "dsl");
	UNIT_CHECK(t, strstr(v.reason, "'dynamic'") != NULL);
	classify("dyn.example.net", NULL, "192.0.2.80", &v);
	UNIT_EQ_INT(t, v.status, STATUS_WARN);
	UNIT_CHECK(t, !v.pool);

	classify("static-198-51-100-7.example.net", NULL, "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_WARN);
	UNIT_CHECK(t, v.static_token);
	UNIT_CHECK(t, strstr(v.reason, "static") != NULL);
	classify("static-dsl-198-51-100-7.example.net", NULL, "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	UNIT_CHECK(t, v.static_token);
	classify("fixip-mail.example.net", NULL, "198.51.100.7", &v);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);
	UNIT_CHECK(t, v.static_token);
}

static void test_shapes(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"ky-richmond2a-123.rhmdky.example.net", "198.51.100.123", W, 1, NULL, ""},
	    {"h234n2fls32o895.telia.com", "217.208.73.234", W, 1, NULL, ""},
	    {"pcp04024417pcs.toresd01.pa.example.net", "198.51.100.126", W, 0, NULL, ""},
	    {"98x9x3p5siouq.kvknv3sv1quk.3ejp4xzv.com", "203.0.113.156", W, 0, NULL, ""},
	    /* a role word shields ESP-style names */
	    {"web123.example.net", "198.51.100.123", P, 1, NULL, ""},
	    {"mail-eopbgr680072.outbound.protection.example.com", "203.0.113.72", P, 0, NULL, ""},
	    {"smtp-0f95944d4245d0b2c.core1.sfdc-58ktaz.mta.example.com", "198.51.100.44", P, 0, NULL, ""},
	    /* single-digit last octets are too common to mean anything */
	    {"alpha-7.example.net", "198.51.100.7", P, 1, NULL, ""},
	    /* nor does a short label numbered by the last octet (ESP style) */
	    {"o27.p25.example-esp.com", "198.51.100.27", P, 1, NULL, ""},
	    {"alpha-42.example.net", "198.51.100.42", P, 1, NULL, ""},
	    {"cbl-sd-02-79.aster.com.do", "200.88.62.79", W, 1, NULL, ""},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));
	struct generic_verdict v;
	classify("ky-richmond2a-123.rhmdky.example.net", NULL, "198.51.100.123", &v);
	UNIT_EQ_STR(t, v.shape, "numbered by last octet");
	classify("wiley-170-10231.example.net", NULL, "198.51.100.249", &v);
	UNIT_EQ_STR(t, v.shape, "serial number");
	classify("98x9x3p5siouq.kvknv3sv1quk.3ejp4xzv.com", NULL, NULL, &v);
	UNIT_EQ_STR(t, v.shape, "machine-generated label");
}

static void test_ipv6(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"2001-db8-0-0-0-0-0-7.dyn.example.net", "2001:db8::7", F, 8, "dashed", "dyn"},
	    {"2001-db8--7.example.net", "2001:db8::7", W, 3, "dashed", ""},
	    {"dyn-0000000000000007.example.net", "2001:db8::7", F, 4, "hex", "dyn"},
	    {"cpe-20010db8000000010000000000000025.example.net", "2001:db8:0:1::25", F, 8, "hex", "cpe"},
	    {"host-2001-db8-85a3-0-0-8a2e-370-7334.example.net", "2001:db8:85a3::8a2e:370:7334", F, 8,
	     "dashed", "host"},
	    {"2001-0db8-85a3-8a2e.example.net", "2001:db8:85a3::8a2e:370:7334", W, 4, "zero-padded", ""},
	    {"7334.370.8a2e.example.net", "2001:db8:85a3::8a2e:370:7334", W, 3, "reversed", ""},
	    {"021a4bfffe0c08d3.dynamic.example.net", "2001:db8::21a:4bff:fe0c:8d3", F, 4, "hex", "dynamic"},
	    {"dsl-7334.example.net", "2001:db8:85a3::8a2e:370:7334", W, 1, NULL, "dsl"},
	    {"mail6.example.com", "2001:db8::25", P, 0, NULL, ""},
	    {"mx-25.example.com", "2001:db8::25", P, 1, NULL, ""},
	    /* zeros alone say nothing */
	    {"mx-0-0.example.com", "2001:db8::25", P, 0, NULL, ""},
	    {"[2001:db8::25]", "2001:db8::25", W, 8, "literal", ""},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));
	struct generic_verdict v;
	classify("[2001:db8::25]", NULL, "2001:db8::25", &v);
	UNIT_EQ_STR(t, v.octets_text, "2001, db8, 0, 0, 0, 0, 0, 25");
	classify("2001-db8--7.example.net", NULL, "2001:db8::7", &v);
	UNIT_EQ_STR(t, v.octets_text, "2001, db8, 7");
	UNIT_CHECK(t, strstr(v.reason, "3 groups of 2001:db8::7") != NULL);
}

static void test_null_ip(struct unit_ctx *t)
{
	static const struct row rows[] = {
	    {"192-0-2-7.dsl.example.net", NULL, F, 4, "dashed", "dsl"},
	    {"198-51-100-7.example.net", NULL, W, 4, "dashed", ""},
	    {"0xc0000207.example.net", NULL, W, 4, "hex", ""},
	    /* no address without the IP, but a long digit run all the same */
	    {"c0000207.example.net", NULL, W, 0, NULL, ""},
	    {"192000002007.example.net", NULL, W, 4, "zero-padded", ""},
	    {"118.red-198-51-100.example.net", NULL, W, 4, "split", ""},
	    {"dyn123.example.net", NULL, F, 0, NULL, "dyn"},
	    {"customer.example.net", NULL, W, 0, NULL, "customer"},
	    {"mail.example.com", NULL, P, 0, NULL, ""},
	    {"a27-18.smtp-out.amazonses.com", NULL, P, 0, NULL, ""},
	    {"o167-89-97-77.outbound-mail.sendgrid.net", NULL, W, 4, "dashed", ""},
	    {"[192.0.2.7]", NULL, W, 4, "literal", ""},
	};
	run_rows(t, rows, sizeof(rows) / sizeof(rows[0]));
	struct generic_verdict v;
	classify("89-215-186-91.2073241113.ddns-lan.rakovski.ekk.bg", NULL, NULL, &v);
	UNIT_EQ_STR(t, v.octets_text, "89, 215, 186, 91");
	/* with the IP known, another address in the name still makes it IP-derived */
	classify("89-215-186-91.2073241113.ddns-lan.rakovski.ekk.bg", NULL, "217.18.240.147", &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	UNIT_EQ_INT(t, v.octets, 0);
	UNIT_EQ_STR(t, v.shape, "address-like numbers");
}

static void test_hostile(struct unit_ctx *t)
{
	static const char *const small[] = {
	    "",
	    ".",
	    "..",
	    "...",
	    "-",
	    "-.-",
	    "0",
	    "0.0",
	    "255.255.255.255.255",
	    "[",
	    "[]",
	    "[1.2.3.4",
	    "\xff\xfe.\x80\x81.example.com",
	    "dsl\xc3\xa9-198-51-100-7.example.net",
	    "caf\xc3\xa9.example.com",
	    "a..b..c",
	    "1-2-3-4-5-6-7-8-9-0.example",
	    "0x.example.com",
	    "0xzzzzzzzz.example.com",
	    "::",
	    "::.example.net",
	    "%s%s%n.example.com",
	};
	struct generic_verdict v;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		classify(small[i], NULL, "198.51.100.7", &v);
		check_sane(t, &v);
		classify(small[i], NULL, "2001:db8::7", &v);
		check_sane(t, &v);
		classify(small[i], NULL, NULL, &v);
		check_sane(t, &v);
		classify(small[i], "", NULL, &v);
		check_sane(t, &v);
		classify(small[i], "example.com", NULL, &v);
		check_sane(t, &v);
		classify("mail.example.com", small[i], "198.51.100.7", &v);
		check_sane(t, &v);
	}
	generic_classify(NULL, NULL, NULL, &v);
	check_sane(t, &v);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);
	classify("", NULL, NULL, &v);
	UNIT_EQ_INT(t, v.status, STATUS_PASS);

	/* 10 kB inputs of each kind */
	const size_t big = 10 * 1024;
	char *s = malloc(big + 1);
	if (!UNIT_CHECK(t, s != NULL))
		return;
	static const char *const fills[] = {"a",    ".", "1",  "1.",  "12-", "dsl-1-",
	                                    "\x80", "-", "0x", "ff:", "dyn1"};
	for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
		size_t fl = strlen(fills[f]);
		for (size_t i = 0; i < big; i++)
			s[i] = fills[f][i % fl];
		s[big] = '\0';
		classify(s, NULL, "198.51.100.7", &v);
		check_sane(t, &v);
		classify(s, NULL, "2001:db8::1", &v);
		check_sane(t, &v);
		classify(s, NULL, NULL, &v);
		check_sane(t, &v);
		classify(s, s + big / 2, NULL, &v);
		check_sane(t, &v);
		classify("mail.example.com", s, NULL, &v);
		check_sane(t, &v);
	}
	/* a realistic dynamic name behind 10 kB of labels is still seen */
	memset(s, 'a', big);
	memcpy(s, "dsl-198-51-100-7.", 17);
	for (size_t i = 80; i < big; i += 60)
		s[i] = '.';
	memcpy(s + big - 12, ".example.net", 12);
	s[big] = '\0';
	classify(s, NULL, "198.51.100.7", &v);
	check_sane(t, &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
	free(s);

	/* an out-of-range address family is treated as unknown */
	struct ipaddr odd = {0};
	odd.af = 12345;
	generic_classify("dsl-198-51-100-7.example.net", NULL, &odd, &v);
	check_sane(t, &v);
	UNIT_EQ_INT(t, v.status, STATUS_FAIL);
}

/* Splits a TSV line in place; returns the number of fields (empty ones kept). */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		char *tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static enum status status_from(const char *s, bool *ok)
{
	*ok = true;
	if (strcmp(s, "pass") == 0)
		return STATUS_PASS;
	if (strcmp(s, "warn") == 0)
		return STATUS_WARN;
	if (strcmp(s, "fail") == 0)
		return STATUS_FAIL;
	*ok = false;
	return STATUS_ERROR;
}

static void test_corpus(struct unit_ctx *t)
{
	static const char *const paths[] = {"testdata/generic-names.tsv", "../../testdata/generic-names.tsv"};
	FILE *fp = NULL;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && !fp; i++)
		fp = fopen(paths[i], "r");
	if (!UNIT_CHECK(t, fp != NULL))
		return;
	char line[1024];
	int rows = 0, bad = 0, by[3] = {0};
	while (fgets(line, sizeof(line), fp)) {
		char *f[5];
		if (line[0] == '#' || line[0] == '\n')
			continue;
		size_t n = split_tabs(line, f, 5);
		bool ok;
		if (!unit_check(t, n >= 3, "corpus row has name, ip, status", __FILE__, __LINE__))
			continue;
		enum status want = status_from(f[2], &ok);
		if (!unit_check(t, ok, "corpus status is pass/warn/fail", __FILE__, __LINE__))
			continue;
		struct generic_verdict v;
		const char *ipt = strcmp(f[1], "-") == 0 ? NULL : f[1];
		struct ipaddr ip;
		if (ipt && !unit_check(t, parse_ip(ipt, &ip), "corpus IP parses", __FILE__, __LINE__))
			continue;
		generic_classify(f[0], NULL, ipt ? &ip : NULL, &v);
		check_sane(t, &v);
		rows++;
		by[want]++;
		if (v.status != want) {
			bad++;
			unit_check(t, 0, "corpus row classified as expected", __FILE__, __LINE__);
			printf("     %s %s: got %s, want %s (%s)\n", f[0], f[1], status_name(v.status), f[2],
			       v.reason);
		}
	}
	fclose(fp);
	printf("generic corpus: %d rows (%d pass, %d warn, %d fail expected), %d mismatches\n", rows, by[0],
	       by[1], by[2], bad);
	UNIT_CHECK(t, rows >= 80);
}

static bool has_label(const char *labels, const char *want)
{
	size_t wl = strlen(want);
	for (const char *p = labels; (p = strstr(p, want)) != NULL; p += wl) {
		bool start = p == labels || p[-1] == ' ' || p[-1] == ',';
		bool end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == ',';
		if (start && end)
			return true;
	}
	return false;
}

/* The shared, externally sourced corpus (SpamAssassin, Haraka, pymilter
 * examples): dynamic names with an IP must not pass; static / not-generic /
 * not-dynamic names must not fail. */
static void test_shared_corpus(struct unit_ctx *t)
{
	char path[1024];
	FILE *fp = unit_open_shared(t, "conformance/rdns/rdns-hostnames-unique.tsv", "r", path, sizeof path);
	if (!fp)
		return;
	char line[2048];
	int dyn_ip[3] = {0}, dyn_noip[3] = {0}, good[3] = {0};
	while (fgets(line, sizeof(line), fp)) {
		char *f[4];
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split_tabs(line, f, 4) < 3)
			continue;
		for (char *p = f[0]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		struct ipaddr ip;
		bool have = parse_ip(f[1], &ip);
		struct generic_verdict v;
		generic_classify(f[0], NULL, have ? &ip : NULL, &v);
		check_sane(t, &v);
		if (has_label(f[2], "dynamic")) {
			(have ? dyn_ip : dyn_noip)[v.status]++;
			if (have && !unit_check(t, v.status != STATUS_PASS, "shared dynamic row is not pass",
			                        __FILE__, __LINE__))
				printf("     %s %s: %s\n", f[0], f[1], v.reason);
		}
		if (has_label(f[2], "static") || has_label(f[2], "not-generic") ||
		    has_label(f[2], "not-dynamic")) {
			good[v.status]++;
			if (!unit_check(t, v.status != STATUS_FAIL,
			                "shared static/not-generic row is not fail", __FILE__, __LINE__))
				printf("     %s %s: %s\n", f[0], f[1], v.reason);
		}
	}
	fclose(fp);
	printf("shared rdns corpus: dynamic with IP: %d fail, %d warn, %d pass; dynamic without IP: %d fail, "
	       "%d warn, %d pass; static/not-generic/not-dynamic: %d pass, %d warn, %d fail\n",
	       dyn_ip[STATUS_FAIL], dyn_ip[STATUS_WARN], dyn_ip[STATUS_PASS], dyn_noip[STATUS_FAIL],
	       dyn_noip[STATUS_WARN], dyn_noip[STATUS_PASS], good[STATUS_PASS], good[STATUS_WARN],
	       good[STATUS_FAIL]);
	UNIT_CHECK(t, dyn_ip[STATUS_FAIL] + dyn_ip[STATUS_WARN] > 0);
}

static const struct unit_case cases[] = {
    {"encodings_v4", test_encodings_v4},
    {"keyword_families", test_keyword_families},
    {"longer_words", test_longer_words},
    {"octet_counting", test_octet_counting},
    {"keyword_depth", test_keyword_depth},
    {"pool_and_static", test_pool_and_static},
    {"shapes", test_shapes},
    {"ipv6", test_ipv6},
    {"null_ip", test_null_ip},
    {"hostile", test_hostile},
    {"corpus", test_corpus},
    {"shared_corpus", test_shared_corpus},
};

UNIT_MAIN(cases)
