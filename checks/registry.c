#include "registry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The catalogue's category order (checks.md); a family may own checks of
 * another category (the SPF family owns helo.spf). */
static const char *const categories[] = {"rdns", "helo", "spf", "dkim", "dmarc", "mx", "rdap", "dnsbl", "smtp"};
#define CATEGORY_COUNT (sizeof categories / sizeof *categories)

static size_t category_rank(const char *id)
{
	size_t len = strcspn(id, ".");
	for (size_t i = 0; i < CATEGORY_COUNT; i++)
		if (strlen(categories[i]) == len && strncmp(categories[i], id, len) == 0)
			return i;
	return CATEGORY_COUNT;
}

/* The catalogue in order, computed once: the table is written by the first
 * caller (pthread_once) and read-only after that. */
#define MAX_CHECKS 128
static struct {
	const struct check_def *def;
	const struct family *fam;
} order[MAX_CHECKS];
static size_t order_count;
static pthread_once_t order_once = PTHREAD_ONCE_INIT;

static void build_order(void)
{
	for (size_t c = 0; c <= CATEGORY_COUNT; c++)
		for (size_t f = 0; f < FAMILY_COUNT; f++)
			for (size_t k = 0; k < families[f]->check_count; k++) {
				const struct check_def *d = &families[f]->checks[k];
				if (category_rank(d->id) != c || order_count == MAX_CHECKS)
					continue;
				order[order_count].def = d;
				order[order_count].fam = families[f];
				order_count++;
			}
}

size_t registry_count(void)
{
	pthread_once(&order_once, build_order);
	return order_count;
}

const struct check_def *registry_check(size_t i)
{
	return i < registry_count() ? order[i].def : NULL;
}

const struct family *registry_family(size_t i)
{
	return i < registry_count() ? order[i].fam : NULL;
}

long registry_index(const char *id)
{
	size_t n = registry_count();
	for (size_t i = 0; i < n; i++)
		if (strcmp(order[i].def->id, id) == 0)
			return (long)i;
	return -1;
}

size_t registry_family_count(void)
{
	return FAMILY_COUNT;
}

const struct family *registry_family_at(size_t i)
{
	return i < FAMILY_COUNT ? families[i] : NULL;
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
			snprintf(why, whylen, "unknown check or category '%s' (see --list-checks)", TEXT_SHOW(tok));
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
