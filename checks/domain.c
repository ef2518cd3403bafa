/* SPDX-License-Identifier: ISC */
/* domain: the policies a domain publishes beside its mail authentication
 * (checks.md § domain): MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for mail
 * sent to it, BIMI (the AuthIndicators drafts) for its logo, DNSSEC (RFC
 * 4033-4035) for its zone and DANE (RFC 6698, RFC 7672) for its MX hosts.
 *
 * Inputs: IN_MTASTS (the _mta-sts record and the policy file, fetched over
 * HTTPS without redirects), IN_TLSRPT (the _smtp._tls record), IN_BIMI (the
 * assertion record, with the organizational domain's as fallback),
 * IN_BIMI_FILES (the logo and the mark certificate), IN_DNSSEC (the zone's
 * keys, its DS and whether the resolver validates; a resolver's SERVFAIL is
 * "bogus" only when the data it refused, fetched again with checking
 * disabled, fails verification here) and IN_DANE (the MX hosts' TLSA). Every
 * fetch goes through lib/net/http (https only, body caps, the audit's
 * resolver and gate); every lookup through the audit's resolver. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../lib/net/http.h"
#include "../lib/util/json.h"
#include "../lib/records/bimi.h"
#include "../lib/records/dnssec.h"
#include "../lib/records/mta_sts.h"
#include "../lib/records/tlsrpt.h"
#include "../lib/records/vmc.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/timeouts.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "dmarc.h"
#include "lookup.h"
#include "mx.h"

/* RFC 8461 3.3 asks senders to cap the policy's size; 64 KiB, as most do. */
#define MTASTS_MAX_BODY (64 * 1024)
/* The logo (32 KiB allowed, a little more to say by how much) and the
 * mark certificate (a chain with the logo inside). */
#define BIMI_MAX_BODY (256 * 1024)
/* RFC 8461 3.2 expects max_age "in the range of weeks or greater"; under
 * a day is warned about (large providers publish a day). */
#define MTASTS_MIN_AGE 86400
#define ZONE_NAMES     8

/* ------------------------------------------------------------ shared */

/* A verdict built from several observations: the worst status wins the
 * summary; every observation goes to the detail, every remedy is kept. */
struct judge {
	enum status st;
	char *summary;
	char **obs; /* every observation, in order (the summary's among them) */
	size_t nobs;
	struct strbuf remedy;
};

