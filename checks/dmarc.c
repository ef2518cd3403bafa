/* SPDX-License-Identifier: ISC */
/* dmarc: the domain's DMARC policy (checks.md § DMARC), discovered with the
 * RFC 9989 DNS Tree Walk; what RFC 7489 receivers (Public Suffix List) see
 * is reported where it differs. Inputs IN_DMARC (the policy), IN_DMARC_AUTH
 * (the report destinations' authorizations), IN_DMARC_DEST (whether the
 * report mailboxes' domains receive mail) and IN_MAILFROM_ORG (the MAIL
 * FROM domain's walk, for alignment). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/records/dmarc.h"
#include "../lib/util/json.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "dmarc.h"
#include "lookup.h"

#define WALK_MAX 8

/* One DNS Tree Walk (RFC 9989 4.10) and what it found. */
struct walk {
	const char *domain;
	char *names[WALK_MAX];
	size_t n;
	const struct dns_answer *ans[WALK_MAX];
	int count[WALK_MAX];                  /* DMARC records at names[i]; -1: lookup failed */
	const struct dns_rr *rec[WALK_MAX];   /* the record when count == 1 */
	struct dmarc_record parsed[WALK_MAX]; /* parsed when count == 1 */
	size_t used;                          /* names looked at (the walk stops at psd=y/n) */
	char *org;                            /* organizational domain */
	bool fatal;                           /* a failed lookup makes the result unknown */
	const struct dns_answer *failure;     /* the first failed lookup */
};

static char *dmarc_name_new(const char *d)
{
	return xasprintf("_dmarc.%s", d);
}

static void walk_prefetch(const struct audit *a, struct walk *w, const char *domain)
{
	memset(w, 0, sizeof *w);
	w->domain = domain;
	w->n = dmarc_walk_names_new(domain, w->names);
	for (size_t i = 0; i < w->n; i++) {
		char *q = dmarc_name_new(w->names[i]);
		prefetch(a, q, DNS_T_TXT);
		free(q);
	}
}

static size_t labels(const char *d)
{
	size_t n = 1;
	for (; *d; d++)
		n += *d == '.';
	return n;
}

/* The ancestor-or-self of d with k labels. */
static const char *suffix_labels(const char *d, size_t k)
{
	size_t skip = labels(d) > k ? labels(d) - k : 0;
	for (size_t i = 0; i < skip; i++)
		d = strchr(d, '.') + 1;
	return d;
}

static void walk_run(const struct audit *a, struct walk *w)
{
	w->used = w->n;
	for (size_t i = 0; i < w->n; i++) {
		char *q = dmarc_name_new(w->names[i]);
		const struct dns_answer *ans = lookup(a, q, DNS_T_TXT);
		free(q);
		w->ans[i] = ans;
		if (!dns_status_answered(ans->status)) {
			w->count[i] = -1;
			if (!w->failure)
				w->failure = ans;
			continue;
		}
		for (size_t r = 0; ans->status == DNS_OK && r < ans->rr_count; r++)
			if (ans->rrs[r].txt && dmarc_is_record(ans->rrs[r].txt, ans->rrs[r].txt_len)) {
				w->count[i]++;
				w->rec[i] = &ans->rrs[r];
			}
		if (w->count[i] != 1) {
			w->rec[i] = NULL;
			continue;
		}
		dmarc_parse(w->rec[i]->txt, w->rec[i]->txt_len, &w->parsed[i]);
		if (w->parsed[i].psd == 'y' || w->parsed[i].psd == 'n') {
			w->used = i + 1;
			break;
		}
	}
	/* The Organizational Domain (RFC 9989 4.10.2), longest name first. */
	long last = -1;
	for (size_t i = 0; i < w->used && !w->org; i++) {
		if (w->count[i] != 1 || !w->parsed[i].usable)
			continue;
		if (w->parsed[i].psd == 'n')
			w->org = xstrdup(w->names[i]);
		else if (w->parsed[i].psd == 'y' && i > 0)
			w->org = xstrdup(suffix_labels(w->domain, labels(w->names[i]) + 1));
		else
			last = (long)i;
	}
	if (!w->org)
		w->org = xstrdup(last >= 0 ? w->names[last] : w->domain);
	/* A failed lookup of the domain itself, or one anywhere when nothing
	 * was found, leaves the answer unknown. A failure above a record that
	 * was found (say, the top-level name) could only matter for a Public
	 * Suffix Domain record: it is reported, not fatal. */
	bool found = false;
	for (size_t i = 0; i < w->used; i++)
		found |= w->count[i] >= 1;
	w->fatal = (w->n && w->count[0] < 0) || (!found && w->failure);
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->names[i]);
		if (w->count[i] == 1)
			dmarc_record_free(&w->parsed[i]);
	}
	free(w->org);
}

