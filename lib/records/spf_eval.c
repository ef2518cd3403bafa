/* SPDX-License-Identifier: ISC */
/* spf_eval: RFC 7208 check_host() and the tree walk (see spf_eval.h). */
#include "spf_eval.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_macro.h"
#include "spf_record.h"
#include "../util/xalloc.h"

/* RFC 7208 4.6.4 */
#define MAX_LOOKUPS   10
#define MAX_VOIDS     2
#define MAX_MX_NAMES  10
#define MAX_PTR_NAMES 10
/* Recursion guard; the lookup limit ends every chain well before this. */
#define MAX_DEPTH 24
/* The walk stops after this many records: enough to show any real tree. */
#define WALK_MAX_NODES 64

const char *spf_result_name(enum spf_result r)
{
	static const char *const names[] = {"none",     "neutral",   "pass",     "fail",
	                                    "softfail", "temperror", "permerror"};
	return (size_t)r < sizeof names / sizeof *names ? names[r] : "?";
}

/* ------------------------------------------------------------ helpers */

static bool answer_void(const struct dns_answer *a)
{
	return a->status == DNS_NXDOMAIN || a->status == DNS_NODATA ||
	       (a->status == DNS_OK && a->rr_count == 0);
}

static bool answer_failed(const struct dns_answer *a)
{
	return !dns_status_answered(a->status);
}

/* RFC 7208 4.3: labels of 1..63 octets, 253 in all, at least two labels. */
static bool domain_usable(const char *d)
{
	size_t len = strlen(d);
	if (len && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	size_t lab = 0, labels = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c == '.') {
			if (lab == 0)
				return false;
			labels++;
			lab = 0;
		} else if (++lab > 63 || c <= ' ' || c >= 0x7f) {
			return false;
		}
	}
	if (lab == 0 || labels < 2)
		return false;
	/* the top label is a name, not a domain literal's "5]" (RFC 7208 4.3) */
	bool alpha = false;
	for (size_t i = len - lab; i < len; i++) {
		unsigned char c = (unsigned char)d[i];
		if (!isalnum(c) && c != '-')
			return false;
		alpha |= isalpha(c) != 0;
	}
	return alpha;
}

static bool net_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* IPv4-mapped IPv6 clients are IPv4 clients (RFC 7208 5: the family of
 * <ip> picks A or AAAA). */
static void ip_unmap(struct ipaddr *ip)
{
	static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (ip->af == AF_INET6 && memcmp(ip->b, pre, 12) == 0) {
		ip->af = AF_INET;
		memmove(ip->b, ip->b + 12, 4);
		memset(ip->b + 4, 0, 12);
		inet_ntop(AF_INET, ip->b, ip->text, sizeof ip->text);
	}
}

static const struct dns_answer *ask(const struct resolver *d, const char *name, uint16_t type)
{
	return d->query(d->ctx, name, type);
}

static void prefetch(const struct resolver *d, const char *name, uint16_t type)
{
	if (d->prefetch && name_is_dns(name))
		d->prefetch(d->ctx, name, type);
}

/* The term as written, for reports. */
static char *term_text_new(const struct spf_term *t)
{
	static const char *const kinds[] = {"all", "include", "a",        "mx",  "ptr", "ip4",
	                                    "ip4", "exists",  "redirect", "exp", "?"};
	const char *k = t->kind == SPF_IP6 ? "ip6" : kinds[t->kind];
	char q[2] = {t->qualifier == '+' ? '\0' : t->qualifier, '\0'};
	char cidr[32] = "";
	if (t->cidr4 >= 0 && t->cidr6 >= 0)
		snprintf(cidr, sizeof cidr, "/%d//%d", t->cidr4, t->cidr6);
	else if (t->cidr4 >= 0)
		snprintf(cidr, sizeof cidr, "/%d", t->cidr4);
	else if (t->cidr6 >= 0)
		snprintf(cidr, sizeof cidr, t->kind == SPF_IP6 ? "/%d" : "//%d", t->cidr6);
	if (t->kind == SPF_REDIRECT || t->kind == SPF_EXP)
		return xasprintf("%s=%s", k, t->domain_spec);
	const char *arg = t->addr ? t->addr : t->domain_spec;
	return xasprintf("%s%s%s%s%s", q, k, arg ? ":" : "", arg ? arg : "", cidr);
}

