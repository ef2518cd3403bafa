/* SPDX-License-Identifier: ISC */
/* spf_record: RFC 7208 record syntax into terms (see spf_record.h). */
#include "spf_record.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/xalloc.h"

/* c is one of set; unlike strchr alone, a NUL byte (records are bytes) is
 * never a member. */
static bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

bool spf_is_record(const char *txt, size_t len)
{
	return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 && (len == 6 || txt[6] == ' ');
}

bool spf_term_queries_dns(const struct spf_term *t)
{
	switch (t->kind) {
	case SPF_INCLUDE:
	case SPF_A:
	case SPF_MX:
	case SPF_PTR:
	case SPF_EXISTS:
	case SPF_REDIRECT: return true;
	default: return false;
	}
}

bool spf_macro_string_valid(const char *s, size_t len, bool exp_only)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e)
			return false; /* macro-literal is %x21-7E */
		if (c != '%')
			continue;
		if (++i >= len)
			return false;
		if (s[i] == '%' || s[i] == '_' || s[i] == '-')
			continue;
		if (s[i] != '{' || ++i >= len)
			return false;
		char l = (char)tolower((unsigned char)s[i]);
		if (!in_set(l, "slodiphv") && !(exp_only && in_set(l, "crt")))
			return false;
		i++;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
		if (i < len && (s[i] == 'r' || s[i] == 'R'))
			i++;
		while (i < len && in_set(s[i], ".-+,/_="))
			i++;
		if (i >= len || s[i] != '}')
			return false;
	}
	return true;
}

/* A domain-spec must end in a macro-expand or a toplabel (RFC 7208 7.1). */
static bool domain_end_valid(const char *s, size_t len)
{
	if (len && s[len - 1] == '.')
		len--;
	if (len && s[len - 1] == '}')
		return true;
	if (len >= 2 && s[len - 2] == '%' && !in_set(s[len - 1], "%_-"))
		return false;
	size_t start = len;
	while (start > 0 && s[start - 1] != '.')
		start--;
	/* domain-end = "." toplabel: a single label is not a domain-spec */
	if (start == 0 || len == start || s[start] == '-' || s[len - 1] == '-')
		return false;
	bool alpha = false;
	for (size_t i = start; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '-')
			return false;
		alpha |= isalpha(c) != 0;
	}
	return alpha;
}

