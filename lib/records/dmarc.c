/* SPDX-License-Identifier: ISC */
/* dmarc: DMARC records (RFC 9989, with RFC 7489's historic tags) parsed by
 * hand into their tags, policies and report URIs, with the names of the
 * DNS Tree Walk (see dmarc.h). */
#include "dmarc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/names.h"
#include "../util/xalloc.h"

static bool is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void trim(const char **a, const char **b)
{
	while (*a < *b && is_wsp((unsigned char)**a))
		(*a)++;
	while (*b > *a && is_wsp((unsigned char)(*b)[-1]))
		(*b)--;
}

static void add_msg(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_msg(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xvasprintf(fmt, ap);
	va_end(ap);
}

#define ERR(r, ...)  add_msg(&(r)->errors, &(r)->error_count, __VA_ARGS__)
#define NOTE(r, ...) add_msg(&(r)->notes, &(r)->note_count, __VA_ARGS__)

const char *dmarc_pol_name(enum dmarc_pol p)
{
	switch (p) {
	case DMARC_POL_NONE: return "none";
	case DMARC_POL_QUARANTINE: return "quarantine";
	case DMARC_POL_REJECT: return "reject";
	case DMARC_POL_INVALID: return "invalid";
	case DMARC_POL_ABSENT: break;
	}
	return "absent";
}

int dmarc_pol_rank(enum dmarc_pol p)
{
	return p == DMARC_POL_REJECT ? 2 : p == DMARC_POL_QUARANTINE ? 1 : 0;
}

/* Matches the version tag at the start of [p,end); returns the position
 * after it, or NULL. */
static const char *match_version(const char *p, const char *end)
{
	if (p == end || (*p != 'v' && *p != 'V'))
		return NULL;
	p++;
	while (p < end && is_wsp((unsigned char)*p))
		p++;
	if (p == end || *p != '=')
		return NULL;
	p++;
	while (p < end && is_wsp((unsigned char)*p))
		p++;
	/* The value is case-sensitive (RFC 9989 ABNF %s"DMARC1"). */
	if ((size_t)(end - p) < 6 || memcmp(p, "DMARC1", 6) != 0)
		return NULL;
	p += 6;
	const char *q = p;
	while (q < end && is_wsp((unsigned char)*q))
		q++;
	if (q != end && *q != ';')
		return NULL;
	return p;
}

bool dmarc_is_record(const char *txt, size_t len)
{
	return match_version(txt, txt + len) != NULL;
}

static enum dmarc_pol parse_pol(const char *v)
{
	if (strcasecmp(v, "none") == 0)
		return DMARC_POL_NONE;
	if (strcasecmp(v, "quarantine") == 0)
		return DMARC_POL_QUARANTINE;
	if (strcasecmp(v, "reject") == 0)
		return DMARC_POL_REJECT;
	return DMARC_POL_INVALID;
}

static bool uri_char_ok(const char *s, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c))
		return false;
	if (c == '%') {
		static const char hex[] = "0123456789abcdefABCDEF";
		return s[i + 1] && strchr(hex, s[i + 1]) && s[i + 2] && strchr(hex, s[i + 2]);
	}
	return true;
}