/* How a domain's SPF record was found (RFC 7208 4.4, 4.5). */
struct fetched {
	enum spf_node_status status;
	const struct dns_answer *ans;
	const char *txt; /* the record (points into ans) */
	size_t len;
	char why[160];
};

static void fetch_record(const struct resolver *d, const char *domain, struct fetched *f)
{
	memset(f, 0, sizeof *f);
	if (!domain_usable(domain)) {
		f->status = SPF_NODE_INVALID;
		snprintf(f->why, sizeof f->why, "\"%.64s\" is not a valid domain name", domain);
		return;
	}
	f->ans = ask(d, domain, DNS_T_TXT);
	if (answer_failed(f->ans)) {
		f->status = SPF_NODE_DNSERR;
		snprintf(f->why, sizeof f->why, "%s", dns_answer_why(f->ans));
		return;
	}
	size_t found = 0;
	for (size_t i = 0; i < f->ans->rr_count; i++) {
		const struct dns_rr *rr = &f->ans->rrs[i];
		if (rr->txt && spf_is_record(rr->txt, rr->txt_len)) {
			if (found++ == 0) {
				f->txt = rr->txt;
				f->len = rr->txt_len;
			}
		}
	}
	if (found == 0) {
		f->status = SPF_NODE_NONE;
		snprintf(f->why, sizeof f->why, "%s has no SPF record%s", domain,
		         f->ans->status == DNS_NXDOMAIN ? " (the name does not exist)" : "");
	} else if (found > 1) {
		f->status = SPF_NODE_MULTIPLE;
		snprintf(f->why, sizeof f->why, "%s has %zu SPF records; exactly one is allowed", domain,
		         found);
	}
}

/* ------------------------------------------------------------ check_host */

struct ev {
	const struct resolver *dns;
	const struct spf_request *rq;
	struct ipaddr ip;
	const char *sender;
	unsigned lookups, voids;
	char *ptr_name; /* validated name for %{p}, computed once */
	bool ptr_done;
	char *reason, *matched, *matched_in, *explanation;
};

