/* SPDX-License-Identifier: ISC */
/* strmap: a hash map from strings to pointers (keys copied, values
 * borrowed), for the sets and tables of a run: the DNS questions one audit
 * asked, the answers of a replay file. Not thread-safe: callers lock. */
#ifndef SA_STRMAP_H
#define SA_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);
/* One sized for about expect keys from the start (no growing until then). */
struct strmap *strmap_new_sized(size_t expect);
/* Frees the map and its keys; the values are the caller's. */
void strmap_free(struct strmap *m);
/* The value of key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Sets key's value (val must not be NULL). Returns 1 when the key was new,
 * 0 when its value was replaced. */
int strmap_put(struct strmap *m, const char *key, void *val);
/* The value of key when it has one (left as it is); else key is added
 * with val and NULL returned. One probe where get and put took two. */
void *strmap_put_new(struct strmap *m, const char *key, void *val);
/* Removes key; returns its value, or NULL when it had none. */
void *strmap_del(struct strmap *m, const char *key);
size_t strmap_count(const struct strmap *m);
/* The keys, sorted (strcmp), in a new array of strmap_count() borrowed
 * pointers that the caller frees (not the strings). */
const char **strmap_keys_sorted_new(const struct strmap *m);

#endif
