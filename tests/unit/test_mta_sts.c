/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/records/mta_sts (the MTA-STS TXT record, the policy file
 * and MX pattern matching, RFC 8461) and lib/records/tlsrpt (the TLS-RPT
 * record, RFC 8460). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/records/mta_sts.h"
#include "../../lib/records/tlsrpt.h"
#include "unit.h"

struct rec {
	const char *txt;
	int valid;
	const char *id; /* the id when valid */
};

static void t_record(struct unit_ctx *t)
{
	static const struct rec cases[] = {
	    {"v=STSv1; id=20240101T000000;", 1, "20240101T000000"},
	    {"v=STSv1;id=abc", 1, "abc"},
	    {"v=STSv1; id=abc; ", 1, "abc"},
	    {"v=STSv1 ; id=abc", 1, "abc"},
	    {"v=STSv1; id=abc; ext_1=x.y", 1, "abc"},
	    {"v=STSv1; ext=1; id=a1", 1, "a1"},
	    {"v=STSv1; id=12345678901234567890123456789012", 1, "12345678901234567890123456789012"},
	    {"v=STSv1; id=123456789012345678901234567890123", 0, NULL}, /* 33 characters */
	    {"v=STSv1; id=2024-01-01", 0, NULL},                        /* '-' is no letter or digit */
	    {"v=STSv1", 0, NULL},                                       /* no id */
	    {"v=STSv1; id=", 0, NULL},
	    {"v=STSv1; id=a;; x=1", 0, NULL},
	    {"v=stsv1; id=a", 0, NULL}, /* the version is case-sensitive */
	    {"id=a; v=STSv1", 0, NULL},
	    {"v=STSv1; id=a b", 0, NULL},
	    {"v=STSv1 id=a", 0, NULL},
	    {"v=STSv1; id=a; =b", 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct mta_sts_record r;
		int rc = mta_sts_record_parse(cases[i].txt, strlen(cases[i].txt), &r);
		if (!unit_check(t, (rc == 0) == cases[i].valid && r.valid == (bool)cases[i].valid,
		                cases[i].txt, __FILE__, __LINE__))
			printf("     got %d (%s)\n", rc, r.error);
		if (cases[i].id)
			UNIT_EQ_STR(t, r.id, cases[i].id);
	}
	UNIT_CHECK(t, mta_sts_is_record("v=STSv1;", 8));
	UNIT_CHECK(t, mta_sts_is_record("v=STSv1 ", 8));
	UNIT_CHECK(t, !mta_sts_is_record("v=STSv10", 8));
	UNIT_CHECK(t, !mta_sts_is_record("v=STS", 5));
}

static void t_policy(struct unit_ctx *t)
{
	struct mta_sts_policy p;
	const char *good =
	    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: "
	    "604800\r\n";
	UNIT_EQ_INT(t, mta_sts_policy_parse(good, strlen(good), &p), 0);
	UNIT_CHECK(t, p.valid && p.version_ok && p.mode == MTA_STS_ENFORCE && p.max_age == 604800);
	UNIT_EQ_INT(t, p.mx_count, 2);
	UNIT_EQ_STR(t, p.mx[1], "*.example.net");
	UNIT_EQ_INT(t, mta_sts_policy_match(&p, "mail.example.com"), 0);
	UNIT_EQ_INT(t, mta_sts_policy_match(&p, "MX1.Example.NET."), 1);
	UNIT_EQ_INT(t, mta_sts_policy_match(&p, "example.net"), -1);
	UNIT_EQ_INT(t, mta_sts_policy_match(&p, "a.b.example.net"), -1);
	mta_sts_policy_free(&p);

	/* LF line ends, blank lines, no trailing newline, white space */
	const char *lf = "version: STSv1\n\nmode:testing\nmx:   mx.example.com   \nmax_age: 86400";
	UNIT_EQ_INT(t, mta_sts_policy_parse(lf, strlen(lf), &p), 0);
	UNIT_CHECK(t, p.mode == MTA_STS_TESTING && p.mx_count == 1 && p.lines == 4);
	UNIT_EQ_STR(t, p.mx[0], "mx.example.com");
	mta_sts_policy_free(&p);

	/* mode none needs no mx */
	const char *none = "version: STSv1\nmode: none\nmax_age: 86400\n";
	UNIT_EQ_INT(t, mta_sts_policy_parse(none, strlen(none), &p), 0);
	UNIT_CHECK(t, p.mode == MTA_STS_NONE);
	mta_sts_policy_free(&p);

	static const struct {
		const char *body;
		const char *error; /* a substring of the first error */
	} bad[] = {
	    {"mode: enforce\nmx: a.example\nmax_age: 1\n", "no version"},
	    {"version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "not STSv1"},
	    {"version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", "none of enforce"},
	    {"version: STSv1\nmode: enforce\nmax_age: 1\n", "needs at least one mx"},
	    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "not a number"},
	    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "above the limit"},
	    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", "not a number"},
	    {"version: STSv1\nmode: enforce\nmx: a.example\n", "no max_age"},
	    {"version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n", "not a host name"},
	    {"version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", "not a host name"},
	    {"version: STSv1\nthis line has no colon\nmode: none\nmax_age: 1\n", "line 2 is not"},
	    {"<html><body>Not Found</body></html>", "line 1 is not"},
	    {"", "no version"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = mta_sts_policy_parse(bad[i].body, strlen(bad[i].body), &p);
		bool ok = rc < 0 && !p.valid && p.error_count > 0 && strstr(p.errors[0], bad[i].error);
		if (!unit_check(t, ok, bad[i].body, __FILE__, __LINE__))
			printf("     got %d: %s\n", rc, p.error_count ? p.errors[0] : "(no error)");
		mta_sts_policy_free(&p);
	}

	/* a repeated field: noted, the first counts; an unknown key: noted */
	const char *dup =
	    "version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 5\nfuture: x\n";
	UNIT_EQ_INT(t, mta_sts_policy_parse(dup, strlen(dup), &p), 0);
	UNIT_CHECK(t, p.mode == MTA_STS_TESTING && p.note_count == 2);
	mta_sts_policy_free(&p);

	/* NUL and control bytes: an error, nothing read past the end */
	const char nul[] = "version: STSv1\nmode: enf\0rce\nmx: a.example\nmax_age: 5\n";
	UNIT_EQ_INT(t, mta_sts_policy_parse(nul, sizeof nul - 1, &p), -1);
	mta_sts_policy_free(&p);
}

/* 1,000 mx lines: all kept, each matched; the messages list stays bounded
 * however many lines are wrong. */
static void t_policy_large(struct unit_ctx *t)
{
	size_t cap = 1000 * 40 + 100, o = 0;
	char *b = malloc(cap);
	o += (size_t)snprintf(b + o, cap - o, "version: STSv1\nmode: enforce\nmax_age: 604800\n");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(b + o, cap - o, "mx: mx%d.example.com\n", i);
	struct mta_sts_policy p;
	UNIT_EQ_INT(t, mta_sts_policy_parse(b, o, &p), 0);
	UNIT_EQ_INT(t, p.mx_count, 1000);
	UNIT_EQ_INT(t, mta_sts_policy_match(&p, "mx999.example.com"), 999);
	mta_sts_policy_free(&p);
	o = 0;
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(b + o, cap - o, "junk %d\n", i);
	UNIT_EQ_INT(t, mta_sts_policy_parse(b, o, &p), -1);
	UNIT_CHECK(t, p.error_count == MTA_STS_MAX_MSGS && p.errors_dropped > 900);
	mta_sts_policy_free(&p);
	free(b);
}

static void t_match(struct unit_ctx *t)
{
	UNIT_CHECK(t, mta_sts_mx_match("mail.example.com", "mail.example.com."));
	UNIT_CHECK(t, mta_sts_mx_match("*.example.com", "mx.example.com"));
	UNIT_CHECK(t, !mta_sts_mx_match("*.example.com", "example.com"));
	UNIT_CHECK(t, !mta_sts_mx_match("*.example.com", ".example.com"));
	UNIT_CHECK(t, !mta_sts_mx_match("*.example.com", "a.b.example.com"));
	UNIT_CHECK(t, !mta_sts_mx_match("*.example.com", "mx.example.co"));
	UNIT_CHECK(t, !mta_sts_mx_match("example.com", "mx.example.com"));
}

static void t_tlsrpt(struct unit_ctx *t)
{
	static const struct {
		const char *txt;
		int valid;
		size_t rua;
	} cases[] = {
	    {"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", 1, 1},
	    {"v=TLSRPTv1;rua=mailto:a@example.com,https://reports.example.net/tls", 1, 2},
	    {"v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.org;", 1, 2},
	    {"v=TLSRPTv1; rua=mailto:a@example.com; ext=1", 1, 1},
	    {"v=TLSRPTv1", 0, 0},
	    {"v=TLSRPTv1; rua=", 0, 1},
	    {"v=TLSRPTv1; rua=http://reports.example.net/", 0, 1},
	    {"v=TLSRPTv1; rua=mailto:example.com", 0, 1},
	    {"v=TLSRPTv1; rua=mailto:a@b@", 0, 1},
	    {"v=tlsrptv1; rua=mailto:a@example.com", 0, 0},
	    {"v=TLSRPTv1; rua=mailto:a@example.com; =x", 0, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct tlsrpt_record r;
		int rc = tlsrpt_parse(cases[i].txt, strlen(cases[i].txt), &r);
		if (!unit_check(t, (rc == 0) == cases[i].valid && r.rua_count == cases[i].rua, cases[i].txt,
		                __FILE__, __LINE__))
			printf("     got %d, %zu URIs (%s)\n", rc, r.rua_count, r.error);
		tlsrpt_free(&r);
	}
	struct tlsrpt_record r;
	const char *two = "v=TLSRPTv1; rua=mailto:a@Example.COM,https://r.example.net:8443/x";
	tlsrpt_parse(two, strlen(two), &r);
	UNIT_EQ_STR(t, r.rua[0].domain, "example.com");
	UNIT_CHECK(t, r.rua[1].https);
	UNIT_EQ_STR(t, r.rua[1].domain, "r.example.net");
	tlsrpt_free(&r);
	const char nul[] = "v=TLSRPTv1; rua=mailto:a@exa\0mple.com";
	UNIT_EQ_INT(t, tlsrpt_parse(nul, sizeof nul - 1, &r), -1);
	tlsrpt_free(&r);
}

static const struct unit_case cases[] = {
    {"MTA-STS TXT record", t_record},
    {"MTA-STS policy file", t_policy},
    {"MTA-STS policy with 1,000 mx lines", t_policy_large},
    {"MTA-STS mx patterns", t_match},
    {"TLS-RPT record", t_tlsrpt},
};
UNIT_MAIN(cases)
