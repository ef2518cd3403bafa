/* SPDX-License-Identifier: ISC */
/* dnsbl: is the IP or the domain on DNS blocklists? (checks.md § DNS
 * blocklists). Every question of every zone is put on the wire at once
 * (real query, its TXT reason, the RFC 5782 test points), then graded. A
 * list that fails its test points, refuses us or times out is `error`:
 * never "not listed" for what could not be asked. Inputs IN_DNSBL_IP and
 * IN_DNSBL_DOMAIN (the latter also asks about the PTR name's domain). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/records/dnsbl.h"
#include "../lib/util/json.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"

/* Lookups one blocklist may have on the wire at once: a batch of audits
 * must not flood one operator (they rate-limit and then refuse). */
#define PER_ZONE_INFLIGHT 16

/* What one question to one zone came to. */
enum outcome {
	O_CLEAN,
	O_LISTED,
	O_CODE,     /* an error code or out-of-range answer (v says which) */
	O_LOOKUP,   /* the lookup failed: ans says how */
	O_DEAD,     /* test point 127.0.0.2 (or "test") not listed */
	O_WILDCARD, /* test point 127.0.0.1 (or "invalid") listed */
	O_BADNAME,  /* the query name would be too long */
};

struct result {
	enum outcome o;
	const struct dns_answer *ans; /* the answer that decided it */
	struct dnsbl_verdict v;
	char qname[256];
	const char *subject_text; /* the IP or domain asked about */
	char *txt;                /* the list's TXT reason for a listing, or NULL */
};

/* The zone list: --dnsbl replaces the built-in one, +zone adds. */
static size_t zone_list(const struct audit *a, const char ***out)
{
	const struct audit_opts *o = a->o;
	size_t cap = dnsbl_default_count() + (o ? o->dnsbl_zone_count + o->dnsbl_extra_count : 0), n = 0;
	const char **v = xcalloc(cap ? cap : 1, sizeof *v);
	if (o && o->dnsbl_zone_count)
		for (size_t i = 0; i < o->dnsbl_zone_count; i++)
			v[n++] = o->dnsbl_zones[i];
	else
		for (size_t i = 0; i < dnsbl_default_count(); i++)
			v[n++] = dnsbl_default_at(i)->zone;
	for (size_t i = 0; o && i < o->dnsbl_extra_count; i++)
		v[n++] = o->dnsbl_extra[i];
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < w && !dup; j++)
			dup = strcmp(v[j], v[i]) == 0;
		if (!dup)
			v[w++] = v[i];
	}
	*out = v;
	return w;
}

static void decode_answer(const struct dnsbl_zone *z, const struct dns_answer *ans, struct dnsbl_verdict *v)
{
	uint32_t addrs[64];
	size_t n = 0;
	for (size_t i = 0; ans->status == DNS_OK && i < ans->rr_count && n < 64; i++)
		if (ans->rrs[i].type == DNS_T_A)
			addrs[n++] = dnsbl_addr(ans->rrs[i].addr);
	dnsbl_decode(z, addrs, n, v);
}

/* The questions an input starts at once, in one call (one lock of the DNS
 * layer for them all, not one a question: an audit of ten lists asks
 * fifty). Their names are kept one after the other in text until then. */
struct batch_ask {
	struct strbuf text;
	struct {
		size_t at; /* where the name starts in text */
		uint16_t type;
	} * v;
	size_t n, cap;
};

static void batch_ask_add(struct batch_ask *b, const char *name, uint16_t type)
{
	xgrow(&b->v, &b->cap, b->n + 1, sizeof *b->v);
	b->v[b->n].at = b->text.len;
	b->v[b->n++].type = type;
	sb_putn(&b->text, name, strlen(name) + 1); /* with its NUL */
}

/* Starts the questions (if any) and frees b. */
static void batch_ask_start(const struct audit *a, struct batch_ask *b)
{
	if (b->n) {
		struct dns_question *q = xcalloc(b->n, sizeof *q);
		for (size_t i = 0; i < b->n; i++)
			q[i] = (struct dns_question){sb_str(&b->text) + b->v[i].at, b->v[i].type};
		resolver_prefetch_many(a->dns, q, b->n, 0);
		free(q);
	}
	sb_free(&b->text);
	free(b->v);
}

/* Adds every lookup for qname on zone: its A (and TXT: the reason, so a
 * listing costs no extra round trip) and the zone's two test points. */