static cJSON *walk_json(const struct walk *w)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < w->used; i++) {
		cJSON *o = cJSON_CreateObject();
		char *q = dmarc_name_new(w->names[i]);
		JSON_STR(o, "name", q);
		free(q);
		JSON_STR(o, "status", dns_status_name(w->ans[i]->status));
		if (w->count[i] >= 0)
			JSON_NUM(o, "dmarc_records", w->count[i]);
		else
			JSON_NULL(o, "dmarc_records");
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Appends the names whose lookups failed, for detail text. */
static void failed_names(struct strbuf *b, const struct walk *w)
{
	for (size_t i = 0; i < w->used; i++)
		if (w->count[i] < 0)
			sb_sep_printf(b, ", ", "_dmarc.%s (%s)", w->names[i],
			              dns_status_name(w->ans[i]->status));
}

/* What the audit learned about the domain's policy. */
struct dmarc_policy {
	struct walk w;
	long idx;               /* the applied record in w, or -1 */
	const char *rec_domain; /* where it was found */
	struct dmarc_record *r;
	char *psl_org;              /* RFC 7489 organizational domain, or NULL */
	const char *rfc7489_domain; /* where RFC 7489 receivers find a record, or NULL */
	bool rfc7489_failed;
};

static char *sanitize_rr_new(const struct dns_rr *rr)
{
	return utf8_sanitize_new(rr->txt, rr->txt_len);
}

static void policy_find(const struct audit *a, struct dmarc_policy *p)
{
	struct walk *w = &p->w;
	walk_run(a, w);
	p->idx = -1;
	if (w->fatal)
		return;
	if (w->count[0] == 1) {
		p->idx = 0;
	} else {
		for (size_t i = 0; i < w->used && p->idx < 0; i++)
			if (w->count[i] == 1 && strcmp(w->names[i], w->org) == 0)
				p->idx = (long)i;
		/* No record at the Organizational Domain: a Public Suffix
		 * Domain's record (psd=y) applies. */
		for (size_t i = 0; i < w->used && p->idx < 0; i++)
			if (w->count[i] == 1 && w->parsed[i].psd == 'y')
				p->idx = (long)i;
	}
	if (p->idx >= 0) {
		p->rec_domain = w->names[p->idx];
		p->r = &w->parsed[p->idx];
	}
	/* RFC 7489 6.6.3: the domain, else its PSL organizational domain. */
	p->psl_org = psl_registrable_new(a->psl, w->domain);
	if (w->count[0] == 1) {
		p->rfc7489_domain = w->names[0];
	} else if (w->count[0] == 0 && p->psl_org && strcmp(p->psl_org, w->domain) != 0) {
		char *q = dmarc_name_new(p->psl_org);
		const struct dns_answer *ans = lookup(a, q, DNS_T_TXT);
		free(q);
		size_t c = 0;
		for (size_t r = 0; ans->status == DNS_OK && r < ans->rr_count; r++)
			c += ans->rrs[r].txt && dmarc_is_record(ans->rrs[r].txt, ans->rrs[r].txt_len);
		if (c == 1)
			p->rfc7489_domain = p->psl_org;
		p->rfc7489_failed = !dns_status_answered(ans->status);
	}
}

/* Appends the sentences on how RFC 7489 receivers differ (maybe none). */
static void rfc7489_view(struct strbuf *v, const struct dmarc_policy *p)
{
	const char *a = p->rec_domain, *b = p->rfc7489_domain;
	if (p->rfc7489_failed)
		sb_sep_printf(v, " ",
		              "What RFC 7489 receivers see is unknown: the lookup of _dmarc.%s failed.",
		              p->psl_org);
	else if ((a || b) && !(a && b && strcmp(a, b) == 0) && b)
		sb_sep_printf(v, " ",
		              "RFC 7489 receivers (Public Suffix List) use the record at _dmarc.%s instead.",
		              b);
	else if ((a || b) && !(a && b && strcmp(a, b) == 0))
		sb_sep_printf(
		    v, " ",
		    "RFC 7489 receivers (Public Suffix List: organizational domain %s) find no record "
		    "and apply no DMARC policy.",
		    p->psl_org ? p->psl_org : p->w.domain);
	if (p->psl_org && strcmp(p->psl_org, p->w.org) != 0)
		sb_sep_printf(
		    v, " ",
		    "The organizational domain is %s by the DNS Tree Walk but %s by the Public Suffix List "
		    "(RFC 7489).",
		    p->w.org, p->psl_org);
}

static void add_record_data(struct finding *f, const struct dmarc_policy *p)
{
	JSON_STR(f->data, "domain", p->w.domain);
	json_add_str(f->data, "record_domain", p->rec_domain);
	if (p->r) {
		char *s = sanitize_rr_new(p->w.rec[p->idx]);
		JSON_STR(f->data, "record", s);
		free(s);
	} else {
		JSON_NULL(f->data, "record");
	}
	JSON_STR(f->data, "organizational_domain", p->w.org);
	json_add_str(f->data, "psl_organizational_domain", p->psl_org);
	json_add_str(f->data, "rfc7489_record_domain", p->rfc7489_domain);
	JSON_ITEM(f->data, "walk", walk_json(&p->w));
}

static bool near_miss(const struct dns_answer *ans)
{
	for (size_t r = 0; ans->status == DNS_OK && r < ans->rr_count; r++) {
		const struct dns_rr *rr = &ans->rrs[r];
		if (!rr->txt || dmarc_is_record(rr->txt, rr->txt_len))
			continue;
		char head[24];
		snprintf(head, sizeof head, "%.*s", (int)(rr->txt_len < 20 ? rr->txt_len : 20), rr->txt);
		if (strcasestr(head, "dmarc"))
			return true;
	}
	return false;
}

static void record_finding(const struct dmarc_policy *p, struct findings *out)
{
	const struct walk *w = &p->w;
	const char *dom = w->domain;
	struct finding *f;
	struct strbuf v = {0}, unchecked = {0};
	if (w->count[0] == 0 && near_miss(w->ans[0]))
		sb_printf(
		    &v,
		    "A TXT record at _dmarc.%s mentions DMARC but does not start with \"v=DMARC1\" (case "
		    "matters), so receivers ignore it.",
		    dom);
	rfc7489_view(&v, p);
	failed_names(&unchecked, w);
	if (unchecked.len && p->r && p->idx != 0)
		sb_sep_printf(
		    &v, " ",
		    "Not checked (lookup failed): %s; a record there could only add a Public Suffix Domain "
		    "policy.",
		    sb_str(&unchecked));
	sb_free(&unchecked);
	const char *view = sb_str(&v);
	if (w->count[0] > 1) {
		f = findings_add(out, "dmarc.record", NULL, STATUS_FAIL,
		                 "%d DMARC records at _dmarc.%s: receivers discard all of them", w->count[0],
		                 dom);
		if (p->r)
			finding_set_detail(f,
			                   "Receivers fall back to the record at _dmarc.%s (found by the DNS "
			                   "Tree Walk).%s%s",
			                   p->rec_domain, *view ? " " : "", view);
		else
			finding_set_detail(f, "No other record applies, so %s has no DMARC policy.%s%s", dom,
			                   *view ? " " : "", view);
		finding_set_remedy(
		    f,
		    "Keep exactly one TXT record starting with v=DMARC1 at _dmarc.%s and delete the "
		    "others.",
		    dom);
	} else if (!p->r) {
		f = findings_add(out, "dmarc.record", NULL, STATUS_FAIL, "no DMARC record for %s", dom);
		struct strbuf failed = {0};
		failed_names(&failed, w);
		finding_set_detail(
		    f,
		    "No TXT record starting with v=DMARC1 at any of the %zu names the DNS Tree Walk "
		    "queried, from _dmarc.%s to _dmarc.%s.%s%s%s%s%s",
		    w->used, dom, w->names[w->used ? w->used - 1 : 0], failed.len ? " Not checked: " : "",
		    sb_str(&failed), failed.len ? "." : "", *view ? " " : "", view);
		sb_free(&failed);
		finding_set_remedy(
		    f,
		    "Publish a TXT record at _dmarc.%s, starting with monitoring: \"v=DMARC1; p=none; "
		    "rua=mailto:dmarc-reports@%s\", and move to p=quarantine or p=reject once the reports "
		    "show your mail passes.",
		    w->org, w->org);
	} else if (p->r->error_count || !p->r->usable) {
		const char *why = p->r->error_count ? p->r->errors[0] : "no valid p= and no valid rua=";
		f = findings_add(out, "dmarc.record", NULL, STATUS_FAIL,
		                 "invalid DMARC record at _dmarc.%s: %s", p->rec_domain, why);
		struct strbuf all = {0};
		for (size_t i = 0; i < p->r->error_count; i++)
			sb_sep_printf(&all, "; ", "%s", p->r->errors[i]);
		finding_set_detail(f, "%s%s%s%s%s", sb_str(&all), all.len ? ". " : "",
		                   p->r->p_as_none
		                       ? "Receivers act as if p=none was published, because rua= is valid "
		                         "(RFC 9989 4.10.1)."
		                   : p->r->usable ? ""
		                                  : "Receivers apply no DMARC policy.",
		                   *view ? " " : "", view);
		sb_free(&all);
		finding_set_remedy(
		    f,
		    "Republish the record at _dmarc.%s with valid values, e.g. \"v=DMARC1; p=quarantine; "
		    "rua=mailto:dmarc-reports@%s\" (v=DMARC1 first; p= none, quarantine or reject; "
		    "adkim/aspf r or s).",
		    p->rec_domain, w->org);
	} else {
		if (strcmp(p->rec_domain, dom) == 0)
			f = findings_add(out, "dmarc.record", NULL, STATUS_PASS,
			                 "one valid DMARC record at _dmarc.%s", dom);
		else
			f = findings_add(out, "dmarc.record", NULL, STATUS_PASS,
			                 "one valid DMARC record for %s at _dmarc.%s (DNS Tree Walk)", dom,
			                 p->rec_domain);
		struct strbuf notes = {0};
		for (size_t i = 0; i < p->r->note_count; i++)
			sb_sep_printf(&notes, "; ", "%s", p->r->notes[i]);
		if (notes.len || *view)
			finding_set_detail(f, "%s%s%s", sb_str(&notes), notes.len ? ". " : "", view);
		sb_free(&notes);
	}
	add_record_data(f, p);
	if (p->r) {
		cJSON *notes = JSON_ARR(f->data, "notes");
		for (size_t i = 0; i < p->r->note_count; i++)
			cJSON_AddItemToArray(notes, cJSON_CreateString(p->r->notes[i]));
		JSON_ITEM(f->data, "errors", json_str_array(p->r->errors, p->r->error_count));
	}
	sb_free(&v);
}

static void policy_finding(const struct dmarc_policy *p, struct findings *out)
{
	struct finding *f;
	if (!p->r || !p->r->usable) {
		findings_add(out, "dmarc.policy", NULL, STATUS_SKIP,
		             "no usable DMARC record (see dmarc.record)");
		return;
	}
	const struct dmarc_record *r = p->r;
	const char *dom = p->w.domain;
	bool own = strcmp(p->rec_domain, dom) == 0;
	const char *tag = "p";
	enum dmarc_pol pol = r->p;
	if (!own && (r->sp == DMARC_POL_NONE || r->sp == DMARC_POL_QUARANTINE || r->sp == DMARC_POL_REJECT)) {
		tag = "sp";
		pol = r->sp;
	}
	if (r->p_as_none)
		pol = DMARC_POL_NONE;
	struct strbuf sum = {0}, det = {0}, rem = {0};
	const char *where = p->rec_domain;
	if (pol == DMARC_POL_NONE) {
		if (r->p_as_none)
			sb_sep_printf(&sum, " ",
			              "policy none (p= missing or invalid, rua= valid): monitoring only");
		else
			sb_sep_printf(&sum, " ",
			              "%s=none: monitoring only, receivers take no action on failing mail",
			              tag);
		sb_sep_printf(&rem, " ",
		              "Once the aggregate reports show your legitimate mail passes DMARC, set "
		              "%s=quarantine, then "
		              "%s=reject, in the record at _dmarc.%s.",
		              tag, tag, where);
	}
	if (r->testing) {
		if (!sum.len)
			sb_sep_printf(&sum, " ", "t=y: the policy is in testing mode");
		sb_sep_printf(&det, " ",
		              "t=y asks receivers to apply one step less than the policy (RFC 9989).");
		sb_sep_printf(&rem, " ",
		              "Remove t=y from the record at _dmarc.%s once you trust the reports.", where);
	}
	if (r->pct >= 0 && r->pct < 100) {
		if (!sum.len)
			sb_sep_printf(&sum, " ",
			              "pct=%d: RFC 7489 receivers apply the policy to %d%% of failing mail",
			              r->pct, r->pct);
		sb_sep_printf(
		    &det, " ",
		    "pct=%d is historic (RFC 9989 ignores it) but RFC 7489 receivers still sample by it.",
		    r->pct);
		sb_sep_printf(&rem, " ", "Remove pct=%d (or set pct=100) at _dmarc.%s.", r->pct, where);
	}
	if (own && r->sp != DMARC_POL_ABSENT && r->sp != DMARC_POL_INVALID &&
	    dmarc_pol_rank(r->sp) < dmarc_pol_rank(r->p)) {
		if (!sum.len)
			sb_sep_printf(&sum, " ", "sp=%s is weaker than p=%s: subdomains are less protected",
			              dmarc_pol_name(r->sp), dmarc_pol_name(r->p));
		sb_sep_printf(
		    &rem, " ",
		    "Set sp=%s (or remove sp=) at _dmarc.%s unless subdomains really need a weaker policy.",
		    dmarc_pol_name(r->p), where);
	}
	if (r->np != DMARC_POL_ABSENT && r->np != DMARC_POL_INVALID &&
	    dmarc_pol_rank(r->np) < dmarc_pol_rank(r->p)) {
		if (!sum.len)
			sb_sep_printf(
			    &sum, " ",
			    "np=%s is weaker than p=%s: mail from non-existent subdomains is less protected",
			    dmarc_pol_name(r->np), dmarc_pol_name(r->p));
		sb_sep_printf(&rem, " ",
		              "Set np=reject (or remove np=) at _dmarc.%s: names that do not exist send no "
		              "legitimate mail.",
		              where);
	}
	if (sum.len) {
		f = findings_add(out, "dmarc.policy", NULL, STATUS_WARN, "%s", sb_str(&sum));
		finding_set_remedy(f, "%s", sb_str(&rem));
	} else if (own) {
		f = findings_add(out, "dmarc.policy", NULL, STATUS_PASS, "p=%s", dmarc_pol_name(pol));
	} else {
		f = findings_add(out, "dmarc.policy", NULL, STATUS_PASS, "%s=%s, inherited from _dmarc.%s",
		                 tag, dmarc_pol_name(pol), where);
	}
	if (!own)
		sb_sep_printf(&det, " ",
		              "%s has no record of its own: the %s= tag of the record at _dmarc.%s applies.",
		              dom, tag, where);
	if (det.len)
		finding_set_detail(f, "%s", sb_str(&det));
	JSON_STR(f->data, "record_domain", where);
	JSON_STR(f->data, "applied_tag", tag);
	JSON_STR(f->data, "policy", dmarc_pol_name(pol));
	JSON_STR(f->data, "p", dmarc_pol_name(r->p));
	JSON_STR(f->data, "sp", dmarc_pol_name(r->sp));
	JSON_STR(f->data, "np", dmarc_pol_name(r->np));
	JSON_BOOL(f->data, "testing", r->testing);
	if (r->pct >= 0)
		JSON_NUM(f->data, "pct", r->pct);
	else
		JSON_NULL(f->data, "pct");
	sb_free(&sum);
	sb_free(&det);
	sb_free(&rem);
}

struct dest {
	const struct dmarc_uri *u;
	const char *tag;
	bool external;
	char *auth_name;
	const struct dns_answer *ans;
	bool authorized;
};

/* IN_DMARC_AUTH: every rua/ruf destination, and for the external ones
 * their authorization record (RFC 7489 7.1), asked at once. */
struct dests {
	struct dest *v;
	size_t n;
	const struct dmarc_uri *bad; /* the first invalid URI */
	size_t valid_rua;
	const struct dns_answer *failure; /* the first failed authorization lookup */
	const struct dest *unauth;        /* the first external one not authorized */
	size_t unauth_count;
};

static void *auth_compute(const struct audit *a, const struct inputs *in)
{
	const struct dmarc_policy *p = input_get(in, IN_DMARC);
	struct dests *ds = xcalloc(1, sizeof *ds);
	if (p->w.fatal || !p->r || !p->r->usable)
		return ds;
	const struct dmarc_record *r = p->r;
	ds->n = r->rua_count + r->ruf_count;
	ds->v = xcalloc(ds->n ? ds->n : 1, sizeof *ds->v);
	for (size_t i = 0; i < ds->n; i++) {
		bool rua = i < r->rua_count;
		struct dest *d = &ds->v[i];
		d->u = rua ? &r->rua[i] : &r->ruf[i - r->rua_count];
		d->tag = rua ? "rua" : "ruf";
		if (!d->u->valid) {
			if (!ds->bad)
				ds->bad = d->u;
			continue;
		}
		ds->valid_rua += rua;
		if (!d->u->domain)
			continue;
		/* External: neither under the policy domain's organizational
		 * domain (Tree Walk) nor in its PSL organization. */
		d->external = !name_is_under(d->u->domain, p->w.org) &&
		              !psl_same_org(a->psl, d->u->domain, p->rec_domain);
		if (d->external) {
			d->auth_name = xasprintf("%s._report._dmarc.%s", p->rec_domain, d->u->domain);
			prefetch(a, d->auth_name, DNS_T_TXT);
		}
	}
	for (size_t i = 0; i < ds->n; i++) {
		struct dest *d = &ds->v[i];
		if (!d->auth_name)
			continue;
		d->ans = lookup(a, d->auth_name, DNS_T_TXT);
		if (!dns_status_answered(d->ans->status)) {
			if (!ds->failure)
				ds->failure = d->ans;
			continue;
		}
		for (size_t k = 0; d->ans->status == DNS_OK && k < d->ans->rr_count; k++)
			if (d->ans->rrs[k].txt && dmarc_is_record(d->ans->rrs[k].txt, d->ans->rrs[k].txt_len))
				d->authorized = true;
		if (!d->authorized) {
			ds->unauth_count++;
			if (!ds->unauth)
				ds->unauth = d;
		}
	}
	return ds;
}

static void auth_free(void *v)
{
	struct dests *ds = v;
	for (size_t i = 0; i < ds->n; i++)
		free(ds->v[i].auth_name);
	free(ds->v);
	free(ds);
}

/* IN_DMARC_DEST: the domains of the mailto: report destinations (rua and
 * ruf), and whether each receives mail: an MX record that is not the null
 * MX of RFC 7505, or else an address record (implicit MX). */
enum mbox_state { MBOX_OK, MBOX_NULL_MX, MBOX_NOWHERE, MBOX_FAILED };

struct mbox {
	const char *domain; /* owned by the record */
	const char *uri;    /* the first URI naming it */
	const struct dns_answer *mx;
	struct addr_set addrs; /* asked when there is no MX */
	enum mbox_state state;
	const struct dns_answer *failure;
};

struct mboxes {
	struct mbox *v;
	size_t n;
};

static void mbox_add(struct mboxes *mb, const struct dmarc_uri *u, size_t cap)
{
	if (!u->valid || !u->scheme || strcmp(u->scheme, "mailto") != 0 || !u->domain)
		return;
	for (size_t i = 0; i < mb->n; i++)
		if (strcmp(mb->v[i].domain, u->domain) == 0)
			return;
	if (mb->n < cap)
		mb->v[mb->n++] = (struct mbox){.domain = u->domain, .uri = u->text};
}

static void mbox_judge(const struct audit *a, struct mbox *b)
{
	b->mx = lookup(a, b->domain, DNS_T_MX);
	size_t real = 0;
	for (size_t i = 0; b->mx->status == DNS_OK && i < b->mx->rr_count; i++)
		real += b->mx->rrs[i].name && strcmp(b->mx->rrs[i].name, ".") != 0;
	if (b->mx->status == DNS_OK) {
		b->state = real ? MBOX_OK : MBOX_NULL_MX;
	} else if (b->mx->status == DNS_NXDOMAIN) {
		b->state = MBOX_NOWHERE;
	} else if (b->mx->status == DNS_NODATA) {
		addr_lookup(a, b->domain, &b->addrs);
		b->state = b->addrs.resolves ? MBOX_OK : b->addrs.failed ? MBOX_FAILED : MBOX_NOWHERE;
		b->failure = b->addrs.failure;
	} else {
		b->state = MBOX_FAILED;
		b->failure = b->mx;
	}
}

static void *dest_compute(const struct audit *a, const struct inputs *in)
{
	const struct dmarc_policy *p = input_get(in, IN_DMARC);
	struct mboxes *mb = xcalloc(1, sizeof *mb);
	if (p->w.fatal || !p->r || !p->r->usable)
		return mb;
	const struct dmarc_record *r = p->r;
	size_t cap = r->rua_count + r->ruf_count;
	mb->v = xcalloc(cap ? cap : 1, sizeof *mb->v);
	for (size_t i = 0; i < r->rua_count; i++)
		mbox_add(mb, &r->rua[i], cap);
	for (size_t i = 0; i < r->ruf_count; i++)
		mbox_add(mb, &r->ruf[i], cap);
	for (size_t i = 0; i < mb->n; i++)
		prefetch(a, mb->v[i].domain, DNS_T_MX);
	for (size_t i = 0; i < mb->n; i++)
		mbox_judge(a, &mb->v[i]);
	return mb;
}

static void dest_free(void *v)
{
	struct mboxes *mb = v;
	free(mb->v);
	free(mb);
}

static const char *mbox_state_name(enum mbox_state s)
{
	switch (s) {
	case MBOX_OK: return "receives";
	case MBOX_NULL_MX: return "null MX";
	case MBOX_NOWHERE: return "no MX and no address";
	case MBOX_FAILED: break;
	}
	return "lookup failed";
}

static void destinations_finding(const struct audit *a, const struct dmarc_policy *p, const struct mboxes *mb,
                                 struct findings *out)
{
	struct finding *f;
	if (!p->r || !p->r->usable) {
		findings_add(out, "dmarc.destinations", NULL, STATUS_SKIP,
		             "no usable DMARC record (see dmarc.record)");
		return;
	}
	if (mb->n == 0) {
		findings_add(out, "dmarc.destinations", NULL, STATUS_SKIP,
		             "no mailto: report destination (see dmarc.reporting)");
		return;
	}
	struct strbuf bad = {0};
	const struct mbox *first = NULL, *failed = NULL;
	size_t nbad = 0;
	for (size_t i = 0; i < mb->n; i++) {
		const struct mbox *b = &mb->v[i];
		if (b->state == MBOX_NULL_MX || b->state == MBOX_NOWHERE) {
			nbad++;
			if (!first)
				first = b;
			sb_sep_printf(&bad, "; ", "%s (%s): %s", b->domain, b->uri,
			              b->state == MBOX_NULL_MX ? "a null MX (RFC 7505): it accepts no mail"
			              : b->mx->status == DNS_NXDOMAIN ? "the domain does not exist"
			                                              : "no MX and no address record");
		} else if (b->state == MBOX_FAILED && !failed) {
			failed = b;
		}
	}
	if (nbad) {
		/* warn is this check's worst: a failed lookup elsewhere cannot change it */
		f = findings_add(out, "dmarc.destinations", NULL, STATUS_WARN,
		                 "%zu DMARC report mailbox domain%s cannot receive mail: %s", nbad,
		                 nbad == 1 ? "" : "s", first->domain);
		finding_set_detail(f, "%s. Reports sent there bounce, so nobody reads them.%s", sb_str(&bad),
		                   failed ? " Another destination could not be checked (a lookup failed)."
		                          : "");
		finding_set_remedy(
		    f,
		    "Point rua=/ruf= at _dmarc.%s to a mailbox that receives mail, or give %s an MX "
		    "record naming a host that accepts it.",
		    p->rec_domain, first->domain);
	} else if (failed) {
		f = add_lookup_error(a, out, "dmarc.destinations", NULL, "the report mailbox domains",
		                     failed->failure);
	} else {
		f = findings_add(out, "dmarc.destinations", NULL, STATUS_PASS,
		                 "every DMARC report mailbox domain (%zu) "
		                 "receives mail",
		                 mb->n);
	}
	sb_free(&bad);
	JSON_STR(f->data, "record_domain", p->rec_domain);
	cJSON *arr = JSON_ARR(f->data, "mailbox_domains");
	for (size_t i = 0; i < mb->n; i++) {
		const struct mbox *b = &mb->v[i];
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "domain", b->domain);
		char *u = utf8_sanitize_new(b->uri, strlen(b->uri));
		JSON_STR(o, "uri", u);
		free(u);
		JSON_STR(o, "mx_lookup", dns_status_name(b->mx->status));
		JSON_STR(o, "state", mbox_state_name(b->state));
		cJSON_AddItemToArray(arr, o);
	}
}

