/* SPDX-License-Identifier: ISC */
/* Unit tests: the logging resolver (lib/net/resolver) and libspf2's second
 * opinion handed the answers the audit's own SPF evaluation had
 * (lib/proc/spf2pool): it then asks nothing over its socket, and comes to
 * the verdict it comes to when it asks everything. Over an in-memory DNS. */
#include "../../lib/proc/spf2pool.h"
#include "../../lib/records/spf_eval.h"
#include "../memdns.h"
#include "unit.h"

static const char *zone = "example.com TXT v=spf1 include:a.example.com mx -all\n"
                          "a.example.com TXT v=spf1 a:h.example.com\n"
                          "h.example.com A 198.51.100.1\n"
                          "example.com MX 10 mx.example.com\n"
                          "mx.example.com A 192.0.2.25\n";

static bool has(const struct resolver_log *log, const char *name, uint16_t type)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->q[i].type == type && strcmp(log->q[i].name, name) == 0)
			return true;
	return false;
}

/* Each question once, whoever asked it; the operations the inner resolver
 * lacks stay missing (the callers' fallbacks then apply). */
static void t_logging_resolver(struct unit_ctx *t)
{
	struct memdns m;
	memdns_load(&m, zone, strlen(zone));
	struct resolver d = memdns_resolver(&m);
	struct resolver_log log;
	struct resolver r = resolver_logging(&log, &d);
	UNIT_CHECK(t, r.prefetch == NULL && r.query_ex == NULL && r.release == NULL);
	UNIT_EQ_STR(t, resolver_servers(&r), "memdns");
	struct spf_request rq = {{0}, "example.com", NULL, NULL};
	char why[64];
	ip_parse("192.0.2.25", &rq.ip, why, sizeof why);
	struct spf_tree tree;
	struct spf_verdict v;
	spf_walk(&r, &rq, &tree);
	spf_check_host(&r, &rq, &v);
	UNIT_EQ_STR(t, spf_result_name(v.result), "pass");
	UNIT_CHECK(t, has(&log, "example.com", DNS_T_TXT));
	UNIT_CHECK(t, has(&log, "a.example.com", DNS_T_TXT));
	UNIT_CHECK(t, has(&log, "h.example.com", DNS_T_A));
	UNIT_CHECK(t, has(&log, "example.com", DNS_T_MX));
	UNIT_CHECK(t, has(&log, "mx.example.com", DNS_T_A));
	size_t txt = 0;
	for (size_t i = 0; i < log.n; i++)
		txt += log.q[i].type == DNS_T_TXT && strcmp(log.q[i].name, "example.com") == 0;
	UNIT_EQ_INT(t, txt, 1); /* asked by the walk and by check_host */
	spf_tree_clear(&tree);
	spf_verdict_clear(&v);
	resolver_log_clear(&log);
	memdns_free(&m);
}

/* Handed the answers, libspf2 asks nothing; without them it asks, and
 * says the same. A question the evaluation did not ask is still asked. */
static void t_second_opinion_known_answers(struct unit_ctx *t)
{
	struct spf2_pool *p = spf2_pool_new(1);
	UNIT_CHECK(t, p != NULL);
	struct memdns m;
	memdns_load(&m, zone, strlen(zone));
	struct resolver d = memdns_resolver(&m);
	const char *ips[] = {"192.0.2.25", "198.51.100.1", "203.0.113.9"};
	const char *want[] = {"pass", "pass", "fail"};
	for (size_t i = 0; i < 3; i++) {
		struct spf_request rq = {{0}, "example.com", "postmaster@example.com", NULL};
		char why[64];
		ip_parse(ips[i], &rq.ip, why, sizeof why);
		struct resolver_log log;
		struct resolver r = resolver_logging(&log, &d);
		struct spf_verdict v;
		spf_check_host(&r, &rq, &v);
		struct spf_second with = {0}, without = {0}, part = {0};
		spf_second_run(p, &d, &rq, &log, 5000, &with);
		spf_second_run(p, &d, &rq, NULL, 5000, &without);
		/* the log without its first question (the domain's record) */
		struct resolver_log rest = log;
		rest.q++;
		rest.n--;
		spf_second_run(p, &d, &rq, &rest, 5000, &part);
		UNIT_EQ_STR(t, with.result, want[i]);
		UNIT_EQ_STR(t, without.result, want[i]);
		UNIT_EQ_STR(t, part.result, want[i]);
		UNIT_EQ_INT(t, with.asked, 0);
		UNIT_CHECK(t, without.asked >= 2);
		UNIT_EQ_INT(t, part.asked, 1);
		spf_second_clear(&with);
		spf_second_clear(&without);
		spf_second_clear(&part);
		spf_verdict_clear(&v);
		resolver_log_clear(&log);
	}
	memdns_free(&m);
	spf2_pool_free(p);
}

/* Several requests in one message to one worker: each its own verdict,
 * from its own known answers; one not asked (a loopback address) keeps its
 * reason and does not shift the others. */
static void t_second_opinion_several(struct unit_ctx *t)
{
	struct spf2_pool *p = spf2_pool_new(1);
	struct memdns m;
	memdns_load(&m, zone, strlen(zone));
	struct resolver d = memdns_resolver(&m);
	const char *ips[] = {"192.0.2.25", "127.0.0.1", "203.0.113.9", "198.51.100.1"};
	const char *want[] = {"pass", NULL, "fail", "pass"};
	struct spf_request rq[4];
	struct resolver_log log[4];
	const struct resolver_log *known[4];
	for (size_t i = 0; i < 4; i++) {
		rq[i] = (struct spf_request){{0}, "example.com", "postmaster@example.com", NULL};
		char why[64];
		ip_parse(ips[i], &rq[i].ip, why, sizeof why);
		struct resolver r = resolver_logging(&log[i], &d);
		struct spf_verdict v;
		spf_check_host(&r, &rq[i], &v);
		spf_verdict_clear(&v);
		known[i] = &log[i];
	}
	for (int round = 0; round < 3; round++) { /* the worker's buffer, reused */
		struct spf_second out[4];
		spf_second_run_n(p, &d, rq, known, 4, 5000, out);
		for (size_t i = 0; i < 4; i++) {
			if (want[i]) {
				UNIT_EQ_STR(t, out[i].result, want[i]);
				UNIT_EQ_INT(t, out[i].asked, 0);
			} else {
				UNIT_CHECK(t, !out[i].result && out[i].why && strstr(out[i].why, "loopback"));
			}
			spf_second_clear(&out[i]);
		}
	}
	for (size_t i = 0; i < 4; i++)
		resolver_log_clear(&log[i]);
	memdns_free(&m);
	spf2_pool_free(p);
}

static const struct unit_case cases[] = {
    {"logging resolver", t_logging_resolver},
    {"second opinion, known answers", t_second_opinion_known_answers},
    {"second opinion, several in one message", t_second_opinion_several},
};

UNIT_MAIN(cases)
