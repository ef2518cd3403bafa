/* SPDX-License-Identifier: ISC */
/* category: the check catalogue's categories, in the order of checks.md:
 * one list for the registry (catalogue order) and the reports (titles). */
#ifndef SA_CATEGORY_H
#define SA_CATEGORY_H

#include <stddef.h>

struct category {
	const char *name;  /* "rdns": the first part of a check id */
	const char *title; /* "Reverse and forward DNS" */
};

size_t category_count(void);
const struct category *category_at(size_t i);
/* The rank of a check id's category (its first component) in the
 * catalogue, or category_count() when it has none of the list. */
size_t category_rank(const char *id);
/* The title of a category name, or the name itself. */
const char *category_title(const char *name);

#endif
