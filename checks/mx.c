/* SPDX-License-Identifier: ISC */
/* mx: can bounces (and replies) reach the MAIL FROM domain, and do its MX
 * hosts have reverse DNS that confirms itself? (checks.md § mx). Inputs
 * IN_MX and IN_DOMAIN_MX: a domain's MX records and their hosts' addresses,
 * or its address records when it has no MX (implicit MX); IN_MX_RDNS: the
 * PTR names of the MAIL FROM domain's MX hosts' addresses, and whether
 * they resolve back. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/util/strbuf.h"
#include "../lib/util/json.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"
#include "mx.h"

/* ------------------------------------------------------------ IN_MX, IN_DOMAIN_MX */

static int cmp_mx(const void *x, const void *y)
{
	const struct dns_rr *a = *(const struct dns_rr *const *)x, *b = *(const struct dns_rr *const *)y;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcmp(a->name, b->name);
}

static struct mx_facts *facts_new(const struct audit *a, const char *dom)
{
	struct mx_facts *m = xcalloc(1, sizeof *m);
	m->domain = dom;
	m->mx = lookup(a, dom, DNS_T_MX);
	if (m->mx->status == DNS_NODATA) {
		addr_lookup(a, dom, &m->implicit);
		return m;
	}
	if (m->mx->status != DNS_OK)
		return m;
	m->hosts = xcalloc(m->mx->rr_count ? m->mx->rr_count : 1, sizeof *m->hosts);
	for (size_t i = 0; i < m->mx->rr_count; i++) {
		if (!m->mx->rrs[i].name)
			continue;
		if (strcmp(m->mx->rrs[i].name, ".") == 0)
			m->nulls++;
		else
			m->hosts[m->n++] = &m->mx->rrs[i];
	}
	qsort(m->hosts, m->n, sizeof *m->hosts, cmp_mx);
	if (m->n > MX_MAX)
		m->n = MX_MAX;
	m->addrs = xcalloc(m->n ? m->n : 1, sizeof *m->addrs);
	for (size_t i = 0; i < m->n; i++)
		if (name_is_dns(m->hosts[i]->name))
			addr_prefetch(a, m->hosts[i]->name);
	for (size_t i = 0; i < m->n; i++)
		addr_lookup(a, m->hosts[i]->name, &m->addrs[i]);
	return m;
}

static void *mx_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return facts_new(a, a->t->mail_from);
}

static void *domain_mx_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return facts_new(a, a->t->domain);
}

static void mx_free(void *v)
{
	struct mx_facts *m = v;
	free(m->hosts);
	free(m->addrs);
	free(m);
}

const struct input_def input_mx = {
    .id = IN_MX, .name = "the MAIL FROM domain's MX hosts", .compute = mx_compute, .free = mx_free};
const struct input_def input_domain_mx = {
    .id = IN_DOMAIN_MX, .name = "the domain's MX hosts", .compute = domain_mx_compute, .free = mx_free};

/* ------------------------------------------------------------ IN_MX_RDNS */

/* At most this many addresses, and PTR names per address, are followed. */
#define RDNS_MAX_ADDRS 32
#define RDNS_MAX_NAMES 3

/* One address of an MX host, its PTR names and their forward answers. */
struct mx_addr {
	size_t host; /* index into the facts' hosts */
	struct ipaddr ip;
	char rev[80];
	const struct dns_answer *ptr;
	size_t nnames;
	const char *names[RDNS_MAX_NAMES];            /* owned by ptr */
	const struct dns_answer *fwd[RDNS_MAX_NAMES]; /* in ip's family */
	bool confirmed;                               /* a name resolves back to ip */
	const struct dns_answer *failure;             /* a lookup that failed */
};

struct mx_rdns {
	struct mx_addr *v;
	size_t n;
	bool more; /* addresses beyond RDNS_MAX_ADDRS were left out */
};