static void prefetch_zone(struct batch_ask *b, const struct dnsbl_zone *z, const char *qname, int af)
{
	char tp[256];
	batch_ask_add(b, qname, DNS_T_A);
	batch_ask_add(b, qname, DNS_T_TXT);
	if (dnsbl_test_qname(af, true, z->zone, tp, sizeof tp))
		batch_ask_add(b, tp, DNS_T_A);
	if (dnsbl_test_qname(af, false, z->zone, tp, sizeof tp))
		batch_ask_add(b, tp, DNS_T_A);
	if (af == 0 && dnsbl_alt_test_qname(z, tp, sizeof tp))
		batch_ask_add(b, tp, DNS_T_A);
}

/* Grades the zone's test points (RFC 5782 5): O_CLEAN when it behaves. */
static enum outcome zone_health(const struct audit *a, const struct dnsbl_zone *z, int af, struct result *r)
{
	char yes[256], no[256];
	if (!dnsbl_test_qname(af, true, z->zone, yes, sizeof yes) ||
	    !dnsbl_test_qname(af, false, z->zone, no, sizeof no))
		return O_BADNAME;
	const struct dns_answer *y = lookup(a, yes, DNS_T_A), *n = lookup(a, no, DNS_T_A);
	struct dnsbl_verdict v;
	if (!dns_status_answered(y->status)) {
		r->ans = y;
		return O_LOOKUP;
	}
	decode_answer(z, y, &v);
	if (v.state == DNSBL_IS_ERROR) {
		r->v = v;
		r->ans = y;
		return O_CODE;
	}
	if (v.state != DNSBL_IS_LISTED && af == 0 && dnsbl_alt_test_qname(z, yes, sizeof yes)) {
		/* the operator's own test entry will do as well */
		const struct dns_answer *y2 = lookup(a, yes, DNS_T_A);
		if (dns_status_answered(y2->status)) {
			decode_answer(z, y2, &v);
			if (v.state == DNSBL_IS_LISTED)
				y = y2;
		}
	}
	if (v.state != DNSBL_IS_LISTED) {
		r->ans = y;
		return O_DEAD;
	}
	if (!dns_status_answered(n->status)) {
		r->ans = n;
		return O_LOOKUP;
	}
	decode_answer(z, n, &v);
	if (v.state == DNSBL_IS_ERROR) {
		r->v = v;
		r->ans = n;
		return O_CODE;
	}
	if (v.state == DNSBL_IS_LISTED || n->status == DNS_OK) {
		r->ans = n;
		return O_WILDCARD;
	}
	return O_CLEAN;
}

/* The list's TXT reason for a listing, sanitized, or NULL. */
static char *txt_reason_new(const struct audit *a, const char *qname)
{
	const struct dns_answer *t = lookup(a, qname, DNS_T_TXT);
	if (t->status != DNS_OK)
		return NULL;
	for (size_t i = 0; i < t->rr_count; i++)
		if (t->rrs[i].txt)
			return utf8_sanitize_new(t->rrs[i].txt, t->rrs[i].txt_len);
	return NULL;
}

/* The verdict on qname (already prefetched). */
static void ask(const struct audit *a, const struct dnsbl_zone *z, int af, struct result *r)
{
	const struct dns_answer *ans = lookup(a, r->qname, DNS_T_A);
	r->ans = ans;
	if (!dns_status_answered(ans->status)) {
		r->o = O_LOOKUP;
		return;
	}
	decode_answer(z, ans, &r->v);
	if (r->v.state == DNSBL_IS_ERROR) {
		r->o = O_CODE;
		return;
	}
	struct result h = {0};
	enum outcome ho = zone_health(a, z, af, &h);
	if (ho != O_CLEAN) {
		r->o = ho;
		r->ans = h.ans;
		if (ho == O_CODE)
			r->v = h.v;
		return;
	}
	r->ans = ans;
	r->o = r->v.state == DNSBL_IS_LISTED ? O_LISTED : O_CLEAN;
	if (r->o == O_LISTED)
		r->txt = txt_reason_new(a, r->qname);
}

static void addr_text(uint32_t addr, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
}

/* "SBL: ...; PBL: ..." for the hits of v. */
static char *meanings_new(const struct dnsbl_verdict *v)
{
	struct strbuf s = {0};
	for (size_t i = 0; i < v->hit_count; i++) {
		char ab[16];
		addr_text(v->hits[i].addr, ab, sizeof ab);
		if (v->hits[i].meaning)
			sb_sep_printf(&s, "; ", "%s (%s)", v->hits[i].meaning, ab);
		else
			sb_sep_printf(&s, "; ", "return code %s (not documented for this list)", ab);
	}
	return sb_take(&s);
}