static enum spf_result ev_fail(struct ev *e, enum spf_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum spf_result ev_fail(struct ev *e, enum spf_result r, const char *fmt, ...)
{
	if (!e->reason) {
		va_list ap;
		va_start(ap, fmt);
		e->reason = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return r;
}

/* The names a PTR lookup validates (RFC 7208 5.5): PTR names, the first
 * ten, whose A/AAAA records include the client. Lookup errors drop a name. */
static size_t validated_names(struct ev *e, char **out, size_t max)
{
	char rev[80];
	ip_reverse_name(&e->ip, rev, sizeof rev);
	const struct dns_answer *p = ask(e->dns, rev, DNS_T_PTR);
	if (answer_void(p))
		e->voids++;
	if (p->status != DNS_OK)
		return 0;
	uint16_t t = e->ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
	size_t n = p->rr_count < MAX_PTR_NAMES ? p->rr_count : MAX_PTR_NAMES, got = 0;
	for (size_t i = 0; i < n; i++)
		if (p->rrs[i].name)
			prefetch(e->dns, p->rrs[i].name, t);
	for (size_t i = 0; i < n && got < max; i++) {
		const char *name = p->rrs[i].name;
		if (!name || !name_is_dns(name))
			continue;
		const struct dns_answer *a = ask(e->dns, name, t);
		for (size_t k = 0; a->status == DNS_OK && k < a->rr_count; k++)
			if (a->rrs[k].type == t && memcmp(a->rrs[k].addr, e->ip.b, ip_len(&e->ip)) == 0) {
				out[got++] = xstrdup(name);
				break;
			}
	}
	return got;
}

static const char *ptr_macro_name(struct ev *e, const char *domain)
{
	if (!e->ptr_done) {
		e->ptr_done = true;
		char *names[MAX_PTR_NAMES];
		size_t n = validated_names(e, names, MAX_PTR_NAMES);
		/* RFC 7208 7.3: prefer the domain itself, then a subdomain of it. */
		size_t best = 0;
		for (size_t i = 0; i < n; i++)
			if (name_is_under(names[i], domain)) {
				best = i;
				break;
			}
		if (n)
			e->ptr_name = xstrdup(names[best]);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
	}
	return e->ptr_name;
}

static bool has_p_macro(const char *s)
{
	for (; (s = strchr(s, '%')) != NULL; s++) {
		if (s[1] == '%') {
			s++;
			continue;
		}
		if (s[1] == '{' && (s[2] == 'p' || s[2] == 'P'))
			return true;
	}
	return false;
}

/* Expands a domain-spec (or the current domain when spec is NULL); NULL on
 * a macro error (the reason in err). */
static char *target_new(struct ev *e, const char *spec, const char *domain, char *err, size_t errlen)
{
	if (!spec)
		return name_normalize_new(domain);
	struct spf_macro_env env = {e->sender, domain, e->ip.text, e->rq->helo, NULL};
	if (has_p_macro(spec))
		env.ptr_name = ptr_macro_name(e, domain);
	char *t = spf_macro_expand_new(spec, strlen(spec), &env, false, err, errlen);
	if (!t)
		return NULL;
	spf_macro_truncate(t);
	char *n = name_normalize_new(t);
	free(t);
	return n;
}

/* Address match for a and mx (RFC 7208 5.3, 5.4); -1 on a lookup error. */
static int addr_match(struct ev *e, const char *name, const struct spf_term *t, bool count_void)
{
	uint16_t type = e->ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
	if (!name_is_dns(name)) {
		if (count_void)
			e->voids++;
		return 0;
	}
	const struct dns_answer *a = ask(e->dns, name, type);
	if (answer_failed(a))
		return -1;
	if (answer_void(a)) {
		if (count_void)
			e->voids++;
		return 0;
	}
	int bits = e->ip.af == AF_INET ? (t->cidr4 >= 0 ? t->cidr4 : 32) : (t->cidr6 >= 0 ? t->cidr6 : 128);
	for (size_t i = 0; i < a->rr_count; i++)
		if (a->rrs[i].type == type && net_match(a->rrs[i].addr, e->ip.b, bits))
			return 1;
	return 0;
}

static enum spf_result check_host(struct ev *e, const char *domain, int depth, bool want_exp);

static void set_match(struct ev *e, const struct spf_term *t, const char *domain)
{
	free(e->matched);
	free(e->matched_in);
	e->matched = term_text_new(t);
	e->matched_in = xstrdup(domain);
}

static void explain(struct ev *e, const struct spf_record *r, const char *domain)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->terms[i].kind != SPF_EXP)
			continue;
		char err[128];
		/* RFC 7208 6.2: any trouble with exp= means the default text. */
		char *name = target_new(e, r->terms[i].domain_spec, domain, err, sizeof err);
		if (name && domain_usable(name)) {
			const struct dns_answer *a = ask(e->dns, name, DNS_T_TXT);
			if (a->status == DNS_OK && a->rr_count == 1 && a->rrs[0].txt) {
				struct spf_macro_env env = {e->sender, domain, e->ip.text, e->rq->helo, NULL};
				if (has_p_macro(a->rrs[0].txt))
					env.ptr_name = ptr_macro_name(e, domain);
				char *x = spf_macro_expand_new(a->rrs[0].txt, a->rrs[0].txt_len, &env, true,
				                               err, sizeof err);
				if (x) {
					free(e->explanation);
					e->explanation = x;
				}
			}
		}
		free(name);
		return;
	}
}

static enum spf_result qualifier_result(char q)
{
	switch (q) {
	case '-': return SPF_RES_FAIL;
	case '~': return SPF_RES_SOFTFAIL;
	case '?': return SPF_RES_NEUTRAL;
	default: return SPF_RES_PASS;
	}
}

/* Evaluates one mechanism: 1 match, 0 no match, or a final result < 0
 * encoded as -(result + 1). */
