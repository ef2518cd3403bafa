/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/names (IP parsing and reversal, name syntax, IDN), and
 * lib/util/strmap's deletion. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../../lib/records/dnsbl.h"
#include "../../lib/util/names.h"
#include "../../lib/util/strmap.h"
#include "unit.h"

static void t_ip_parse_v4(struct unit_ctx *t)
{
	struct ipaddr ip;
	char why[128];
	UNIT_EQ_INT(t, ip_parse("192.0.2.10", &ip, why, sizeof why), 0);
	UNIT_EQ_INT(t, ip.af, AF_INET);
	UNIT_EQ_STR(t, ip.text, "192.0.2.10");
	UNIT_EQ_INT(t, ip_len(&ip), 4);
	static const char *const bad[] = {"",           "192.0.2",    "192.0.2.256",  "192.0.02.1",
	                                  "0x7f.0.0.1", "1.2.3.4.5",  "192.0.2.1/32", " 192.0.2.1",
	                                  "192.0.2.1 ", "3221225994", "[192.0.2.1]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		UNIT_CHECK(t, ip_parse(bad[i], &ip, why, sizeof why) < 0);
}

static void t_ip_parse_v6(struct unit_ctx *t)
{
	struct ipaddr ip;
	char why[128];
	UNIT_EQ_INT(t, ip_parse("2001:DB8:0:0::25", &ip, why, sizeof why), 0);
	UNIT_EQ_INT(t, ip.af, AF_INET6);
	UNIT_EQ_STR(t, ip.text, "2001:db8::25");
	/* an IPv4-mapped address is the IPv4 sender */
	UNIT_EQ_INT(t, ip_parse("::ffff:192.0.2.1", &ip, why, sizeof why), 0);
	UNIT_EQ_INT(t, ip.af, AF_INET);
	UNIT_EQ_STR(t, ip.text, "192.0.2.1");
	UNIT_CHECK(t, ip.mapped);
	UNIT_EQ_INT(t, ip_parse("::FFFF:C000:0201", &ip, why, sizeof why), 0);
	UNIT_EQ_STR(t, ip.text, "192.0.2.1");
	UNIT_EQ_INT(t, ip_parse("::ffff:0:192.0.2.1", &ip, why, sizeof why), 0);
	UNIT_EQ_INT(t, ip.af, AF_INET6);
	UNIT_CHECK(t, !ip.mapped);
	static const char *const bad[] = {"2001:db8:::1", "2001:db8::1%eth0", "2001:db8::/32", "gggg::1",
	                                  "1:2:3:4:5:6:7:8:9"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		UNIT_CHECK(t, ip_parse(bad[i], &ip, why, sizeof why) < 0);
}

static void t_reverse(struct unit_ctx *t)
{
	struct ipaddr ip;
	char why[128], buf[80];
	ip_parse("192.0.2.10", &ip, why, sizeof why);
	ip_reverse_name(&ip, buf, sizeof buf);
	UNIT_EQ_STR(t, buf, "10.2.0.192.in-addr.arpa");
	ip_reverse_key(&ip, buf, sizeof buf);
	UNIT_EQ_STR(t, buf, "10.2.0.192");
	ip_parse("2001:db8::25", &ip, why, sizeof why);
	ip_reverse_name(&ip, buf, sizeof buf);
	UNIT_EQ_STR(t, buf, "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	/* RFC 5782's IPv6 test point, ::ffff:127.0.0.2 (not parsed: it is
	 * IPv4-mapped) */
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET6, true, "zen.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.zen.example");
	/* written by hand: as snprintf writes it, for every octet's value, and
	 * cut as it cuts into a short buffer */
	ip = (struct ipaddr){.af = AF_INET};
	for (unsigned v = 0; v < 256; v++) {
		unsigned char o[4] = {(unsigned char)v, (unsigned char)(v * 7), (unsigned char)(255 - v), 0};
		memcpy(ip.b, o, 4);
		char want[32];
		snprintf(want, sizeof want, "%u.%u.%u.%u", o[3], o[2], o[1], o[0]);
		ip_reverse_key(&ip, buf, sizeof buf);
		UNIT_EQ_STR(t, buf, want);
		size_t cut = 1 + v % 12;
		char shortbuf[16];
		ip_reverse_key(&ip, shortbuf, cut);
		want[cut - 1] = '\0';
		UNIT_EQ_STR(t, shortbuf, want);
	}
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET, false, "bl.example", buf, sizeof buf));
	UNIT_EQ_STR(t, buf, "1.0.0.127.bl.example");
	UNIT_CHECK(t, !dnsbl_test_qname(AF_INET, false, "bl.example", buf, 20)); /* one short */
	UNIT_CHECK(t, dnsbl_test_qname(AF_INET, false, "bl.example", buf, 21));
}

