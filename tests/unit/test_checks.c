/* SPDX-License-Identifier: ISC */
/* Unit tests for the check families, without servers: each case is a zone
 * in memory (tests/memdns.h), a sender, the checks to run (--only) and the
 * statuses expected, records in, findings out. The NSD suites test the same
 * families against a real server; these pin the judgement cheaply, and show
 * that a family needs nothing but its resolver. */
#include <stdlib.h>
#include <string.h>

#include "../../checks/audit.h"
#include "../../checks/registry.h"
#include "../memdns.h"
#include "unit.h"

#define KEY2048                                                                                              \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAorg6UxkJL1p6KHWIdsAaCKhlb+ds65s+"                       \
	"EARhezsI18nUp3rNbCtfw12oibtpHDBxsk8k1LF4Xvf4DVbdduI9NwyuOJNEar57EOVONbmYtvbMBHMCJMOlKDLkW5cAgEON0G" \
	"HXHfqX5EdvxlUDRgdGAbWrs/gvVDD/"                                                                     \
	"c7a72aDeCetoQyPZIzAdOV8YNrct0aYBbWhcFWiKHVUX9WOxzQ4DDQUHwm0uRHewH31p1TyBv6tL+"                      \
	"N2ZcWfqiykHEH9q6IXLUFbAwRv6BIzZKDjvVdLrFT0MJGahjJjuebJwTIlLe2wb9muV67iFwmwgYGAj/Q3m1zGSuf/"         \
	"wJuVZMAv0SU3eoQIDAQAB"

struct tcase {
	const char *name;
	const char *zone; /* memdns text */
	const char *ip, *domain, *helo, *mail_from, *selector;
	const char *only;   /* --only */
	const char *expect; /* "id[subject]=status id=status ..." */
	const char *dnsbl;  /* --dnsbl ZONE, else none */
};

/* A blocklist that answers its RFC 5782 test points. */
#define BL(zone)                                                                                             \
	"2.0.0.127." zone " A 127.0.0.2\n"                                                                   \
	"1.0.0.127." zone " TXT not listed, but the name exists for the test\n"

/* A clean sender every case starts from. */
#define CLEAN                                                                                                \
	"10.2.0.192.in-addr.arpa PTR mail.good.test\n"                                                       \
	"mail.good.test A 192.0.2.10\n"                                                                      \
	"mail.good.test TXT v=spf1 a -all\n"                                                                 \
	"good.test MX 10 mail.good.test\n"                                                                   \
	"good.test TXT v=spf1 mx ip4:192.0.2.10 -all\n"                                                      \
	"_dmarc.good.test TXT v=DMARC1; p=reject; rua=mailto:dmarc@good.test\n"                              \
	"s1._domainkey.good.test TXT v=DKIM1; k=rsa; p=" KEY2048 "\n"