static int mechanism(struct ev *e, const struct spf_term *t, const char *domain, int depth)
{
	char err[160];
	if (spf_term_queries_dns(t) && ++e->lookups > MAX_LOOKUPS) {
		ev_fail(e, SPF_RES_PERMERROR,
		        "more than %d DNS-querying terms (RFC 7208 4.6.4); the limit was reached in %s",
		        MAX_LOOKUPS, domain);
		return -(SPF_RES_PERMERROR + 1);
	}
	if (t->kind == SPF_ALL)
		return 1;
	if (t->kind == SPF_IP4 || t->kind == SPF_IP6) {
		int af = t->kind == SPF_IP4 ? AF_INET : AF_INET6;
		if (e->ip.af != af)
			return 0;
		unsigned char net[16];
		if (inet_pton(af, t->addr, net) != 1)
			return 0;
		int bits = af == AF_INET ? (t->cidr4 >= 0 ? t->cidr4 : 32) : (t->cidr6 >= 0 ? t->cidr6 : 128);
		return net_match(net, e->ip.b, bits);
	}
	char *target = target_new(e, t->domain_spec, domain, err, sizeof err);
	if (!target) {
		ev_fail(e, SPF_RES_PERMERROR, "in the record of %s: %s", domain, err);
		return -(SPF_RES_PERMERROR + 1);
	}
	int m = 0;
	switch (t->kind) {
	case SPF_INCLUDE: {
		if (!domain_usable(target)) {
			ev_fail(e, SPF_RES_PERMERROR, "include:%s in the record of %s is not a valid domain",
			        target, domain);
			m = -(SPF_RES_PERMERROR + 1);
			break;
		}
		enum spf_result r = check_host(e, target, depth + 1, false);
		switch (r) {
		case SPF_RES_PASS: m = 1; break;
		case SPF_RES_FAIL:
		case SPF_RES_SOFTFAIL:
		case SPF_RES_NEUTRAL: m = 0; break;
		case SPF_RES_TEMPERROR: m = -(SPF_RES_TEMPERROR + 1); break;
		case SPF_RES_NONE:
			/* RFC 7208 5.2: an include without a record is permerror. */
			free(e->reason);
			e->reason =
			    xasprintf("include:%s (in the record of %s) has no SPF record", target, domain);
			m = -(SPF_RES_PERMERROR + 1);
			break;
		case SPF_RES_PERMERROR: m = -(SPF_RES_PERMERROR + 1); break;
		}
		if (m == 0) {
			/* the include's own decision is not the answer */
			free(e->reason);
			e->reason = NULL;
		}
		break;
	}
	case SPF_A:
		m = addr_match(e, target, t, true);
		if (m < 0) {
			ev_fail(e, SPF_RES_TEMPERROR, "the address lookup for a:%s (in %s) failed", target,
			        domain);
			m = -(SPF_RES_TEMPERROR + 1);
		}
		break;
	case SPF_MX: {
		if (!name_is_dns(target)) {
			e->voids++;
			break;
		}
		const struct dns_answer *mx = ask(e->dns, target, DNS_T_MX);
		if (answer_failed(mx)) {
			ev_fail(e, SPF_RES_TEMPERROR, "the MX lookup for %s failed: %s", target,
			        dns_answer_why(mx));
			m = -(SPF_RES_TEMPERROR + 1);
			break;
		}
		if (answer_void(mx)) {
			e->voids++;
			break;
		}
		if (mx->rr_count > MAX_MX_NAMES) {
			ev_fail(e, SPF_RES_PERMERROR,
			        "mx:%s has %zu MX records; at most %d are allowed (RFC 7208 4.6.4)", target,
			        mx->rr_count, MAX_MX_NAMES);
			m = -(SPF_RES_PERMERROR + 1);
			break;
		}
		uint16_t type = e->ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
		for (size_t i = 0; i < mx->rr_count; i++)
			if (mx->rrs[i].name)
				prefetch(e->dns, mx->rrs[i].name, type);
		for (size_t i = 0; i < mx->rr_count && m == 0; i++) {
			if (!mx->rrs[i].name || strcmp(mx->rrs[i].name, ".") == 0)
				continue;
			m = addr_match(e, mx->rrs[i].name, t, false);
			if (m < 0) {
				ev_fail(e, SPF_RES_TEMPERROR,
				        "the address lookup for MX host %s of %s failed", mx->rrs[i].name,
				        target);
				m = -(SPF_RES_TEMPERROR + 1);
			}
		}
		break;
	}
	case SPF_PTR: {
		char *names[MAX_PTR_NAMES];
		size_t n = validated_names(e, names, MAX_PTR_NAMES);
		for (size_t i = 0; i < n; i++) {
			if (name_is_under(names[i], target))
				m = 1;
			free(names[i]);
		}
		break;
	}
	case SPF_EXISTS: {
		if (!name_is_dns(target)) {
			e->voids++;
			break;
		}
		/* RFC 7208 5.7: always an A query, whatever the client's family. */
		const struct dns_answer *a = ask(e->dns, target, DNS_T_A);
		if (answer_failed(a)) {
			ev_fail(e, SPF_RES_TEMPERROR, "the lookup for exists:%s failed: %s", target,
			        dns_answer_why(a));
			m = -(SPF_RES_TEMPERROR + 1);
		} else if (answer_void(a)) {
			e->voids++;
		} else {
			m = 1;
		}
		break;
	}
	default: break;
	}
	free(target);
	if (m >= 0 && e->voids > MAX_VOIDS) {
		ev_fail(e, SPF_RES_PERMERROR, "more than %d void lookups (RFC 7208 4.6.4); the last in %s",
		        MAX_VOIDS, domain);
		return -(SPF_RES_PERMERROR + 1);
	}
	return m;
}