static void rdns_take_addrs(const struct mx_facts *m, struct mx_rdns *r)
{
	/* as many as there are (a block for the most, at every audit, was a
	 * large allocation of glibc's: it then consolidates its free lists) */
	size_t count = 0;
	for (size_t h = 0; h < m->n; h++) {
		const struct dns_answer *both[2] = {m->addrs[h].a4, m->addrs[h].a6};
		for (int k = 0; k < 2; k++)
			count += both[k] && both[k]->status == DNS_OK ? both[k]->rr_count : 0;
	}
	r->v = xcalloc(count < RDNS_MAX_ADDRS ? (count ? count : 1) : RDNS_MAX_ADDRS, sizeof *r->v);
	for (size_t h = 0; h < m->n; h++) {
		const struct dns_answer *both[2] = {m->addrs[h].a4, m->addrs[h].a6};
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; both[k] && both[k]->status == DNS_OK && i < both[k]->rr_count;
			     i++) {
				if (r->n == RDNS_MAX_ADDRS) {
					r->more = true;
					return;
				}
				struct mx_addr *x = &r->v[r->n++];
				x->host = h;
				x->ip.af = k == 0 ? AF_INET : AF_INET6;
				memcpy(x->ip.b, both[k]->rrs[i].addr, k == 0 ? 4 : 16);
				inet_ntop(x->ip.af, x->ip.b, x->ip.text, sizeof x->ip.text);
				ip_reverse_name(&x->ip, x->rev, sizeof x->rev);
			}
	}
}

static void *mx_rdns_compute(const struct audit *a, const struct inputs *in)
{
	const struct mx_facts *m = input_get(in, IN_MX);
	struct mx_rdns *r = xcalloc(1, sizeof *r);
	rdns_take_addrs(m, r);
	for (size_t i = 0; i < r->n; i++)
		prefetch(a, r->v[i].rev, DNS_T_PTR);
	for (size_t i = 0; i < r->n; i++) {
		struct mx_addr *x = &r->v[i];
		x->ptr = lookup(a, x->rev, DNS_T_PTR);
		if (!dns_status_answered(x->ptr->status))
			x->failure = x->ptr;
		uint16_t t = x->ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
		for (size_t k = 0;
		     x->ptr->status == DNS_OK && k < x->ptr->rr_count && x->nnames < RDNS_MAX_NAMES; k++)
			if (x->ptr->rrs[k].name && name_is_dns(x->ptr->rrs[k].name)) {
				x->names[x->nnames++] = x->ptr->rrs[k].name;
				prefetch(a, x->ptr->rrs[k].name, t);
			}
	}
	for (size_t i = 0; i < r->n; i++) {
		struct mx_addr *x = &r->v[i];
		uint16_t t = x->ip.af == AF_INET ? DNS_T_A : DNS_T_AAAA;
		for (size_t k = 0; k < x->nnames; k++) {
			const struct dns_answer *f = lookup(a, x->names[k], t);
			x->fwd[k] = f;
			if (!dns_status_answered(f->status) && !x->failure)
				x->failure = f;
			for (size_t j = 0; f->status == DNS_OK && j < f->rr_count; j++)
				if (memcmp(f->rrs[j].addr, x->ip.b, ip_len(&x->ip)) == 0)
					x->confirmed = true;
		}
	}
	return r;
}

static void mx_rdns_free(void *v)
{
	struct mx_rdns *r = v;
	free(r->v);
	free(r);
}

const struct input_def input_mx_rdns = {.id = IN_MX_RDNS,
                                        .name = "the reverse DNS of the MX hosts",
                                        .needs = NEED(IN_MX),
                                        .compute = mx_rdns_compute,
                                        .free = mx_rdns_free};

/* ------------------------------------------------------------ mx.bounces */

static void implicit_mx(const struct audit *a, const struct mx_facts *m, struct findings *out)
{
	const char *dom = a->t->mail_from;
	const struct addr_set *s = &m->implicit;
	struct finding *f;
	if (s->resolves) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_WARN,
		                 "%s has no MX record; bounces go to its address record (implicit MX)", dom);
		finding_set_remedy(
		    f,
		    "Publish an MX record for %s naming the host that receives its mail (e.g. "
		    "\"%s. IN MX 10 mx.%s.\"), so bounces and replies have a deliberate destination.",
		    dom, dom, dom);
	} else if (s->failed) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "the implicit MX", s->failure);
	} else {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL,
		                 "%s has neither MX nor address records: bounces cannot be delivered", dom);
		finding_set_remedy(
		    f,
		    "Publish an MX record for %s naming a host that accepts mail, and make sure it "
		    "processes bounces.",
		    dom);
	}
	JSON_STR(f->data, "domain", dom);
	JSON_STR(f->data, "mx_lookup", dns_status_name(m->mx->status));
	JSON_ITEM(f->data, "addresses", addr_set_json(s));
}

