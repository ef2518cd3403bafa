/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/rdap (extraction from the real RDAP answers in
 * ../shared/fixtures/rdap, or $SA_SHARED/fixtures/rdap), lib/rdap_boot
 * (bootstrap matching) and lib/whois (key/value parsing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../lib/records/rdap.h"
#include "../../lib/records/rdap_boot.h"
#include "../../lib/records/whois_domain.h"
#include "unit.h"

static char *fixture_new(struct unit_ctx *t, const char *name, size_t *len)
{
	char rel[256], path[512];
	snprintf(rel, sizeof rel, "fixtures/rdap/%s", name);
	FILE *f = unit_open_shared(t, rel, "rb", path, sizeof path);
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	do {
		if (n + 4096 > cap)
			buf = realloc(buf, cap = n + 65536);
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static bool has(const struct strv *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v) == 0)
			return true;
	return false;
}

struct ipcase {
	const char *file, *abuse, *holder, *cidr;
	bool remark;
};

static void t_ip_abuse_five_rirs(struct unit_ctx *t)
{
	static const struct ipcase cases[] = {
	    /* ARIN nests the abuse POC under the registrant org */
	    {"arin-ip-74.125.225.229.json", "arin-contact@google.com", "Google Inc.", "74.125.0.0/16", false},
	    {"arin-ip-2606-4700-4700--1111.json", "abuse@cloudflare.com", "Cloudflare, Inc.",
	     "2606:4700::/32", false},
	    {"arin-ip-13.64.0.0.json", "abuse@microsoft.com", "Microsoft Corporation",
	     "13.64.0.0/11, 13.96.0.0/13, 13.104.0.0/14", false},
	    /* RIPE: abuse-c role at top level, 2015 quirks ("/32" in addresses) */
	    {"ripe-ip-62.239.237.1.json", "zzdnsr@bt.com", NULL, "62.239.237.0/24", false},
	    {"ripe-ip-130.59.31.80.json", "abuse@switch.ch", NULL, "130.59.0.0/16", false},
	    {"ripe-ip-2a00-2381-ffff--1.json", "zzdnsr@bt.com", NULL, "2a00:2381:ffff::/64", false},
	    /* APNIC: an IRT object with the abuse role */
	    {"apnic-ip-210.107.73.73.json", "hostmaster@nic.or.kr", NULL, "210.107.0.0/17", false},
	    {"apnic-ip-1.1.1.1.json", "helpdesk@apnic.net", "APNIC Research and Development", "1.1.1.0/24",
	     false},
	    /* LACNIC: one entity with roles administrative+technical+abuse */
	    {"lacnic-ip-200.57.141.161.json", "operacion.redes@triara.com", "Triara.com, S.A. de C.V.",
	     "200.57.141.161/32", false},
	    {"lacnic-ip-2801-10-c000--.json", "sistemas.red@uco.edu.co", "Universidad Catolica de Oriente",
	     "2801:10:c000::/128", false},
	    /* AFRINIC (2015): no roles; the abuse mailbox is in a remark */
	    {"afrinic-ip-196.11.240.215.json", "abuse@mtnbusiness.co.za", NULL,
	     "196.11.239.0 - 196.11.246.255", true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len;
		char *j = fixture_new(t, cases[i].file, &len);
		if (!j)
			return;
		struct rdap_ipnet n;
		char why[200];
		t->name = cases[i].file;
		UNIT_EQ_INT(t, rdap_ipnet_parse(j, len, &n, why, sizeof why), 0);
		UNIT_CHECK(t, has(&n.abuse_emails, cases[i].abuse));
		if (!has(&n.abuse_emails, cases[i].abuse))
			printf("     %s: got %s\n", cases[i].file,
			       n.abuse_emails.n ? n.abuse_emails.v[0] : "(none)");
		UNIT_EQ_INT(t, n.abuse_from_remark, cases[i].remark);
		if (cases[i].holder)
			UNIT_EQ_STR(t, n.holder, cases[i].holder);
		UNIT_EQ_STR(t, n.cidr, cases[i].cidr);
		rdap_ipnet_free(&n);
		free(j);
	}
	t->name = "ip_abuse_five_rirs";
}

static void t_ip_no_abuse(struct unit_ctx *t)
{
	/* AFRINIC v6 and a JPNIC-delegated APNIC block: no abuse contact at all */
	static const char *const files[] = {"afrinic-ip-2001-43f8-7b0--.json",
	                                    "apnic-ip-2001-240-10c-1--ca20-9d1d.json"};
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *j = fixture_new(t, files[i], &len);
		if (!j)
			return;
		struct rdap_ipnet n;
		char why[200];
		UNIT_EQ_INT(t, rdap_ipnet_parse(j, len, &n, why, sizeof why), 0);
		UNIT_EQ_INT(t, n.abuse_emails.n, 0);
		UNIT_CHECK(t, !n.abuse_entity);
		rdap_ipnet_free(&n);
		free(j);
	}
}

static void t_ip_range(struct unit_ctx *t)
{
	size_t len;
	char *j = fixture_new(t, "arin-ip-74.125.225.229.json", &len);
	if (!j)
		return;
	struct rdap_ipnet n;
	char why[200];
	struct ipaddr in, out;
	ip_parse("74.125.225.229", &in, why, sizeof why);
	ip_parse("74.126.0.1", &out, why, sizeof why);
	UNIT_EQ_INT(t, rdap_ipnet_parse(j, len, &n, why, sizeof why), 0);
	UNIT_EQ_STR(t, n.start, "74.125.0.0"); /* zero-padded "074.125.000.000" */
	UNIT_EQ_INT(t, n.host_bits, 16);
	UNIT_CHECK(t, rdap_ipnet_contains(&n, &in));
	UNIT_CHECK(t, !rdap_ipnet_contains(&n, &out));
	UNIT_EQ_STR(t, n.handle, "NET-74-125-0-0-1");
	rdap_ipnet_free(&n);
	free(j);
}

static void t_ip_bad(struct unit_ctx *t)
{
	static const char *const files[] = {"malformed-openrdap-misc.json", "ripe-error-response.json",
	                                    "verisign-domain-google.com.json"};
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		char *j = fixture_new(t, files[i], &len);
		if (!j)
			return;
		struct rdap_ipnet n;
		char why[200] = "";
		UNIT_EQ_INT(t, rdap_ipnet_parse(j, len, &n, why, sizeof why), -1);
		UNIT_CHECK(t, why[0]);
		free(j);
	}
	struct rdap_ipnet n;
	char why[200];
	/* hostile nesting: no crash, no stack exhaustion */
	char deep[40000] = "{\"handle\":\"X\",\"startAddress\":\"192.0.2.0\",\"endAddress\":\"192.0.2.255\"";
	for (int i = 0; i < 900; i++)
		strcat(deep, ",\"entities\":[{\"roles\":[\"abuse\"]");
	for (int i = 0; i < 900; i++)
		strcat(deep, "}]");
	strcat(deep, "}");
	int rc = rdap_ipnet_parse(deep, strlen(deep), &n, why, sizeof why);
	if (rc == 0)
		rdap_ipnet_free(&n);
	UNIT_CHECK(t, rc == 0 || rc == -1);
}