static enum spf_result check_host(struct ev *e, const char *domain, int depth, bool want_exp)
{
	if (depth > MAX_DEPTH)
		return ev_fail(e, SPF_RES_PERMERROR, "records nested too deeply at %s", domain);
	if (!domain_usable(domain))
		return ev_fail(e, SPF_RES_NONE, "\"%.80s\" is not a valid domain name (RFC 7208 4.3)",
		               domain);
	struct fetched f;
	fetch_record(e->dns, domain, &f);
	switch (f.status) {
	case SPF_NODE_DNSERR:
		return ev_fail(e, SPF_RES_TEMPERROR, "the TXT lookup for %s failed: %s", domain, f.why);
	case SPF_NODE_NONE:
		if (f.ans && f.ans->status == DNS_NXDOMAIN && depth > 0)
			e->voids++;
		return ev_fail(e, SPF_RES_NONE, "%s", f.why);
	case SPF_NODE_MULTIPLE: return ev_fail(e, SPF_RES_PERMERROR, "%s", f.why);
	default: break;
	}
	char err[160];
	struct spf_record *r = spf_record_parse_new(f.txt, f.len, err, sizeof err);
	if (!r)
		return ev_fail(e, SPF_RES_PERMERROR, "the SPF record of %s does not parse: %s", domain, err);