static void reporting_finding(const struct audit *a, const struct dmarc_policy *p, const struct dests *dd,
                              struct findings *out)
{
	struct finding *f;
	if (!p->r || !p->r->usable) {
		findings_add(out, "dmarc.reporting", NULL, STATUS_SKIP,
		             "no usable DMARC record (see dmarc.record)");
		return;
	}
	const struct dest *ds = dd->v, *unauth = dd->unauth;
	const struct dmarc_uri *bad = dd->bad;
	const struct dns_answer *failure = dd->failure;
	size_t n = dd->n, valid_rua = dd->valid_rua, unauth_count = dd->unauth_count;
	const char *where = p->rec_domain;
	if (bad) {
		f = findings_add(out, "dmarc.reporting", NULL, STATUS_FAIL,
		                 "invalid report URI \"%.80s\": %s", bad->text, bad->why);
		finding_set_remedy(f,
		                   "Write every rua=/ruf= destination at _dmarc.%s as a URI such as "
		                   "mailto:dmarc-reports@%s, separated by commas.",
		                   where, p->w.org);
	} else if (failure) {
		f = add_lookup_error(a, out, "dmarc.reporting", NULL,
		                     "the report destination's authorization", failure);
	} else if (!valid_rua) {
		f = findings_add(out, "dmarc.reporting", NULL, STATUS_WARN,
		                 "no rua=: nobody receives DMARC aggregate reports");
		finding_set_remedy(
		    f,
		    "Add rua=mailto:dmarc-reports@%s to the record at _dmarc.%s and read the reports "
		    "before tightening the policy.",
		    p->w.org, where);
	} else if (unauth) {
		f = findings_add(
		    out, "dmarc.reporting", NULL, STATUS_WARN,
		    "%zu external report destination%s not authorized: %s (no v=DMARC1 record at %s)",
		    unauth_count, unauth_count == 1 ? "" : "s", unauth->u->domain, unauth->auth_name);
		finding_set_detail(f,
		                   "Receivers send no reports to %s: RFC 7489 7.1 requires the destination's "
		                   "consent for another organization's reports.",
		                   unauth->u->text);
		finding_set_remedy(f,
		                   "Ask the operator of %s to publish TXT \"v=DMARC1;\" at %s (or "
		                   "*._report._dmarc.%s), or send reports to an address under %s.",
		                   unauth->u->domain, unauth->auth_name, unauth->u->domain, p->w.org);
	} else {
		size_t ext = 0;
		for (size_t i = 0; i < n; i++)
			ext += ds[i].external;
		f = findings_add(out, "dmarc.reporting", NULL, STATUS_PASS,
		                 "aggregate reports go to %zu destination%s%s", valid_rua,
		                 valid_rua == 1 ? "" : "s", ext ? "; external ones are authorized" : "");
	}
	JSON_STR(f->data, "record_domain", where);
	cJSON *arr = JSON_ARR(f->data, "destinations");
	for (size_t i = 0; i < n; i++) {
		const struct dest *d = &ds[i];
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "tag", d->tag);
		char *u = utf8_sanitize_new(d->u->text, strlen(d->u->text));
		JSON_STR(o, "uri", u);
		free(u);
		JSON_BOOL(o, "valid", d->u->valid);
		json_add_str(o, "domain", d->u->domain);
		JSON_BOOL(o, "external", d->external);
		json_add_str(o, "authorization_name", d->auth_name);
		if (d->ans && dns_status_answered(d->ans->status))
			JSON_BOOL(o, "authorized", d->authorized);
		else
			JSON_NULL(o, "authorized");
		cJSON_AddItemToArray(arr, o);
	}
}