static void judge_init(struct judge *j, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void judge_init(struct judge *j, enum status st, const char *fmt, ...)
{
	memset(j, 0, sizeof *j);
	j->st = st;
	va_list ap;
	va_start(ap, fmt);
	j->summary = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Replaces the summary (and the status it stands for). */
static void judge_set(struct judge *j, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void judge_set(struct judge *j, enum status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(j->summary);
	j->summary = xvasprintf(fmt, ap);
	va_end(ap);
	j->st = st;
}

/* An observation of status st (the summary if it is the worst so far),
 * with a remedy (or NULL). Written as a clause: "mode testing: ...". */
static void judge_add(struct judge *j, enum status st, const char *remedy, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void judge_add(struct judge *j, enum status st, const char *remedy, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	j->obs = xrealloc(j->obs, (j->nobs + 1) * sizeof *j->obs);
	j->obs[j->nobs++] = s;
	if (status_rank(st) > status_rank(j->st)) {
		free(j->summary);
		j->summary = xstrdup(s);
		j->st = st;
	}
	if (remedy && !strstr(sb_str(&j->remedy), remedy))
		sb_sep_printf(&j->remedy, " ", "%s", remedy);
}

/* The finding: the summary, the other observations as sentences in the
 * detail, the remedies of a problem. The judge is emptied. */
static struct finding *judge_finding(struct judge *j, struct findings *out, const char *id)
{
	struct finding *f = findings_add(out, id, NULL, j->st, "%s", j->summary);
	struct strbuf detail = {0};
	for (size_t i = 0; i < j->nobs; i++) {
		if (strcmp(j->obs[i], j->summary) != 0) {
			/* a sentence: a capital first, unless it starts with a name
			 * ("mta-sts.example.com has no address") or a URL */
			const char *o = j->obs[i];
			size_t w = strcspn(o, " ");
			bool name = memchr(o, '.', w) || memchr(o, ':', w) || memchr(o, '/', w);
			char first = !name && o[0] >= 'a' && o[0] <= 'z' ? (char)(o[0] - 'a' + 'A') : o[0];
			sb_sep_printf(&detail, " ", "%c%s.", first, o[0] ? o + 1 : "");
		}
		free(j->obs[i]);
	}
	free(j->obs);
	if (detail.len)
		finding_set_detail(f, "%s", sb_str(&detail));
	if ((j->st == STATUS_WARN || j->st == STATUS_FAIL || j->st == STATUS_ERROR) && j->remedy.len)
		finding_set_remedy(f, "%s", sb_str(&j->remedy));
	free(j->summary);
	sb_free(&detail);
	sb_free(&j->remedy);
	return f;
}

/* The TXT records of ans that is() accepts: how many, and the last. */
static size_t count_records(const struct dns_answer *ans, bool (*is)(const char *, size_t),
                            const struct dns_rr **last)
{
	size_t n = 0;
	*last = NULL;
	for (size_t i = 0; ans->status == DNS_OK && i < ans->rr_count; i++)
		if (ans->rrs[i].txt && is(ans->rrs[i].txt, ans->rrs[i].txt_len)) {
			n++;
			*last = &ans->rrs[i];
		}
	return n;
}

static void add_txt(cJSON *o, const char *key, const struct dns_rr *rr)
{
	if (!rr) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char *s = utf8_sanitize_new(rr->txt, rr->txt_len);
	cJSON_AddStringToObject(o, key, s);
	free(s);
}

/* One HTTPS fetch: the host's addresses looked up first (so "no such
 * host" is an answer and a failed lookup an error), then the GET. */
struct fetch {
	char *url;
	char *host;
	struct addr_set addrs; /* of host, unless it is an address literal */
	bool literal;
	struct http_resp *resp; /* owned by the struct http; NULL: not fetched */
};

static char *url_host_new(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	if (*p == '[')
		return xstrndup(p + 1, strcspn(p + 1, "]"));
	return xstrndup(p, strcspn(p, "/:?#"));
}

static struct http *http_for(const struct audit *a, size_t max_body, bool no_redirects, const char *accept)
{
	struct timeouts tm;
	timeouts_from(a->o->timeout_ms, &tm);
	struct http_opts ho = {.connect_timeout_ms = tm.http_connect_ms,
	                       .total_timeout_ms = tm.http_total_ms,
	                       .max_body = max_body,
	                       .allow_http = false,
	                       .accept = accept,
	                       .no_redirects = no_redirects,
	                       .gate = a->http_gate,
	                       .resolver = a->dns};
	return http_new(&ho);
}

/* Looks the host of f->url up; starts the GET on h when it has an address. */
static void fetch_start(const struct audit *a, struct http *h, struct fetch *f)
{
	f->host = url_host_new(f->url);
	struct ipaddr ip;
	char why[80];
	f->literal = ip_parse(f->host, &ip, why, sizeof why) == 0;
	if (!f->literal)
		addr_lookup(a, f->host, &f->addrs);
	if (h && (f->literal || f->addrs.resolves))
		f->resp = http_get(h, f->url, f);
}

static void fetch_free(struct fetch *f)
{
	free(f->url);
	free(f->host);
}

enum grade { GRADE_OK, GRADE_FAIL, GRADE_ERROR };

/* What a fetch came to: the body (OK), an answer that is a problem of the
 * server (FAIL: no such host, 404, a redirect where none may be, too big),
 * or no answer to judge (ERROR). why says which, for the detail. */
static enum grade fetch_grade(const struct fetch *f, char *why, size_t len)
{
	const struct http_resp *r = f->resp;
	char prob[300];
	if (!f->literal && !f->addrs.resolves) {
		if (f->addrs.failed) {
			snprintf(why, len, "the address lookup of %s failed (%s)", f->host,
			         dns_answer_why(f->addrs.failure));
			return GRADE_ERROR;
		}
		snprintf(why, len, "%s has no address record, so %s cannot be fetched", f->host, f->url);
		return GRADE_FAIL;
	}
	if (!r) {
		snprintf(why, len, "%s could not be fetched (libcurl did not start)", f->url);
		return GRADE_ERROR;
	}
	http_problem(r, prob, sizeof prob);
	snprintf(why, len, "%s: %s", f->url, prob);
	if (r->err == HTTP_E_TOO_BIG || r->err == HTTP_E_REDIRECT)
		return GRADE_FAIL;
	if (r->err != HTTP_E_NONE || r->status == 408 || r->status == 429 || r->status >= 500 ||
	    r->status == 0)
		return GRADE_ERROR;
	if (r->status == 200)
		return GRADE_OK;
	if (r->status >= 300 && r->status < 400)
		snprintf(why, len, "%s answered HTTP %ld, a redirect", f->url, r->status);
	return GRADE_FAIL;
}

/* True when the response's media type is type (parameters ignored). */
static bool media_type_is(const struct http_resp *r, const char *type)
{
	if (!r->content_type)
		return false;
	const char *c = r->content_type;
	while (*c == ' ')
		c++;
	size_t n = strcspn(c, "; ");
	return n == strlen(type) && strncasecmp(c, type, n) == 0;
}

static const char *const remedy_fetch =
    "Check that this host can reach the server over HTTPS (firewall, proxy, DNS) and that the server answers "
    "with a certificate valid for its name; then run the audit again.";

static void add_fetch_data(cJSON *o, const struct fetch *f)
{
	JSON_STR(o, "url", f->url);
	if (f->resp && f->resp->err == HTTP_E_NONE) {
		JSON_NUM(o, "http_status", (double)f->resp->status);
		json_add_str(o, "content_type", f->resp->content_type);
		JSON_NUM(o, "bytes", (double)f->resp->len);
	}
}

/* ------------------------------------------------------------ IN_MTASTS */

struct mtasts {
	char *txt_name;
	const struct dns_answer *txt;
	size_t nrec;
	const struct dns_rr *rec; /* the record when nrec == 1 */
	bool near_miss;           /* a TXT record looks like MTA-STS but is not one */
	struct mta_sts_record r;
	struct http *h;
	struct fetch policy; /* url set when the record is valid */
	bool parsed;
	struct mta_sts_policy pol;
};

static bool sts_near_miss(const struct dns_answer *ans)
{
	for (size_t i = 0; ans->status == DNS_OK && i < ans->rr_count; i++)
		if (ans->rrs[i].txt && ans->rrs[i].txt_len >= 5 &&
		    strncasecmp(ans->rrs[i].txt, "v=sts", 5) == 0 &&
		    !mta_sts_is_record(ans->rrs[i].txt, ans->rrs[i].txt_len))
			return true;
	return false;
}

static void *mtasts_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct mtasts *m = xcalloc(1, sizeof *m);
	m->txt_name = xasprintf("_mta-sts.%s", a->t->domain);
	m->txt = lookup(a, m->txt_name, DNS_T_TXT);
	m->nrec = count_records(m->txt, mta_sts_is_record, &m->rec);
	m->near_miss = sts_near_miss(m->txt);
	if (m->nrec != 1 || mta_sts_record_parse(m->rec->txt, m->rec->txt_len, &m->r) < 0)
		return m;
	/* RFC 8461 3.3: no redirects, and no caching (we keep nothing) */
	m->h = http_for(a, MTASTS_MAX_BODY, true, "text/plain");
	m->policy.url = xasprintf("https://mta-sts.%s/.well-known/mta-sts.txt", a->t->domain);
	fetch_start(a, m->h, &m->policy);
	while (m->h && http_next(m->h))
		;
	if (m->policy.resp && m->policy.resp->err == HTTP_E_NONE && m->policy.resp->status == 200) {
		mta_sts_policy_parse(m->policy.resp->body ? m->policy.resp->body : "", m->policy.resp->len,
		                     &m->pol);
		m->parsed = true;
	}
	return m;
}

static void mtasts_free(void *v)
{
	struct mtasts *m = v;
	free(m->txt_name);
	fetch_free(&m->policy);
	mta_sts_policy_free(&m->pol);
	http_free(m->h);
	free(m);
}

const struct input_def input_mtasts = {
    .id = IN_MTASTS, .name = "the MTA-STS record and policy", .compute = mtasts_compute, .free = mtasts_free};

/* ------------------------------------------------------------ domain.mtasts */

static const char *remedy_sts_record =
    "Publish exactly one TXT record at _mta-sts.%s such as \"v=STSv1; id=20250101T000000;\" "
    "(change the id whenever the policy changes), or remove it.";

/* The MX hosts against the patterns; appends to j. */
static void sts_match_mx(struct judge *j, const struct mtasts *m, const struct mx_facts *mx, cJSON *data)
{
	const struct mta_sts_policy *p = &m->pol;
	cJSON *arr = JSON_ARR(data, "mx_hosts");
	if (!dns_status_answered(mx->mx->status)) {
		judge_add(j, STATUS_ERROR, NULL,
		          "the MX lookup of %s failed (%s), so the hosts could not be matched", mx->domain,
		          dns_answer_why(mx->mx));
		return;
	}
	if (mx->n == 0) {
		judge_add(j, STATUS_PASS, NULL, "%s has no MX host to match against the policy", mx->domain);
		return;
	}
	size_t unmatched = 0;
	const char *first = NULL;
	for (size_t i = 0; i < mx->n; i++) {
		long k = mta_sts_policy_match(p, mx->hosts[i]->name);
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "host", mx->hosts[i]->name);
		json_add_str(o, "pattern", k >= 0 ? p->mx[k] : NULL);
		cJSON_AddItemToArray(arr, o);
		if (k < 0 && !unmatched++)
			first = mx->hosts[i]->name;
	}
	if (!unmatched)
		return;
	bool enforce = p->mode == MTA_STS_ENFORCE;
	char *rem =
	    xasprintf("Add \"mx: %s\" (or a *. pattern covering it) to the policy at %s, or point the MX "
	              "record elsewhere; then change the id= of _mta-sts.%s.",
	              first, m->policy.url, mx->domain);
	judge_add(j, enforce ? STATUS_FAIL : STATUS_WARN, rem,
	          "%zu MX host%s of %s match%s no mx: pattern of the policy (%s)%s", unmatched,
	          unmatched == 1 ? "" : "s", mx->domain, unmatched == 1 ? "es" : "", first,
	          enforce ? ": senders that apply MTA-STS refuse to deliver to it" : "");
	free(rem);
}

static void sts_policy_verdict(struct judge *j, const struct audit *a, const struct mtasts *m,
                               const struct mx_facts *mx, cJSON *data)
{
	const struct mta_sts_policy *p = &m->pol;
	const char *dom = a->t->domain;
	char *rem;
	if (!media_type_is(m->policy.resp, "text/plain")) {
		rem = xasprintf("Serve %s with \"Content-Type: text/plain\".", m->policy.url);
		judge_add(j, STATUS_FAIL, rem,
		          "the policy is served as %s, not text/plain: senders discard it (RFC 8461 3.2)",
		          m->policy.resp->content_type ? m->policy.resp->content_type : "no media type");
		free(rem);
	}
	if (!p->valid) {
		struct strbuf all = {0};
		for (size_t i = 0; i < p->error_count; i++)
			sb_sep_printf(&all, "; ", "%s", p->errors[i]);
		if (p->errors_dropped)
			sb_sep_printf(&all, "; ", "%zu more problems", p->errors_dropped);
		rem = xasprintf(
		    "Serve a policy of \"key: value\" lines at %s: version: STSv1, mode: testing or enforce, "
		    "one mx: line per MX host (or *.pattern), max_age: 604800.",
		    m->policy.url);
		judge_add(j, STATUS_FAIL, rem, "the policy is invalid: %s", sb_str(&all));
		free(rem);
		sb_free(&all);
		return;
	}
	for (size_t i = 0; i < p->note_count; i++)
		judge_add(j, STATUS_PASS, NULL, "policy: %s", p->notes[i]);
	if (p->mode == MTA_STS_NONE) {
		if (j->st == STATUS_PASS)
			judge_set(j, STATUS_INFO,
			          "MTA-STS policy in mode none: MTA-STS is being withdrawn, senders apply no "
			          "policy");
		return;
	}
	sts_match_mx(j, m, mx, data);
	if (p->mode == MTA_STS_TESTING) {
		rem = xasprintf("Once the TLS reports (TLS-RPT, _smtp._tls.%s) show no failures, set "
		                "\"mode: enforce\" in the policy and change the id= of _mta-sts.%s.",
		                dom, dom);
		judge_add(j, STATUS_WARN, rem,
		          "mode testing: senders report TLS failures but deliver anyway");
		free(rem);
	}
	if (p->max_age < MTASTS_MIN_AGE) {
		rem = xasprintf("Set max_age to a week or more (604800) in the policy at %s.", m->policy.url);
		judge_add(j, STATUS_WARN, rem,
		          "max_age %lld is under a day: senders forget the policy quickly, and an attacker "
		          "who blocks its refresh removes it (RFC 8461 3.2 expects weeks)",
		          p->max_age);
		free(rem);
	}
}

static void mtasts_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct mtasts *m = input_get(in, IN_MTASTS);
	const char *dom = a->t->domain;
	struct finding *f;
	struct judge j;
	char why[400];
	if (!dns_status_answered(m->txt->status)) {
		f = add_lookup_error(a, out, "domain.mtasts", NULL, "MTA-STS", m->txt);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	cJSON *data = cJSON_CreateObject();
	if (m->nrec == 0 && m->near_miss) {
		judge_init(&j, STATUS_FAIL,
		           "a TXT record at %s looks like MTA-STS but does not start with \"v=STSv1\" (case "
		           "matters): senders ignore it",
		           m->txt_name);
		char *rem = xasprintf(remedy_sts_record, dom);
		judge_add(&j, STATUS_FAIL, rem,
		          "RFC 8461 3.1 discards records that do not begin with v=STSv1");
		free(rem);
	} else if (m->nrec == 0) {
		judge_init(&j, STATUS_INFO, "no MTA-STS record at %s: senders deliver with opportunistic TLS",
		           m->txt_name);
	} else if (m->nrec > 1) {
		judge_init(&j, STATUS_FAIL,
		           "%zu MTA-STS records at %s: senders ignore them all (RFC 8461 3.1)", m->nrec,
		           m->txt_name);
		char *rem = xasprintf(remedy_sts_record, dom);
		judge_add(&j, STATUS_FAIL, rem, "exactly one record beginning with v=STSv1 may be published");
		free(rem);
	} else if (!m->r.valid) {
		judge_init(&j, STATUS_FAIL, "invalid MTA-STS record at %s: %s", m->txt_name, m->r.error);
		char *rem = xasprintf(remedy_sts_record, dom);
		judge_add(&j, STATUS_FAIL, rem,
		          "senders treat an invalid record as no policy (RFC 8461 3.1)");
		free(rem);
	} else {
		enum grade g = fetch_grade(&m->policy, why, sizeof why);
		if (g == GRADE_ERROR) {
			judge_init(&j, STATUS_ERROR,
			           "Could not check MTA-STS: the policy could not be fetched");
			judge_add(&j, STATUS_ERROR, remedy_fetch, "%s", why);
		} else if (g == GRADE_FAIL) {
			judge_init(&j, STATUS_FAIL,
			           "the MTA-STS policy of %s cannot be fetched: senders apply none", dom);
			char *rem = xasprintf(
			    "Serve the policy at %s over HTTPS, directly (RFC 8461 3.3: no redirects), as "
			    "text/plain of at most 64 KiB, with a certificate valid for mta-sts.%s.",
			    m->policy.url, dom);
			judge_add(&j, STATUS_FAIL, rem, "%s", why);
			free(rem);
		} else {
			judge_init(&j, STATUS_PASS,
			           "MTA-STS policy in %s mode (id %s), every MX host matches it",
			           mta_sts_mode_name(m->pol.mode), m->r.id);
			sts_policy_verdict(&j, a, m, input_get(in, IN_DOMAIN_MX), data);
		}
	}
	f = judge_finding(&j, out, "domain.mtasts");
	cJSON_Delete(f->data);
	f->data = data;
	JSON_STR(data, "domain", dom);
	JSON_NUM(data, "records", (double)m->nrec);
	add_txt(data, "record", m->nrec == 1 ? m->rec : NULL);
	if (m->policy.url)
		add_fetch_data(JSON_OBJ(data, "policy_fetch"), &m->policy);
	if (m->parsed) {
		cJSON *p = JSON_OBJ(data, "policy");
		JSON_BOOL(p, "valid", m->pol.valid);
		JSON_STR(p, "mode", mta_sts_mode_name(m->pol.mode));
		if (m->pol.max_age >= 0)
			JSON_NUM(p, "max_age", (double)m->pol.max_age);
		else
			JSON_NULL(p, "max_age");
		JSON_NUM(p, "mx_patterns", (double)m->pol.mx_count);
		JSON_ITEM(p, "mx", json_str_array(m->pol.mx, m->pol.mx_count < 20 ? m->pol.mx_count : 20));
		JSON_ITEM(p, "errors", json_str_array(m->pol.errors, m->pol.error_count));
	}
}

/* ------------------------------------------------------------ IN_TLSRPT */

struct tlsrpt_in {
	char *name;
	const struct dns_answer *txt;
	size_t nrec;
	const struct dns_rr *rec;
	struct tlsrpt_record r;
	bool parsed;
};

static void *tlsrpt_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct tlsrpt_in *t = xcalloc(1, sizeof *t);
	t->name = xasprintf("_smtp._tls.%s", a->t->domain);
	t->txt = lookup(a, t->name, DNS_T_TXT);
	t->nrec = count_records(t->txt, tlsrpt_is_record, &t->rec);
	if (t->nrec == 1) {
		tlsrpt_parse(t->rec->txt, t->rec->txt_len, &t->r);
		t->parsed = true;
	}
	return t;
}

static void tlsrpt_in_free(void *v)
{
	struct tlsrpt_in *t = v;
	free(t->name);
	tlsrpt_free(&t->r);
	free(t);
}

const struct input_def input_tlsrpt = {
    .id = IN_TLSRPT, .name = "the TLS-RPT record", .compute = tlsrpt_compute, .free = tlsrpt_in_free};

static void tlsrpt_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct tlsrpt_in *t = input_get(in, IN_TLSRPT);
	const char *dom = a->t->domain;
	struct finding *f;
	if (!dns_status_answered(t->txt->status)) {
		f = add_lookup_error(a, out, "domain.tlsrpt", NULL, "TLS-RPT", t->txt);
	} else if (t->nrec == 0) {
		f = findings_add(out, "domain.tlsrpt", NULL, STATUS_INFO,
		                 "no TLS-RPT record at %s: senders report no TLS failures to %s", t->name,
		                 dom);
		finding_set_detail(
		    f,
		    "With MTA-STS or DANE, TLS reports (RFC 8460) say which senders failed to deliver and "
		    "why; publish \"v=TLSRPTv1; rua=mailto:tlsrpt@%s\" at %s to receive them.",
		    dom, t->name);
	} else if (t->nrec > 1) {
		f = findings_add(out, "domain.tlsrpt", NULL, STATUS_FAIL,
		                 "%zu TLS-RPT records at %s: senders use none of them (RFC 8460 3)", t->nrec,
		                 t->name);
		finding_set_remedy(f, "Keep exactly one TXT record starting with v=TLSRPTv1 at %s.", t->name);
	} else if (!t->r.valid) {
		f = findings_add(out, "domain.tlsrpt", NULL, STATUS_FAIL, "invalid TLS-RPT record at %s: %s",
		                 t->name, t->r.error);
		finding_set_remedy(
		    f,
		    "Publish \"v=TLSRPTv1; rua=mailto:tlsrpt@%s\" at %s (rua= takes mailto: and https: "
		    "URIs, separated by commas).",
		    dom, t->name);
	} else {
		f = findings_add(out, "domain.tlsrpt", NULL, STATUS_PASS,
		                 "TLS reports go to %zu destination%s", t->r.rua_count,
		                 t->r.rua_count == 1 ? "" : "s");
	}
	JSON_STR(f->data, "domain", dom);
	add_txt(f->data, "record", t->nrec == 1 ? t->rec : NULL);
	cJSON *arr = JSON_ARR(f->data, "rua");
	for (size_t i = 0; t->parsed && i < t->r.rua_count; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(t->r.rua[i].text));
}

