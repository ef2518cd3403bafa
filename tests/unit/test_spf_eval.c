/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/spf_eval (check_host and the tree walk) over an in-memory
 * DNS. The RFC 7208 suite runs against NSD in suite_spf_conformance.sh;
 * these pin the limit arithmetic and the walk's bookkeeping. */
#include "../../lib/records/spf_eval.h"
#include "../memdns.h"
#include "unit.h"

struct run {
	struct memdns m;
	struct spf_verdict v;
	struct spf_tree t;
};

static void run(struct run *r, const char *zone, const char *ip, const char *domain)
{
	memdns_load(&r->m, zone, strlen(zone));
	struct resolver d = memdns_resolver(&r->m);
	struct spf_request rq = {{0}, domain, NULL, "mail.example.com"};
	char why[64];
	ip_parse(ip, &rq.ip, why, sizeof why);
	spf_walk(&d, &rq, &r->t);
	spf_check_host(&d, &rq, &r->v);
}

static void done(struct run *r)
{
	spf_verdict_clear(&r->v);
	spf_tree_clear(&r->t);
	memdns_free(&r->m);
}

static void t_pass_ip4(struct unit_ctx *t)
{
	struct run r;
	run(&r, "example.com TXT v=spf1 ip4:192.0.2.0/24 -all\n", "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "pass");
	UNIT_EQ_STR(t, r.v.matched, "ip4:192.0.2.0/24");
	UNIT_EQ_INT(t, r.v.lookups, 0);
	UNIT_EQ_INT(t, r.t.nodes[0].total, 0);
	done(&r);
	run(&r, "example.com TXT v=spf1 ip4:192.0.2.0/24 -all\n", "192.0.3.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "fail");
	done(&r);
}

/* RFC 7208 4.6.4: the limit is over the whole evaluation, includes too. */
static void t_limit_across_includes(struct unit_ctx *t)
{
	const char *z =
	    "example.com TXT v=spf1 include:a.example.com include:b.example.com -all\n"
	    "a.example.com TXT v=spf1 a:h.example.com a:h.example.com a:h.example.com a:h.example.com\n"
	    "b.example.com TXT v=spf1 a:h.example.com a:h.example.com a:h.example.com a:h.example.com "
	    "ip4:192.0.2.7\n"
	    "h.example.com A 198.51.100.1\n";
	struct run r;
	run(&r, z, "192.0.2.7", "example.com");
	/* 2 includes + 8 a = 10 before ip4: still within the limit */
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "pass");
	UNIT_EQ_INT(t, r.v.lookups, 10);
	UNIT_EQ_INT(t, r.t.nodes[0].total, 10);
	UNIT_EQ_INT(t, r.t.nodes[1].total, 4);
	done(&r);
	const char *z11 =
	    "example.com TXT v=spf1 a:h.example.com include:a.example.com include:b.example.com -all\n"
	    "a.example.com TXT v=spf1 a:h.example.com a:h.example.com a:h.example.com a:h.example.com\n"
	    "b.example.com TXT v=spf1 a:h.example.com a:h.example.com a:h.example.com a:h.example.com "
	    "ip4:192.0.2.7\n"
	    "h.example.com A 198.51.100.1\n";
	run(&r, z11, "192.0.2.7", "example.com");
	/* the 11th term is not evaluated (libspf2 evaluates it) */
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "permerror");
	UNIT_EQ_INT(t, r.t.nodes[0].total, 11);
	done(&r);
}

