/* SPDX-License-Identifier: ISC */
/* spf_json: SPF results as JSON (see spf_json.h). */
#include "spf_json.h"

#include "../util/json.h"

static const char *node_status_name(enum spf_node_status s)
{
	static const char *const n[] = {"ok",        "none", "multiple", "syntax",
	                                "dns-error", "loop", "invalid",  "not-walked"};
	return (unsigned)s < sizeof n / sizeof *n ? n[s] : "?";
}

static cJSON *node_json(const struct spf_tree *t, size_t i)
{
	const struct spf_node *n = &t->nodes[i];
	cJSON *o = cJSON_CreateObject();
	JSON_STR(o, "domain", n->domain);
	json_add_str(o, "via", n->via);
	JSON_STR(o, "status", node_status_name(n->status));
	if (n->why)
		JSON_STR(o, "why", n->why);
	json_add_str(o, "record", n->record);
	JSON_NUM(o, "lookups", n->own);
	JSON_NUM(o, "total", n->total);
	if (n->macros)
		JSON_NUM(o, "macro_terms", n->macros);
	cJSON *kids = JSON_ARR(o, "children");
	for (size_t k = i + 1; k < t->n; k++)
		if (t->nodes[k].parent == (long)i)
			cJSON_AddItemToArray(kids, node_json(t, k));
	return o;
}

cJSON *spf_tree_json_new(const struct spf_tree *t)
{
	return t->n ? node_json(t, 0) : cJSON_CreateNull();
}

cJSON *spf_verdict_json_new(const struct spf_verdict *v)
{
	cJSON *j = cJSON_CreateObject();
	JSON_STR(j, "result", spf_result_name(v->result));
	JSON_STR(j, "reason", v->reason ? v->reason : "");
	json_add_str(j, "matched", v->matched);
	json_add_str(j, "matched_in", v->matched_in);
	json_add_str(j, "explanation", v->explanation);
	JSON_NUM(j, "lookups", v->lookups);
	JSON_NUM(j, "void_lookups", v->voids);
	return j;
}