/* ------------------------------------------------------------ IN_BIMI */

struct bimi_in {
	char *names[2]; /* default._bimi.DOMAIN, then the org domain's */
	const struct dns_answer *ans[2];
	size_t asked;                     /* names looked up */
	const struct dns_answer *failure; /* a lookup that failed before a record was found */
	long at;                          /* names[at] holds the record(s), or -1 */
	size_t nrec;
	const struct dns_rr *rec;
	struct bimi_record r;
	bool parsed;
};

static void *bimi_compute(const struct audit *a, const struct inputs *in)
{
	struct bimi_in *b = xcalloc(1, sizeof *b);
	b->at = -1;
	b->names[0] = xasprintf("default._bimi.%s", a->t->domain);
	prefetch(a, b->names[0], DNS_T_TXT);
	struct dmarc_facts v;
	dmarc_policy_facts(input_get(in, IN_DMARC), &v);
	if (v.org && strcmp(v.org, a->t->domain) != 0)
		b->names[1] = xasprintf("default._bimi.%s", v.org);
	/* draft 7.2: the author domain's records, else the organizational domain's */
	for (size_t i = 0; i < 2 && b->names[i] && b->at < 0 && !b->failure; i++) {
		b->ans[i] = lookup(a, b->names[i], DNS_T_TXT);
		b->asked = i + 1;
		if (!dns_status_answered(b->ans[i]->status)) {
			b->failure = b->ans[i];
			break;
		}
		b->nrec = count_records(b->ans[i], bimi_is_record, &b->rec);
		if (b->nrec)
			b->at = (long)i;
	}
	if (b->nrec == 1) {
		bimi_parse(b->rec->txt, b->rec->txt_len, &b->r);
		b->parsed = true;
	}
	return b;
}