	enum spf_result res = SPF_RES_NEUTRAL;
	bool decided = false, has_all = false;
	const struct spf_term *redirect = NULL;
	for (size_t i = 0; i < r->n; i++) {
		if (r->terms[i].kind == SPF_ALL)
			has_all = true;
		if (r->terms[i].kind == SPF_REDIRECT)
			redirect = &r->terms[i];
	}
	for (size_t i = 0; i < r->n && !decided; i++) {
		const struct spf_term *t = &r->terms[i];
		if (t->kind >= SPF_REDIRECT)
			continue;
		int m = mechanism(e, t, domain, depth);
		if (m < 0) {
			res = (enum spf_result)(-m - 1);
			decided = true;
		} else if (m > 0) {
			res = qualifier_result(t->qualifier);
			decided = true;
			if (t->kind == SPF_INCLUDE && e->reason) {
				/* keep the innermost term; say how it was reached */
				char *tt = term_text_new(t), *why = e->reason;
				e->reason = xasprintf("%s, through %s in the record of %s", why, tt, domain);
				free(why);
				free(tt);
			} else {
				set_match(e, t, domain);
				free(e->reason);
				e->reason = xasprintf("%s matched in the record of %s", e->matched, domain);
			}
		}
	}
	if (!decided && redirect && !has_all) {
		if (++e->lookups > MAX_LOOKUPS) {
			res = ev_fail(e, SPF_RES_PERMERROR,
			              "more than %d DNS-querying terms (RFC 7208 4.6.4) at redirect= of %s",
			              MAX_LOOKUPS, domain);
		} else {
			char *target = target_new(e, redirect->domain_spec, domain, err, sizeof err);
			if (!target) {
				res = ev_fail(e, SPF_RES_PERMERROR, "in the record of %s: %s", domain, err);
			} else {
				res = check_host(e, target, depth + 1, want_exp);
				if (res == SPF_RES_NONE) {
					free(e->reason);
					e->reason =
					    xasprintf("redirect=%s (in the record of %s) has no SPF record",
					              target, domain);
					res = SPF_RES_PERMERROR;
				}
				free(target);
			}
		}
		/* the redirected-to record's exp= is the one that applies */
		want_exp = false;
	} else if (!decided) {
		e->reason = e->reason ? e->reason : xasprintf("no term of the record of %s matched", domain);
	}
	if (res == SPF_RES_FAIL && want_exp && decided)
		explain(e, r, domain);
	spf_record_free(r);
	return res;
}

/* <sender> for macros: RFC 7208 4.3, an empty local-part is "postmaster". */
static char *sender_new(const struct spf_request *rq)
{
	if (!rq->sender || !*rq->sender)
		return xasprintf("postmaster@%s", rq->domain);
	if (rq->sender[0] == '@')
		return xasprintf("postmaster%s", rq->sender);
	if (!strchr(rq->sender, '@'))
		return xasprintf("postmaster@%s", rq->sender);
	return xstrdup(rq->sender);
}

void spf_check_host(const struct resolver *dns, const struct spf_request *rq, struct spf_verdict *out)
{
	memset(out, 0, sizeof *out);
	struct ev e = {0};
	e.dns = dns;
	e.rq = rq;
	e.ip = rq->ip;
	ip_unmap(&e.ip);
	char *sender = sender_new(rq);
	e.sender = sender;
	out->result = check_host(&e, rq->domain, 0, true);
	out->reason = e.reason ? e.reason : xstrdup(spf_result_name(out->result));
	out->matched = e.matched;
	out->matched_in = e.matched_in;
	out->explanation = out->result == SPF_RES_FAIL ? e.explanation : NULL;
	if (out->result != SPF_RES_FAIL)
		free(e.explanation);
	out->lookups = e.lookups;
	out->voids = e.voids;
	free(e.ptr_name);
	free(sender);
}