static void alignment_finding(const struct audit *a, const struct dmarc_policy *p, const struct walk *mw,
                              struct findings *out)
{
	const char *dom = a->t->domain, *mf = a->t->mail_from;
	struct finding *f;
	if (!a->t->mail_from_given) {
		findings_add(out, "dmarc.alignment", NULL, STATUS_SKIP,
		             "no --mail-from given (MAIL FROM is %s itself)", dom);
		return;
	}
	char aspf = p->r && p->r->usable ? p->r->aspf : 'r';
	bool equal = strcmp(mf, dom) == 0;
	const char *mf_org = NULL;
	if (aspf == 'r' && !equal) {
		if (mw->fatal) {
			f = add_lookup_error(a, out, "dmarc.alignment", NULL,
			                     "the MAIL FROM domain's organizational domain", mw->failure);
			JSON_STR(f->data, "mail_from", mf);
			return;
		}
		mf_org = mw->org;
	}
	bool aligned = equal || (aspf == 'r' && strcmp(mf_org, p->w.org) == 0);
	bool psl_aligned = equal || (aspf == 'r' && psl_same_org(a->psl, mf, dom));
	if (aligned)
		f = findings_add(out, "dmarc.alignment", NULL, STATUS_PASS,
		                 "MAIL FROM %s aligns with %s (%s)", mf, dom,
		                 aspf == 's' ? "strict"
		                 : equal     ? "identical"
		                             : "relaxed: same organizational domain");
	else
		f = findings_add(
		    out, "dmarc.alignment", NULL, STATUS_FAIL, "MAIL FROM %s does not align with %s (%s)", mf,
		    dom, aspf == 's' ? "aspf=s: strict" : "relaxed: different organizational domains");
	struct strbuf det = {0};
	if (!aligned && aspf == 'r')
		sb_sep_printf(&det, " ", "Organizational domains (DNS Tree Walk): %s for %s, %s for %s.",
		              mf_org, mf, p->w.org, dom);
	if (!p->r || !p->r->usable)
		sb_sep_printf(&det, " ",
		              "%s has no usable DMARC record; relaxed alignment (the default) was assumed.",
		              dom);
	if (psl_aligned != aligned)
		sb_sep_printf(&det, " ", "RFC 7489 receivers (Public Suffix List) decide the opposite: %s.",
		              psl_aligned ? "aligned" : "not aligned");
	if (det.len)
		finding_set_detail(f, "%s", sb_str(&det));
	sb_free(&det);
	if (!aligned) {
		if (aspf == 's')
			finding_set_remedy(
			    f,
			    "Send with MAIL FROM (Return-Path) domain %s exactly, or set aspf=r at _dmarc.%s "
			    "to allow subdomains of %s.",
			    dom, p->rec_domain ? p->rec_domain : dom, p->w.org);
		else
			finding_set_remedy(
			    f,
			    "Send with a MAIL FROM (Return-Path) domain under %s (e.g. bounces.%s, with SPF "
			    "for it), or make sure every message carries a DKIM signature with d=%s, since "
			    "SPF "
			    "cannot align for %s.",
			    p->w.org, p->w.org, p->w.org, mf);
	}
	JSON_STR(f->data, "mail_from", mf);
	JSON_STR(f->data, "domain", dom);
	JSON_STR(f->data, "aspf", aspf == 's' ? "s" : "r");
	json_add_str(f->data, "mail_from_organizational_domain", mf_org);
	JSON_STR(f->data, "organizational_domain", p->w.org);
	JSON_BOOL(f->data, "aligned", aligned);
	JSON_BOOL(f->data, "psl_aligned", psl_aligned);
}

