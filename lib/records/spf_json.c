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
	cJSON_AddStringToObject(o, "domain", n->domain);
	json_add_str(o, "via", n->via);
	cJSON_AddStringToObject(o, "status", node_status_name(n->status));
	if (n->why)
		cJSON_AddStringToObject(o, "why", n->why);
	json_add_str(o, "record", n->record);
	cJSON_AddNumberToObject(o, "lookups", n->own);
	cJSON_AddNumberToObject(o, "total", n->total);
	if (n->macros)
		cJSON_AddNumberToObject(o, "macro_terms", n->macros);
	cJSON *kids = cJSON_AddArrayToObject(o, "children");
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
	cJSON_AddStringToObject(j, "result", spf_result_name(v->result));
	cJSON_AddStringToObject(j, "reason", v->reason ? v->reason : "");
	json_add_str(j, "matched", v->matched);
	json_add_str(j, "matched_in", v->matched_in);
	json_add_str(j, "explanation", v->explanation);
	cJSON_AddNumberToObject(j, "lookups", v->lookups);
	cJSON_AddNumberToObject(j, "void_lookups", v->voids);
	return j;
}