static const char *kind_name(enum dnsbl_kind k)
{
	switch (k) {
	case DNSBL_LISTED: return "listed";
	case DNSBL_POLICY: return "policy";
	case DNSBL_ERRCODE: return "error";
	case DNSBL_RANGE: return "out-of-range";
	}
	return "?";
}

static cJSON *verdict_json(const struct dnsbl_verdict *v)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < v->hit_count; i++) {
		char ab[16];
		addr_text(v->hits[i].addr, ab, sizeof ab);
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "answer", ab);
		JSON_STR(o, "kind", kind_name(v->hits[i].kind));
		json_add_str(o, "meaning", v->hits[i].meaning);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static const char *list_name(const struct dnsbl_zone *z)
{
	return z->name ? z->name : z->zone;
}

/* Turns r into a finding of id with subject zone. */
static struct finding *report(const struct audit *a, struct findings *out, const char *id,
                              const struct dnsbl_zone *z, const struct result *r, const char *what)
{
	struct finding *f = NULL;
	switch (r->o) {
	case O_CLEAN:
		f = findings_add(out, id, z->zone, STATUS_PASS, "%s is not listed on %s", r->subject_text,
		                 list_name(z));
		break;
	case O_LISTED: {
		char *m = meanings_new(&r->v);
		const char *txt = r->txt;
		if (r->v.policy_only)
			f = findings_add(
			    out, id, z->zone, STATUS_FAIL,
			    "%s is listed on %s as end-user/dynamic space: relay through a smarthost",
			    r->subject_text, list_name(z));
		else
			f = findings_add(out, id, z->zone, STATUS_FAIL, "%s is listed on %s: %s",
			                 r->subject_text, list_name(z), m);
		if (txt)
			finding_set_detail(f, "%s; the list says: \"%s\"", m, txt);
		else
			finding_set_detail(f, "%s (the list gives no TXT reason)", m);
		if (r->v.any_policy)
			finding_set_remedy(
			    f,
			    "Mail servers refuse direct delivery from end-user/dynamic address space: relay "
			    "outgoing mail through a smarthost (your provider's or ISP's mail relay), or "
			    "send from a static address that the ISP has taken out of the policy list%s%s.",
			    z->url ? "; details: " : "", z->url ? z->url : "");
		else
			finding_set_remedy(
			    f,
			    "Find and stop the cause (a compromised host or account, mail to stale or "
			    "purchased addresses, missing unsubscribe), then request delisting%s%s.",
			    z->url ? " at " : " from the list operator", z->url ? z->url : "");
		json_add_str(f->data, "txt", txt);
		JSON_BOOL(f->data, "policy", r->v.policy_only);
		free(m);
		break;
	}
	case O_CODE: {
		char *m = meanings_new(&r->v);
		f = findings_add(out, id, z->zone, STATUS_ERROR, "Could not check %s on %s: %s", what,
		                 list_name(z), m);
		finding_set_detail(f, "%s answered %s/A with %s, which is not a listing.", z->zone,
		                   r->ans->qname, m);
		const char *todo = r->v.hit_count ? r->v.hits[0].todo : NULL;
		finding_set_remedy(f, "%s; then run the audit again (resolver in use: %s).",
		                   todo ? todo : "Query the list through your own recursive resolver",
		                   resolver_servers(a->dns));
		free(m);
		break;
	}
	case O_LOOKUP: f = add_lookup_error(a, out, id, z->zone, what, r->ans); break;
	case O_DEAD:
	case O_WILDCARD:
		f = findings_add(out, id, z->zone, STATUS_ERROR,
		                 "Could not check %s on %s: list dead, blocked, or wildcarding", what,
		                 list_name(z));
		finding_set_detail(
		    f, "RFC 5782 test point %s/A %s (%s), so the list's answers cannot be trusted.",
		    r->ans->qname, r->o == O_DEAD ? "is not listed" : "is listed, and must not be",
		    dns_status_name(r->ans->status));
		finding_set_remedy(
		    f,
		    "Check that %s is an operating blocklist that answers your resolver (%s); some "
		    "lists answer only registered or non-public resolvers. Remove it with --dnsbl if it "
		    "no longer operates.",
		    z->zone, resolver_servers(a->dns));
		break;
	case O_BADNAME:
		f = findings_add(out, id, z->zone, STATUS_ERROR,
		                 "Could not check %s on %s: the query name is too long", what, list_name(z));
		finding_set_remedy(f,
		                   "Use a shorter blocklist zone name; a query name has at most 253 octets.");
		break;
	}
	JSON_STR(f->data, "zone", z->zone);
	json_add_str(f->data, "list", z->name);
	JSON_BOOL(f->data, "builtin", z->builtin);
	JSON_STR(f->data, "query", r->qname);
	if (r->o == O_LISTED || r->o == O_CODE)
		JSON_ITEM(f->data, "codes", verdict_json(&r->v));
	/* Which question decided it, when it was a test point. */
	if (r->ans && strcmp(r->ans->qname, r->qname) != 0)
		JSON_STR(f->data, "test_point", r->ans->qname);
	json_add_str(f->data, "url", z->url);
	return f;
}