static void bimi_in_free(void *v)
{
	struct bimi_in *b = v;
	free(b->names[0]);
	free(b->names[1]);
	bimi_free(&b->r);
	free(b);
}

const struct input_def input_bimi = {.id = IN_BIMI,
                                     .name = "the BIMI record",
                                     .needs = NEED(IN_DMARC),
                                     .compute = bimi_compute,
                                     .free = bimi_in_free};

/* IN_BIMI_FILES: the logo (l=) and the evidence document (a=), fetched at
 * once over HTTPS (redirects to https followed). */
struct bimi_files {
	struct http *h;
	struct fetch logo, vmc;
	struct bimi_svg svg;
	bool svg_checked;
	struct vmc_result cert;
	bool cert_checked;
};

static void *bimi_files_compute(const struct audit *a, const struct inputs *in)
{
	const struct bimi_in *b = input_get(in, IN_BIMI);
	struct bimi_files *bf = xcalloc(1, sizeof *bf);
	if (!b->parsed || !b->r.valid || (!b->r.l && !b->r.a))
		return bf;
	bf->h = http_for(a, BIMI_MAX_BODY, false, NULL);
	if (b->r.l) {
		bf->logo.url = xstrdup(b->r.l);
		fetch_start(a, bf->h, &bf->logo);
	}
	if (b->r.a) {
		bf->vmc.url = xstrdup(b->r.a);
		fetch_start(a, bf->h, &bf->vmc);
	}
	while (bf->h && http_next(bf->h))
		;
	const struct http_resp *r = bf->logo.resp;
	if (r && r->err == HTTP_E_NONE && r->status == 200) {
		bimi_svg_check(r->body ? r->body : "", r->len, &bf->svg);
		bf->svg_checked = true;
	}
	r = bf->vmc.resp;
	if (r && r->err == HTTP_E_NONE && r->status == 200) {
		struct dmarc_facts v;
		dmarc_policy_facts(input_get(in, IN_DMARC), &v);
		const char *doms[2] = {a->t->domain, v.org};
		vmc_check(r->body ? r->body : "", r->len, doms, 2, time(NULL), NULL, &bf->cert);
		bf->cert_checked = true;
	}
	return bf;
}

static void bimi_files_free(void *v)
{
	struct bimi_files *bf = v;
	fetch_free(&bf->logo);
	fetch_free(&bf->vmc);
	bimi_svg_free(&bf->svg);
	vmc_result_free(&bf->cert);
	http_free(bf->h);
	free(bf);
}

const struct input_def input_bimi_files = {.id = IN_BIMI_FILES,
                                           .name = "the BIMI logo and mark certificate",
                                           .needs = NEED(IN_BIMI) | NEED(IN_DMARC),
                                           .compute = bimi_files_compute,
                                           .free = bimi_files_free};

/* ------------------------------------------------------------ domain.bimi */

/* Why the DMARC policy is not at enforcement as BIMI requires (draft 7.1:
 * not p=none or sp=none for the author or organizational domain, and
 * quarantine only at pct=100), or NULL when it is. */
static const char *bimi_dmarc_problem(const struct dmarc_facts *v, char *buf, size_t len)
{
	if (!v->r) {
		snprintf(buf, len, "no DMARC policy applies to %s", v->domain);
		return buf;
	}
	const struct dmarc_record *recs[2] = {v->r, v->org_r};
	for (int k = 0; k < 2 && recs[k]; k++) {
		const struct dmarc_record *r = recs[k];
		const char *where = k == 0 ? v->record_domain : v->org;
		bool applied_sp =
		    k == 0 && !v->own && r->sp != DMARC_POL_ABSENT && r->sp != DMARC_POL_INVALID;
		enum dmarc_pol pol = r->p_as_none ? DMARC_POL_NONE : applied_sp ? r->sp : r->p;
		if (pol == DMARC_POL_NONE || pol == DMARC_POL_ABSENT || pol == DMARC_POL_INVALID)
			snprintf(buf, len, "the DMARC policy at _dmarc.%s is %s=none", where,
			         applied_sp ? "sp" : "p");
		else if (r->sp == DMARC_POL_NONE)
			snprintf(buf, len, "the DMARC record at _dmarc.%s has sp=none", where);
		else if (pol == DMARC_POL_QUARANTINE && r->pct >= 0 && r->pct < 100)
			snprintf(buf, len, "the DMARC record at _dmarc.%s quarantines only pct=%d%%", where,
			         r->pct);
		else if (r->testing)
			snprintf(buf, len, "the DMARC record at _dmarc.%s is in testing mode (t=y)", where);
		else
			continue;
		return buf;
	}
	return NULL;
}

