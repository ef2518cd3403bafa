/* mx: can bounces (and replies) reach the MAIL FROM domain? (checks.md § mx) */
#include <stdlib.h>
#include <string.h>

#include "../lib/util/xalloc.h"
#include "audit.h"
#include "lookup.h"
#include "registry.h"

static const struct check_def checks[] = {
	{"mx.bounces", "the MAIL FROM domain can receive bounces (MX hosts that resolve)",
	 {"M3AAWG Senders BCP 3.8", "RFC 5321 5.1", "RFC 7505"}},
};

/* RFC 5321 5.1 looks at the ten best exchanges at most in practice. */
#define MX_MAX 10

static int cmp_mx(const void *x, const void *y)
{
	const struct dns_rr *a = *(const struct dns_rr *const *)x, *b = *(const struct dns_rr *const *)y;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void implicit_mx(const struct audit *a, const char *dom, struct findings *out, const struct dns_answer *mx)
{
	struct addr_set s;
	addr_lookup(a, dom, &s);
	struct finding *f;
	if (s.resolves) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_WARN, "%s has no MX record; bounces go to its address record (implicit MX)", dom);
		finding_set_remedy(f, "Publish an MX record for %s naming the host that receives its mail (e.g. "
		                      "\"%s. IN MX 10 mx.%s.\"), so bounces and replies have a deliberate destination.",
		                   dom, dom, dom);
	} else if (s.failed) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "the implicit MX", s.failure);
	} else {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "%s has neither MX nor address records: bounces cannot be delivered",
		                 dom);
		finding_set_remedy(f, "Publish an MX record for %s naming a host that accepts mail, and make sure it "
		                      "processes bounces.", dom);
	}
	cJSON_AddStringToObject(f->data, "domain", dom);
	cJSON_AddStringToObject(f->data, "mx_lookup", dns_status_name(mx->status));
	cJSON_AddItemToObject(f->data, "addresses", addr_set_json(&s));
}

static void mx_run(const struct audit *a, struct findings *out)
{
	const char *dom = a->t->mail_from;
	const struct dns_answer *mx = dns_query(a->dns, dom, DNS_T_MX);
	struct finding *f;
	if (mx->status == DNS_NODATA) {
		implicit_mx(a, dom, out, mx);
		return;
	}
	if (mx->status == DNS_NXDOMAIN) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "%s does not exist (NXDOMAIN): bounces cannot be delivered", dom);
		finding_set_remedy(f, "Send with a MAIL FROM domain that exists and has an MX record whose host accepts "
		                      "bounces.");
		cJSON_AddStringToObject(f->data, "domain", dom);
		return;
	}
	if (mx->status != DNS_OK) {
		f = add_lookup_error(a, out, "mx.bounces", NULL, "bounce handling", mx);
		cJSON_AddStringToObject(f->data, "domain", dom);
		return;
	}

	const struct dns_rr **rrs = xcalloc(mx->rr_count, sizeof *rrs);
	size_t n = 0, nulls = 0;
	for (size_t i = 0; i < mx->rr_count; i++) {
		if (!mx->rrs[i].name)
			continue;
		if (strcmp(mx->rrs[i].name, ".") == 0)
			nulls++;
		else
			rrs[n++] = &mx->rrs[i];
	}
	qsort(rrs, n, sizeof *rrs, cmp_mx);
	if (n > MX_MAX)
		n = MX_MAX;
	cJSON *arr = cJSON_CreateArray();
	if (nulls && n == 0) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_FAIL, "%s has a null MX (accepts no mail): bounces cannot be delivered", dom);
		finding_set_remedy(f, "Use a MAIL FROM domain that receives mail, or replace the null MX "
		                      "(\"0 .\", RFC 7505) of %s with an MX record for a host that processes bounces.",
		                   dom);
		cJSON_AddBoolToObject(f->data, "null_mx", true);
		cJSON_AddStringToObject(f->data, "domain", dom);
		cJSON_AddItemToObject(f->data, "mx", arr);
		free(rrs);
		return;
	}

	for (size_t i = 0; i < n; i++)
		if (name_is_dns(rrs[i]->name))
			addr_prefetch(a, rrs[i]->name);
	size_t good = 0, bad = 0;
	const struct dns_answer *failure = NULL;
	const char *first_bad = NULL;
	for (size_t i = 0; i < n; i++) {
		struct addr_set s;
		addr_lookup(a, rrs[i]->name, &s);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "preference", rrs[i]->pref);
		cJSON_AddStringToObject(o, "host", rrs[i]->name);
		cJSON_AddItemToObject(o, "addresses", addr_set_json(&s));
		cJSON_AddItemToArray(arr, o);
		if (s.resolves) {
			good++;
		} else if (s.failed) {
			if (!failure)
				failure = s.failure;
		} else {
			bad++;
			if (!first_bad)
				first_bad = rrs[i]->name;
		}
	}
	if (good && !bad && !nulls) {
		f = findings_add(out, "mx.bounces", NULL, STATUS_PASS, "%s has %zu MX host%s that resolve%s", dom, good,
		                 good == 1 ? "" : "s", good == 1 ? "s" : "");
		if (failure)
			finding_set_detail(f, "One MX host could not be looked up (%s), the others resolve.",
			                   dns_answer_why(failure));
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
	free(rrs);
}

const struct family family_mx = {"mx", checks, sizeof checks / sizeof *checks, mx_run};
