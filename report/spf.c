/* SPDX-License-Identifier: ISC */
/* spf: the report of the `senderaudit spf` subcommand, in text (like
 * spfquery: the result first) and JSON (schema version 1,
 * report/senderaudit-spf.schema.json). */
#include <stdlib.h>

#include "../lib/records/spf_json.h"
#include "../lib/util/text.h"
#include "report.h"

#define SPF_SCHEMA_VERSION 1

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

void report_spf_text(FILE *out, const struct spf_report *r)
{
	const struct spf_verdict *v = r->verdict;
	const struct spf_tree *t = r->tree;
	fprintf(out, "%s\n", spf_result_name(v->result));
	put_field(out, "reason:", v->reason);
	put_field(out, "explanation:", v->explanation);
	fprintf(out, "%-12s %u DNS-querying term%s (limit 10), %u void lookup%s (limit 2)\n",
	        "evaluated:", v->lookups, v->lookups == 1 ? "" : "s", v->voids, v->voids == 1 ? "" : "s");
	if (t->n)
		fprintf(out, "%-12s %u lookup%s in the whole tree, %u void\n",
		        "published:", t->nodes[0].total, t->nodes[0].total == 1 ? "" : "s", t->voids);
	put_field(out, "libspf2:", r->second->result ? r->second->result : r->second->why);
	if (t->n && (t->nodes[0].status == SPF_NODE_OK || t->n > 1)) {
		fprintf(out, "tree:\n");
		put_tree(out, t, 0, 0);
	}
}

void report_spf_json(FILE *out, const struct spf_report *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "schema_version", SPF_SCHEMA_VERSION);
	cJSON *tool = cJSON_AddObjectToObject(j, "tool");
	cJSON_AddStringToObject(tool, "name", "senderaudit");
	cJSON_AddStringToObject(tool, "version", SA_VERSION);
	cJSON_AddStringToObject(j, "ip", r->ip->text);
	cJSON_AddStringToObject(j, "domain", r->domain);
	cJSON_AddStringToObject(j, "sender", r->sender);
	if (r->helo)
		cJSON_AddStringToObject(j, "helo", r->helo);
	cJSON *v = spf_verdict_json_new(r->verdict);
	while (v->child) {
		cJSON *c = cJSON_DetachItemViaPointer(v, v->child);
		cJSON_AddItemToObject(j, c->string, c);
	}
	cJSON_AddItemToObject(j, "libspf2", spf_second_json_new(r->second));
	cJSON_AddNumberToObject(j, "tree_lookups", r->tree->n ? r->tree->nodes[0].total : 0);
	cJSON_AddNumberToObject(j, "tree_void_lookups", r->tree->voids);
	cJSON_AddItemToObject(j, "tree", spf_tree_json_new(r->tree));
	report_json_sanitize(j);
	char *s = cJSON_PrintUnformatted(j);
	if (s) {
		fprintf(out, "%s\n", s);
		cJSON_free(s);
	}
	cJSON_Delete(j);
	cJSON_Delete(v);
}