/* ------------------------------------------------------------ the inputs */

struct dmarc_policy *dmarc_policy_new(const struct audit *a, const char *domain)
{
	struct dmarc_policy *p = xcalloc(1, sizeof *p);
	walk_prefetch(a, &p->w, domain);
	char *psl_org = psl_registrable_new(a->psl, domain);
	if (psl_org) {
		char *q = dmarc_name_new(psl_org);
		prefetch(a, q, DNS_T_TXT);
		free(q);
	}
	free(psl_org);
	policy_find(a, p);
	return p;
}

void dmarc_policy_free(struct dmarc_policy *dp)
{
	struct dmarc_policy *p = dp;
	walk_free(&p->w);
	free(p->psl_org);
	free(p);
}

void dmarc_policy_facts(const struct dmarc_policy *dp, struct dmarc_facts *out)
{
	const struct dmarc_policy *p = dp;
	memset(out, 0, sizeof *out);
	out->domain = p->w.domain;
	out->failure = p->w.fatal ? p->w.failure : NULL;
	out->r = p->r && p->r->usable ? p->r : NULL;
	out->record_domain = p->rec_domain;
	out->org = p->w.org;
	out->psl_org = p->psl_org;
	out->rfc7489_domain = p->rfc7489_domain;
	out->rfc7489_failed = p->rfc7489_failed;
	if (!out->r)
		return;
	out->own = p->idx == 0;
	for (size_t i = 0; i < p->w.used; i++)
		if (p->w.count[i] == 1 && (long)i != p->idx && strcmp(p->w.names[i], p->w.org) == 0 &&
		    p->w.parsed[i].usable)
			out->org_r = &p->w.parsed[i];
}