static void bounces_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct mx_facts *m = input_get(in, IN_MX);
	const char *dom = a->t->mail_from;
	struct finding *f;
	if (m->mx->status == DNS_NODATA) {
		implicit_mx(a, m, out);
		return;
	}
	if (m->mx->status == DNS_NXDOMAIN) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL,
		                 "%s does not exist (NXDOMAIN): bounces cannot be delivered", dom);
		finding_set_remedy(
		    f, "Send with a MAIL FROM domain that exists and has an MX record whose host accepts "
		       "bounces.");
		JSON_STR(f->data, "domain", dom);
		return;
	}
	if (m->mx->status != DNS_OK) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "bounce handling", m->mx);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	if (m->nulls && m->n == 0) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL,
		                 "%s has a null MX (accepts no mail): bounces cannot be delivered", dom);
		finding_set_remedy(
		    f,
		    "Use a MAIL FROM domain that receives mail, or replace the null MX "
		    "(\"0 .\", RFC 7505) of %s with an MX record for a host that processes bounces.",
		    dom);
		JSON_BOOL(f->data, "null_mx", true);
		JSON_STR(f->data, "domain", dom);
		JSON_ITEM(f->data, "mx", arr);
		return;
	}
	size_t good = 0, bad = 0;
	const struct dns_answer *failure = NULL;
	const char *first_bad = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct addr_set *s = &m->addrs[i];
		cJSON *o = cJSON_CreateObject();
		JSON_NUM(o, "preference", m->hosts[i]->pref);
		JSON_STR(o, "host", m->hosts[i]->name);
		JSON_ITEM(o, "addresses", addr_set_json(s));
		cJSON_AddItemToArray(arr, o);
		if (s->resolves) {
			good++;
		} else if (s->failed) {
			if (!failure)
				failure = s->failure;
		} else {
			bad++;
			if (!first_bad)
				first_bad = m->hosts[i]->name;
		}
	}
	size_t n = m->n, nulls = m->nulls;
	if (good && !bad && !nulls && failure) {
		/* the host that could not be looked up may not resolve either */
		f = add_lookup_error(a, out, "mx.bounces", NULL, "every MX host", failure);
		finding_set_detail(f, "%zu MX host%s resolve%s; %s could not be looked up (%s).", good,
		                   good == 1 ? "" : "s", good == 1 ? "s" : "", failure->qname,
		                   dns_answer_why(failure));
	} else if (good && !bad && !nulls) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_PASS, "%s has %zu MX host%s that resolve%s",
		                 dom, good, good == 1 ? "" : "s", good == 1 ? "s" : "");
	} else if (good) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_WARN,
		                 "%s: %zu of %zu MX hosts do not resolve", dom, bad + nulls, n + nulls);
		finding_set_detail(f, "%s%s", first_bad ? first_bad : "",
		                   nulls ? " (and a null MX mixed with real ones, which RFC 7505 forbids)"
		                         : " does not resolve");
		finding_set_remedy(
		    f,
		    "Remove the MX records of %s whose hosts do not resolve, or give those hosts "
		    "address records.",
		    dom);
	} else if (failure) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "the MX hosts", failure);
	} else {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL,
		                 "no MX host of %s resolves: bounces cannot be delivered", dom);
		finding_set_detail(f, "%s has no A or AAAA record.", first_bad ? first_bad : "The MX host");
		finding_set_remedy(
		    f,
		    "Give the MX host%s of %s address records, or point the MX record at a host that "
		    "accepts mail.",
		    n == 1 ? "" : "s", dom);
	}
	JSON_STR(f->data, "domain", dom);
	JSON_BOOL(f->data, "null_mx", nulls > 0);
	JSON_ITEM(f->data, "mx", arr);
}

/* ------------------------------------------------------------ mx.rdns */

