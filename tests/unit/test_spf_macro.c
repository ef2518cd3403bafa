/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/spf_macro, with the examples of RFC 7208 7.4. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/records/spf_macro.h"
#include "unit.h"

static const struct spf_macro_env env4 = {"strong-bad@email.example.com", "email.example.com", "192.0.2.3",
                                          "mx.example.org", NULL};

static void expect(struct unit_ctx *t, const struct spf_macro_env *env, const char *in, const char *want)
{
	char err[128];
	char *got = spf_macro_expand_new(in, strlen(in), env, false, err, sizeof err);
	UNIT_EQ_STR(t, got, want);
	free(got);
}

static void t_rfc_examples(struct unit_ctx *t)
{
	expect(t, &env4, "%{s}", "strong-bad@email.example.com");
	expect(t, &env4, "%{o}", "email.example.com");
	expect(t, &env4, "%{d4}", "email.example.com");
	expect(t, &env4, "%{d2}", "example.com");
	expect(t, &env4, "%{d1}", "com");
	expect(t, &env4, "%{dr}", "com.example.email");
	expect(t, &env4, "%{d2r}", "example.email");
	expect(t, &env4, "%{l}", "strong-bad");
	expect(t, &env4, "%{l-}", "strong.bad");
	expect(t, &env4, "%{lr}", "strong-bad");
	expect(t, &env4, "%{lr-}", "bad.strong");
	expect(t, &env4, "%{l1r-}", "strong");
	expect(t, &env4, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com");
	expect(t, &env4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	       "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expect(t, &env4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expect(t, &env4, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net");
	expect(t, &env4, "%%%_%-", "% %20");
	expect(t, &env4, "%{S}", "strong-bad%40email.example.com");
	const struct spf_macro_env env6 = {"strong-bad@email.example.com", "email.example.com",
	                                   "2001:db8::cb01", NULL, NULL};
	expect(t, &env6, "%{ir}.%{v}._spf.%{d2}",
	       "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

static void t_invalid(struct unit_ctx *t)
{
	char err[128];
	const char *bad[] = {"%{x}", "%{d0}", "%", "%{d", "%a", "%{c}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		UNIT_CHECK(t, spf_macro_expand_new(bad[i], strlen(bad[i]), &env4, false, err, sizeof err) ==
		                  NULL);
	char *c = spf_macro_expand_new("%{c}", 4, &env4, true, err, sizeof err);
	UNIT_EQ_STR(t, c, "192.0.2.3");
	free(c);
}

static void t_truncate(struct unit_ctx *t)
{
	char d[400];
	memset(d, 'a', 300);
	memcpy(d + 60, ".", 1);
	strcpy(d + 300, ".example.com");
	spf_macro_truncate(d);
	UNIT_CHECK(t, strlen(d) <= 253);
	UNIT_CHECK(t, strlen(d) > 200);
}

static const struct unit_case cases[] = {
    {"RFC 7208 7.4 examples", t_rfc_examples},
    {"invalid macros", t_invalid},
    {"253-byte truncation", t_truncate},
};
UNIT_MAIN(cases)
