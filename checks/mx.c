/* mx: can bounces (and replies) reach the MAIL FROM domain? (checks.md §
 * mx). Input IN_MX: the domain's MX records and their hosts' addresses, or
 * its address records when it has no MX (implicit MX). */
#include <stdlib.h>
#include <string.h>

#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"
#include "mx.h"

/* ------------------------------------------------------------ IN_MX */

static int cmp_mx(const void *x, const void *y)
{
	const struct dns_rr *a = *(const struct dns_rr *const *)x, *b = *(const struct dns_rr *const *)y;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void *mx_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	const char *dom = a->t->mail_from;
	struct mx_facts *m = xcalloc(1, sizeof *m);
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

static void mx_free(void *v)
{
	struct mx_facts *m = v;
	free(m->hosts);
	free(m->addrs);
	free(m);
}

const struct input_def input_mx = {
	.id = IN_MX, .name = "the MAIL FROM domain's MX hosts", .compute = mx_compute, .free = mx_free};

/* ------------------------------------------------------------ mx.bounces */

static void implicit_mx(const struct audit *a, const struct mx_facts *m, struct findings *out)
{
	const char *dom = a->t->mail_from;
	const struct addr_set *s = &m->implicit;
	struct finding *f;
	if (s->resolves) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_WARN, "%s has no MX record; bounces go to its address record (implicit MX)", dom);
		finding_set_remedy(f, "Publish an MX record for %s naming the host that receives its mail (e.g. "
		                      "\"%s. IN MX 10 mx.%s.\"), so bounces and replies have a deliberate destination.",
		                   dom, dom, dom);
	} else if (s->failed) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "the implicit MX", s->failure);
	} else {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "%s has neither MX nor address records: bounces cannot be delivered",
		                 dom);
		finding_set_remedy(f, "Publish an MX record for %s naming a host that accepts mail, and make sure it "
		                      "processes bounces.", dom);
	}
	cJSON_AddStringToObject(f->data, "domain", dom);
	cJSON_AddStringToObject(f->data, "mx_lookup", dns_status_name(m->mx->status));
	cJSON_AddItemToObject(f->data, "addresses", addr_set_json(s));
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
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "%s does not exist (NXDOMAIN): bounces cannot be delivered", dom);
		finding_set_remedy(f, "Send with a MAIL FROM domain that exists and has an MX record whose host accepts "
		                      "bounces.");
		cJSON_AddStringToObject(f->data, "domain", dom);
		return;
	}
	if (m->mx->status != DNS_OK) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "bounce handling", m->mx);
		cJSON_AddStringToObject(f->data, "domain", dom);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	if (m->nulls && m->n == 0) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "%s has a null MX (accepts no mail): bounces cannot be delivered", dom);
		finding_set_remedy(f, "Use a MAIL FROM domain that receives mail, or replace the null MX "
		                      "(\"0 .\", RFC 7505) of %s with an MX record for a host that processes bounces.",
		                   dom);
		cJSON_AddBoolToObject(f->data, "null_mx", true);
		cJSON_AddStringToObject(f->data, "domain", dom);
		cJSON_AddItemToObject(f->data, "mx", arr);
		return;
	}
	size_t good = 0, bad = 0;
	const struct dns_answer *failure = NULL;
	const char *first_bad = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct addr_set *s = &m->addrs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "preference", m->hosts[i]->pref);
		cJSON_AddStringToObject(o, "host", m->hosts[i]->name);
		cJSON_AddItemToObject(o, "addresses", addr_set_json(s));
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
		finding_set_detail(f, "%zu MX host%s resolve%s; %s could not be looked up (%s).", good, good == 1 ? "" : "s",
		                   good == 1 ? "s" : "", failure->qname, dns_answer_why(failure));
	} else if (good && !bad && !nulls) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_PASS, "%s has %zu MX host%s that resolve%s", dom, good,
		                 good == 1 ? "" : "s", good == 1 ? "s" : "");
	} else if (good) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_WARN, "%s: %zu of %zu MX hosts do not resolve", dom,
		                 bad + nulls, n + nulls);
		finding_set_detail(f, "%s%s", first_bad ? first_bad : "",
		                   nulls ? " (and a null MX mixed with real ones, which RFC 7505 forbids)" : " does not resolve");
		finding_set_remedy(f, "Remove the MX records of %s whose hosts do not resolve, or give those hosts "
		                      "address records.", dom);
	} else if (failure) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "the MX hosts", failure);
	} else {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "no MX host of %s resolves: bounces cannot be delivered",
		                 dom);
		finding_set_detail(f, "%s has no A or AAAA record.", first_bad ? first_bad : "The MX host");
		finding_set_remedy(f, "Give the MX host%s of %s address records, or point the MX record at a host that "
		                      "accepts mail.", n == 1 ? "" : "s", dom);
	}
	cJSON_AddStringToObject(f->data, "domain", dom);
	cJSON_AddBoolToObject(f->data, "null_mx", nulls > 0);
	cJSON_AddItemToObject(f->data, "mx", arr);
}

static const struct check checks[] = {
	{.id = "mx.bounces",
	 .title = "the MAIL FROM domain can receive bounces (MX hosts that resolve)",
	 .refs = {"M3AAWG Senders BCP 3.8", "RFC 5321 5.1", "RFC 7505"},
	 .needs = NEED(IN_MX),
	 .run = bounces_run,
	 .file = __FILE__},
};
FAMILY_OF(mx, checks);