static void bimi_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct bimi_in *b = input_get(in, IN_BIMI);
	const char *dom = a->t->domain;
	struct finding *f;
	char buf[200];
	if (b->failure) {
		f = add_lookup_error(a, out, "domain.bimi", NULL, "BIMI", b->failure);
	} else if (b->at < 0) {
		f = findings_add(out, "domain.bimi", NULL, STATUS_INFO,
		                 "no BIMI record at %s%s%s: no logo is shown", b->names[0],
		                 b->names[1] ? " or " : "", b->names[1] ? b->names[1] : "");
	} else if (b->nrec > 1) {
		f = findings_add(out, "domain.bimi", NULL, STATUS_FAIL,
		                 "%zu BIMI records at %s: receivers use none", b->nrec, b->names[b->at]);
		finding_set_remedy(f, "Keep exactly one TXT record starting with v=BIMI1 at %s.",
		                   b->names[b->at]);
	} else if (!b->r.valid) {
		f = findings_add(out, "domain.bimi", NULL, STATUS_FAIL, "invalid BIMI record at %s: %s",
		                 b->names[b->at], b->r.error);
		finding_set_remedy(
		    f,
		    "Publish \"v=BIMI1; l=https://%s/logo.svg; a=https://%s/vmc.pem\" at %s (v=BIMI1 "
		    "first, one https URI in each of l= and a=).",
		    dom, dom, b->names[b->at]);
	} else if (b->r.declined) {
		f = findings_add(out, "domain.bimi", NULL, STATUS_INFO,
		                 "the BIMI record at %s declines to publish a logo", b->names[b->at]);
	} else {
		struct dmarc_facts v;
		dmarc_policy_facts(input_get(in, IN_DMARC), &v);
		const char *why = v.failure ? NULL : bimi_dmarc_problem(&v, buf, sizeof buf);
		if (v.failure) {
			f = add_lookup_error(a, out, "domain.bimi", NULL, "the DMARC policy BIMI depends on",
			                     v.failure);
		} else if (why) {
			f = findings_add(out, "domain.bimi", NULL, STATUS_FAIL,
			                 "BIMI record published, but %s: receivers show the logo only under "
			                 "a DMARC policy at enforcement",
			                 why);
			finding_set_remedy(
			    f,
			    "Move the DMARC policy at _dmarc.%s to p=quarantine (with pct=100) or p=reject, "
			    "with no sp=none, once the DMARC reports show your mail passes; until then the "
			    "BIMI record has no effect.",
			    v.record_domain ? v.record_domain
			    : v.org         ? v.org
			                    : dom);
		} else if (!b->r.a) {
			f = findings_add(
			    out, "domain.bimi", NULL, STATUS_WARN,
			    "BIMI record without a mark certificate (a=): Gmail and Apple Mail show no logo");
			finding_set_remedy(
			    f,
			    "Obtain a Verified or Common Mark Certificate for the logo and add "
			    "a=https://URL-of-the-certificate.pem to the record at %s.",
			    b->names[b->at]);
		} else {
			f = findings_add(
			    out, "domain.bimi", NULL, STATUS_PASS,
			    "BIMI record with a logo and a mark certificate, DMARC at enforcement");
		}
		if (b->at == 1)
			finding_set_detail(
			    f, "%s has no record of its own; the organizational domain's at %s applies.", dom,
			    b->names[1]);
	}
	JSON_STR(f->data, "domain", dom);
	json_add_str(f->data, "record_name", b->at >= 0 ? b->names[b->at] : NULL);
	add_txt(f->data, "record", b->nrec == 1 ? b->rec : NULL);
	json_add_str(f->data, "logo", b->parsed ? b->r.l : NULL);
	json_add_str(f->data, "evidence", b->parsed ? b->r.a : NULL);
	if (b->parsed && b->r.note_count)
		JSON_ITEM(f->data, "notes", json_str_array(b->r.notes, b->r.note_count));
}

/* The record's status for the file checks: NULL when there is a file to
 * look at, else the skip reason. */
static const char *bimi_skip_reason(const struct bimi_in *b, bool logo)
{
	if (b->failure || b->at < 0 || !b->parsed || !b->r.valid)
		return "no usable BIMI record (see domain.bimi)";
	if (logo && !b->r.l)
		return "the BIMI record names no logo (l=)";
	if (!logo && !b->r.a)
		return "the BIMI record names no mark certificate (a=)";
	return NULL;
}

static void bimi_logo_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct bimi_in *b = input_get(in, IN_BIMI);
	const char *skip = bimi_skip_reason(b, true);
	if (skip) {
		findings_add(out, "domain.bimi.logo", NULL, STATUS_SKIP, "%s", skip);
		return;
	}
	const struct bimi_files *bf = input_get(in, IN_BIMI_FILES);
	struct judge j;
	char why[400];
	enum grade g = fetch_grade(&bf->logo, why, sizeof why);
	if (g == GRADE_ERROR) {
		judge_init(&j, STATUS_ERROR, "Could not check the BIMI logo: it could not be fetched");
		judge_add(&j, STATUS_ERROR, remedy_fetch, "%s", why);
	} else if (g == GRADE_FAIL) {
		judge_init(&j, STATUS_FAIL, "the BIMI logo cannot be fetched: receivers show nothing");
		char *rem = xasprintf(
		    "Serve the SVG logo at %s over HTTPS (at most %d bytes), or correct l= in the BIMI "
		    "record.",
		    bf->logo.url, BIMI_SVG_MAX);
		judge_add(&j, STATUS_FAIL, rem, "%s", why);
		free(rem);
	} else {
		const struct bimi_svg *s = &bf->svg;
		judge_init(&j, STATUS_PASS,
		           "the BIMI logo is an SVG Tiny PS document of %zu bytes (basic profile checks)",
		           bf->logo.resp->len);
		const char *rem =
		    "Export the logo as SVG Tiny Portable/Secure (version=\"1.2\" baseProfile=\"tiny-ps\", a "
		    "<title>, no scripts, links, images, animation or outside references, at most 32 KB) "
		    "and serve it at the l= URL.";
		for (size_t i = 0; i < s->problem_count; i++)
			judge_add(&j, STATUS_FAIL, rem, "%s", s->problems[i]);
		if (s->problem_count)
			judge_set(&j, STATUS_FAIL, "the BIMI logo is not SVG Tiny PS: %s", s->problems[0]);
		for (size_t i = 0; i < s->note_count; i++)
			judge_add(&j, STATUS_WARN,
			          "Give the logo a square viewBox (e.g. viewBox=\"0 0 512 512\").", "%s",
			          s->notes[i]);
		if (!media_type_is(bf->logo.resp, "image/svg+xml"))
			judge_add(&j, STATUS_WARN, "Serve the logo with \"Content-Type: image/svg+xml\".",
			          "the logo is served as %s, not image/svg+xml",
			          bf->logo.resp->content_type ? bf->logo.resp->content_type
			                                      : "no media type");
	}
	struct finding *f = judge_finding(&j, out, "domain.bimi.logo");
	add_fetch_data(f->data, &bf->logo);
	if (bf->svg_checked) {
		JSON_BOOL(f->data, "tiny_ps", bf->svg.tiny_ps);
		JSON_BOOL(f->data, "title", bf->svg.title);
		JSON_ITEM(f->data, "problems", json_str_array(bf->svg.problems, bf->svg.problem_count));
	}
}

static void date_text(time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(buf, len, "%Y-%m-%d", &tm);
	else
		snprintf(buf, len, "?");
}

