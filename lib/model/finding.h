/* SPDX-License-Identifier: ISC */
/* finding: the result model. Checks create findings; reporters read them. */
#ifndef SA_FINDING_H
#define SA_FINDING_H

#include <cjson/cJSON.h>
#include <stddef.h>

enum status { STATUS_PASS, STATUS_WARN, STATUS_FAIL, STATUS_ERROR, STATUS_SKIP, STATUS_INFO };
#define STATUS_COUNT 6

/* "pass", "warn", ... */
const char *status_name(enum status s);
/* Severity for the overall status: fail > error > warn > pass > info > skip. */
int status_rank(enum status s);

#define FINDING_MAX_REFS 6

struct finding {
	char *id;       /* catalogue id, e.g. "rdns.ptr" */
	char *category; /* the id's first component (in id's block: not freed
	                   on its own) */
	char *subject;  /* selector or zone for per-thing checks, else NULL */
	enum status status;
	char *summary; /* one line */
	char *detail;  /* facts behind the status, may be NULL */
	char *remedy;  /* what to change; NULL for pass/info/skip */
	char *refs[FINDING_MAX_REFS];
	size_t ref_count;
	unsigned refs_borrowed; /* bit i: refs[i] is the catalogue's, not owned */
	cJSON *data;            /* object of raw facts; never NULL */
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

void findings_init(struct findings *fs);
void findings_free(struct findings *fs);

/* Appends a finding; the summary is printf-formatted. The returned pointer is valid
 * until the next findings_add on the same list. The audit runner adds the
 * catalogue's refs for the id; checks add only extra ones. */
struct finding *findings_add(struct findings *fs, const char *id, const char *subject, enum status st,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The old text may be an argument of the new (to extend it). */
void finding_set_detail(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_set_remedy(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_add_ref(struct finding *f, const char *ref);
/* Puts the catalogue's refs (strings that live as long as the program, not
 * copied) first, the finding's own after them (a duplicate dropped). */
void finding_set_catalogue_refs(struct finding *f, const char *const *refs, size_t n);

/* Moves every finding of src to the end of dst; src is left empty. */
void findings_append(struct findings *dst, struct findings *src);

/* Removes the finding at index i (order kept). */
void findings_remove(struct findings *fs, size_t i);

/* The worst status over all findings (STATUS_SKIP for an empty list). */
enum status findings_worst(const struct findings *fs);

#endif