/* One DMARC URI: URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]. */
static void parse_uri(const char *a, const char *b, struct dmarc_uri *u)
{
	memset(u, 0, sizeof *u);
	trim(&a, &b);
	u->text = xstrndup(a, (size_t)(b - a));
	if (a == b) {
		snprintf(u->why, sizeof u->why, "an empty URI");
		return;
	}
	const char *bang = memchr(a, '!', (size_t)(b - a));
	const char *ue = bang ? bang : b;
	if (bang) {
		/* RFC 7489's size limit (RFC 9989 dropped it); white space
		 * around it is tolerated. */
		const char *s = bang + 1, *se = b;
		trim(&s, &se);
		unsigned long long n = 0;
		const char *d = s;
		while (d < se && is_digit((unsigned char)*d)) {
			if (n > 1000000000000ULL) {
				snprintf(u->why, sizeof u->why, "the size limit after '!' is too large");
				return;
			}
			n = n * 10 + (unsigned long long)(*d - '0');
			d++;
		}
		const char *unit = d;
		while (unit < se && is_wsp((unsigned char)*unit))
			unit++;
		unsigned long long mult = 1;
		if (unit < se) {
			switch (*unit | 0x20) {
			case 'k': mult = 1ULL << 10; break;
			case 'm': mult = 1ULL << 20; break;
			case 'g': mult = 1ULL << 30; break;
			case 't': mult = 1ULL << 40; break;
			default: mult = 0;
			}
			unit++;
		}
		if (d == s || mult == 0 || unit != se) {
			snprintf(u->why, sizeof u->why,
			         "the size limit after '!' is not digits and an optional k/m/g/t");
			return;
		}
		u->max_bytes = n * mult;
		trim(&a, &ue);
	}
	/* scheme ":" rest (RFC 3986 3.1) */
	const char *colon = memchr(a, ':', (size_t)(ue - a));
	bool ok = colon && colon > a && is_alpha((unsigned char)*a) && colon + 1 < ue;
	for (const char *c = a; ok && c < colon; c++)
		ok = is_alpha((unsigned char)*c) || is_digit((unsigned char)*c) || *c == '+' || *c == '-' ||
		     *c == '.';
	if (!ok) {
		snprintf(u->why, sizeof u->why, "not a URI (it needs a scheme such as mailto:)");
		return;
	}
	char *whole = xstrndup(a, (size_t)(ue - a));
	for (size_t i = 0; whole[i]; i++)
		if (!uri_char_ok(whole, i)) {
			snprintf(u->why, sizeof u->why,
			         "a character URIs do not allow (',' and '!' must be %%-encoded)");
			free(whole);
			return;
		}
	u->scheme = xstrndup(a, (size_t)(colon - a));
	for (char *c = u->scheme; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (strcmp(u->scheme, "mailto") == 0) {
		const char *addr = whole + (colon - a) + 1;
		size_t alen = strcspn(addr, "?");
		const char *at = memrchr(addr, '@', alen);
		char *dom = at ? xstrndup(at + 1, alen - (size_t)(at + 1 - addr)) : NULL;
		char why[120];
		if (!at || at == addr) {
			snprintf(u->why, sizeof u->why, "a mailto: URI without an address (local@domain)");
		} else if (!dom || !name_is_hostname(dom, why, sizeof why)) {
			snprintf(u->why, sizeof u->why, "the address's domain is not a host name");
		} else {
			u->domain = name_normalize_new(dom);
			u->valid = true;
		}
		free(dom);
		if (!u->valid) {
			free(u->scheme);
			u->scheme = NULL;
		}
	} else {
		u->valid = true;
	}
	free(whole);
}

static void parse_uri_list(struct dmarc_record *r, const char *tag, const char *v, struct dmarc_uri **out,
                           size_t *count)
{
	const char *p = v;
	for (;;) {
		const char *e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		*out = xrealloc(*out, (*count + 1) * sizeof **out);
		parse_uri(p, e, &(*out)[(*count)++]);
		if (!*e)
			break;
		p = e + 1;
	}
	for (size_t i = 0; i < *count; i++)
		if ((*out)[i].valid && strcmp((*out)[i].scheme, "mailto") != 0)
			NOTE(r, "%s: %s is not a mailto: URI; receivers need only support mailto:", tag,
			     (*out)[i].text);
}

static bool parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	unsigned long n = 0;
	if (!*v)
		return false;
	for (const char *c = v; *c; c++) {
		if (!is_digit((unsigned char)*c) || n > max)
			return false;
		n = n * 10 + (unsigned long)(*c - '0');
	}
	if (n > max)
		return false;
	*out = n;
	return true;
}

/* fo: colon-separated 0, 1, d, s (white space around colons allowed). */
static bool fo_ok(const char *v)
{
	bool item = false;
	for (const char *c = v; *c; c++) {
		if (is_wsp((unsigned char)*c))
			continue;
		if (*c == ':') {
			if (!item)
				return false;
			item = false;
		} else if (strchr("01dsDS", *c) && !item) {
			item = true;
		} else {
			return false;
		}
	}
	return item;
}

/* rf (historic): colon-separated report format names (keyword: alnum and
 * '-', not ending in '-'). */
static bool rf_ok(const char *v)
{
	const char *p = v;
	for (;;) {
		while (is_wsp((unsigned char)*p))
			p++;
		const char *s = p;
		while (is_alpha((unsigned char)*p) || is_digit((unsigned char)*p) || *p == '-')
			p++;
		if (p == s || !is_alpha((unsigned char)*s) || p[-1] == '-')
			return false;
		while (is_wsp((unsigned char)*p))
			p++;
		if (!*p)
			return true;
		if (*p != ':')
			return false;
		p++;
	}
}