static void t_voids(struct unit_ctx *t)
{
	struct run r;
	run(&r, "example.com TXT v=spf1 a:n1.example.com mx:n2.example.com ip4:192.0.2.7 -all\n", "192.0.2.7",
	    "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "pass");
	UNIT_EQ_INT(t, r.v.voids, 2);
	UNIT_EQ_INT(t, r.t.voids, 2);
	done(&r);
	run(&r,
	    "example.com TXT v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com ip4:192.0.2.7 "
	    "-all\n",
	    "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "permerror");
	UNIT_EQ_INT(t, r.t.voids, 3);
	done(&r);
}

static void t_mx_names(struct unit_ctx *t)
{
	char z[2048] = "example.com TXT v=spf1 mx -all\n";
	for (int i = 0; i < 11; i++) {
		char l[64];
		snprintf(l, sizeof l, "example.com MX %d mx%d.example.com\n", i, i);
		strcat(z, l);
	}
	strcat(z, "mx3.example.com A 192.0.2.7\n");
	struct run r;
	run(&r, z, "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "permerror");
	UNIT_EQ_INT(t, r.t.mx_names_max, 11);
	done(&r);
}

static void t_errors(struct unit_ctx *t)
{
	struct run r;
	run(&r, "example.com TXT v=spf1 include:bad.example.com -all\nbad.example.com FAIL\n", "192.0.2.7",
	    "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "temperror");
	UNIT_CHECK(t, r.t.incomplete);
	UNIT_EQ_INT(t, r.t.nodes[1].status, SPF_NODE_DNSERR);
	done(&r);
	run(&r, "example.com TXT v=spf1 include:none.example.com -all\n", "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "permerror");
	UNIT_EQ_INT(t, r.t.nodes[1].status, SPF_NODE_NONE);
	done(&r);
	run(&r, "example.com TXT v=spf1 -all\nexample.com TXT v=spf1 +all\n", "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "permerror");
	UNIT_EQ_INT(t, r.t.nodes[0].status, SPF_NODE_MULTIPLE);
	done(&r);
	run(&r, "other.com TXT v=spf1 -all\n", "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "none");
	done(&r);
	/* a redirect= target that could not be read: its `all` is unknown,
	 * not missing */
	run(&r, "example.com TXT v=spf1 redirect=bad.example.com\nbad.example.com FAIL\n", "192.0.2.7",
	    "example.com");
	const char *where;
	const struct spf_node *stop;
	UNIT_EQ_INT(t, spf_tree_all(&r.t, &where, &stop), 0);
	UNIT_CHECK(t, stop && stop->status == SPF_NODE_DNSERR);
	done(&r);
	/* a redirect= target without a record has no `all`, for sure */
	run(&r, "example.com TXT v=spf1 redirect=none.example.com\n", "192.0.2.7", "example.com");
	UNIT_EQ_INT(t, spf_tree_all(&r.t, &where, &stop), 0);
	UNIT_CHECK(t, stop && stop->status == SPF_NODE_NONE);
	done(&r);
}

static void t_loop_and_all(struct unit_ctx *t)
{
	struct run r;
	run(&r, "example.com TXT v=spf1 include:example.com ~all\n", "192.0.2.7", "example.com");
	UNIT_EQ_INT(t, r.t.n, 2);
	UNIT_EQ_INT(t, r.t.nodes[1].status, SPF_NODE_LOOP);
	/* the evaluation recurses until the lookup limit: permerror */
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "permerror");
	done(&r);
	run(&r, "example.com TXT v=spf1 redirect=r.example.com\nr.example.com TXT v=spf1 ptr ?all\n",
	    "192.0.2.7", "example.com");
	const char *where;
	const struct spf_node *stop;
	UNIT_EQ_INT(t, spf_tree_all(&r.t, &where, &stop), '?');
	UNIT_EQ_STR(t, where, "r.example.com");
	UNIT_CHECK(t, r.t.nodes[1].ptr);
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "neutral");
	done(&r);
	/* redirect is ignored (and not counted) when the record has all */
	run(&r, "example.com TXT v=spf1 redirect=r.example.com -all\n", "192.0.2.7", "example.com");
	UNIT_EQ_INT(t, r.t.nodes[0].total, 0);
	UNIT_EQ_INT(t, r.t.n, 1);
	done(&r);
}

static void t_macros_and_exp(struct unit_ctx *t)
{
	struct run r;
	run(&r,
	    "example.com TXT v=spf1 exists:%{i}.bl.example.com -all exp=why.example.com\n"
	    "why.example.com TXT %{i} is not one of %{d}'s senders\n"
	    "7.2.0.192.bl.example.com A 127.0.0.2\n",
	    "192.0.2.8", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "fail");
	UNIT_EQ_STR(t, r.v.explanation, "192.0.2.8 is not one of example.com's senders");
	UNIT_EQ_INT(t, r.t.nodes[0].macros, 1);
	done(&r);
	run(&r,
	    "example.com TXT v=spf1 exists:%{i}.bl.example.com -all\n192.0.2.7.bl.example.com A 127.0.0.2\n",
	    "192.0.2.7", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "pass");
	done(&r);
}

static void t_ipv6_and_mapped(struct unit_ctx *t)
{
	struct run r;
	run(&r,
	    "example.com TXT v=spf1 a/24//64 -all\nexample.com AAAA 2001:db8::1\nexample.com A 192.0.2.1\n",
	    "2001:db8::ff", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "pass");
	done(&r);
	run(&r, "example.com TXT v=spf1 ip4:192.0.2.0/24 -all\n", "::ffff:192.0.2.9", "example.com");
	UNIT_EQ_STR(t, spf_result_name(r.v.result), "pass");
	done(&r);
}

static const struct unit_case cases[] = {
    {"ip4 pass and fail", t_pass_ip4},
    {"the lookup limit spans includes", t_limit_across_includes},
    {"void lookups", t_voids},
    {"more than 10 MX names", t_mx_names},
    {"lookup errors and missing records", t_errors},
    {"include loops, all through redirect, ptr", t_loop_and_all},
    {"macros and exp=", t_macros_and_exp},
    {"IPv6 and IPv4-mapped clients", t_ipv6_and_mapped},
};

UNIT_MAIN(cases)
