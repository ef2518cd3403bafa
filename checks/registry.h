/* registry: the check catalogue. Each family (one file in checks/) exports
 * one `struct family`; registry.c lists them. */
#ifndef SA_REGISTRY_H
#define SA_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/model/finding.h"

struct audit;

#define CHECK_MAX_REFS 4

struct check_def {
	const char *id;      /* "rdns.ptr" */
	const char *title;   /* one line for --list-checks and the man page */
	const char *refs[CHECK_MAX_REFS]; /* sources, cited by short name */
};

struct family {
	const char *name;
	const struct check_def *checks;
	size_t check_count;
	/* Appends findings for the family's enabled checks. Must not print, must
	 * not exit; a lookup that fails yields `error`, never pass or fail. */
	void (*run)(const struct audit *a, struct findings *out);
};

/* Number of checks in the catalogue. */
size_t registry_count(void);
/* The i-th check in catalogue order (the order of checks.md). */
const struct check_def *registry_check(size_t i);
/* The family that owns the i-th check. */
const struct family *registry_family(size_t i);
/* Catalogue index of id, or -1. */
long registry_index(const char *id);
/* Number of families, and the i-th (registry order). */
size_t registry_family_count(void);
const struct family *registry_family_at(size_t i);

/* Applies a comma-separated list of ids and categories ("spf,rdns.ptr") to
 * enabled[] (registry_count() entries), setting each named check to value.
 * Returns 0, or -1 with the unknown name in why. */
int registry_select(const char *list, bool *enabled, bool value, char *why, size_t whylen);

#endif
