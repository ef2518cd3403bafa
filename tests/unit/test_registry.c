/* SPDX-License-Identifier: ISC */
/* Unit tests for checks/registry.c: the catalogue, its order, --only/--skip
 * selection, and the contract of checks as units: every check id's code is
 * one hop away (checks/<category>.c), and every input a check or an input
 * needs exists. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../checks/registry.h"
#include "../../lib/model/category.h"
#include "unit.h"

static void t_catalogue(struct unit_ctx *t)
{
	size_t n = registry_count();
	UNIT_CHECK(t, n >= 10);
	UNIT_EQ_STR(t, registry_check(0)->id, "rdns.ptr");
	UNIT_CHECK(t, registry_index("mx.bounces") > registry_index("helo.matches"));
	UNIT_CHECK(t, registry_index("helo.syntax") > registry_index("rdns.domain"));
	UNIT_CHECK(t, registry_index("helo.spf") < registry_index("spf.record"));
	UNIT_EQ_INT(t, registry_index("nope"), -1);
	/* from any hint, before, at or after the id, or out of range */
	for (long h = -1; h <= (long)n + 1; h++) {
		UNIT_EQ_INT(t, registry_index_near("rdns.ptr", h), 0);
		UNIT_EQ_INT(t, registry_index_near("mx.bounces", h), registry_index("mx.bounces"));
		UNIT_EQ_INT(t, registry_index_near("nope", h), -1);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			UNIT_CHECK(t, strcmp(registry_check(i)->id, registry_check(j)->id) != 0);
	/* every check cites a source, has a title, a known category, and is in
	 * catalogue order */
	for (size_t i = 0; i < n; i++) {
		const struct check *c = registry_check(i);
		UNIT_CHECK(t, c->refs[0] && c->title && c->run);
		UNIT_CHECK(t, category_rank(c->id) < category_count());
		if (i)
			UNIT_CHECK(t, category_rank(registry_check(i - 1)->id) <= category_rank(c->id));
	}
}

static void t_select(struct unit_ctx *t)
{
	size_t n = registry_count();
	bool *en = calloc(n, sizeof *en);
	char why[128];
	UNIT_EQ_INT(t, registry_select("helo,rdns.ptr", en, true, why, sizeof why), 0);
	UNIT_CHECK(t, en[registry_index("helo.syntax")] && en[registry_index("rdns.ptr")]);
	UNIT_CHECK(t, !en[registry_index("rdns.single")] && !en[registry_index("mx.bounces")]);
	UNIT_EQ_INT(t, registry_select("rdns.nope", en, true, why, sizeof why), -1);
	UNIT_EQ_INT(t, registry_select("rdn", en, true, why, sizeof why), -1);
	UNIT_EQ_INT(t, registry_select(",", en, true, why, sizeof why), -1);
	free(en);
}

/* A newcomer finds any check id's code in one hop: checks/<category>.c. */
static void t_one_hop(struct unit_ctx *t)
{
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_check(i);
		char want[64];
		snprintf(want, sizeof want, "checks/%.*s.c", (int)strcspn(c->id, "."), c->id);
		size_t fl = c->file ? strlen(c->file) : 0, wl = strlen(want);
		if (!UNIT_CHECK(t, fl >= wl && strcmp(c->file + fl - wl, want) == 0))
			printf("     %s is defined in %s, want %s\n", c->id, c->file ? c->file : "(unknown)",
			       want);
	}
}

/* Every input a check or an input needs is defined, and the needs close. */
static void t_inputs(struct unit_ctx *t)
{
	for (unsigned k = 0; k < INPUT_COUNT; k++) {
		const struct input_def *d = registry_input((enum input)k);
		if (!UNIT_CHECK(t, d && d->id == k && d->compute && d->free && d->name))
			continue;
		UNIT_CHECK(t, !(d->needs & NEED(k))); /* not computed from itself */
	}
	size_t n = registry_count();
	bool *en = calloc(n, sizeof *en);
	for (size_t i = 0; i < n; i++) {
		memset(en, 0, n * sizeof *en);
		en[i] = true;
		input_set need = registry_needs(en);
		UNIT_CHECK(t, (need & registry_check(i)->needs) == registry_check(i)->needs);
		UNIT_CHECK(t, need < NEED(INPUT_COUNT));
	}
	memset(en, 0, n * sizeof *en);
	UNIT_CHECK(t, registry_needs(en) == 0);
	/* dnsbl.domain asks about the PTR name's domain: IN_PTR comes along */
	en[registry_index("dnsbl.domain")] = true;
	UNIT_CHECK(t, registry_needs(en) & NEED(IN_PTR));
	free(en);
}

static const struct unit_case cases[] = {
    {"catalogue", t_catalogue},
    {"--only/--skip selection", t_select},
    {"check id to file in one hop", t_one_hop},
    {"inputs defined and closed", t_inputs},
};
UNIT_MAIN(cases)