/* Outcome severity for combining the domains asked on one zone. */
static int outcome_rank(enum outcome o)
{
	return o == O_LISTED ? 2 : o == O_CLEAN ? 0 : 1;
}

/* ------------------------------------------------------------ the inputs */

/* The zone list, resolved to table entries (built-in or ad hoc). */
struct zones {
	const char **names;
	struct dnsbl_zone *tmp;
	const struct dnsbl_zone **v;
	size_t n;
};

static void zones_load(const struct audit *a, struct zones *zs)
{
	zs->n = zone_list(a, &zs->names);
	zs->tmp = xcalloc(zs->n ? zs->n : 1, sizeof *zs->tmp);
	zs->v = xcalloc(zs->n ? zs->n : 1, sizeof *zs->v);
	struct dns_zone_cap *caps = xcalloc(zs->n ? zs->n : 1, sizeof *caps);
	for (size_t i = 0; i < zs->n; i++) {
		zs->v[i] = dnsbl_zone_get(zs->names[i], &zs->tmp[i]);
		/* the public lists block heavy users: a rate per operator, by
		 * default for the built-in ones, for every list with --rate */
		double rate = a->o && a->o->dnsbl_rate >= 0 ? a->o->dnsbl_rate
		              : zs->v[i]->builtin           ? DNSBL_RATE_DEFAULT
		                                            : 0;
		caps[i] = (struct dns_zone_cap){zs->v[i]->zone, PER_ZONE_INFLIGHT, zs->v[i]->operator, rate };
	}
	resolver_cap_zones(a->dns, caps, zs->n);
	free(caps);
}

static void zones_free(struct zones *zs)
{
	free(zs->v);
	free(zs->tmp);
	free(zs->names);
}

static void results_free(struct result *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rs[i].txt);
	free(rs);
}

/* IN_DNSBL_IP: the IP on every IP list of the zone list. */
struct ip_results {
	struct zones zs;
	struct result *r; /* per zone (unused for domain lists) */
	bool none;        /* --dnsbl none */
};

static void *ip_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct ip_results *ir = xcalloc(1, sizeof *ir);
	if ((ir->none = a->o && a->o->dnsbl_none))
		return ir;
	zones_load(a, &ir->zs);
	const struct ipaddr *ip = &a->t->ip;
	unsigned need = ip->af == AF_INET6 ? DNSBL_IP6 : DNSBL_IP4;
	ir->r = xcalloc(ir->zs.n ? ir->zs.n : 1, sizeof *ir->r);
	char q[256];
	struct batch_ask b = {0};
	for (size_t i = 0; i < ir->zs.n; i++)
		if ((ir->zs.v[i]->types & need) && dnsbl_ip_qname(ip, ir->zs.v[i]->zone, q, sizeof q))
			prefetch_zone(&b, ir->zs.v[i], q, ip->af);
	batch_ask_start(a, &b);
	for (size_t i = 0; i < ir->zs.n; i++) {
		struct result *r = &ir->r[i];
		r->subject_text = ip->text;
		if (!(ir->zs.v[i]->types & need))
			continue;
		if (!dnsbl_ip_qname(ip, ir->zs.v[i]->zone, r->qname, sizeof r->qname))
			r->o = O_BADNAME;
		else
			ask(a, ir->zs.v[i], ip->af, r);
	}
	return ir;
}

static void ip_free(void *v)
{
	struct ip_results *ir = v;
	results_free(ir->r, ir->zs.n);
	zones_free(&ir->zs);
	free(ir);
}

