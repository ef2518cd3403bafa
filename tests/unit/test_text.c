/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/text (UTF-8 checks, terminal escaping) and lib/psl. */
#include <stdlib.h>

#include "../../lib/util/psl.h"
#include "../../lib/util/text.h"
#include "unit.h"

static void t_utf8_valid(struct unit_ctx *t)
{
	UNIT_CHECK(t, utf8_valid("plain", 5));
	UNIT_CHECK(t, utf8_valid("b\xc3\xbc"
	                         "cher",
	                         6));
	UNIT_CHECK(t, !utf8_valid("\xff", 1));
	UNIT_CHECK(t, !utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
	UNIT_CHECK(t, !utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	UNIT_CHECK(t, !utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	UNIT_CHECK(t, !utf8_valid("\xe2\x82", 2));         /* truncated */
}

static void t_sanitize(struct unit_ctx *t)
{
	char *s = utf8_sanitize_new("a\xffz", 3);
	UNIT_EQ_STR(t, s, "a\xef\xbf\xbdz");
	free(s);
	s = utf8_sanitize_new("a\0b", 3); /* NUL inside TXT data */
	UNIT_EQ_STR(t, s,
	            "a\xef\xbf\xbd"
	            "b");
	free(s);
}

static void t_term_escape(struct unit_ctx *t)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof buf, "w");
	text_put_safe(f, "ok \x1b[31mred\x07 b\xc3\xbc \xff \xc2\x9b");
	fclose(f);
	UNIT_EQ_STR(t, buf, "ok \\x1b[31mred\\x07 b\xc3\xbc \\xff \\xc2\\x9b");
}

static void t_psl(struct unit_ctx *t)
{
	struct psl *p = psl_open();
	char *r = psl_registrable_new(p, "MAIL.Example.CO.UK.");
	UNIT_EQ_STR(t, r, "example.co.uk");
	free(r);
	r = psl_registrable_new(p, "mail.good.test");
	UNIT_EQ_STR(t, r, "good.test");
	free(r);
	UNIT_CHECK(t, psl_registrable_new(p, "co.uk") == NULL);
	UNIT_CHECK(t, psl_registrable_new(p, "192.0.2.1") == NULL);
	UNIT_CHECK(t, psl_registrable_new(p, "2001:db8::1") == NULL);
	UNIT_CHECK(t, psl_registrable_new(p, "") == NULL);
	UNIT_CHECK(t, psl_registrable_new(p, NULL) == NULL);
	UNIT_CHECK(t, psl_same_org(p, "mail.esp.test", "out.esp.test"));
	UNIT_CHECK(t, !psl_same_org(p, "a.blogspot.com", "b.blogspot.com")); /* private section */
	UNIT_CHECK(t, !psl_same_org(p, "co.uk", "co.uk"));
	psl_close(p);
}

static const struct unit_case cases[] = {
    {"utf8_valid", t_utf8_valid},
    {"utf8_sanitize_new", t_sanitize},
    {"text_put_safe", t_term_escape},
    {"psl helpers", t_psl},
};
UNIT_MAIN(cases)