static void bimi_vmc_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct bimi_in *b = input_get(in, IN_BIMI);
	const char *skip = bimi_skip_reason(b, false);
	if (skip) {
		findings_add(out, "domain.bimi.vmc", NULL, STATUS_SKIP, "%s", skip);
		return;
	}
	const struct bimi_files *bf = input_get(in, IN_BIMI_FILES);
	const struct vmc_result *c = &bf->cert;
	const char *dom = a->t->domain;
	struct judge j;
	char why[400], d1[16], d2[16];
	enum grade g = fetch_grade(&bf->vmc, why, sizeof why);
	const char *renew =
	    "Obtain a Verified (or Common) Mark Certificate for the domain from a mark verifying "
	    "authority and publish its PEM chain at the a= URL of the BIMI record.";
	if (g == GRADE_ERROR) {
		judge_init(&j, STATUS_ERROR, "Could not check the mark certificate: it could not be fetched");
		judge_add(&j, STATUS_ERROR, remedy_fetch, "%s", why);
	} else if (g == GRADE_FAIL) {
		judge_init(&j, STATUS_FAIL,
		           "the mark certificate cannot be fetched: receivers that need one show no logo");
		judge_add(&j, STATUS_FAIL, renew, "%s", why);
	} else if (!c->parsed) {
		judge_init(&j, STATUS_FAIL, "the a= document is not a PEM certificate: %s", c->error);
		judge_add(&j, STATUS_FAIL, renew, "%s holds no certificate", bf->vmc.url);
	} else {
		date_text(c->not_before, d1, sizeof d1);
		date_text(c->not_after, d2, sizeof d2);
		judge_init(&j, STATUS_PASS, "mark certificate for %s, valid until %s, chain verified", dom,
		           d2);
		if (c->expired)
			judge_add(&j, STATUS_FAIL, renew, "the mark certificate expired on %s", d2);
		if (c->not_yet_valid)
			judge_add(&j, STATUS_FAIL, renew, "the mark certificate is not valid before %s", d1);
		if (!c->bimi_eku)
			judge_add(&j, STATUS_FAIL, renew,
			          "the certificate lacks the BIMI extended key usage (1.3.6.1.5.5.7.3.31): "
			          "it is no mark certificate");
		if (!c->names_domain)
			judge_add(&j, STATUS_FAIL, renew,
			          "the certificate does not name %s in its subjectAltName", dom);
		if (!c->logotype)
			judge_add(&j, STATUS_WARN, renew,
			          "the certificate carries no logotype extension (RFC 3709), where receivers "
			          "find the mark");
		if (c->chain == VMC_CHAIN_BAD)
			judge_add(&j, STATUS_FAIL, renew, "the chain does not verify: %s", c->chain_error);
		else if (c->chain == VMC_CHAIN_UNKNOWN_ISSUER)
			judge_add(&j, STATUS_INFO, NULL,
			          "its issuer (%s) is not in this system's trust store: mark verifying "
			          "authorities' roots are not, so the chain needs a mark verifier's data to "
			          "check (%s)",
			          c->issuer, c->chain_error);
		/* all else in order, the chain unknown: no problem, but no pass */
		if (j.st == STATUS_PASS && c->chain == VMC_CHAIN_UNKNOWN_ISSUER)
			judge_set(&j, STATUS_INFO,
			          "mark certificate for %s, valid until %s; its chain cannot be checked here",
			          dom, d2);
	}
	struct finding *f = judge_finding(&j, out, "domain.bimi.vmc");
	add_fetch_data(f->data, &bf->vmc);
	if (c->parsed) {
		JSON_STR(f->data, "subject", c->subject);
		JSON_STR(f->data, "issuer", c->issuer);
		JSON_STR(f->data, "not_after", d2);
		JSON_BOOL(f->data, "bimi_eku", c->bimi_eku);
		JSON_ITEM(f->data, "dns_names", json_str_array(c->san, c->san_count));
		JSON_STR(f->data, "chain",
		         c->chain == VMC_CHAIN_OK               ? "verified"
		         : c->chain == VMC_CHAIN_UNKNOWN_ISSUER ? "unknown issuer"
		                                                : "invalid");
	}
}

/* ------------------------------------------------------------ IN_DNSSEC */

/* What the signatures came to, when they were checked here. */
enum proof {
	PROOF_NONE,       /* not checked (no DS, or nothing to check) */
	PROOF_BOGUS,      /* the chain is broken: proven */
	PROOF_VERIFIES,   /* DS, DNSKEY and SOA signatures verify here */
	PROOF_UNREADABLE, /* nothing can be proven (unknown algorithm ...) */
};

struct zone {
	char *names[ZONE_NAMES]; /* the domain, up to its registrable domain */
	size_t n;
	const struct dns_answer *soa[ZONE_NAMES], *dnskey[ZONE_NAMES], *ds[ZONE_NAMES];
	long apex;                        /* the zone's apex (SOA or DNSKEY found), or -1 */
	bool is_signed;                   /* the apex has a DNSKEY set */
	long ds_only;                     /* names[ds_only] has a DS but no DNSKEY, or -1 */
	const struct dns_answer *failure; /* a lookup that failed and was not explained */
	long failed_at;                   /* where a validating resolver failed, or -1 */
	enum proof proof;
	char why[400];
};

static void zone_names(const struct audit *a, struct zone *z)
{
	char *reg = psl_registrable_new(a->psl, a->t->domain);
	const char *d = a->t->domain;
	while (d && z->n < ZONE_NAMES) {
		z->names[z->n++] = xstrdup(d);
		if (!reg || strcmp(d, reg) == 0)
			break;
		d = strchr(d, '.');
		d = d ? d + 1 : NULL;
	}
	free(reg);
}

static bool is_apex(const struct dns_answer *soa)
{
	return soa->status == DNS_OK && soa->cname_count == 0;
}

/* Verifies the zone's chain from its DS (see lib/records/dnssec.h). */
static void zone_verify(struct zone *z, const struct dns_answer *ds, const struct dns_answer *dnskey,
                        const struct dns_answer *soa)
{
	int rc = dnssec_verify_chain(ds, dnskey, soa, time(NULL), z->why, sizeof z->why);
	z->proof = rc == 0 ? PROOF_VERIFIES : rc == -1 ? PROOF_BOGUS : PROOF_UNREADABLE;
}

/* A validating resolver failed for names[i]: the same questions again
 * with checking disabled tell a broken chain (the data comes, and fails
 * verification here) from a broken server (it fails again). Returns true
 * when names[i] turns out to be no zone of its own (the walk goes on). */
static bool zone_examine(const struct audit *a, struct zone *z, size_t i)
{
	const char *name = z->names[i];
	unsigned cd = DNS_Q_DO | DNS_Q_CD;
	resolver_prefetch_ex(a->dns, name, DNS_T_DNSKEY, cd);
	resolver_prefetch_ex(a->dns, name, DNS_T_DS, cd);
	resolver_prefetch_ex(a->dns, name, DNS_T_SOA, cd);
	z->failed_at = (long)i;
	if (!z->failure)
		z->failure = !dns_status_answered(z->dnskey[i]->status) ? z->dnskey[i] : z->soa[i];
	const struct dns_answer *dk = resolver_query_ex(a->dns, name, DNS_T_DNSKEY, cd),
	                        *ds = resolver_query_ex(a->dns, name, DNS_T_DS, cd),
	                        *soa = resolver_query_ex(a->dns, name, DNS_T_SOA, cd);
	if (!dns_status_answered(dk->status) || !dns_status_answered(ds->status) ||
	    !dns_status_answered(soa->status)) {
		snprintf(z->why, sizeof z->why,
		         "asked again with checking disabled, it fails as well: the servers of %s cannot be "
		         "reached, which proves nothing about their signatures",
		         name);
		return false;
	}
	if (dk->status != DNS_OK && ds->status == DNS_OK) {
		z->proof = PROOF_BOGUS;
		snprintf(z->why, sizeof z->why, "the parent publishes a DS for %s, but %s has no DNSKEY",
		         name, name);
		return false;
	}
	if (dk->status != DNS_OK) {
		snprintf(z->why, sizeof z->why,
		         "with checking disabled %s has no DNSKEY and no DS: the fault lies with the proof "
		         "that it is unsigned, in %s",
		         name, is_apex(soa) ? "its parent" : "an enclosing zone");
		return !is_apex(soa);
	}
	if (ds->status != DNS_OK || soa->status != DNS_OK) {
		snprintf(z->why, sizeof z->why,
		         "with checking disabled %s has keys, but %s to check them against", name,
		         ds->status != DNS_OK ? "no DS" : "no SOA");
		return false;
	}
	zone_verify(z, ds, dk, soa);
	if (z->proof == PROOF_VERIFIES)
		snprintf(z->why, sizeof z->why,
		         "yet the data it refused verifies here (the DS, DNSKEY and SOA signatures of %s): "
		         "the fault may lie above %s, or in the resolver",
		         name, name);
	return false;
}