static int domain_fixture(struct unit_ctx *t, const char *file, struct rdap_domain *d)
{
	size_t len;
	char *j = fixture_new(t, file, &len);
	if (!j)
		return -1;
	char why[200];
	int rc = rdap_domain_parse(j, len, d, why, sizeof why);
	free(j);
	return rc;
}

static void t_domain_registry(struct unit_ctx *t)
{
	struct rdap_domain d;
	if (domain_fixture(t, "verisign-domain-google.com.json", &d) < 0)
		return;
	UNIT_EQ_STR(t, d.ldh, "google.com");
	UNIT_EQ_INT(t, d.registered, 874296000); /* 1997-09-15T04:00:00Z */
	UNIT_EQ_INT(t, d.expires, 1852516800);   /* 2028-09-14T04:00:00Z */
	UNIT_EQ_INT(t, d.reg, RDAP_REG_NONE);    /* thin registry */
	UNIT_EQ_STR(t, d.related, "https://rdap.markmonitor.com/rdap/domain/GOOGLE.COM");
	UNIT_EQ_STR(t, d.registrar, "MarkMonitor Inc.");
	UNIT_CHECK(t, has(&d.registrar_abuse, "abusecomplaints@markmonitor.com"));
	UNIT_EQ_INT(t, d.status.n, 6);

	struct rdap_domain rr;
	if (domain_fixture(t, "markmonitor-domain-google.com.json", &rr) == 0) {
		/* org published, personal fields "REDACTED FOR PRIVACY" */
		UNIT_EQ_INT(t, rr.reg, RDAP_REG_IDENTIFIED);
		UNIT_EQ_STR(t, rr.registrant, "Google LLC");
		UNIT_EQ_INT(t, rr.expires, 1852441200); /* "2028-09-13T07:00:00.000+0000" */
		rdap_domain_merge(&d, &rr);
		UNIT_EQ_INT(t, d.reg, RDAP_REG_IDENTIFIED);
		UNIT_EQ_INT(t, d.expires, 1852516800); /* the registry's date stays */
		rdap_domain_free(&rr);
	}
	rdap_domain_free(&d);
}

