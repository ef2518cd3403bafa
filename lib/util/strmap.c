/* SPDX-License-Identifier: ISC */
/* strmap: an open-addressing hash map from strings to pointers (see
 * strmap.h): FNV-1a, linear probing, doubled at half full. */
#include "strmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct slot {
	char *key;
	void *val;
	uint64_t h; /* the key's hash: probes compare it first, growing and
	               deleting do not hash again */
};

struct strmap {
	struct slot *v;
	size_t cap, n; /* cap is a power of two */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct strmap *strmap_new(void)
{
	return strmap_new_sized(32);
}

struct strmap *strmap_new_sized(size_t expect)
{
	struct strmap *m = xcalloc(1, sizeof *m);
	m->cap = 64;
	while (m->cap < 2 * expect) /* doubled at half full */
		m->cap *= 2;
	m->v = xcalloc(m->cap, sizeof *m->v);
	return m;
}

void strmap_free(struct strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	free(m);
}

static struct slot *find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	while (m->v[i].key && (m->v[i].h != h || strcmp(m->v[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return find(m, key, hash(key))->val;
}

static void grow(struct strmap *m)
{
	struct slot *old = m->v;
	size_t oc = m->cap;
	m->cap *= 2;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (size_t i = 0; i < oc; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].h) = old[i];
	free(old);
}

/* The slot of key, added with a NULL value when it was not there (*added
 * says which). */
static struct slot *slot_for(struct strmap *m, const char *key, bool *added)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = hash(key);
	struct slot *s = find(m, key, h);
	*added = !s->key;
	if (*added) {
		*s = (struct slot){xstrdup(key), NULL, h};
		m->n++;
	}
	return s;
}

int strmap_put(struct strmap *m, const char *key, void *val)
{
	bool added;
	slot_for(m, key, &added)->val = val;
	return added;
}

void *strmap_put_new(struct strmap *m, const char *key, void *val)
{
	bool added;
	struct slot *s = slot_for(m, key, &added);
	if (!added)
		return s->val;
	s->val = val;
	return NULL;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct slot *s = find(m, key, hash(key));
	if (!s->key)
		return NULL;
	void *val = s->val;
	free(s->key);
	m->n--;
	/* Linear probing without tombstones: the keys after the hole that
	 * probed past it move back into it, so each still finds its slot. */
	size_t mask = m->cap - 1, hole = (size_t)(s - m->v);
	m->v[hole] = (struct slot){0};
	for (size_t j = (hole + 1) & mask; m->v[j].key; j = (j + 1) & mask) {
		size_t home = (size_t)m->v[j].h & mask;
		/* j's key stays when its home lies cyclically in (hole, j] */
		if (((j - home) & mask) < ((j - hole) & mask))
			continue;
		m->v[hole] = m->v[j];
		m->v[j] = (struct slot){0};
		hole = j;
	}
	return val;
}

size_t strmap_count(const struct strmap *m)
{
	return m->n;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **strmap_keys_sorted_new(const struct strmap *m)
{
	const char **k = xcalloc(m->n ? m->n : 1, sizeof *k);
	size_t j = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key)
			k[j++] = m->v[i].key;
	qsort(k, j, sizeof *k, cmp);
	return k;
}