/* IN_DNSBL_DOMAIN: the domain, and the PTR names' registrable domains, on
 * every domain list. */
struct domain_results {
	struct zones zs;
	char **doms;
	size_t nd;
	/* per domain list (in zone order), then domain: r[list * nd + k]; the
	 * IP lists have none (a large calloc, jemalloc zeroes by giving pages
	 * back and faulting them in again: a batch's cost) */
	struct result *r;
	size_t nr;
	const struct dns_answer *ptr_failure; /* the PTR lookup, when it failed */
	bool none;
};

static void add_domain(char ***v, size_t *n, const char *d)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], d) == 0)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xstrdup(d);
}

static void prefetch_domain(struct batch_ask *b, const struct zones *zs, const char *dom)
{
	char q[256];
	for (size_t i = 0; i < zs->n; i++)
		if ((zs->v[i]->types & DNSBL_DOMAIN) && dnsbl_domain_qname(dom, zs->v[i]->zone, q, sizeof q))
			prefetch_zone(b, zs->v[i], q, 0);
}

static void *domain_compute(const struct audit *a, const struct inputs *in)
{
	struct domain_results *dr = xcalloc(1, sizeof *dr);
	if ((dr->none = a->o && a->o->dnsbl_none))
		return dr;
	zones_load(a, &dr->zs);
	/* The domain goes out first; the PTR answer arrives meanwhile. */
	add_domain(&dr->doms, &dr->nd, a->t->domain);
	struct batch_ask b = {0};
	prefetch_domain(&b, &dr->zs, a->t->domain);
	batch_ask_start(a, &b);
	const struct ptr_set *ptr = input_get(in, IN_PTR);
	if (!dns_status_answered(ptr->ans->status))
		dr->ptr_failure = ptr->ans;
	for (size_t k = 0; k < ptr->count; k++) {
		char *reg = psl_registrable_new(a->psl, ptr->names[k]);
		if (reg)
			add_domain(&dr->doms, &dr->nd, reg);
		free(reg);
	}
	b = (struct batch_ask){0};
	for (size_t k = 1; k < dr->nd; k++)
		prefetch_domain(&b, &dr->zs, dr->doms[k]);
	batch_ask_start(a, &b);
	size_t lists = 0;
	for (size_t i = 0; i < dr->zs.n; i++)
		lists += (dr->zs.v[i]->types & DNSBL_DOMAIN) != 0;
	dr->nr = lists * dr->nd;
	dr->r = xcalloc(dr->nr + 1, sizeof *dr->r);
	struct result *r = dr->r;
	for (size_t i = 0; i < dr->zs.n; i++) {
		if (!(dr->zs.v[i]->types & DNSBL_DOMAIN))
			continue;
		for (size_t k = 0; k < dr->nd; k++, r++) {
			r->subject_text = dr->doms[k];
			if (!dnsbl_domain_qname(dr->doms[k], dr->zs.v[i]->zone, r->qname, sizeof r->qname))
				r->o = O_BADNAME;
			else
				ask(a, dr->zs.v[i], 0, r);
		}
	}
	return dr;
}

static void domain_free(void *v)
{
	struct domain_results *dr = v;
	results_free(dr->r, dr->nr);
	for (size_t k = 0; k < dr->nd; k++)
		free(dr->doms[k]);
	free(dr->doms);
	zones_free(&dr->zs);
	free(dr);
}

const struct input_def input_dnsbl_ip = {
    .id = IN_DNSBL_IP, .name = "the IP's blocklist listings", .compute = ip_compute, .free = ip_free};
const struct input_def input_dnsbl_domain = {.id = IN_DNSBL_DOMAIN,
                                             .name = "the domains' blocklist listings",
                                             .needs = NEED(IN_PTR),
                                             .compute = domain_compute,
                                             .free = domain_free};

/* ------------------------------------------------------------ the checks */