static cJSON *rdns_json(const struct mx_facts *m, const struct mx_rdns *r)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < r->n; i++) {
		const struct mx_addr *x = &r->v[i];
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "host", m->hosts[x->host]->name);
		JSON_STR(o, "address", x->ip.text);
		JSON_STR(o, "ptr_lookup", dns_status_name(x->ptr->status));
		cJSON *names = JSON_ARR(o, "ptr");
		for (size_t k = 0; k < x->nnames; k++)
			cJSON_AddItemToArray(names, cJSON_CreateString(x->names[k]));
		if (x->failure && !x->confirmed)
			JSON_NULL(o, "fcrdns");
		else
			JSON_BOOL(o, "fcrdns", x->confirmed);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void rdns_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct mx_facts *m = input_get(in, IN_MX);
	const struct mx_rdns *r = input_get(in, IN_MX_RDNS);
	const char *dom = a->t->mail_from;
	struct finding *f;
	if (!dns_status_answered(m->mx->status)) {
		f = add_lookup_error(a, out, "mx.rdns", NULL, "the MX hosts' reverse DNS", m->mx);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	/* A host whose address lookup failed may lack reverse DNS too. */
	const struct dns_answer *failure = NULL;
	for (size_t h = 0; h < m->n && !failure; h++)
		if (m->addrs[h].failed)
			failure = m->addrs[h].failure;
	if (r->n == 0 && !failure) {
		f = findings_add(out, "mx.rdns", NULL, STATUS_SKIP,
		                 "%s has no MX host address to check (see mx.bounces)", dom);
		JSON_STR(f->data, "domain", dom);
		return;
	}
	struct strbuf bad = {0};
	size_t nbad = 0, nptr = 0;
	const char *first_host = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct mx_addr *x = &r->v[i];
		const char *host = m->hosts[x->host]->name;
		if (x->ptr->status == DNS_NXDOMAIN || x->ptr->status == DNS_NODATA ||
		    (x->ptr->status == DNS_OK && x->nnames == 0)) {
			nbad++;
			nptr++;
			sb_sep_printf(&bad, "; ", "%s (%s) has no PTR record", host, x->ip.text);
		} else if (x->ptr->status == DNS_OK && !x->confirmed && !x->failure) {
			nbad++;
			sb_sep_printf(&bad, "; ", "%s (%s): its PTR name %s does not resolve back to it",
			              host, x->ip.text, x->names[0]);
		} else if (x->failure && !x->confirmed && !failure) {
			failure = x->failure;
		}
		if (nbad && !first_host)
			first_host = host;
	}
	if (nbad) {
		/* warn is this check's worst: a failed lookup elsewhere cannot change it */
		f = findings_add(out, "mx.rdns", NULL, STATUS_WARN, "%zu MX host address%s of %s without %s",
		                 nbad, nbad == 1 ? "" : "es", dom,
		                 nptr == nbad ? "a PTR record" : "forward-confirmed reverse DNS");
		finding_set_detail(
		    f,
		    "%s. Receivers that deliver bounces and replies to these hosts judge them as they "
		    "judge senders, and the same hosts often send mail too.%s",
		    sb_str(&bad),
		    failure ? " Some other addresses could not be checked (a lookup failed)." : "");
		finding_set_remedy(
		    f,
		    "Ask the operator of each address (the network's provider) for a PTR record naming "
		    "the MX host, and give that name an A/AAAA record with the same address (e.g. PTR "
		    "for the address of %s pointing to %s).",
		    first_host, first_host);
	} else if (failure) {
		f = add_lookup_error(a, out, "mx.rdns", NULL, "the MX hosts' reverse DNS", failure);
	} else {
		f = findings_add(out, "mx.rdns", NULL, STATUS_PASS,
		                 "every MX host address of %s (%zu) has forward-confirmed reverse DNS", dom,
		                 r->n);
		if (r->more)
			finding_set_detail(f, "Only the first %d addresses were checked.", RDNS_MAX_ADDRS);
	}
	sb_free(&bad);
	JSON_STR(f->data, "domain", dom);
	JSON_ITEM(f->data, "addresses", rdns_json(m, r));
}

static const struct check checks[] = {
    {.id = "mx.bounces",
     .title = "the MAIL FROM domain can receive bounces (MX hosts that resolve)",
     .refs = {"M3AAWG Senders BCP 3.8", "RFC 5321 5.1", "RFC 7505"},
     .needs = NEED(IN_MX),
     .run = bounces_run,
     .file = __FILE__},
    {.id = "mx.rdns",
     .title = "the MX hosts' addresses have PTR records that resolve back to them (FCrDNS)",
     .refs = {"M3AAWG Senders BCP 3.3.2", "RFC 1912 2.1"},
     .needs = NEED(IN_MX) | NEED(IN_MX_RDNS),
     .run = rdns_run,
     .file = __FILE__},
};
FAMILY_OF(mx, checks);