static void *dnssec_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct zone *z = xcalloc(1, sizeof *z);
	z->apex = z->ds_only = z->failed_at = -1;
	zone_names(a, z);
	for (size_t i = 0; i < z->n; i++) {
		resolver_prefetch_ex(a->dns, z->names[i], DNS_T_SOA, DNS_Q_DO);
		resolver_prefetch_ex(a->dns, z->names[i], DNS_T_DNSKEY, DNS_Q_DO);
		resolver_prefetch_ex(a->dns, z->names[i], DNS_T_DS, DNS_Q_DO);
	}
	/* The zone: the longest of the names with a DNSKEY set or an SOA. */
	for (size_t i = 0; i < z->n; i++) {
		z->soa[i] = resolver_query_ex(a->dns, z->names[i], DNS_T_SOA, DNS_Q_DO);
		z->dnskey[i] = resolver_query_ex(a->dns, z->names[i], DNS_T_DNSKEY, DNS_Q_DO);
		z->ds[i] = resolver_query_ex(a->dns, z->names[i], DNS_T_DS, DNS_Q_DO);
		if (z->dnskey[i]->status == DNS_OK) {
			z->apex = (long)i;
			z->is_signed = true;
			break;
		}
		if (!dns_status_answered(z->dnskey[i]->status) || !dns_status_answered(z->soa[i]->status)) {
			if (zone_examine(a, z, i))
				continue;
			break;
		}
		if (z->ds[i]->status == DNS_OK) {
			z->ds_only = (long)i;
			break;
		}
		if (!dns_status_answered(z->ds[i]->status)) {
			z->failure = z->ds[i];
			break;
		}
		if (is_apex(z->soa[i])) {
			z->apex = (long)i;
			break;
		}
	}
	if (!z->is_signed || z->failure || z->proof != PROOF_NONE)
		return z;
	size_t i = (size_t)z->apex;
	if (!dns_status_answered(z->ds[i]->status) || !dns_status_answered(z->soa[i]->status))
		z->failure = !dns_status_answered(z->ds[i]->status) ? z->ds[i] : z->soa[i];
	else if (z->ds[i]->status == DNS_OK && z->soa[i]->status == DNS_OK && z->dnskey[i]->sig_count)
		/* the resolver may not validate: check the chain from the DS here */
		zone_verify(z, z->ds[i], z->dnskey[i], z->soa[i]);
	return z;
}

static void dnssec_free(void *v)
{
	struct zone *z = v;
	for (size_t i = 0; i < z->n; i++)
		free(z->names[i]);
	free(z);
}

const struct input_def input_dnssec = {
    .id = IN_DNSSEC, .name = "the domain's DNSSEC status", .compute = dnssec_compute, .free = dnssec_free};

static const char *const remedy_bogus =
    "Repair the zone's signatures at once: re-sign the zone (expired or missing RRSIGs), or make the DS "
    "at the registrar match the zone's key signing key (or remove the DS to go unsigned deliberately). "
    "Until then validating receivers cannot read the domain's SPF, DKIM or DMARC records.";

static struct finding *dnssec_bogus(const struct audit *a, const struct zone *z, struct findings *out)
{
	long at = z->ds_only >= 0 ? z->ds_only : z->failed_at >= 0 ? z->failed_at : z->apex;
	const char *zone = z->names[at >= 0 ? at : 0];
	struct finding *f;
	if (z->ds_only >= 0)
		f = findings_add(
		    out, "domain.dnssec", NULL, STATUS_FAIL,
		    "the DNSSEC chain of %s is broken (bogus): the parent publishes a DS but %s has "
		    "no DNSKEY",
		    zone, zone);
	else
		f = findings_add(out, "domain.dnssec", NULL, STATUS_FAIL,
		                 "the DNSSEC chain of %s is broken (bogus): %s", zone, z->why);
	if (z->failed_at >= 0)
		finding_set_detail(
		    f,
		    "The resolver (%s) answers %s for %s; asked again with checking disabled it hands "
		    "over the data, which fails verification here: %s. Validating receivers see "
		    "SERVFAIL for every name in the zone, SPF, DKIM and DMARC included.",
		    resolver_servers(a->dns), dns_status_name(z->failure->status), zone, z->why);
	else
		finding_set_detail(
		    f,
		    "Checked here from the DS at the parent: %s. Validating receivers see SERVFAIL for "
		    "every name in the zone, SPF, DKIM and DMARC included.",
		    z->ds_only >= 0 ? "no DNSKEY answers the DS" : z->why);
	finding_set_remedy(f, "%s", remedy_bogus);
	return f;
}

static struct finding *dnssec_signed(const struct audit *a, const struct zone *z, struct findings *out)
{
	const char *zone = z->names[z->apex];
	const struct dns_answer *dk = z->dnskey[z->apex], *ds = z->ds[z->apex];
	struct finding *f;
	if (ds->status != DNS_OK) {
		f = findings_add(
		    out, "domain.dnssec", NULL, STATUS_WARN,
		    "%s is signed but its parent has no DS for it: validators treat it as unsigned", zone);
		finding_set_remedy(
		    f,
		    "Publish the DS record of the key signing key of %s at the registrar (parent zone), "
		    "or stop signing the zone.",
		    zone);
	} else if (dk->sig_count == 0) {
		f = findings_add(
		    out, "domain.dnssec", NULL, STATUS_INFO,
		    "%s has a DS and a DNSKEY set, but no signature came back (the resolver strips them)",
		    zone);
	} else if (z->proof == PROOF_UNREADABLE) {
		f = findings_add(out, "domain.dnssec", NULL, STATUS_INFO,
		                 "%s is signed, but its chain cannot be checked here", zone);
		finding_set_detail(f, "%s.", z->why);
	} else if (!dk->ad) {
		f = findings_add(
		    out, "domain.dnssec", NULL, STATUS_INFO,
		    "%s is signed (DS at the parent, DNSKEY, RRSIG; the signatures verify here), but the "
		    "resolver did not mark the answers authentic",
		    zone);
		finding_set_detail(
		    f,
		    "The resolver (%s) does not validate, or no trust anchor leads to %s; audit with a "
		    "validating resolver to confirm the chain above the DS.",
		    resolver_servers(a->dns), zone);
	} else {
		f = findings_add(
		    out, "domain.dnssec", NULL, STATUS_PASS,
		    "%s is signed and the resolver validated it (AD): DS, DNSKEY and RRSIG in place", zone);
	}
	JSON_NUM(f->data, "ds_records", ds->status == DNS_OK ? (double)ds->rr_count : 0);
	JSON_NUM(f->data, "dnskeys", (double)dk->rr_count);
	JSON_NUM(f->data, "rrsigs", (double)dk->sig_count);
	JSON_BOOL(f->data, "authentic", dk->ad);
	return f;
}

static void dnssec_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct zone *z = input_get(in, IN_DNSSEC);
	const char *dom = a->t->domain;
	struct finding *f;
	bool bogus = z->proof == PROOF_BOGUS || z->ds_only >= 0;
	if (bogus) {
		f = dnssec_bogus(a, z, out);
	} else if (z->failure) {
		f = add_lookup_error(a, out, "domain.dnssec", NULL, "DNSSEC", z->failure);
		if (z->failed_at >= 0 && z->why[0])
			finding_set_detail(
			    f,
			    "The resolver (%s) answers %s for %s, and %s. A broken chain (bogus) is reported "
			    "only when it is proven.",
			    resolver_servers(a->dns), dns_status_name(z->failure->status),
			    z->names[z->failed_at], z->why);
	} else if (!z->is_signed) {
		f = findings_add(
		    out, "domain.dnssec", NULL, STATUS_INFO,
		    "%s is not signed (no DNSKEY, no DS): receivers cannot authenticate its records",
		    z->apex >= 0 ? z->names[z->apex] : dom);
		finding_set_detail(
		    f, "Without DNSSEC an attacker on the path can forge the domain's SPF, DKIM and DMARC "
		       "answers, and DANE cannot be used for its MX hosts.");
	} else {
		f = dnssec_signed(a, z, out);
	}
	JSON_STR(f->data, "domain", dom);
	json_add_str(f->data, "zone", z->apex >= 0 ? z->names[z->apex] : NULL);
	JSON_STR(f->data, "bogus", bogus ? "proven" : z->failed_at >= 0 ? "not proven" : "no");
}

/* ------------------------------------------------------------ IN_DANE */

struct dane_host {
	const char *host;
	char *qname; /* _25._tcp.HOST */
	const struct dns_answer *tlsa;
	size_t usable;
	char problem[200]; /* the first unusable record's */
};

struct dane {
	struct dane_host *v;
	size_t n;
};