void spf_verdict_clear(struct spf_verdict *v)
{
	free(v->reason);
	free(v->matched);
	free(v->matched_in);
	free(v->explanation);
	memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------ the walk */

/* A lookup a term of the tree makes, checked for voids after the walk. */
struct pending {
	char *name;
	uint16_t type;
	bool mx;
	char *domain; /* the record holding the term */
};

struct walk {
	const struct resolver *dns;
	const struct spf_request *rq;
	struct ev ev; /* for macro expansion (%{p} included) */
	struct spf_tree *t;
	size_t cap;
	struct pending *pend;
	size_t npend, cappend;
};

static bool on_path(const struct spf_tree *t, long parent, const char *domain)
{
	for (long i = parent; i >= 0; i = t->nodes[i].parent)
		if (strcmp(t->nodes[i].domain, domain) == 0)
			return true;
	return false;
}

static long add_node(struct walk *w, const char *domain, const char *via, long parent)
{
	struct spf_tree *t = w->t;
	xgrow(&t->nodes, &w->cap, t->n + 1, sizeof *t->nodes);
	struct spf_node *n = &t->nodes[t->n];
	memset(n, 0, sizeof *n);
	n->domain = xstrdup(domain);
	n->via = via;
	n->parent = parent;
	if (t->n >= WALK_MAX_NODES) {
		n->status = SPF_NODE_CUT;
		n->why = xstrdup("not walked: the tree has too many records");
		if (!t->incomplete) {
			t->incomplete = true;
			t->incomplete_why = xasprintf("the tree has more than %d records; %s was not read",
			                              WALK_MAX_NODES, domain);
		}
	} else if (!domain_usable(domain)) {
		n->status = SPF_NODE_INVALID;
		n->why = xasprintf("\"%.64s\" is not a valid domain name", domain);
	} else if (parent >= 0 && on_path(t, parent, domain)) {
		n->status = SPF_NODE_LOOP;
		n->why = xasprintf("%s includes itself (a loop)", domain);
	} else {
		prefetch(w->dns, domain, DNS_T_TXT);
	}
	return (long)t->n++;
}

static void add_pending(struct walk *w, const char *name, uint16_t type, bool mx, const char *domain)
{
	if (!name_is_dns(name))
		return;
	prefetch(w->dns, name, type);
	xgrow(&w->pend, &w->cappend, w->npend + 1, sizeof *w->pend);
	w->pend[w->npend++] = (struct pending){xstrdup(name), type, mx, xstrdup(domain)};
}

/* Reads node i's record and queues what it refers to. */
static void walk_node(struct walk *w, size_t i)
{
	struct spf_node *n = &w->t->nodes[i];
	if (n->status != SPF_NODE_OK)
		return;
	struct fetched f;
	fetch_record(w->dns, n->domain, &f);
	n = &w->t->nodes[i];
	if (f.status != SPF_NODE_OK) {
		n->status = f.status;
		n->why = xstrdup(f.why);
		if (f.status == SPF_NODE_NONE && i > 0)
			w->t->voids++;
		if (f.status == SPF_NODE_DNSERR && !w->t->incomplete) {
			w->t->incomplete = true;
			w->t->incomplete_why =
			    xasprintf("the SPF record of %s could not be read: %s", n->domain, f.why);
		}
		if (f.txt) {
			n->record = xstrndup(f.txt, f.len);
			n->record_len = f.len;
		}
		return;
	}
	n->record = xstrndup(f.txt, f.len);
	n->record_len = f.len;
	char err[160];
	struct spf_record *r = spf_record_parse_new(f.txt, f.len, err, sizeof err);
	if (!r) {
		n->status = SPF_NODE_SYNTAX;
		n->why = xstrdup(err);
		return;
	}
	char *domain = xstrdup(n->domain);
	uint16_t atype = w->ev.ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
	bool has_all = false;
	for (size_t k = 0; k < r->n; k++)
		has_all |= r->terms[k].kind == SPF_ALL;
	for (size_t k = 0; k < r->n; k++) {
		const struct spf_term *t = &r->terms[k];
		n = &w->t->nodes[i];
		if (n->all && t->kind != SPF_EXP && t->kind != SPF_MODIFIER)
			n->after_all = true;
		if (t->kind == SPF_ALL && !n->all)
			n->all = t->qualifier;
		if (t->kind == SPF_REDIRECT)
			n->redirect = true;
		if (t->kind == SPF_PTR || (t->domain_spec && has_p_macro(t->domain_spec)))
			n->ptr = true;
		if (!spf_term_queries_dns(t))
			continue;
		if (t->kind == SPF_REDIRECT && has_all)
			continue; /* ignored: never evaluated, never counted */
		n->own++;
		if (t->has_macro)
			n->macros++;
		char *target = target_new(&w->ev, t->domain_spec, domain, err, sizeof err);
		if (!target)
			continue;
		switch (t->kind) {
		case SPF_INCLUDE: add_node(w, target, "include", (long)i); break;
		case SPF_REDIRECT: add_node(w, target, "redirect", (long)i); break;
		case SPF_A: add_pending(w, target, atype, false, domain); break;
		case SPF_MX: add_pending(w, target, DNS_T_MX, true, domain); break;
		case SPF_EXISTS: add_pending(w, target, DNS_T_A, false, domain); break;
		default: break;
		}
		free(target);
	}
	spf_record_free(r);
	free(domain);
}

static void sum_totals(struct spf_tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->nodes[i].total = t->nodes[i].own;
	/* children always come after their parent */
	for (size_t i = t->n; i-- > 1;)
		t->nodes[t->nodes[i].parent].total += t->nodes[i].total;
}

/* Grades the pending lookups [from, to): voids, MX name counts, and the MX
 * hosts' addresses started. */
static void check_pending(struct walk *w, size_t from, size_t to)
{
	struct spf_tree *t = w->t;
	uint16_t atype = w->ev.ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
	for (size_t i = from; i < to; i++) {
		const struct dns_answer *a = ask(w->dns, w->pend[i].name, w->pend[i].type);
		if (answer_failed(a)) {
			if (!t->incomplete) {
				t->incomplete = true;
				t->incomplete_why = xstrdup(dns_answer_why(a));
			}
		} else if (answer_void(a)) {
			t->voids++;
		} else if (w->pend[i].mx) {
			if (a->rr_count > t->mx_names_max) {
				t->mx_names_max = (unsigned)a->rr_count;
				free(t->mx_names_domain);
				t->mx_names_domain = xstrdup(w->pend[i].name);
			}
			/* the evaluation will want the hosts' addresses */
			for (size_t k = 0; k < a->rr_count && k < MAX_MX_NAMES; k++)
				if (a->rrs[k].name)
					prefetch(w->dns, a->rrs[k].name, atype);
		}
	}
}

void spf_walk(const struct resolver *dns, const struct spf_request *rq, struct spf_tree *out)
{
	memset(out, 0, sizeof *out);
	struct walk w = {0};
	w.dns = dns;
	w.rq = rq;
	w.t = out;
	w.ev.dns = dns;
	w.ev.rq = rq;
	w.ev.ip = rq->ip;
	ip_unmap(&w.ev.ip);
	char *sender = sender_new(rq);
	w.ev.sender = sender;
	char *root = name_normalize_new(rq->domain);
	add_node(&w, root, NULL, -1);
	free(root);
	/* Breadth first: a level's lookups are all in flight before the first
	 * of them is waited for. */
	size_t level_end = out->n, graded = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (i == level_end) {
			/* The last level's a/mx/exists lookups went out with this
			 * level's TXT: grade them now, so the MX hosts' addresses
			 * are asked while this level is read, not after the walk. */
			size_t upto = w.npend;
			check_pending(&w, graded, upto);
			graded = upto;
			level_end = out->n;
		}
		walk_node(&w, i);
	}
	check_pending(&w, graded, w.npend);
	sum_totals(out);
	for (size_t i = 0; i < w.npend; i++) {
		free(w.pend[i].name);
		free(w.pend[i].domain);
	}
	free(w.pend);
	free(w.ev.ptr_name);
	free(w.ev.reason);
	free(w.ev.matched);
	free(w.ev.matched_in);
	free(w.ev.explanation);
	free(sender);
}

void spf_tree_clear(struct spf_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->nodes[i].domain);
		free(t->nodes[i].why);
		free(t->nodes[i].record);
	}
	free(t->nodes);
	free(t->mx_names_domain);
	free(t->incomplete_why);
	memset(t, 0, sizeof *t);
}

char spf_tree_all(const struct spf_tree *t, const char **where, const struct spf_node **stop)
{
	*where = NULL;
	*stop = NULL;
	size_t i = 0;
	for (int hops = 0; t->n && hops < MAX_DEPTH; hops++) {
		const struct spf_node *n = &t->nodes[i];
		if (n->status != SPF_NODE_OK) {
			*stop = n;
			return 0;
		}
		if (n->all) {
			*where = n->domain;
			return n->all;
		}
		if (!n->redirect)
			return 0;
		size_t next = 0;
		for (size_t k = i + 1; k < t->n; k++)
			if (t->nodes[k].parent == (long)i && t->nodes[k].via &&
			    strcmp(t->nodes[k].via, "redirect") == 0) {
				next = k;
				break;
			}
		if (!next)
			return 0;
		i = next;
	}
	return 0;
}
