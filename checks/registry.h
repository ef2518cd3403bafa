/* SPDX-License-Identifier: ISC */
/* registry: the check catalogue and the inputs behind it. Each family (one
 * file in checks/) exports its checks (checks/families.inc) and the inputs
 * it computes (checks/inputs.inc); the catalogue orders the checks as
 * checks.md does (lib/model/category.h). */
#ifndef SA_REGISTRY_H
#define SA_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

/* Number of checks in the catalogue. */
size_t registry_count(void);
/* The i-th check in catalogue order (the order of checks.md). */
const struct check *registry_check(size_t i);
/* Catalogue index of id, or -1. */
long registry_index(const char *id);
/* The same, looking from index hint on (then from the start): an audit's
 * findings come in catalogue order, so the previous one's index finds the
 * next at once. */
long registry_index_near(const char *id, long hint);

/* The definition of an input. */
const struct input_def *registry_input(enum input id);
/* The inputs the enabled checks need, with what those are computed from. */
input_set registry_needs(const bool *enabled);

/* Applies a comma-separated list of ids and categories ("spf,rdns.ptr") to
 * enabled[] (registry_count() entries), setting each named check to value.
 * Returns 0, or -1 with the unknown name in why. */
int registry_select(const char *list, bool *enabled, bool value, char *why, size_t whylen);

#endif