static void t_ip_equal(struct unit_ctx *t)
{
	struct ipaddr a, b;
	char why[64];
	ip_parse("2001:db8::1", &a, why, sizeof why);
	ip_parse("2001:0db8:0::1", &b, why, sizeof why);
	UNIT_CHECK(t, ip_equal(&a, &b));
	ip_parse("192.0.2.1", &b, why, sizeof why);
	UNIT_CHECK(t, !ip_equal(&a, &b));
}

static void t_hostname(struct unit_ctx *t)
{
	static const char *const good[] = {"mail.example.com", "a.b", "m12-7.out.esp.example",
	                                   "xn--bcher-kva.example", "1.2.3.example"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		UNIT_CHECK(t, name_is_hostname(good[i], NULL, 0));
	static const char *const bad[] = {"",
	                                  "localhost",
	                                  "mail",
	                                  "-mail.example.com",
	                                  "mail-.example.com",
	                                  "ma_il.example.com",
	                                  "a..b",
	                                  "mail.example.com.",
	                                  ".example.com",
	                                  "192.0.2.1",
	                                  "mail example.com",
	                                  "mail.exa*mple.com",
	                                  "1.2.3.4"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char why[128] = "";
		UNIT_CHECK(t, !name_is_hostname(bad[i], why, sizeof why));
		UNIT_CHECK(t, why[0] != '\0');
	}
	char label64[80];
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".com");
	UNIT_CHECK(t, !name_is_hostname(label64, NULL, 0));
	char long254[300];
	for (int i = 0; i < 127; i++)
		memcpy(long254 + 2 * i, "a.", 2);
	strcpy(long254 + 252, "ab");
	UNIT_CHECK(t, strlen(long254) == 254 && !name_is_hostname(long254, NULL, 0));
}

static void t_dns_name(struct unit_ctx *t)
{
	UNIT_CHECK(t, name_is_dns("_dmarc.example.com"));
	UNIT_CHECK(t, name_is_dns("under_score.example"));
	UNIT_CHECK(t, !name_is_dns(""));
	UNIT_CHECK(t, !name_is_dns("a..b"));
	char label64[80];
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".com");
	UNIT_CHECK(t, !name_is_dns(label64));
}

static void t_normalize(struct unit_ctx *t)
{
	char *n = name_normalize_new("MAIL.Example.COM.");
	UNIT_EQ_STR(t, n, "mail.example.com");
	free(n);
	n = name_normalize_new(".");
	UNIT_EQ_STR(t, n, ".");
	free(n);
}

static void t_from_user(struct unit_ctx *t)
{
	char why[200];
	char *n = name_from_user_new("Bücher.Example", why, sizeof why);
	UNIT_EQ_STR(t, n, "xn--bcher-kva.example");
	free(n);
	n = name_from_user_new("Example.COM.", why, sizeof why);
	UNIT_EQ_STR(t, n, "example.com");
	free(n);
	UNIT_CHECK(t, name_from_user_new("not a domain", why, sizeof why) == NULL);
	UNIT_CHECK(t, name_from_user_new("\xff\xfe.example", why, sizeof why) == NULL);
	UNIT_CHECK(t, name_from_user_new("localhost", why, sizeof why) == NULL);
}

