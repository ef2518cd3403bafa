/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/spf_record (RFC 7208 record syntax). */
#include <stdlib.h>
#include <string.h>

#include "../../lib/records/spf_record.h"
#include "unit.h"

static struct spf_record *parse(const char *s)
{
	char err[128];
	return spf_record_parse_new(s, strlen(s), err, sizeof err);
}

static int valid(const char *s)
{
	struct spf_record *r = parse(s);
	spf_record_free(r);
	return r != NULL;
}

static void t_is_record(struct unit_ctx *t)
{
	UNIT_CHECK(t, spf_is_record("v=spf1", 6));
	UNIT_CHECK(t, spf_is_record("V=SPF1 -all", 11));
	UNIT_CHECK(t, !spf_is_record("v=spf10 -all", 12));
	UNIT_CHECK(t, !spf_is_record("v=spf", 5));
}

static void t_terms(struct unit_ctx *t)
{
	struct spf_record *r =
	    parse("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mx.test/24//64 -include:_spf.test "
	          "exists:%{i}.x.test ~all redirect=other.test foo=bar");
	UNIT_CHECK(t, r != NULL);
	if (!r)
		return;
	UNIT_EQ_INT(t, r->n, 9);
	UNIT_EQ_INT(t, r->terms[0].kind, SPF_IP4);
	UNIT_EQ_INT(t, r->terms[0].cidr4, 24);
	UNIT_EQ_STR(t, r->terms[1].addr, "2001:db8::");
	UNIT_EQ_INT(t, r->terms[1].cidr6, 32);
	UNIT_CHECK(t, r->terms[2].domain_spec == NULL);
	UNIT_EQ_INT(t, r->terms[3].cidr6, 64);
	UNIT_EQ_INT(t, r->terms[4].qualifier, '-');
	UNIT_EQ_STR(t, r->terms[4].domain_spec, "_spf.test");
	UNIT_CHECK(t, r->terms[5].has_macro);
	UNIT_EQ_INT(t, r->terms[6].qualifier, '~');
	UNIT_EQ_INT(t, r->terms[7].kind, SPF_REDIRECT);
	UNIT_EQ_INT(t, r->terms[8].kind, SPF_MODIFIER);
	int dns = 0;
	for (size_t i = 0; i < r->n; i++)
		dns += spf_term_queries_dns(&r->terms[i]);
	UNIT_EQ_INT(t, dns, 5);
	spf_record_free(r);
}

static void t_errors(struct unit_ctx *t)
{
	UNIT_CHECK(t, !valid("v=spf1 foo"));
	UNIT_CHECK(t, !valid("v=spf1 ip4:192.0.2.1/33"));
	UNIT_CHECK(t, !valid("v=spf1 ip4:1.2.3"));
	UNIT_CHECK(t, !valid("v=spf1 a:foo.1")); /* numeric toplabel */
	UNIT_CHECK(t, !valid("v=spf1 include:"));
	UNIT_CHECK(t, !valid("v=spf1 redirect=a.test redirect=b.test"));
	UNIT_CHECK(t, !valid("v=spf1 exists:%{x}.test"));
	UNIT_CHECK(t, !valid("v=spf1 a:%{c}.test")); /* c only in exp */
	UNIT_CHECK(t, !valid("v=spf1 all:x.test"));
	UNIT_CHECK(t, !valid("v=spf1 mx//129"));
	UNIT_CHECK(t, valid("v=spf1 mx//0 a/0 -all"));
	UNIT_CHECK(t, valid("v=spf1 a:foo.test. exists:%{ir}.%{l1r+-}._spf.%{d}"));
	UNIT_CHECK(t, !valid("v=spf1 a:museum")); /* domain-end needs a dot */
	UNIT_CHECK(t, !valid("v=spf1 a/24/64"));
	UNIT_CHECK(t, !valid("v=spf1 ip4:192.0.2.1//32"));
	UNIT_CHECK(t, !valid("v=spf1 include:x.test/24"));
	UNIT_CHECK(t, valid("v=spf1 a:foo:bar/baz.example.com")); /* '/' inside a domain-spec */
	UNIT_CHECK(t, valid("v=spf1   "));
}

static const struct unit_case cases[] = {
    {"spf_is_record", t_is_record},
    {"terms", t_terms},
    {"syntax errors", t_errors},
};
UNIT_MAIN(cases)