static const struct tcase cases_tab[] = {
    /* rdns */
    {"rdns: a clean PTR", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "rdns",
     "rdns.ptr=pass rdns.single=pass rdns.syntax=pass rdns.fcrdns=pass rdns.generic=pass rdns.domain=pass",
     NULL},
    {"rdns: no PTR", "good.test A 192.0.2.10\n", "192.0.2.10", "good.test", NULL, NULL, NULL, "rdns",
     "rdns.ptr=fail rdns.single=skip rdns.fcrdns=skip rdns.domain=skip", NULL},
    {"rdns: the PTR lookup fails", "10.2.0.192.in-addr.arpa FAIL\n", "192.0.2.10", "good.test", NULL, NULL,
     NULL, "rdns",
     "rdns.ptr=error rdns.single=error rdns.syntax=error rdns.fcrdns=error rdns.generic=error "
     "rdns.domain=error",
     NULL},
    {"rdns: two PTRs, one not confirmed",
     "10.2.0.192.in-addr.arpa PTR mail.good.test\n"
     "10.2.0.192.in-addr.arpa PTR web.good.test\nmail.good.test A 192.0.2.10\nweb.good.test A 192.0.2.99\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "rdns", "rdns.single=fail rdns.fcrdns=fail", NULL},
    {"rdns: the forward lookup fails", "10.2.0.192.in-addr.arpa PTR mail.good.test\nmail.good.test FAIL\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "rdns", "rdns.ptr=pass rdns.fcrdns=error rdns.syntax=pass",
     NULL},
    {"rdns: a dynamic name",
     "10.2.0.192.in-addr.arpa PTR dyn-192-0-2-10.pool.isp.test\n"
     "dyn-192-0-2-10.pool.isp.test A 192.0.2.10\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "rdns", "rdns.generic=fail rdns.domain=warn", NULL},
    {"rdns: a shared IP in the ESP's domain",
     "10.2.0.192.in-addr.arpa PTR o1.esp.test\no1.esp.test A 192.0.2.10\n", "192.0.2.10", "good.test", NULL,
     NULL, NULL, "rdns.domain", "rdns.domain=warn", NULL},
    /* helo */
    {"helo: matching PTR", CLEAN, "192.0.2.10", "good.test", "mail.good.test", NULL, NULL, "helo",
     "helo.syntax=pass helo.resolves=pass helo.matches=pass helo.spf=pass", NULL},
    {"helo: none given", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "helo",
     "helo.syntax=skip helo.resolves=skip helo.matches=skip helo.spf=skip", NULL},
    {"helo: localhost", CLEAN, "192.0.2.10", "good.test", "localhost", NULL, NULL, "helo",
     "helo.syntax=fail helo.resolves=fail helo.matches=fail", NULL},
    {"helo: its lookup fails", CLEAN "bad.good.test FAIL\n", "192.0.2.10", "good.test", "bad.good.test", NULL,
     NULL, "helo", "helo.syntax=pass helo.resolves=error helo.spf=error", NULL},
    /* spf */
    {"spf: pass", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "spf",
     "spf.record=pass spf.pass=pass spf.lookups=pass spf.all=pass spf.ptr=pass", NULL},
    {"spf: another IP fails", CLEAN, "192.0.2.99", "good.test", NULL, NULL, NULL, "spf.pass", "spf.pass=fail",
     NULL},
    {"spf: +all and ptr", "good.test TXT v=spf1 ptr +all\n", "192.0.2.10", "good.test", NULL, NULL, NULL,
     "spf", "spf.all=fail spf.ptr=warn", NULL},
    {"spf: no record", "good.test A 192.0.2.10\n", "192.0.2.10", "good.test", NULL, NULL, NULL, "spf",
     "spf.record=fail spf.pass=fail spf.all=skip spf.ptr=skip spf.lookups=skip", NULL},
    {"spf: an include that fails",
     "good.test TXT v=spf1 include:x.other.test ip4:192.0.2.10 -all\nx.other.test FAIL\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "spf",
     "spf.record=pass spf.pass=error spf.lookups=error spf.all=pass spf.ptr=error", NULL},
    {"spf: the record lookup fails", "good.test FAIL\n", "192.0.2.10", "good.test", NULL, NULL, NULL, "spf",
     "spf.record=error spf.pass=error spf.lookups=error spf.all=error spf.ptr=error", NULL},
    /* dkim */
    {"dkim: a 2048-bit key", CLEAN, "192.0.2.10", "good.test", NULL, NULL, "s1", "dkim",
     "dkim.selectors=pass dkim.key[s1]=pass", NULL},
    {"dkim: a given selector without a key", CLEAN, "192.0.2.10", "good.test", NULL, NULL, "s9", "dkim",
     "dkim.selectors=fail dkim.key[s9]=fail", NULL},
    {"dkim: the key lookup fails", "s1._domainkey.good.test FAIL\n", "192.0.2.10", "good.test", NULL, NULL,
     "s1", "dkim", "dkim.selectors=error dkim.key[s1]=error", NULL},
    {"dkim: a revoked key", "s1._domainkey.good.test TXT v=DKIM1; p=\n", "192.0.2.10", "good.test", NULL,
     NULL, "s1", "dkim.key", "dkim.key[s1]=fail", NULL},
    /* dmarc */
    {"dmarc: p=reject", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "dmarc",
     "dmarc.record=pass dmarc.policy=pass dmarc.reporting=pass dmarc.alignment=skip", NULL},
    {"dmarc: p=none, no rua", "_dmarc.good.test TXT v=DMARC1; p=none\n", "192.0.2.10", "good.test", NULL,
     NULL, NULL, "dmarc", "dmarc.record=pass dmarc.policy=warn dmarc.reporting=warn", NULL},
    {"dmarc: none at all", "good.test A 192.0.2.10\n", "192.0.2.10", "good.test", NULL, NULL, NULL, "dmarc",
     "dmarc.record=fail dmarc.policy=skip dmarc.reporting=skip", NULL},
    {"dmarc: the lookup fails", "_dmarc.good.test FAIL\n", "192.0.2.10", "good.test", NULL, NULL, NULL,
     "dmarc", "dmarc.record=error dmarc.policy=error dmarc.reporting=error", NULL},
    {"dmarc: an unaligned MAIL FROM", CLEAN "other.test MX 10 mail.good.test\n", "192.0.2.10", "good.test",
     NULL, "other.test", NULL, "dmarc.alignment", "dmarc.alignment=fail", NULL},
    {"dmarc: an aligned MAIL FROM", CLEAN, "192.0.2.10", "good.test", NULL, "bounce.good.test", NULL,
     "dmarc.alignment", "dmarc.alignment=pass", NULL},
    /* mx */
    {"mx: a host that resolves", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "mx", "mx.bounces=pass",
     NULL},
    {"mx: a null MX", "good.test MX 0 .\n", "192.0.2.10", "good.test", NULL, NULL, NULL, "mx",
     "mx.bounces=fail", NULL},
    {"mx: implicit MX", "good.test A 192.0.2.10\n", "192.0.2.10", "good.test", NULL, NULL, NULL, "mx",
     "mx.bounces=warn", NULL},
    {"mx: one host's lookup fails",
     "good.test MX 10 a.good.test\ngood.test MX 20 b.good.test\n"
     "a.good.test A 192.0.2.1\nb.good.test FAIL\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "mx", "mx.bounces=error", NULL},
    {"mx: the domain does not exist", "", "192.0.2.10", "nx.test", NULL, NULL, NULL, "mx", "mx.bounces=fail",
     NULL},
    /* dnsbl */
    {"dnsbl: not listed", CLEAN BL("bl.test"), "192.0.2.10", "good.test", NULL, NULL, NULL, "dnsbl.ip",
     "dnsbl.ip[bl.test]=pass", "bl.test"},
    {"dnsbl: listed", CLEAN BL("bl.test") "10.2.0.192.bl.test A 127.0.0.2\n", "192.0.2.10", "good.test", NULL,
     NULL, NULL, "dnsbl.ip", "dnsbl.ip[bl.test]=fail", "bl.test"},
    {"dnsbl: a dead list (test point not listed)", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL,
     "dnsbl.ip", "dnsbl.ip[bl.test]=error", "bl.test"},
    {"dnsbl: the query fails", CLEAN BL("bl.test") "10.2.0.192.bl.test FAIL\n", "192.0.2.10", "good.test",
     NULL, NULL, NULL, "dnsbl.ip", "dnsbl.ip[bl.test]=error", "bl.test"},
    /* mx.rdns */
    {"mx.rdns: the MX host has FCrDNS", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "mx.rdns",
     "mx.rdns=pass", NULL},
    {"mx.rdns: an MX host without PTR", "good.test MX 10 mx.good.test\nmx.good.test A 192.0.2.77\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "mx.rdns", "mx.rdns=warn", NULL},
    {"mx.rdns: a PTR that points elsewhere",
     "good.test MX 10 mx.good.test\nmx.good.test A 192.0.2.77\n77.2.0.192.in-addr.arpa PTR other.test\n"
     "other.test A 192.0.2.78\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "mx.rdns", "mx.rdns=warn", NULL},
    {"mx.rdns: the PTR lookup fails",
     "good.test MX 10 mx.good.test\nmx.good.test A 192.0.2.77\n77.2.0.192.in-addr.arpa FAIL\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "mx.rdns", "mx.rdns=error", NULL},
    {"mx.rdns: a null MX has nothing to check", "good.test MX 0 .\n", "192.0.2.10", "good.test", NULL, NULL,
     NULL, "mx.rdns", "mx.rdns=skip", NULL},
    /* dmarc.destinations */
    {"dmarc.destinations: the mailbox domain has an MX", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL,
     "dmarc.destinations", "dmarc.destinations=pass", NULL},
    {"dmarc.destinations: a null MX and a domain that does not exist",
     "_dmarc.good.test TXT v=DMARC1; p=reject; rua=mailto:a@null.test,mailto:b@nx.test\nnull.test MX 0 .\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "dmarc.destinations", "dmarc.destinations=warn", NULL},
    {"dmarc.destinations: an address record serves (implicit MX)",
     "_dmarc.good.test TXT v=DMARC1; p=reject; ruf=mailto:f@a.test\na.test A 192.0.2.5\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "dmarc.destinations", "dmarc.destinations=pass", NULL},
    {"dmarc.destinations: the MX lookup fails",
     "_dmarc.good.test TXT v=DMARC1; p=reject; rua=mailto:a@broken.test\nbroken.test FAIL\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "dmarc.destinations", "dmarc.destinations=error", NULL},
    {"dmarc.destinations: no mailto destination", "_dmarc.good.test TXT v=DMARC1; p=reject\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "dmarc.destinations", "dmarc.destinations=skip", NULL},
    /* domain: MTA-STS */
    {"domain.mtasts: none published", CLEAN, "192.0.2.10", "good.test", NULL, NULL, NULL, "domain",
     "domain.mtasts=info domain.tlsrpt=info domain.bimi=info domain.bimi.logo=skip domain.bimi.vmc=skip "
     "domain.dnssec=info domain.dane=info",
     NULL},
    {"domain.mtasts: two records",
     "_mta-sts.good.test TXT v=STSv1; id=1\n_mta-sts.good.test TXT v=STSv1; id=2\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "domain.mtasts", "domain.mtasts=fail", NULL},
    {"domain.mtasts: no id", "_mta-sts.good.test TXT v=STSv1;\n", "192.0.2.10", "good.test", NULL, NULL, NULL,
     "domain.mtasts", "domain.mtasts=fail", NULL},
    {"domain.mtasts: a near miss", "_mta-sts.good.test TXT v=STSV1; id=1\n", "192.0.2.10", "good.test", NULL,
     NULL, NULL, "domain.mtasts", "domain.mtasts=fail", NULL},
    {"domain.mtasts: the policy host does not exist", "_mta-sts.good.test TXT v=STSv1; id=1\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "domain.mtasts", "domain.mtasts=fail", NULL},
    {"domain.mtasts: the policy host's lookup fails",
     "_mta-sts.good.test TXT v=STSv1; id=1\nmta-sts.good.test FAIL\n", "192.0.2.10", "good.test", NULL, NULL,
     NULL, "domain.mtasts", "domain.mtasts=error", NULL},
    {"domain.mtasts: the record lookup fails", "_mta-sts.good.test FAIL\n", "192.0.2.10", "good.test", NULL,
     NULL, NULL, "domain.mtasts", "domain.mtasts=error", NULL},
    /* domain: TLS-RPT */
    {"domain.tlsrpt: a valid record", "_smtp._tls.good.test TXT v=TLSRPTv1; rua=mailto:tls@good.test\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain.tlsrpt", "domain.tlsrpt=pass", NULL},
    {"domain.tlsrpt: an http URI", "_smtp._tls.good.test TXT v=TLSRPTv1; rua=http://r.good.test/\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain.tlsrpt", "domain.tlsrpt=fail", NULL},
    {"domain.tlsrpt: the lookup fails", "_smtp._tls.good.test FAIL\n", "192.0.2.10", "good.test", NULL, NULL,
     NULL, "domain.tlsrpt", "domain.tlsrpt=error", NULL},
    /* domain: BIMI */
    {"domain.bimi: under p=reject, no certificate",
     CLEAN "default._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/logo.svg\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "domain", "domain.bimi=warn domain.bimi.logo=fail domain.bimi.vmc=skip",
     NULL},
    {"domain.bimi: under p=none",
     "_dmarc.good.test TXT v=DMARC1; p=none\n"
     "default._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/l.svg; a=https://bimi.good.test/v.pem\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain.bimi", "domain.bimi=fail", NULL},
    {"domain.bimi: quarantine at pct=50",
     "_dmarc.good.test TXT v=DMARC1; p=quarantine; pct=50\n"
     "default._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/l.svg; a=https://bimi.good.test/v.pem\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain.bimi", "domain.bimi=fail", NULL},
    {"domain.bimi: sp=none on the organizational domain's record",
     "_dmarc.good.test TXT v=DMARC1; p=reject; sp=none\n"
     "default._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/l.svg; a=https://bimi.good.test/v.pem\n",
     "192.0.2.10", "sub.good.test", NULL, NULL, NULL, "domain.bimi", "domain.bimi=fail", NULL},
    {"domain.bimi: the organizational domain's record, at enforcement",
     CLEAN
     "default._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/l.svg; a=https://bimi.good.test/v.pem\n",
     "192.0.2.10", "sub.good.test", NULL, NULL, NULL, "domain",
     "domain.bimi=pass domain.bimi.logo=fail domain.bimi.vmc=fail", NULL},
    {"domain.bimi: a declination", CLEAN "default._bimi.good.test TXT v=BIMI1; l=; a=;\n", "192.0.2.10",
     "good.test", NULL, NULL, NULL, "domain", "domain.bimi=info domain.bimi.logo=skip", NULL},
    {"domain.bimi: an http logo", CLEAN "default._bimi.good.test TXT v=BIMI1; l=http://good.test/l.svg\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain", "domain.bimi=fail domain.bimi.logo=skip", NULL},
    {"domain.bimi: the lookup fails", CLEAN "default._bimi.good.test FAIL\n", "192.0.2.10", "good.test", NULL,
     NULL, NULL, "domain.bimi", "domain.bimi=error", NULL},
    {"domain.bimi: the DMARC lookup fails",
     "_dmarc.good.test FAIL\ndefault._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/l.svg\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain.bimi", "domain.bimi=error", NULL},
    {"domain.bimi.logo: the logo host's lookup fails",
     CLEAN "default._bimi.good.test TXT v=BIMI1; l=https://bimi.good.test/l.svg\nbimi.good.test FAIL\n",
     "192.0.2.10", "good.test", NULL, NULL, NULL, "domain", "domain.bimi.logo=error", NULL},
    /* domain: DNSSEC and DANE over a resolver without DNSSEC */
    {"domain.dnssec: every question fails", "good.test FAIL\n", "192.0.2.10", "good.test", NULL, NULL, NULL,
     "domain.dnssec,domain.dane", "domain.dnssec=error domain.dane=error", NULL},
    {"domain.dane: the TLSA lookup fails", CLEAN "_25._tcp.mail.good.test FAIL\n", "192.0.2.10", "good.test",
     NULL, NULL, NULL, "domain.dane", "domain.dane=error", NULL},
};

static bool *enabled_new(const char *only)
{
	size_t n = registry_count();
	bool *en = calloc(n, sizeof *en);
	char why[200];
	registry_select(only, en, true, why, sizeof why);
	return en;
}

/* The status of the first finding with id (and subject), or "missing". */
static const char *status_of(const struct findings *fs, const char *id, const char *subject)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].id, id) == 0 &&
		    (!subject || (fs->v[i].subject && strcmp(fs->v[i].subject, subject) == 0)))
			return status_name(fs->v[i].status);
	return "missing";
}

static void run_case(struct unit_ctx *t, const struct tcase *c)
{
	struct memdns m;
	memdns_load(&m, c->zone, strlen(c->zone));
	struct resolver r = memdns_resolver(&m);
	char *sel[1] = {(char *)c->selector};
	struct target tg = {.domain = (char *)c->domain,
	                    .helo = (char *)c->helo,
	                    .mail_from = (char *)(c->mail_from ? c->mail_from : c->domain),
	                    .mail_from_given = c->mail_from != NULL,
	                    .selectors = c->selector ? sel : NULL,
	                    .selector_count = c->selector ? 1 : 0};
	char why[100];
	ip_parse(c->ip, &tg.ip, why, sizeof why);
	char *zones[1] = {(char *)c->dnsbl};
	struct audit_opts o = {.timeout_ms = 1000,
	                       .dnsbl_none = !c->dnsbl,
	                       .dnsbl_zones = c->dnsbl ? zones : NULL,
	                       .dnsbl_zone_count = c->dnsbl ? 1 : 0};
	struct psl *psl = psl_open();
	bool *en = enabled_new(c->only);
	struct audit a = {.t = &tg, .o = &o, .dns = &r, .psl = psl, .enabled = en};
	struct findings fs;
	findings_init(&fs);
	audit_run(&a, &fs);
	char *want = strdup(c->expect), *save = NULL;
	for (char *tok = strtok_r(want, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *br = strchr(tok, '[');
		*eq = '\0';
		const char *subject = NULL;
		if (br && br < eq) {
			*br = '\0';
			subject = br + 1;
			*strchr(subject, ']') = '\0';
		}
		const char *got = status_of(&fs, tok, subject);
		if (!unit_check(t, strcmp(got, eq + 1) == 0, c->name, __FILE__, __LINE__))
			printf("     %s%s%s%s is %s, want %s\n", tok, subject ? "[" : "",
			       subject ? subject : "", subject ? "]" : "", got, eq + 1);
	}
	/* nothing an enabled check says is an internal error */
	for (size_t i = 0; i < fs.n; i++)
		unit_check(t, !strstr(fs.v[i].summary, "internal error"), fs.v[i].summary, __FILE__,
		           __LINE__);
	free(want);
	findings_free(&fs);
	free(en);
	psl_close(psl);
	memdns_free(&m);
}

static void t_families(struct unit_ctx *t)
{
	for (size_t i = 0; i < sizeof cases_tab / sizeof *cases_tab; i++)
		run_case(t, &cases_tab[i]);
}

static const struct unit_case cases[] = {
    {"families, records in and findings out", t_families},
};
UNIT_MAIN(cases)