static void t_under(struct unit_ctx *t)
{
	UNIT_CHECK(t, name_is_under("a.example.com", "example.com"));
	UNIT_CHECK(t, name_is_under("example.com", "example.com"));
	UNIT_CHECK(t, !name_is_under("badexample.com", "example.com"));
	UNIT_CHECK(t, !name_is_under("com", "example.com"));
}

/* strmap_del keeps every other key findable (linear probing: the keys
 * after a hole move back into it), through growth and wrap-around. */
static void t_strmap_del(struct unit_ctx *t)
{
	struct strmap *m = strmap_new();
	enum { N = 3000 };
	static int v[N];
	char k[16];
	for (int i = 0; i < N; i++) {
		snprintf(k, sizeof k, "k%d", i);
		strmap_put(m, k, &v[i]);
	}
	bool ok = true;
	/* every third key out, then each deleted once more: no value */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < N; i += 3) {
			snprintf(k, sizeof k, "k%d", i);
			ok &= strmap_del(m, k) == (pass ? NULL : &v[i]);
		}
	for (int i = 0; i < N; i++) {
		snprintf(k, sizeof k, "k%d", i);
		ok &= strmap_get(m, k) == (i % 3 ? &v[i] : NULL);
	}
	UNIT_CHECK(t, ok && strmap_count(m) == N - (N + 2) / 3);
	for (int i = 0; i < N; i++) {
		snprintf(k, sizeof k, "k%d", i);
		strmap_del(m, k);
	}
	UNIT_CHECK(t, strmap_count(m) == 0 && !strmap_get(m, "k1"));
	strmap_put(m, "k1", &v[1]);
	UNIT_CHECK(t, strmap_get(m, "k1") == &v[1] && strmap_count(m) == 1);
	strmap_free(m);
}

/* put_new: the value a key has, left as it is; a new key added, through
 * the map's growth; get agrees. */
static void t_strmap_put_new(struct unit_ctx *t)
{
	struct strmap *m = strmap_new_sized(4);
	enum { N = 1000 };
	static int v[N], w[N];
	char k[16];
	bool ok = true;
	for (int i = 0; i < N; i++) {
		snprintf(k, sizeof k, "q%d", i);
		ok &= strmap_put_new(m, k, &v[i]) == NULL;
		ok &= strmap_put_new(m, k, &w[i]) == &v[i];
	}
	for (int i = 0; i < N; i++) {
		snprintf(k, sizeof k, "q%d", i);
		ok &= strmap_get(m, k) == &v[i];
	}
	UNIT_CHECK(t, ok && strmap_count(m) == N);
	strmap_free(m);
}

/* Names as DNS compares them: case and a final dot aside. */
static void t_name_same(struct unit_ctx *t)
{
	UNIT_CHECK(t, name_same("Mail.Example.COM", "mail.example.com."));
	UNIT_CHECK(t, name_same("example.com.", "example.com"));
	UNIT_CHECK(t, !name_same("example.com", "example.co"));
	UNIT_CHECK(t, !name_same("a.example.com", "example.com"));
	UNIT_CHECK(t, !name_same("example.com..", "example.com"));
}

static const struct unit_case cases[] = {
    {"name_same", t_name_same},      {"ip_parse v4", t_ip_parse_v4}, {"ip_parse v6", t_ip_parse_v6},
    {"reverse names", t_reverse},    {"ip_equal", t_ip_equal},       {"hostname syntax", t_hostname},
    {"dns name limits", t_dns_name}, {"normalize", t_normalize},     {"user names and IDN", t_from_user},
    {"name_is_under", t_under},      {"strmap_del", t_strmap_del},   {"strmap_put_new", t_strmap_put_new},
};
UNIT_MAIN(cases)