char *dmarc_org_new(const struct audit *a, const char *domain, const struct dns_answer **failure)
{
	struct walk w;
	walk_prefetch(a, &w, domain);
	walk_run(a, &w);
	*failure = w.fatal ? w.failure : NULL;
	char *org = w.fatal ? NULL : xstrdup(w.org);
	walk_free(&w);
	return org;
}

static void *dmarc_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return dmarc_policy_new(a, a->t->domain);
}

static void dmarc_free(void *v)
{
	dmarc_policy_free(v);
}

/* The MAIL FROM domain's walk, when it is another domain. */
static void *mailfrom_org_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct walk *w = xcalloc(1, sizeof *w);
	if (a->t->mail_from_given && strcmp(a->t->mail_from, a->t->domain) != 0) {
		walk_prefetch(a, w, a->t->mail_from);
		walk_run(a, w);
	}
	return w;
}

static void walk_delete(void *v)
{
	walk_free(v);
	free(v);
}

const struct input_def input_dmarc = {
    .id = IN_DMARC, .name = "the DMARC policy", .compute = dmarc_compute, .free = dmarc_free};
const struct input_def input_dmarc_auth = {.id = IN_DMARC_AUTH,
                                           .name = "the DMARC report destinations' authorizations",
                                           .needs = NEED(IN_DMARC),
                                           .compute = auth_compute,
                                           .free = auth_free};