static void handle_tag(struct dmarc_record *r, const char *name, const char *v, bool *have_rua_valid)
{
	if (strcmp(name, "p") == 0 || strcmp(name, "sp") == 0 || strcmp(name, "np") == 0) {
		enum dmarc_pol pol = parse_pol(v);
		if (pol == DMARC_POL_INVALID)
			ERR(r, "%s=%.40s is not none, quarantine or reject", name, v);
		if (name[0] == 'p')
			r->p = pol;
		else if (name[0] == 's')
			r->sp = pol;
		else
			r->np = pol;
	} else if (strcmp(name, "adkim") == 0 || strcmp(name, "aspf") == 0) {
		if (strcasecmp(v, "r") == 0 || strcasecmp(v, "s") == 0)
			*(name[1] == 'd' ? &r->adkim : &r->aspf) = (char)(v[0] | 0x20);
		else
			ERR(r, "%s=%.40s is not r (relaxed) or s (strict)", name, v);
	} else if (strcmp(name, "t") == 0) {
		if (strcasecmp(v, "y") == 0 || strcasecmp(v, "n") == 0)
			r->testing = (v[0] | 0x20) == 'y';
		else
			ERR(r, "t=%.40s is not y or n", v);
	} else if (strcmp(name, "psd") == 0) {
		if (strlen(v) == 1 && strchr("ynuYNU", v[0]))
			r->psd = (char)(v[0] | 0x20);
		else
			ERR(r, "psd=%.40s is not y, n or u", v);
	} else if (strcmp(name, "fo") == 0) {
		if (fo_ok(v))
			r->fo = xstrdup(v);
		else
			ERR(r, "fo=%.40s is not a colon-separated list of 0, 1, d, s", v);
	} else if (strcmp(name, "rua") == 0 || strcmp(name, "ruf") == 0) {
		bool rua = name[2] == 'a';
		parse_uri_list(r, name, v, rua ? &r->rua : &r->ruf, rua ? &r->rua_count : &r->ruf_count);
		if (rua)
			for (size_t i = 0; i < r->rua_count; i++)
				if (r->rua[i].valid)
					*have_rua_valid = true;
	} else if (strcmp(name, "pct") == 0) {
		unsigned long n;
		if (parse_uint(v, 100, &n)) {
			r->pct = (int)n;
			NOTE(r, "pct=%lu is historic: RFC 9989 dropped it, RFC 7489 receivers still apply it",
			     n);
		} else {
			NOTE(
			    r,
			    "pct=%.40s is not 0-100 (historic tag: RFC 7489 receivers may reject the record)",
			    v);
		}
	} else if (strcmp(name, "rf") == 0) {
		NOTE(r, rf_ok(v) ? "rf= is historic (RFC 9989 dropped it)"
		                 : "rf= is historic and its value is not a format list (RFC 7489 receivers "
		                   "may reject the record)");
	} else if (strcmp(name, "ri") == 0) {
		unsigned long n;
		NOTE(r, parse_uint(v, 4294967295UL, &n) ? "ri= is historic (RFC 9989 dropped it)"
		                                        : "ri= is historic and not a number of seconds (RFC "
		                                          "7489 receivers may reject the record)");
	} else {
		NOTE(r, "unknown tag %.40s= ignored", name);
	}
}