struct domcase {
	const char *file;
	enum rdap_registrant reg;
	const char *abuse;
};

static void t_domain_contacts(struct unit_ctx *t)
{
	static const struct domcase cases[] = {
	    {"namecheap-domain-bitcoin.org-privacy-whoisguard.json", RDAP_REG_PROXY, "abuse@namecheap.com"},
	    {"namecheap-domain-deep.surf-privacy-withheldforprivacy.json", RDAP_REG_PROXY, NULL},
	    {"fir-domain-home.moscow-redacted.json", RDAP_REG_REDACTED, "abuse@reg.ru"},
	    {"rfc9537-redaction/icann-rdap-lookup_with_redaction.json", RDAP_REG_REDACTED,
	     "abuse@organization.example"},
	    {"uniregistry-domain-microsoft.click-redacted.json", RDAP_REG_IDENTIFIED, NULL},
	    {"markmonitor-domain-abc.xyz-redacted.json", RDAP_REG_IDENTIFIED, NULL},
	    {"zdns-domain-bitcoin.top-redacted.json", RDAP_REG_IDENTIFIED, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct rdap_domain d;
		t->name = cases[i].file;
		if (domain_fixture(t, cases[i].file, &d) < 0) {
			UNIT_CHECK(t, 0);
			continue;
		}
		UNIT_EQ_INT(t, d.reg, cases[i].reg);
		if (d.reg != cases[i].reg)
			printf("     %s: registrant %s (%s)\n", cases[i].file,
			       d.registrant ? d.registrant : "-", d.why_reg ? d.why_reg : "-");
		if (cases[i].abuse)
			UNIT_CHECK(t, has(&d.registrar_abuse, cases[i].abuse));
		UNIT_CHECK(t, d.ldh && !strchr(d.ldh, 'A') && d.ldh[strlen(d.ldh) - 1] != '.');
		rdap_domain_free(&d);
	}
	t->name = "domain_contacts";
}

static void t_domain_proxy_inline(struct unit_ctx *t)
{
	/* GoDaddy's registrar RDAP for a Domains By Proxy customer */
	const char *dbp =
	    "{\"objectClassName\":\"domain\",\"ldhName\":\"EXAMPLE.COM.\",\"entities\":["
	    "{\"roles\":[\"registrant\"],\"vcardArray\":[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],"
	    "[\"fn\",{},\"text\",\"Registration Private\"],[\"org\",{},\"text\",\"Domains By Proxy, "
	    "LLC\"]]]},"
	    "{\"roles\":[\"registrar\"],\"vcardArray\":[\"vcard\",[[\"fn\",{},\"text\",\"GoDaddy.com, "
	    "LLC\"]]]}]}";
	struct rdap_domain d;
	char why[200];
	UNIT_EQ_INT(t, rdap_domain_parse(dbp, strlen(dbp), &d, why, sizeof why), 0);
	UNIT_EQ_STR(t, d.ldh, "example.com");
	UNIT_EQ_INT(t, d.reg, RDAP_REG_PROXY);
	UNIT_EQ_STR(t, d.registrant, "Domains By Proxy, LLC");
	UNIT_CHECK(t, d.registrar_present && d.registrar_abuse.n == 0);
	rdap_domain_free(&d);
	const char *role =
	    "{\"objectClassName\":\"domain\",\"ldhName\":\"x.test\",\"entities\":["
	    "{\"roles\":[\"registrant\"],\"vcardArray\":[\"vcard\",[[\"fn\",{},\"text\",\"Jane\"]]]},"
	    "{\"roles\":[\"proxy\"]}]}";
	UNIT_EQ_INT(t, rdap_domain_parse(role, strlen(role), &d, why, sizeof why), 0);
	UNIT_EQ_INT(t, d.reg, RDAP_REG_PROXY);
	rdap_domain_free(&d);
	UNIT_CHECK(t, rdap_proxy_service("Privacy service provided by Withheld for Privacy ehf") != NULL);
	UNIT_CHECK(t, rdap_proxy_service("Google LLC") == NULL);
	UNIT_CHECK(t, rdap_proxy_service("REDACTED FOR PRIVACY") == NULL);
}

static void t_domain_bad(struct unit_ctx *t)
{
	static const char *const files[] = {
	    "malformed-domain-bad_response_01.json", "malformed-domain-bad_response_02.json",
	    "malformed-openrdap-misc.json", "ripe-error-response.json", "arin-ip-74.125.225.229.json"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		struct rdap_domain d;
		int rc = domain_fixture(t, files[i], &d);
		if (rc == 0)
			rdap_domain_free(&d);
		if (i >= 2)
			UNIT_EQ_INT(t, rc, -1);
	}
	/* broken jCards inside a registrant: parsed without a crash */
	static const char *const jc[] = {"error_bad_properties_array.json",
	                                 "error_bad_property_name.json",
	                                 "error_bad_property_parameters.json",
	                                 "error_bad_property_size.json",
	                                 "error_bad_property_type.json",
	                                 "error_bad_top_type.json",
	                                 "error_bad_vcard_label.json",
	                                 "error_invalid_properties.json",
	                                 "example.json",
	                                 "mixed.json"};
	for (size_t i = 0; i < sizeof jc / sizeof *jc; i++) {
		char name[80];
		snprintf(name, sizeof name, "jcard/%s", jc[i]);
		size_t len;
		char *card = fixture_new(t, name, &len);
		if (!card)
			return;
		char *doc = malloc(len + 200);
		snprintf(
		    doc, len + 200,
		    "{\"ldhName\":\"x.test\",\"entities\":[{\"roles\":[\"registrant\"],\"vcardArray\":%s}]}",
		    card);
		struct rdap_domain d;
		char why[200];
		if (rdap_domain_parse(doc, strlen(doc), &d, why, sizeof why) == 0)
			rdap_domain_free(&d);
		free(doc);
		free(card);
	}
}

static void t_time(struct unit_ctx *t)
{
	time_t v;
	UNIT_EQ_INT(t, rdap_time_parse("1997-09-15T04:00:00Z", &v), 0);
	UNIT_EQ_INT(t, v, 874296000);
	UNIT_EQ_INT(t, rdap_time_parse("1997-09-15T00:00:00-04:00", &v), 0);
	UNIT_EQ_INT(t, v, 874296000);
	UNIT_EQ_INT(t, rdap_time_parse("1997-09-15T05:00:00.123+0100", &v), 0);
	UNIT_EQ_INT(t, v, 874296000);
	UNIT_EQ_INT(t, rdap_time_parse("1997-09-15t04:00:00.5z", &v), 0);
	UNIT_EQ_INT(t, v, 874296000);
	UNIT_EQ_INT(t, rdap_time_parse("1997-09-15T04:00:00", &v), 0); /* no zone: UTC */
	UNIT_EQ_INT(t, v, 874296000);
	UNIT_EQ_INT(t, rdap_time_parse("1997-09-15", &v), 0);
	static const char *const bad[] = {"",
	                                  "1997-9-15",
	                                  "1997-09-15T4:00:00Z",
	                                  "1997-13-01",
	                                  "1997-09-15T04:00:00+2",
	                                  "1997-09-15T04:00:00Zjunk",
	                                  "yesterday",
	                                  "1997-09-15T04:00:00."};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		UNIT_EQ_INT(t, rdap_time_parse(bad[i], &v), -1);
	char k[32];
	rdap_status_key("client hold", k, sizeof k);
	UNIT_EQ_STR(t, k, "clienthold");
	rdap_status_key("clientHold", k, sizeof k);
	UNIT_EQ_STR(t, k, "clienthold");
}

static struct rdap_boot *boot_new(const char *json)
{
	char why[200];
	return rdap_boot_parse_new(json, strlen(json), why, sizeof why);
}

static void t_bootstrap(struct unit_ctx *t)
{
	struct rdap_boot *b = boot_new(
	    "{\"services\":[[[\"192.0.0.0/8\"],[\"http://a.example/rdap\",\"https://a.example/rdap\"]],"
	    "[[\"192.0.2.0/24\"],[\"https://b.example/\"]],"
	    "[[\"2001:db8::/32\"],[\"http://c.example/\"]],"
	    "[[\"com\",\"co.uk\"],[\"https://d.example/\"]],[[\"uk\"],[\"https://e.example/\"]]]}");
	struct ipaddr ip;
	char why[100], *u;
	ip_parse("192.0.2.7", &ip, why, sizeof why);
	UNIT_EQ_STR(t, u = rdap_boot_ip_new(b, &ip, false), "https://b.example/");
	free(u);
	ip_parse("192.0.3.7", &ip, why, sizeof why);
	UNIT_EQ_STR(t, u = rdap_boot_ip_new(b, &ip, false),
	            "https://a.example/rdap/"); /* https preferred, slash added */
	free(u);
	ip_parse("193.0.3.7", &ip, why, sizeof why);
	UNIT_CHECK(t, rdap_boot_ip_new(b, &ip, false) == NULL);
	ip_parse("2001:db8::1", &ip, why, sizeof why);
	UNIT_CHECK(t, rdap_boot_ip_new(b, &ip, false) == NULL); /* http only: not without allow_http */
	UNIT_EQ_STR(t, u = rdap_boot_ip_new(b, &ip, true), "http://c.example/");
	free(u);
	UNIT_EQ_STR(t, u = rdap_boot_domain_new(b, "example.co.uk", false), "https://d.example/");
	free(u);
	UNIT_EQ_STR(t, u = rdap_boot_domain_new(b, "example.org.uk", false), "https://e.example/");
	free(u);
	UNIT_CHECK(t, rdap_boot_domain_new(b, "example.scom", false) == NULL);
	UNIT_CHECK(t, rdap_boot_domain_new(b, "example.net", false) == NULL);
	rdap_boot_free(b);
	UNIT_CHECK(t, boot_new("{\"version\":\"1.0\"}") == NULL);
	UNIT_CHECK(t, boot_new("<html>") == NULL);

	/* IANA's own files (2024-07) */
	size_t len;
	char *j = fixture_new(t, "bootstrap/iana-2024-07/ipv4.json", &len);
	if (!j)
		return;
	b = rdap_boot_parse_new(j, len, why, sizeof why);
	free(j);
	UNIT_CHECK(t, b != NULL);
	ip_parse("62.239.237.1", &ip, why, sizeof why);
	UNIT_EQ_STR(t, u = rdap_boot_ip_new(b, &ip, false), "https://rdap.db.ripe.net/");
	free(u);
	ip_parse("74.125.225.229", &ip, why, sizeof why);
	UNIT_EQ_STR(t, u = rdap_boot_ip_new(b, &ip, false), "https://rdap.arin.net/registry/");
	free(u);
	rdap_boot_free(b);
	j = fixture_new(t, "bootstrap/iana-2024-07/dns.json", &len);
	if (!j)
		return;
	b = rdap_boot_parse_new(j, len, why, sizeof why);
	free(j);
	UNIT_EQ_STR(t, u = rdap_boot_domain_new(b, "google.com", false), "https://rdap.verisign.com/com/v1/");
	free(u);
	rdap_boot_free(b);
}

static void t_whois(struct unit_ctx *t)
{
	struct rdap_domain d;
	const char *ans =
	    "Domain Name: EXAMPLE.WTF\r\nRegistrar: Example Registrar\r\n"
	    "Creation Date: 2001-02-03T04:05:06Z\r\nRegistry Expiry Date: 2030-01-01T00:00:00Z\r\n"
	    "Domain Status: clientHold https://icann.org/epp#clientHold\r\n"
	    "Registrant Organization: Domains By Proxy, LLC\r\n"
	    "Registrar Abuse Contact Email: abuse@registrar.example\r\n"
	    ">>> Last update of WHOIS database: 2024-01-01T00:00:00Z <<<\r\n";
	UNIT_EQ_INT(t, whois_parse_domain(ans, "example.wtf", &d), 1);
	UNIT_EQ_INT(t, d.registered, 981173106);
	UNIT_EQ_INT(t, d.reg, RDAP_REG_PROXY);
	UNIT_CHECK(t, has(&d.status, "clientHold"));
	UNIT_CHECK(t, has(&d.registrar_abuse, "abuse@registrar.example"));
	UNIT_EQ_STR(t, d.registrar, "Example Registrar");
	rdap_domain_free(&d);
	UNIT_EQ_INT(t, whois_parse_domain("\r\nNo match for \"X.WTF\".\r\n", "x.wtf", &d), 0);
	rdap_domain_free(&d);
	UNIT_EQ_INT(t, whois_parse_domain("% nothing to see\r\n", "x.wtf", &d), -1);
	rdap_domain_free(&d);
	UNIT_EQ_INT(t, whois_parse_domain("Registrant Name: REDACTED FOR PRIVACY\n", "x.wtf", &d), 1);
	UNIT_EQ_INT(t, d.reg, RDAP_REG_REDACTED);
	rdap_domain_free(&d);
	char *r = whois_referral_new("% IANA\n\ndomain:   WTF\norganisation: X\nrefer:    whois.nic.wtf\n");
	UNIT_EQ_STR(t, r, "whois.nic.wtf");
	free(r);
}

static const struct unit_case cases[] = {
    {"ip_abuse_five_rirs", t_ip_abuse_five_rirs},
    {"ip_no_abuse", t_ip_no_abuse},
    {"ip_range", t_ip_range},
    {"ip_bad", t_ip_bad},
    {"domain_registry", t_domain_registry},
    {"domain_contacts", t_domain_contacts},
    {"domain_proxy_inline", t_domain_proxy_inline},
    {"domain_bad", t_domain_bad},
    {"time", t_time},
    {"bootstrap", t_bootstrap},
    {"whois", t_whois},
};

UNIT_MAIN(cases)