const struct input_def input_dmarc_dest = {.id = IN_DMARC_DEST,
                                           .name = "the DMARC report mailboxes' domains",
                                           .needs = NEED(IN_DMARC),
                                           .compute = dest_compute,
                                           .free = dest_free};
const struct input_def input_mailfrom_org = {.id = IN_MAILFROM_ORG,
                                             .name = "the MAIL FROM domain's organizational domain",
                                             .compute = mailfrom_org_compute,
                                             .free = walk_delete};

/* ------------------------------------------------------------ the checks */

/* The policy, or NULL with an error finding of id when the walk failed. */
static const struct dmarc_policy *policy_or_error(const struct audit *a, const struct inputs *in,
                                                  const char *id, const char *what, struct findings *out)
{
	const struct dmarc_policy *p = input_get(in, IN_DMARC);
	if (!p->w.fatal)
		return p;
	struct finding *f = add_lookup_error(a, out, id, NULL, what, p->w.failure);
	JSON_STR(f->data, "domain", p->w.domain);
	JSON_ITEM(f->data, "walk", walk_json(&p->w));
	return NULL;
}

static void record_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct dmarc_policy *p = policy_or_error(a, in, "dmarc.record", "the DMARC record", out);
	if (p)
		record_finding(p, out);
}

static void policy_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct dmarc_policy *p = policy_or_error(a, in, "dmarc.policy", "the DMARC policy", out);
	if (p)
		policy_finding(p, out);
}

