#include "spfcmd.h"

#include <string.h>

#include "../checks/spf.h"
#include "../lib/util/text.h"
#include "../lib/util/timeouts.h"

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

static void put_field(FILE *out, const char *label, const char *v)
{
	if (!v)
		return;
	fprintf(out, "%-12s ", label);
	text_put_safe(out, v);
	fputc('\n', out);
}

static void put_tree(FILE *out, const struct spf_tree *t, size_t i, int depth)
{
	const struct spf_node *n = &t->nodes[i];
	fprintf(out, "  %*s", depth * 2, "");
	if (n->via)
		fprintf(out, "%s:", n->via);
	text_put_safe(out, n->domain);
	if (n->status == SPF_NODE_OK)
		fprintf(out, "  [%u lookup%s, %u with what it pulls in]\n", n->own, n->own == 1 ? "" : "s",
		        n->total);
	else
		fputc('\n', out);
	fprintf(out, "  %*s  ", depth * 2, "");
	text_put_safe(out, n->record ? n->record : n->why ? n->why : "");
	fputc('\n', out);
	for (size_t k = i + 1; k < t->n; k++)
		if (t->nodes[k].parent == (long)i)
			put_tree(out, t, k, depth + 1);
}

int spf_command(const struct cli *c, const struct resolver *dns, struct spf2_pool *spf2, FILE *out)
{
	struct spf_request rq = {c->t.ip, c->t.domain, c->spf_sender, c->t.helo};
	struct spf_outcome o;
	spf_outcome_run(dns, &rq, &o);
	struct timeouts tm;
	timeouts_from(c->ao.timeout_ms, &tm);
	struct spf_second second = {0};
	spf_second_run(spf2, dns, &rq, tm.libspf2_ms, &second);
	if (c->format == FORMAT_JSON) {
		cJSON *j = spf_verdict_json_new(&o.verdict, &second);
		cJSON_AddStringToObject(j, "ip", c->t.ip.text);
		cJSON_AddStringToObject(j, "domain", c->t.domain);
		cJSON_AddStringToObject(j, "sender", c->spf_sender);
		if (c->t.helo)
			cJSON_AddStringToObject(j, "helo", c->t.helo);
		cJSON_AddNumberToObject(j, "tree_lookups", o.tree.n ? o.tree.nodes[0].total : 0);
		cJSON_AddNumberToObject(j, "tree_void_lookups", o.tree.voids);
		cJSON_AddItemToObject(j, "tree", spf_tree_json_new(&o.tree));
		char *s = cJSON_PrintUnformatted(j);
		fprintf(out, "%s\n", s);
		cJSON_free(s);
		cJSON_Delete(j);
	} else {
		const struct spf_verdict *v = &o.verdict;
		fprintf(out, "%s\n", spf_result_name(v->result));
		put_field(out, "reason:", v->reason);
		put_field(out, "explanation:", v->explanation);
		fprintf(out, "%-12s %u DNS-querying term%s (limit 10), %u void lookup%s (limit 2)\n",
		        "evaluated:", v->lookups, v->lookups == 1 ? "" : "s", v->voids,
		        v->voids == 1 ? "" : "s");
		if (o.tree.n)
			fprintf(out, "%-12s %u lookups in the whole tree, %u void\n",
			        "published:", o.tree.nodes[0].total, o.tree.voids);
		put_field(out, "libspf2:", second.result ? second.result : second.why);
		if (o.tree.n && (o.tree.nodes[0].status == SPF_NODE_OK || o.tree.n > 1)) {
			fprintf(out, "tree:\n");
			put_tree(out, &o.tree, 0, 0);
		}
	}
	int rc = result_exit(o.verdict.result);
	spf_outcome_clear(&o);
	spf_second_clear(&second);
	return rc;
}