static bool parse_int(const char *s, size_t len, int max, int *out)
{
	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return false;
	int v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Length of the run of digits that ends arg[0..len). */
static size_t tail_digits(const char *arg, size_t len)
{
	size_t n = 0;
	while (n < len && isdigit((unsigned char)arg[len - 1 - n]))
		n++;
	return n;
}

/* Splits the dual-cidr-length off the end of arg ("spec/4//6"); only a
 * trailing "/digits" counts, since a domain-spec may contain '/' itself. */
static bool split_cidr(const char *arg, size_t *len, int *c4, int *c6, bool allow4, bool allow6)
{
	size_t d = tail_digits(arg, *len);
	if (d && *len >= d + 2 && arg[*len - d - 1] == '/' && arg[*len - d - 2] == '/') {
		if (!allow6 || !parse_int(arg + *len - d, d, 128, c6))
			return false;
		*len -= d + 2;
		d = tail_digits(arg, *len);
	}
	if (d && *len >= d + 1 && arg[*len - d - 1] == '/') {
		if (!allow4 || !parse_int(arg + *len - d, d, allow6 ? 32 : 128, c4))
			return false;
		*len -= d + 1;
	}
	return true;
}

static const struct {
	const char *name;
	enum spf_kind kind;
} mechs[] = {
    {"all", SPF_ALL}, {"include", SPF_INCLUDE}, {"a", SPF_A},     {"mx", SPF_MX},
    {"ptr", SPF_PTR}, {"ip4", SPF_IP4},         {"ip6", SPF_IP6}, {"exists", SPF_EXISTS},
};

static bool parse_term(const char *s, size_t len, struct spf_term *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	t->cidr4 = t->cidr6 = -1;
	t->qualifier = '+';
	/* A modifier is name "=" with name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ). */
	size_t nl = 0;
	while (nl < len && (isalnum((unsigned char)s[nl]) || in_set(s[nl], "-_.")))
		nl++;
	if (nl > 0 && nl < len && s[nl] == '=' && isalpha((unsigned char)s[0])) {
		const char *v = s + nl + 1;
		size_t vl = len - nl - 1;
		if (nl == 8 && strncasecmp(s, "redirect", 8) == 0)
			t->kind = SPF_REDIRECT;
		else if (nl == 3 && strncasecmp(s, "exp", 3) == 0)
			t->kind = SPF_EXP;
		else
			t->kind = SPF_MODIFIER;
		if (!spf_macro_string_valid(v, vl, false) ||
		    (t->kind != SPF_MODIFIER && (vl == 0 || !domain_end_valid(v, vl)))) {
			snprintf(err, errlen, "invalid value in modifier \"%.*s\"", (int)len, s);
			return false;
		}
		t->domain_spec = xstrndup(v, vl);
		t->has_macro = memchr(v, '%', vl) != NULL;
		return true;
	}
	if (len && in_set(s[0], "+-~?")) {
		t->qualifier = s[0];
		s++;
		len--;
	}
	size_t ml = 0;
	while (ml < len && s[ml] != ':' && s[ml] != '/')
		ml++;
	size_t k;
	for (k = 0; k < sizeof mechs / sizeof mechs[0]; k++)
		if (strlen(mechs[k].name) == ml && strncasecmp(s, mechs[k].name, ml) == 0)
			break;
	if (k == sizeof mechs / sizeof mechs[0]) {
		snprintf(err, errlen, "unknown mechanism \"%.*s\"", (int)(len > 64 ? 64 : len), s);
		return false;
	}
	t->kind = mechs[k].kind;
	const char *arg = s + ml;
	size_t al = len - ml;
	bool colon = al && arg[0] == ':';
	if (colon) {
		arg++;
		al--;
	}
	bool ok = true;
	switch (t->kind) {
	case SPF_ALL: ok = al == 0 && !colon; break;
	case SPF_IP4:
	case SPF_IP6: {
		bool v4 = t->kind == SPF_IP4;
		int c = -1, unused = -1;
		ok = colon && split_cidr(arg, &al, &c, &unused, true, false);
		char buf[INET6_ADDRSTRLEN];
		unsigned char bin[16];
		if (ok && (al == 0 || al >= sizeof buf))
			ok = false;
		if (ok) {
			memcpy(buf, arg, al);
			buf[al] = '\0';
			ok = inet_pton(v4 ? AF_INET : AF_INET6, buf, bin) == 1 && (!v4 || c <= 32);
		}
		if (ok) {
			t->addr = xstrdup(buf);
			if (v4)
				t->cidr4 = c;
			else
				t->cidr6 = c;
		}
		break;
	}
	case SPF_A:
	case SPF_MX:
		ok = split_cidr(arg, &al, &t->cidr4, &t->cidr6, true, true);
		if (ok && t->cidr4 > 32)
			ok = false;
		/* the domain-spec is optional, as for ptr */
		__attribute__((fallthrough));
	case SPF_PTR:
		if (ok && colon && al == 0)
			ok = false;
		else if (ok && colon)
			ok = spf_macro_string_valid(arg, al, false) && domain_end_valid(arg, al);
		else if (ok && !colon && al != 0)
			ok = false;
		break;
	case SPF_INCLUDE:
	case SPF_EXISTS:
		ok = colon && al > 0 && spf_macro_string_valid(arg, al, false) && domain_end_valid(arg, al);
		break;
	default: ok = false;
	}
	if (!ok) {
		snprintf(err, errlen, "invalid term \"%.*s\"", (int)(len > 64 ? 64 : len), s);
		free(t->addr);
		t->addr = NULL;
		return false;
	}
	if (colon && al && t->kind != SPF_IP4 && t->kind != SPF_IP6) {
		t->domain_spec = xstrndup(arg, al);
		t->has_macro = memchr(arg, '%', al) != NULL;
	}
	return true;
}

void spf_record_free(struct spf_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->terms[i].domain_spec);
		free(r->terms[i].addr);
	}
	free(r->terms);
	free(r);
}

struct spf_record *spf_record_parse_new(const char *txt, size_t len, char *err, size_t errlen)
{
	if (!spf_is_record(txt, len)) {
		snprintf(err, errlen, "not an SPF record");
		return NULL;
	}
	struct spf_record *r = xcalloc(1, sizeof *r);
	size_t cap = 0, i = 6;
	int redirects = 0, exps = 0;
	while (i < len) {
		while (i < len && txt[i] == ' ')
			i++;
		size_t start = i;
		while (i < len && txt[i] != ' ')
			i++;
		if (i == start)
			break;
		struct spf_term t;
		if (!parse_term(txt + start, i - start, &t, err, errlen)) {
			spf_record_free(r);
			return NULL;
		}
		redirects += t.kind == SPF_REDIRECT;
		exps += t.kind == SPF_EXP;
		xgrow(&r->terms, &cap, r->n + 1, sizeof *r->terms);
		r->terms[r->n++] = t;
		if (redirects > 1 || exps > 1) {
			snprintf(err, errlen, "more than one %s= modifier",
			         redirects > 1 ? "redirect" : "exp");
			spf_record_free(r);
			return NULL;
		}
	}
	return r;
}
