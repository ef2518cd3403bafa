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

/* Adds item under key, a string that outlives obj (not copied); returns
 * item, or NULL (item then freed) when it is NULL or cannot be added. */
cJSON *json_add_cs(cJSON *obj, const char *key, cJSON *item);

/* cJSON_Add...ToObject for a key that is a string literal (the "" around
 * it let nothing else compile): the key is not copied. A finding's data
 * is made of such members, and a batch makes thousands a second. */
#define JSON_STR(obj, key, s)     json_add_cs((obj), "" key "", cJSON_CreateString(s))
#define JSON_NUM(obj, key, n)     json_add_cs((obj), "" key "", cJSON_CreateNumber(n))
#define JSON_BOOL(obj, key, b)    json_add_cs((obj), "" key "", cJSON_CreateBool(b))
#define JSON_NULL(obj, key)       json_add_cs((obj), "" key "", cJSON_CreateNull())
#define JSON_OBJ(obj, key)        json_add_cs((obj), "" key "", cJSON_CreateObject())
#define JSON_ARR(obj, key)        json_add_cs((obj), "" key "", cJSON_CreateArray())
#define JSON_ITEM(obj, key, item) json_add_cs((obj), "" key "", (item))

#endif
