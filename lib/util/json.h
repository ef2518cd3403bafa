/* SPDX-License-Identifier: ISC */
/* json: small cJSON helpers for the facts findings and reports carry. */
#ifndef SA_JSON_H
#define SA_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Adds val under key, or null when val is NULL. */
void json_add_str(cJSON *obj, const char *key, const char *val);
/* A new JSON array of the n strings of v. */
cJSON *json_str_array(char *const *v, size_t n);

#endif