static void *dane_compute(const struct audit *a, const struct inputs *in)
{
	const struct mx_facts *m = input_get(in, IN_DOMAIN_MX);
	struct dane *d = xcalloc(1, sizeof *d);
	d->v = xcalloc(m->n ? m->n : 1, sizeof *d->v);
	for (size_t i = 0; i < m->n; i++) {
		if (!name_is_dns(m->hosts[i]->name))
			continue;
		struct dane_host *h = &d->v[d->n++];
		h->host = m->hosts[i]->name;
		h->qname = xasprintf("_25._tcp.%s", h->host);
		resolver_prefetch_ex(a->dns, h->qname, DNS_T_TLSA, DNS_Q_DO);
	}
	for (size_t i = 0; i < d->n; i++) {
		struct dane_host *h = &d->v[i];
		h->tlsa = resolver_query_ex(a->dns, h->qname, DNS_T_TLSA, DNS_Q_DO);
		for (size_t k = 0; h->tlsa->status == DNS_OK && k < h->tlsa->rr_count; k++) {
			struct tlsa t;
			char buf[200];
			tlsa_parse(h->tlsa->rrs[k].rdata, h->tlsa->rrs[k].rdata_len, &t);
			const char *p = tlsa_smtp_problem(&t, buf, sizeof buf);
			if (!p)
				h->usable++;
			else if (!h->problem[0])
				snprintf(h->problem, sizeof h->problem, "%s", p);
		}
	}
	return d;
}

static void dane_free(void *v)
{
	struct dane *d = v;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].qname);
	free(d->v);
	free(d);
}

const struct input_def input_dane = {.id = IN_DANE,
                                     .name = "the MX hosts' TLSA records",
                                     .needs = NEED(IN_DOMAIN_MX),
                                     .compute = dane_compute,
                                     .free = dane_free};

static void dane_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct mx_facts *m = input_get(in, IN_DOMAIN_MX);
	const struct dane *d = input_get(in, IN_DANE);
	const char *dom = a->t->domain;
	struct finding *f;
	if (!dns_status_answered(m->mx->status)) {
		f = add_lookup_error(a, out, "domain.dane", NULL, "DANE", m->mx);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	if (d->n == 0) {
		f = findings_add(out, "domain.dane", NULL, STATUS_SKIP,
		                 "%s has no MX host to publish TLSA for", dom);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	size_t with = 0, failed = 0, unusable = 0, unsigned_ = 0, unvalidated = 0;
	const struct dane_host *first_without = NULL, *first_unusable = NULL, *first_unsigned = NULL;
	const struct dns_answer *failure = NULL;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < d->n; i++) {
		const struct dane_host *h = &d->v[i];
		const struct dns_answer *t = h->tlsa;
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "host", h->host);
		JSON_STR(o, "tlsa_lookup", dns_status_name(t->status));
		JSON_NUM(o, "records", t->status == DNS_OK ? (double)t->rr_count : 0);
		JSON_NUM(o, "usable", (double)h->usable);
		JSON_BOOL(o, "authentic", t->ad);
		cJSON_AddItemToArray(arr, o);
		if (!dns_status_answered(t->status)) {
			failed++;
			if (!failure)
				failure = t;
			continue;
		}
		if (t->status != DNS_OK) {
			if (!first_without)
				first_without = h;
			continue;
		}
		with++;
		if (!h->usable && !unusable++)
			first_unusable = h;
		if (!t->ad && t->sig_count == 0 && !unsigned_++)
			first_unsigned = h;
		else if (!t->ad)
			unvalidated++;
	}
	struct judge j;
	if (failed) {
		/* RFC 7672 2.2: a failed TLSA lookup makes senders defer; the
		 * audit cannot tell what they would find */
		f = add_lookup_error(a, out, "domain.dane", NULL, "DANE", failure);
		JSON_ITEM(f->data, "hosts", arr);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	if (!with) {
		judge_init(&j, STATUS_INFO, "no TLSA records for the MX hosts of %s: DANE is not deployed",
		           dom);
	} else {
		judge_init(&j, STATUS_PASS, "every MX host of %s has usable TLSA records, DNSSEC-validated",
		           dom);
		if (first_without)
			judge_add(
			    &j, STATUS_WARN,
			    "Publish TLSA records for every MX host, or for none: DANE senders deliver to "
			    "hosts without them unauthenticated.",
			    "%zu of %zu MX hosts have TLSA records; %s has none", with, d->n,
			    first_without->host);
		if (first_unusable)
			judge_add(&j, STATUS_WARN,
			          "Publish TLSA records SMTP clients can use: \"3 1 1 <SHA-256 of the "
			          "server's public key>\" (DANE-EE) or \"2 1 1 ...\" for the issuing CA.",
			          "no TLSA record of %s is usable for SMTP: %s", first_unusable->qname,
			          first_unusable->problem);
		if (first_unsigned)
			judge_add(&j, STATUS_WARN,
			          "Sign the zone of the MX hosts with DNSSEC (and publish its DS): TLSA "
			          "records count only when validated (RFC 7672 2.2).",
			          "the TLSA answer for %s carries no signature: in an unsigned zone senders "
			          "ignore it",
			          first_unsigned->qname);
		if (unvalidated && j.st == STATUS_PASS) {
			judge_add(&j, STATUS_INFO, NULL,
			          "the TLSA answers are signed, but the resolver (%s) did not mark them "
			          "authentic: it does not validate, or no trust anchor leads to them",
			          resolver_servers(a->dns));
			judge_set(
			    &j, STATUS_INFO,
			    "every MX host of %s has usable TLSA records; their validation is unconfirmed",
			    dom);
		}
	}
	f = judge_finding(&j, out, "domain.dane");
	JSON_STR(f->data, "domain", dom);
	JSON_ITEM(f->data, "hosts", arr);
}

/* ------------------------------------------------------------ the family */

static const struct check checks[] = {
    {.id = "domain.mtasts",
     .title = "MTA-STS: one valid _mta-sts record, the policy served over HTTPS, every MX host matches it",
     .refs = {"RFC 8461"},
     .needs = NEED(IN_MTASTS) | NEED(IN_DOMAIN_MX),
     .run = mtasts_run,
     .file = __FILE__},
    {.id = "domain.tlsrpt",
     .title = "TLS-RPT: one valid _smtp._tls record with mailto: or https: report destinations",
     .refs = {"RFC 8460"},
     .needs = NEED(IN_TLSRPT),
     .run = tlsrpt_run,
     .file = __FILE__},
    {.id = "domain.bimi",
     .title = "BIMI: one valid default._bimi record, with a mark certificate, under DMARC at enforcement",
     .refs = {"draft-brand-indicators-for-message-identification", "AuthIndicators BIMI"},
     .needs = NEED(IN_BIMI) | NEED(IN_DMARC),
     .run = bimi_run,
     .file = __FILE__},
    {.id = "domain.bimi.logo",
     .title = "BIMI logo: fetched over HTTPS, an SVG Tiny PS document of at most 32 KB",
     .refs = {"AuthIndicators SVG Tiny PS", "draft-brand-indicators-for-message-identification 7.6"},
     .needs = NEED(IN_BIMI) | NEED(IN_BIMI_FILES),
     .run = bimi_logo_run,
     .file = __FILE__},
    {.id = "domain.bimi.vmc",
     .title =
         "BIMI mark certificate: current, with the BIMI key usage, naming the domain, its chain verified",
     .refs = {"AuthIndicators VMC", "RFC 3709", "RFC 5280"},
     .needs = NEED(IN_BIMI) | NEED(IN_BIMI_FILES),
     .run = bimi_vmc_run,
     .file = __FILE__},
    {.id = "domain.dnssec",
     .title = "DNSSEC: the domain's zone is signed with a DS at its parent, validated; never bogus",
     .refs = {"RFC 4033", "RFC 4034", "RFC 4035"},
     .needs = NEED(IN_DNSSEC),
     .run = dnssec_run,
     .file = __FILE__},
    {.id = "domain.dane",
     .title = "DANE: the MX hosts' TLSA records are usable for SMTP and DNSSEC-validated (when published)",
     .refs = {"RFC 7672", "RFC 6698"},
     .needs = NEED(IN_DOMAIN_MX) | NEED(IN_DANE),
     .run = dane_run,
     .file = __FILE__},
};
FAMILY_OF(domain, checks);
