/* lookup: DNS questions several check families ask, with their grading. */
#ifndef SA_LOOKUP_H
#define SA_LOOKUP_H

#include "audit.h"

/* The PTR names of the audited IP. */
struct ptr_set {
	const struct dns_answer *ans; /* the PTR answer (status tells errors) */
	char **names;                  /* sorted, de-duplicated */
	size_t count;
};
void ptr_lookup(const struct audit *a, struct ptr_set *out);
void ptr_set_free(struct ptr_set *p);

/* The addresses of a name, A and AAAA asked at once. */
struct addr_set {
	const struct dns_answer *a4, *a6;
	bool has_ip;        /* the audited IP is among them */
	size_t count;       /* addresses found in both families */
	bool resolves;      /* at least one address */
	bool failed;        /* a lookup failed (not NXDOMAIN/NODATA) */
	const struct dns_answer *failure; /* the first failed answer */
};
/* Starts both lookups without waiting (so several names overlap). */
void addr_prefetch(const struct audit *a, const char *name);
void addr_lookup(const struct audit *a, const char *name, struct addr_set *out);
/* A JSON array of the addresses as text. */
cJSON *addr_set_json(const struct addr_set *s);

/* Marks f as `error` because of a failed lookup: summary stays, detail
 * says why, remedy says what to check. */
void finding_lookup_failed(const struct audit *a, struct finding *f, const struct dns_answer *ans);

/* Appends a finding with status error for a failed lookup. */
struct finding *add_lookup_error(const struct audit *a, struct findings *out, const char *id, const char *subject,
                                 const char *what, const struct dns_answer *ans);

/* Adds name (or null) to a JSON object. */
void json_add_str(cJSON *obj, const char *key, const char *val);
/* A JSON array of strings. */
cJSON *json_str_array(char *const *v, size_t n);

#endif
