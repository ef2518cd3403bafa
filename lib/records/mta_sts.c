/* SPDX-License-Identifier: ISC */
/* mta_sts: the MTA-STS TXT record and policy file parsed by hand to RFC
 * 8461's ABNF, and MX pattern matching (see mta_sts.h). Linear in the input
 * whatever it holds: a policy may be hostile (thousands of lines, bytes
 * that are no text). */
#include "mta_sts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/names.h"
#include "../util/text.h"
#include "../util/xalloc.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool is_ext_name(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !is_alnum(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

bool mta_sts_is_record(const char *txt, size_t len)
{
	return len >= 7 && memcmp(txt, "v=STSv1", 7) == 0 && (len == 7 || txt[7] == ';' || is_wsp(txt[7]));
}

int mta_sts_record_parse(const char *txt, size_t len, struct mta_sts_record *out)
{
	memset(out, 0, sizeof *out);
	if (!mta_sts_is_record(txt, len)) {
		snprintf(out->error, sizeof out->error, "does not start with v=STSv1");
		return -1;
	}
	bool have_id = false;
	size_t i = 7;
	while (i < len) {
		/* sts-field-delim = *WSP ";" *WSP, then a field or the end */
		while (i < len && is_wsp(txt[i]))
			i++;
		if (i == len)
			break;
		if (txt[i] != ';') {
			snprintf(out->error, sizeof out->error,
			         "a field is not separated by ';' (at byte %zu)", i);
			return -1;
		}
		i++;
		while (i < len && is_wsp(txt[i]))
			i++;
		if (i == len)
			break; /* a trailing delimiter */
		size_t start = i;
		while (i < len && txt[i] != ';' && !is_wsp(txt[i]))
			i++;
		const char *f = txt + start;
		size_t flen = i - start;
		const char *eq = memchr(f, '=', flen);
		if (!eq || !is_ext_name(f, (size_t)(eq - f))) {
			snprintf(out->error, sizeof out->error, "\"%.*s\" is not a name=value field",
			         (int)(flen < 40 ? flen : 40), f);
			for (char *p = out->error; *p; p++)
				if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
					*p = '?';
			return -1;
		}
		const char *v = eq + 1;
		size_t vlen = flen - (size_t)(v - f);
		/* sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
		bool value_ok = vlen > 0;
		for (size_t k = 0; k < vlen; k++)
			if ((unsigned char)v[k] < 0x21 || (unsigned char)v[k] > 0x7e || v[k] == '=')
				value_ok = false;
		if (!value_ok) {
			snprintf(out->error, sizeof out->error,
			         "the value of %.*s= is empty or has invalid characters", (int)(eq - f), f);
			return -1;
		}
		if ((size_t)(eq - f) == 2 && memcmp(f, "id", 2) == 0 && !have_id) {
			bool ok = vlen <= 32;
			for (size_t k = 0; k < vlen; k++)
				ok = ok && is_alnum(v[k]);
			if (!ok) {
				snprintf(out->error, sizeof out->error,
				         "id= must be 1 to 32 letters and digits");
				return -1;
			}
			memcpy(out->id, v, vlen);
			out->id[vlen] = '\0';
			have_id = true;
		}
	}
	if (!have_id) {
		snprintf(out->error, sizeof out->error, "no id= field");
		return -1;
	}
	out->valid = true;
	return 0;
}

/* ------------------------------------------------------------ the policy */

static void add_msg(char ***v, size_t *n, size_t *dropped, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_msg(char ***v, size_t *n, size_t *dropped, const char *fmt, ...)
{
	if (*n >= MTA_STS_MAX_MSGS) {
		if (dropped)
			(*dropped)++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	text_list_vadd(v, n, fmt, ap); /* outside text: printable ASCII only */
	va_end(ap);
}

#define ERR(p, ...)  add_msg(&(p)->errors, &(p)->error_count, &(p)->errors_dropped, __VA_ARGS__)
#define NOTE(p, ...) add_msg(&(p)->notes, &(p)->note_count, NULL, __VA_ARGS__)

/* An mx: value: ["*."] Domain (RFC 5321 sub-domains). */
static bool mx_pattern_ok(const char *v)
{
	const char *d = strncmp(v, "*.", 2) == 0 ? v + 2 : v;
	return name_is_hostname(d, NULL, 0);
}

static enum mta_sts_mode mode_of(const char *v)
{
	if (strcmp(v, "enforce") == 0)
		return MTA_STS_ENFORCE;
	if (strcmp(v, "testing") == 0)
		return MTA_STS_TESTING;
	if (strcmp(v, "none") == 0)
		return MTA_STS_NONE;
	return MTA_STS_MODE_INVALID;
}

/* One "key: value" line, without its line end. */
static void take_line(struct mta_sts_policy *p, const char *line, size_t len, size_t lineno, size_t *mx_cap,
                      bool seen[3])
{
	const char *colon = memchr(line, ':', len);
	if (!colon || !is_ext_name(line, (size_t)(colon - line))) {
		ERR(p, "line %zu is not \"key: value\": \"%.*s\"", lineno, (int)(len < 40 ? len : 40), line);
		return;
	}
	size_t klen = (size_t)(colon - line);
	const char *v = colon + 1, *end = line + len;
	while (v < end && is_wsp(*v))
		v++;
	while (end > v && is_wsp(end[-1]))
		end--;
	size_t vlen = (size_t)(end - v);
	for (size_t k = 0; k < vlen; k++)
		if ((unsigned char)v[k] < 0x20 || v[k] == 0x7f) {
			ERR(p, "line %zu: the value holds a control character", lineno);
			return;
		}
	char *val = xstrndup(v, vlen);
	static const char *const once[3] = {"version", "mode", "max_age"};
	int which = -1;
	for (int k = 0; k < 3; k++)
		if (strlen(once[k]) == klen && memcmp(line, once[k], klen) == 0)
			which = k;
	if (which >= 0 && seen[which]) {
		NOTE(p, "%s appears again on line %zu; the first one counts", once[which], lineno);
	} else if (which == 0) {
		seen[0] = true;
		p->version_ok = strcmp(val, "STSv1") == 0;
		if (!p->version_ok)
			ERR(p, "version is \"%.40s\", not STSv1", val);
	} else if (which == 1) {
		seen[1] = true;
		p->mode = mode_of(val);
		if (p->mode == MTA_STS_MODE_INVALID)
			ERR(p, "mode \"%.40s\" is none of enforce, testing and none", val);
	} else if (which == 2) {
		seen[2] = true;
		bool digits = vlen >= 1 && vlen <= 10;
		for (size_t k = 0; k < vlen; k++)
			digits = digits && val[k] >= '0' && val[k] <= '9';
		long long age = digits ? strtoll(val, NULL, 10) : -1;
		if (!digits)
			ERR(p, "max_age \"%.40s\" is not a number of seconds", val);
		else if (age > MTA_STS_MAX_AGE_MAX)
			ERR(p, "max_age %lld is above the limit of %lld seconds (a year)", age,
			    MTA_STS_MAX_AGE_MAX);
		else
			p->max_age = age;
	} else if (klen == 2 && memcmp(line, "mx", 2) == 0) {
		char *lower = name_normalize_new(val);
		if (!mx_pattern_ok(lower)) {
			ERR(p, "mx \"%.60s\" is not a host name or *.name pattern", val);
			free(lower);
		} else {
			xgrow(&p->mx, mx_cap, p->mx_count + 1, sizeof *p->mx);
			p->mx[p->mx_count++] = lower;
		}
	} else {
		NOTE(p, "unknown key \"%.*s\" ignored", (int)(klen < 32 ? klen : 32), line);
	}
	free(val);
}

int mta_sts_policy_parse(const char *body, size_t len, struct mta_sts_policy *out)
{
	memset(out, 0, sizeof *out);
	out->max_age = -1;
	size_t mx_cap = 0, lineno = 0;
	bool seen[3] = {false, false, false};
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - body) : len;
		size_t l = end - i;
		if (l && body[i + l - 1] == '\r')
			l--;
		lineno++;
		bool blank = true;
		for (size_t k = 0; k < l; k++)
			blank = blank && is_wsp(body[i + k]);
		if (!blank) {
			out->lines++;
			take_line(out, body + i, l, lineno, &mx_cap, seen);
		}
		i = end + 1;
	}
	if (!seen[0])
		ERR(out, "no version: line");
	if (!seen[1])
		ERR(out, "no mode: line");
	if (!seen[2])
		ERR(out, "no max_age: line");
	if ((out->mode == MTA_STS_ENFORCE || out->mode == MTA_STS_TESTING) && out->mx_count == 0)
		ERR(out, "mode %s needs at least one mx: line", mta_sts_mode_name(out->mode));
	out->valid = out->error_count == 0 && out->errors_dropped == 0;
	return out->valid ? 0 : -1;
}

void mta_sts_policy_free(struct mta_sts_policy *p)
{
	for (size_t i = 0; i < p->error_count; i++)
		free(p->errors[i]);
	free(p->errors);
	for (size_t i = 0; i < p->note_count; i++)
		free(p->notes[i]);
	free(p->notes);
	for (size_t i = 0; i < p->mx_count; i++)
		free(p->mx[i]);
	free(p->mx);
	memset(p, 0, sizeof *p);
}

const char *mta_sts_mode_name(enum mta_sts_mode m)
{
	switch (m) {
	case MTA_STS_ENFORCE: return "enforce";
	case MTA_STS_TESTING: return "testing";
	case MTA_STS_NONE: return "none";
	case MTA_STS_MODE_ABSENT: return "absent";
	case MTA_STS_MODE_INVALID: break;
	}
	return "invalid";
}

bool mta_sts_mx_match(const char *pattern, const char *host)
{
	size_t hl = strlen(host), pl = strlen(pattern);
	if (hl && host[hl - 1] == '.')
		hl--;
	if (pl && pattern[pl - 1] == '.')
		pl--;
	if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* exactly one label in place of the star */
		const char *dot = memchr(host, '.', hl);
		if (!dot || dot == host)
			return false;
		size_t rest = hl - (size_t)(dot - host);
		return rest == pl - 1 && strncasecmp(dot, pattern + 1, rest) == 0;
	}
	return hl == pl && strncasecmp(host, pattern, hl) == 0;
}

long mta_sts_policy_match(const struct mta_sts_policy *p, const char *host)
{
	for (size_t i = 0; i < p->mx_count; i++)
		if (mta_sts_mx_match(p->mx[i], host))
			return (long)i;
	return -1;
}
