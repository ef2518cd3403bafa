/* SPDX-License-Identifier: ISC */
/* registry: the catalogue (see registry.h), built once from the families'
 * check tables and read-only after that. */
#include "registry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/model/category.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"

#define FAMILY(n) extern const struct family family_##n;
#include "families.inc"
#undef FAMILY

static const struct family *const families[] = {
#define FAMILY(n) &family_##n,
#include "families.inc"
#undef FAMILY
};
#define FAMILY_COUNT (sizeof families / sizeof *families)

#define INPUT(n) extern const struct input_def input_##n;
#include "inputs.inc"
#undef INPUT

static const struct input_def *const input_list[] = {
#define INPUT(n) &input_##n,
#include "inputs.inc"
#undef INPUT
};

/* The catalogue in order, computed once: the table is written by the first
 * caller (pthread_once) and read-only after that. */
#define MAX_CHECKS 128
static struct {
	const struct check *v[MAX_CHECKS];
	size_t n;
	const struct input_def *inputs[INPUT_COUNT];
} cat;
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

static void build(void)
{
	size_t nc = category_count();
	for (size_t c = 0; c <= nc; c++)
		for (size_t f = 0; f < FAMILY_COUNT; f++)
			for (size_t k = 0; k < families[f]->count; k++) {
				const struct check *d = &families[f]->checks[k];
				if (category_rank(d->id) == c && cat.n < MAX_CHECKS)
					cat.v[cat.n++] = d;
			}
	for (size_t i = 0; i < sizeof input_list / sizeof *input_list; i++)
		if ((unsigned)input_list[i]->id < INPUT_COUNT)
			cat.inputs[input_list[i]->id] = input_list[i];
}

size_t registry_count(void)
{
	pthread_once(&cat_once, build);
	return cat.n;
}

const struct check *registry_check(size_t i)
{
	return i < registry_count() ? cat.v[i] : NULL;
}

long registry_index(const char *id)
{
	return registry_index_near(id, 0);
}

long registry_index_near(const char *id, long hint)
{
	size_t n = registry_count();
	size_t h = hint > 0 && (size_t)hint < n ? (size_t)hint : 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = (h + k) % n;
		if (strcmp(cat.v[i]->id, id) == 0)
			return (long)i;
	}
	return -1;
}

const struct input_def *registry_input(enum input id)
{
	pthread_once(&cat_once, build);
	return (unsigned)id < INPUT_COUNT ? cat.inputs[id] : NULL;
}

input_set registry_needs(const bool *enabled)
{
	input_set need = 0;
	for (size_t i = 0; i < registry_count(); i++)
		if (enabled[i])
			need |= cat.v[i]->needs;
	/* what those are computed from, and so on (the graph is acyclic) */
	for (bool grew = true; grew;) {
		grew = false;
		for (unsigned k = 0; k < INPUT_COUNT; k++)
			if ((need & NEED(k)) && cat.inputs[k] && (cat.inputs[k]->needs & ~need)) {
				need |= cat.inputs[k]->needs;
				grew = true;
			}
	}
	return need;
}

int registry_select(const char *list, bool *enabled, bool value, char *why, size_t whylen)
{
	size_t n = registry_count();
	char *copy = xstrdup(list);
	int rc = 0;
	char *save = NULL;
	bool any = false;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t tl = strlen(tok);
		while (tl && tok[tl - 1] == ' ')
			tok[--tl] = '\0';
		if (!tl)
			continue;
		any = true;
		bool hit = false;
		for (size_t i = 0; i < n; i++) {
			const char *id = registry_check(i)->id;
			size_t cl = strcspn(id, ".");
			if (strcmp(id, tok) == 0 || (strlen(tok) == cl && strncmp(id, tok, cl) == 0)) {
				enabled[i] = value;
				hit = true;
			}
		}
		if (!hit) {
			snprintf(why, whylen, "unknown check or category '%s'", TEXT_SHOW(tok));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && !any) {
		snprintf(why, whylen, "empty list of checks");
		rc = -1;
	}
	free(copy);
	return rc;
}