int dmarc_parse(const char *txt, size_t len, struct dmarc_record *r)
{
	memset(r, 0, sizeof *r);
	r->adkim = r->aspf = 'r';
	r->psd = 'u';
	r->pct = -1;
	const char *end = txt + len;
	if (memchr(txt, '\0', len))
		return -1;
	const char *p = match_version(txt, end);
	if (!p)
		return -1;
	static const char *const known[] = {"v",   "p",  "sp",  "np",  "adkim", "aspf", "t",
	                                    "psd", "fo", "rua", "ruf", "pct",   "rf",   "ri"};
	bool seen[sizeof known / sizeof *known] = {true};
	bool have_rua_valid = false;
	size_t ntag = 0;
	bool p_second = false;
	while (p < end) {
		/* p is at ';' (or white space before it) */
		const char *s = memchr(p, ';', (size_t)(end - p));
		if (!s)
			break;
		s++;
		const char *e = memchr(s, ';', (size_t)(end - s));
		if (!e)
			e = end;
		p = e;
		const char *a = s, *b = e;
		trim(&a, &b);
		if (a == b)
			continue; /* ";;" or a trailing ";" */
		const char *eq = memchr(a, '=', (size_t)(b - a));
		if (!eq) {
			ERR(r, "'%.*s' is not tag=value", (int)((b - a) > 40 ? 40 : (b - a)), a);
			continue;
		}
		const char *na = a, *nb = eq, *va = eq + 1, *vb = b;
		trim(&na, &nb);
		trim(&va, &vb);
		char name[16];
		size_t nl = (size_t)(nb - na);
		bool name_ok = nl > 0 && nl < sizeof name && is_alpha((unsigned char)*na);
		for (const char *c = na; name_ok && c < nb; c++)
			name_ok = is_alpha((unsigned char)*c) || is_digit((unsigned char)*c) || *c == '_';
		if (!name_ok) {
			if (nl >= sizeof name && is_alpha((unsigned char)*na))
				NOTE(r, "unknown tag %.*s= ignored", (int)(nl > 40 ? 40 : nl), na);
			else
				ERR(r, "'%.*s' is not a tag name", (int)(nl > 40 ? 40 : nl), na);
			continue;
		}
		for (size_t i = 0; i < nl; i++)
			name[i] = (char)(na[i] >= 'A' && na[i] <= 'Z' ? na[i] - 'A' + 'a' : na[i]);
		name[nl] = '\0';
		char *v = xstrndup(va, (size_t)(vb - va));
		for (const char *c = v; *c; c++)
			if ((unsigned char)*c < 0x20 && !is_wsp((unsigned char)*c)) {
				ERR(r, "%s= holds a control character", name);
				break;
			}
		size_t ki = 0;
		while (ki < sizeof known / sizeof *known && strcmp(known[ki], name) != 0)
			ki++;
		if (ki < sizeof known / sizeof *known) {
			if (seen[ki]) {
				ERR(r, "the tag %s= occurs more than once", name);
				free(v);
				continue;
			}
			seen[ki] = true;
		}
		if (ntag++ == 0 && strcmp(name, "p") == 0)
			p_second = true;
		handle_tag(r, name, v, &have_rua_valid);
		free(v);
	}
	if (r->p == DMARC_POL_ABSENT)
		NOTE(r, "no p= tag: receivers act as if p=none when rua= is valid, else ignore the record");
	else if (!p_second)
		NOTE(r, "p= does not follow v= directly (RFC 7489 required that; RFC 9989 does not)");

	bool bad_pol = r->p == DMARC_POL_ABSENT || r->p == DMARC_POL_INVALID || r->sp == DMARC_POL_INVALID ||
	               r->np == DMARC_POL_INVALID;
	if (!bad_pol) {
		r->usable = true;
	} else if (have_rua_valid) {
		/* RFC 9989 4.10.1: act as if p=none was published. */
		r->usable = true;
		r->p_as_none = true;
	}
	return 0;
}

void dmarc_record_free(struct dmarc_record *r)
{
	struct dmarc_uri *lists[2] = {r->rua, r->ruf};
	size_t counts[2] = {r->rua_count, r->ruf_count};
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < counts[k]; i++) {
			free(lists[k][i].text);
			free(lists[k][i].scheme);
			free(lists[k][i].domain);
		}
		free(lists[k]);
	}
	for (size_t i = 0; i < r->error_count; i++)
		free(r->errors[i]);
	free(r->errors);
	for (size_t i = 0; i < r->note_count; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->fo);
	memset(r, 0, sizeof *r);
}

size_t dmarc_walk_names_new(const char *domain, char *names[8])
{
	size_t n = 0;
	if (!domain || !*domain)
		return 0;
	names[n++] = xstrdup(domain);
	size_t labels = 1;
	for (const char *c = domain; *c; c++)
		if (*c == '.')
			labels++;
	const char *p = domain;
	/* RFC 9989 4.10 step 4: 8 labels or more jump to 7 at once. */
	size_t skip = labels >= 8 ? labels - 7 : 1;
	while (labels > 1 && n < 8) {
		for (size_t i = 0; i < skip; i++) {
			p = strchr(p, '.');
			if (!p)
				return n;
			p++;
		}
		labels -= skip;
		skip = 1;
		if (!*p)
			break;
		names[n++] = xstrdup(p);
	}
	return n;
}