static void ip_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct ip_results *ir = input_get(in, IN_DNSBL_IP);
	if (ir->none) {
		findings_add(out, "dnsbl.ip", NULL, STATUS_SKIP, "disabled by --dnsbl none");
		return;
	}
	const struct ipaddr *ip = &a->t->ip;
	unsigned need = ip->af == AF_INET6 ? DNSBL_IP6 : DNSBL_IP4;
	size_t asked = 0;
	for (size_t i = 0; i < ir->zs.n; i++) {
		const struct dnsbl_zone *z = ir->zs.v[i];
		if (!(z->types & (DNSBL_IP4 | DNSBL_IP6)))
			continue;
		asked++;
		if (!(z->types & need)) {
			struct finding *f = findings_add(out, "dnsbl.ip", z->zone, STATUS_SKIP,
			                                 "%s does not list IPv6 addresses", list_name(z));
			JSON_STR(f->data, "zone", z->zone);
			continue;
		}
		struct finding *f = report(a, out, "dnsbl.ip", z, &ir->r[i], ip->text);
		JSON_STR(f->data, "ip", ip->text);
	}
	if (!asked)
		findings_add(out, "dnsbl.ip", NULL, STATUS_SKIP, "no IP blocklist in the zone list");
	const char *pub = dnsbl_public_resolver(resolver_servers(a->dns));
	if (pub && ir->zs.n) {
		struct finding *f = findings_add(out, "dnsbl.ip", "resolver", STATUS_WARN,
		                                 "the resolver in use (%s) is %s's public resolver: major "
		                                 "blocklists refuse or mis-answer its queries",
		                                 resolver_servers(a->dns), pub);
		finding_set_remedy(
		    f, "Run the audit with --resolver pointing at your own recursive resolver (for "
		       "example a local unbound), so that blocklists answer it.");
		JSON_STR(f->data, "resolver", resolver_servers(a->dns));
		JSON_STR(f->data, "operator", pub);
	}
}

static void domain_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct domain_results *dr = input_get(in, IN_DNSBL_DOMAIN);
	if (dr->none) {
		findings_add(out, "dnsbl.domain", NULL, STATUS_SKIP, "disabled by --dnsbl none");
		return;
	}
	size_t asked = 0, nd = dr->nd;
	char *const *doms = dr->doms;
	for (size_t i = 0; i < dr->zs.n; i++) {
		const struct dnsbl_zone *z = dr->zs.v[i];
		if (!(z->types & DNSBL_DOMAIN))
			continue;
		const struct result *rs = &dr->r[asked++ * nd];
		size_t worst = 0;
		for (size_t k = 0; k < nd; k++)
			if (outcome_rank(rs[k].o) > outcome_rank(rs[worst].o))
				worst = k;
		struct finding *f;
		/* without the PTR name's domain, "not listed" cannot be said */
		if (dr->ptr_failure && rs[worst].o == O_CLEAN) {
			f = add_lookup_error(a, out, "dnsbl.domain", z->zone, "the PTR name's domain",
			                     dr->ptr_failure);
			JSON_STR(f->data, "zone", z->zone);
		} else {
			f = report(a, out, "dnsbl.domain", z, &rs[worst], doms[worst]);
		}
		cJSON *arr = JSON_ARR(f->data, "domains");
		for (size_t k = 0; k < nd; k++) {
			cJSON *o = cJSON_CreateObject();
			JSON_STR(o, "domain", doms[k]);
			JSON_STR(o, "result",
			         rs[k].o == O_CLEAN    ? "not listed"
			         : rs[k].o == O_LISTED ? "listed"
			                               : "error");
			cJSON_AddItemToArray(arr, o);
		}
		if (nd > 1 && rs[worst].o == O_CLEAN && !dr->ptr_failure) {
			struct strbuf all = {0};
			for (size_t k = 0; k < nd; k++)
				sb_sep_printf(&all, k + 1 == nd ? " and " : ", ", "%s", doms[k]);
			free(f->summary);
			f->summary = xasprintf("%s are not listed on %s", sb_str(&all), list_name(z));
			sb_free(&all);
		}
	}
	if (!asked)
		findings_add(out, "dnsbl.domain", NULL, STATUS_SKIP, "no domain blocklist in the zone list");
}

static const struct check checks[] = {
    {.id = "dnsbl.ip",
     .title = "the IP is on no DNS blocklist (each list's RFC 5782 test points checked)",
     .refs = {"RFC 5782", "1&1 RBL rule"},
     .needs = NEED(IN_DNSBL_IP),
     .run = ip_run,
     .file = __FILE__},
    {.id = "dnsbl.domain",
     .title = "the domain and the PTR name's domain are on no domain blocklist",
     .refs = {"RFC 5782"},
     .needs = NEED(IN_DNSBL_DOMAIN),
     .run = domain_run,
     .file = __FILE__},
};
FAMILY_OF(dnsbl, checks);