static void reporting_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct dmarc_policy *p =
	    policy_or_error(a, in, "dmarc.reporting", "the DMARC report destinations", out);
	if (p)
		reporting_finding(a, p, input_get(in, IN_DMARC_AUTH), out);
}

static void destinations_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct dmarc_policy *p =
	    policy_or_error(a, in, "dmarc.destinations", "the DMARC report mailboxes", out);
	if (p)
		destinations_finding(a, p, input_get(in, IN_DMARC_DEST), out);
}

static void alignment_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	if (!a->t->mail_from_given) {
		findings_add(out, "dmarc.alignment", NULL, STATUS_SKIP,
		             "no --mail-from given (MAIL FROM is %s itself)", a->t->domain);
		return;
	}
	const struct dmarc_policy *p = input_get(in, IN_DMARC);
	if (p->w.fatal)
		add_lookup_error(a, out, "dmarc.alignment", NULL, "the DMARC alignment", p->w.failure);
	else
		alignment_finding(a, p, input_get(in, IN_MAILFROM_ORG), out);
}

static const struct check checks[] = {
    {.id = "dmarc.record",
     .title = "exactly one valid DMARC record applies to the domain (RFC 9989 DNS Tree Walk)",
     .refs = {"RFC 9989", "RFC 7489 6.6.3"},
     .needs = NEED(IN_DMARC),
     .run = record_run,
     .file = __FILE__},
    {.id = "dmarc.policy",
     .title = "the DMARC policy is quarantine or reject, not in testing mode",
     .refs = {"RFC 9989", "Gmail/Yahoo bulk sender rules"},
     .needs = NEED(IN_DMARC),
     .run = policy_run,
     .file = __FILE__},
    {.id = "dmarc.reporting",
     .title = "aggregate reports are requested and external destinations authorize them",
     .refs = {"RFC 9989", "RFC 7489 7.1"},
     .needs = NEED(IN_DMARC) | NEED(IN_DMARC_AUTH),
     .run = reporting_run,
     .file = __FILE__},
    {.id = "dmarc.alignment",
     .title = "the MAIL FROM domain aligns with the domain (aspf)",
     .refs = {"RFC 9989"},
     .needs = NEED(IN_DMARC) | NEED(IN_MAILFROM_ORG),
     .run = alignment_run,
     .file = __FILE__},
    {.id = "dmarc.destinations",
     .title = "the domains of the mailto: report destinations receive mail (MX or address, no null MX)",
     .refs = {"RFC 9989", "RFC 7505", "RFC 5321 5.1"},
     .needs = NEED(IN_DMARC) | NEED(IN_DMARC_DEST),
     .run = destinations_run,
     .file = __FILE__},
};
FAMILY_OF(dmarc, checks);
