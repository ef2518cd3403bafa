/* SPDX-License-Identifier: ISC */
/* spfcmd: `senderaudit spf IP SENDER`: the SPF verdict of one identity,
 * like spfquery, with the reason, the lookups it took, the include tree and
 * libspf2's opinion; the report comes from report/spf.c. */
#include "spfcmd.h"

#include <string.h>

#include "../checks/spf.h"
#include "../lib/util/timeouts.h"
#include "../report/report.h"

static int result_exit(enum spf_result r)
{
	switch (r) {
	case SPF_RES_PASS: return 0;
	case SPF_RES_NEUTRAL:
	case SPF_RES_NONE:
	case SPF_RES_SOFTFAIL: return 1;
	case SPF_RES_TEMPERROR: return 3;
	default: return 2;
	}
}

int spf_command(const struct cli *c, const struct resolver *dns, struct spf2_pool *spf2, FILE *out)
{
	struct spf_request rq = {c->t.ip, c->t.domain, c->spf_sender, c->t.helo};
	struct spf_outcome o;
	spf_outcome_run(dns, &rq, &o);
	struct timeouts tm;
	timeouts_from(c->ao.timeout_ms, &tm);
	struct spf_second second = {0};
	spf_second_run(spf2, dns, &rq, &o.asked, tm.libspf2_ms, &second);
	struct spf_report r = {&c->t.ip, c->t.domain, c->spf_sender, c->t.helo, &o.verdict, &o.tree, &second};
	if (c->format == FORMAT_JSON)
		report_spf_json(out, &r);
	else
		report_spf_text(out, &r);
	int rc = result_exit(o.verdict.result);
	spf_outcome_clear(&o);
	spf_second_clear(&second);
	return rc;
}
