/* SPDX-License-Identifier: ISC */
/* finding: the result model (see finding.h): findings and lists of them,
 * status names and the severity order reports and the exit status use. */
#include "finding.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

static const char *const status_names[STATUS_COUNT] = {"pass", "warn", "fail", "error", "skip", "info"};

const char *status_name(enum status s)
{
	return (unsigned)s < STATUS_COUNT ? status_names[s] : "?";
}

int status_rank(enum status s)
{
	switch (s) {
	case STATUS_SKIP: return 0;
	case STATUS_INFO: return 1;
	case STATUS_PASS: return 2;
	case STATUS_WARN: return 3;
	case STATUS_ERROR: return 4;
	case STATUS_FAIL: return 5;
	}
	return 0;
}

void findings_init(struct findings *fs)
{
	memset(fs, 0, sizeof *fs);
}

static void finding_clear(struct finding *f)
{
	free(f->id); /* the category with it */
	free(f->subject);
	free(f->summary);
	free(f->detail);
	free(f->remedy);
	for (size_t i = 0; i < f->ref_count; i++)
		if (!(f->refs_borrowed & 1u << i))
			free(f->refs[i]);
	cJSON_Delete(f->data);
}

void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_clear(&fs->v[i]);
	free(fs->v);
	findings_init(fs);
}

struct finding *findings_add(struct findings *fs, const char *id, const char *subject, enum status st,
                             const char *fmt, ...)
{
	xgrow(&fs->v, &fs->cap, fs->n + 1, sizeof *fs->v);
	struct finding *f = &fs->v[fs->n++];
	memset(f, 0, sizeof *f);
	/* the id and its category in one block: a batch adds dozens of
	 * findings a sender */
	size_t il = strlen(id);
	const char *dot = strchr(id, '.');
	size_t cl = dot ? (size_t)(dot - id) : il;
	f->id = xmalloc(il + 1 + cl + 1);
	memcpy(f->id, id, il + 1);
	f->category = f->id + il + 1;
	memcpy(f->category, id, cl);
	f->category[cl] = '\0';
	f->subject = subject ? xstrdup(subject) : NULL;
	f->status = st;
	va_list ap;
	va_start(ap, fmt);
	f->summary = xvasprintf(fmt, ap);
	va_end(ap);
	f->data = cJSON_CreateObject();
	return f;
}

/* Replaces *slot with the text of fmt, formatted first: the old text may
 * be one of the arguments. */
static void set_text(char **slot, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void set_text(char **slot, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);
	free(*slot);
	*slot = s;
}

void finding_set_detail(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_text(&f->detail, fmt, ap);
	va_end(ap);
}

void finding_set_remedy(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_text(&f->remedy, fmt, ap);
	va_end(ap);
}

void finding_add_ref(struct finding *f, const char *ref)
{
	for (size_t i = 0; i < f->ref_count; i++)
		if (strcmp(f->refs[i], ref) == 0)
			return;
	if (f->ref_count < FINDING_MAX_REFS)
		f->refs[f->ref_count++] = xstrdup(ref);
}

void finding_set_catalogue_refs(struct finding *f, const char *const *refs, size_t n)
{
	char *own[FINDING_MAX_REFS];
	unsigned borrowed = f->refs_borrowed;
	size_t k = f->ref_count;
	memcpy(own, f->refs, k * sizeof *own);
	f->ref_count = 0;
	f->refs_borrowed = 0;
	for (size_t i = 0; i < n && f->ref_count < FINDING_MAX_REFS; i++) {
		bool dup = false;
		for (size_t j = 0; j < f->ref_count && !dup; j++)
			dup = strcmp(f->refs[j], refs[i]) == 0;
		if (dup)
			continue;
		f->refs_borrowed |= 1u << f->ref_count;
		f->refs[f->ref_count++] = (char *)refs[i]; /* never freed: borrowed */
	}
	for (size_t i = 0; i < k; i++) {
		bool dup = f->ref_count == FINDING_MAX_REFS;
		for (size_t j = 0; j < f->ref_count && !dup; j++)
			dup = strcmp(f->refs[j], own[i]) == 0;
		if (dup) {
			if (!(borrowed & 1u << i))
				free(own[i]);
			continue;
		}
		if (borrowed & 1u << i)
			f->refs_borrowed |= 1u << f->ref_count;
		f->refs[f->ref_count++] = own[i];
	}
}

void findings_append(struct findings *dst, struct findings *src)
{
	if (src->n == 0) {
		free(src->v);
		findings_init(src);
		return;
	}
	if (dst->n == 0 && dst->cap < src->n) { /* taken over whole: no copy */
		free(dst->v);
		*dst = *src;
		findings_init(src);
		return;
	}
	xgrow(&dst->v, &dst->cap, dst->n + src->n, sizeof *dst->v);
	memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	free(src->v);
	findings_init(src);
}

void findings_remove(struct findings *fs, size_t i)
{
	if (i >= fs->n)
		return;
	finding_clear(&fs->v[i]);
	memmove(fs->v + i, fs->v + i + 1, (fs->n - i - 1) * sizeof *fs->v);
	fs->n--;
}

enum status findings_worst(const struct findings *fs)
{
	enum status w = STATUS_SKIP;
	for (size_t i = 0; i < fs->n; i++)
		if (status_rank(fs->v[i].status) > status_rank(w))
			w = fs->v[i].status;
	return w;
}
