/* SPDX-License-Identifier: ISC */
/* unit: a tiny table-driven test runner (no framework dependency).
 * Each tests/unit/test_*.c defines its cases and ends with UNIT_MAIN(cases).
 * Output: one line per failed assertion, then "N passed, N failed"
 * counting cases. */
#ifndef SA_UNIT_H
#define SA_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_ctx {
	const char *name;
	int failures;
};

struct unit_case {
	const char *name;
	void (*fn)(struct unit_ctx *t);
};

static inline int unit_check(struct unit_ctx *t, int ok, const char *what, const char *file, int line)
{
	if (!ok) {
		t->failures++;
		printf("FAIL %s: %s:%d: %s\n", t->name, file, line, what);
	}
	return ok;
}

#define UNIT_CHECK(t, cond) unit_check((t), !!(cond), #cond, __FILE__, __LINE__)

#define UNIT_EQ_STR(t, a, b)                                                                                 \
	do {                                                                                                 \
		const char *ua_ = (a), *ub_ = (b);                                                           \
		if (!unit_check((t), (ua_ && ub_) ? strcmp(ua_, ub_) == 0 : ua_ == ub_, #a " == " #b,        \
		                __FILE__, __LINE__))                                                         \
			printf("     got \"%s\", want \"%s\"\n", ua_ ? ua_ : "(null)",                       \
			       ub_ ? ub_ : "(null)");                                                        \
	} while (0)

#define UNIT_EQ_INT(t, a, b)                                                                                 \
	do {                                                                                                 \
		long long ua_ = (long long)(a), ub_ = (long long)(b);                                        \
		if (!unit_check((t), ua_ == ub_, #a " == " #b, __FILE__, __LINE__))                          \
			printf("     got %lld, want %lld\n", ua_, ub_);                                      \
	} while (0)

static inline int unit_run(const struct unit_case *cases, size_t n, const char *suite)
{
	int passed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct unit_ctx t = {cases[i].name, 0};
		cases[i].fn(&t);
		if (t.failures)
			failed++;
		else
			passed++;
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}

/* Opens a file of the shared test data (../shared beside the repository,
 * or $SA_SHARED); path receives the path tried. When it is missing the case
 * fails (a corpus that is not there proves nothing) and NULL is returned. */
static inline FILE *unit_open_shared(struct unit_ctx *t, const char *rel, const char *mode, char *path,
                                     size_t len)
{
	const char *shared = getenv("SA_SHARED");
	snprintf(path, len, "%s/%s", shared && *shared ? shared : "../shared", rel);
	FILE *f = fopen(path, mode);
	if (!f) {
		unit_check(t, 0, "shared test data missing: set SA_SHARED to the shared folder", path, 0);
		return NULL;
	}
	return f;
}

#define UNIT_MAIN(cases)                                                                                     \
	int main(void)                                                                                       \
	{                                                                                                    \
		return unit_run(cases, sizeof(cases) / sizeof(cases[0]), __FILE__);                          \
	}

#endif
