/* SPDX-License-Identifier: ISC */
/* lookup: lookups and findings several families share (see lookup.h), and
 * the input IN_PTR. */
#include "lookup.h"
#include "../lib/util/json.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/xalloc.h"

const struct dns_answer *lookup(const struct audit *a, const char *name, uint16_t type)
{
	return resolver_query(a->dns, name, type);
}

void prefetch(const struct audit *a, const char *name, uint16_t type)
{
	resolver_prefetch(a->dns, name, type);
}

/* ------------------------------------------------------------ IN_PTR */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void *ptr_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct ptr_set *out = xcalloc(1, sizeof *out);
	ip_reverse_name(&a->t->ip, out->rev, sizeof out->rev);
	out->ans = lookup(a, out->rev, DNS_T_PTR);
	if (out->ans->status != DNS_OK)
		return out;
	out->names = xcalloc(out->ans->rr_count ? out->ans->rr_count : 1, sizeof *out->names);
	for (size_t i = 0; i < out->ans->rr_count; i++)
		if (out->ans->rrs[i].name)
			out->names[out->count++] = xstrdup(out->ans->rrs[i].name);
	/* DNS servers rotate RRsets: sort so reports are reproducible. */
	qsort(out->names, out->count, sizeof *out->names, cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < out->count; i++) {
		if (w && strcmp(out->names[w - 1], out->names[i]) == 0) {
			free(out->names[i]);
			continue;
		}
		out->names[w++] = out->names[i];
	}
	out->count = w;
	return out;
}

static void ptr_free(void *v)
{
	struct ptr_set *p = v;
	for (size_t i = 0; i < p->count; i++)
		free(p->names[i]);
	free(p->names);
	free(p);
}

const struct input_def input_ptr = {
    .id = IN_PTR, .name = "the PTR names", .compute = ptr_compute, .free = ptr_free};

const struct ptr_set *ptr_names_or_report(const struct audit *a, const struct inputs *in, const char *id,
                                          const char *what, struct findings *out)
{
	const struct ptr_set *p = input_get(in, IN_PTR);
	if (!dns_status_answered(p->ans->status)) {
		add_lookup_error(a, out, id, NULL, what, p->ans);
		return NULL;
	}
	if (p->count == 0) {
		findings_add(out, id, NULL, STATUS_SKIP, "no PTR name to check");
		return NULL;
	}
	return p;
}

/* ------------------------------------------------------------ addresses */

void addr_prefetch(const struct audit *a, const char *name)
{
	prefetch(a, name, DNS_T_A);
	prefetch(a, name, DNS_T_AAAA);
}

static void addr_take(const struct audit *a, const struct dns_answer *ans, struct addr_set *s)
{
	if (ans->status == DNS_OK) {
		for (size_t i = 0; i < ans->rr_count; i++) {
			s->count++;
			int af = ans->qtype == DNS_T_A ? AF_INET : AF_INET6;
			size_t len = af == AF_INET ? 4 : 16;
			if (a->t->ip.af == af && memcmp(a->t->ip.b, ans->rrs[i].addr, len) == 0)
				s->has_ip = true;
		}
	} else if (!dns_status_answered(ans->status)) {
		s->failed = true;
		if (!s->failure)
			s->failure = ans;
	}
}

void addr_lookup(const struct audit *a, const char *name, struct addr_set *out)
{
	memset(out, 0, sizeof *out);
	addr_prefetch(a, name);
	out->a4 = lookup(a, name, DNS_T_A);
	out->a6 = lookup(a, name, DNS_T_AAAA);
	/* The audited IP's own family first: its failure matters most. */
	addr_take(a, addr_own(a, out), out);
	addr_take(a, a->t->ip.af == AF_INET6 ? out->a4 : out->a6, out);
	out->resolves = out->count > 0;
}

const struct dns_answer *addr_own(const struct audit *a, const struct addr_set *s)
{
	return a->t->ip.af == AF_INET6 ? s->a6 : s->a4;
}

cJSON *addr_set_json(const struct addr_set *s)
{
	cJSON *arr = cJSON_CreateArray();
	const struct dns_answer *both[2] = {s->a4, s->a6};
	for (int k = 0; k < 2; k++) {
		const struct dns_answer *ans = both[k];
		if (!ans || ans->status != DNS_OK)
			continue;
		for (size_t i = 0; i < ans->rr_count; i++) {
			char buf[64];
			inet_ntop(ans->qtype == DNS_T_A ? AF_INET : AF_INET6, ans->rrs[i].addr, buf,
			          sizeof buf);
			cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
		}
	}
	return arr;
}

/* ------------------------------------------------------------ failures */

void finding_lookup_failed(const struct audit *a, struct finding *f, const struct dns_answer *ans)
{
	char tb[16];
	f->status = STATUS_ERROR;
	finding_set_detail(f, "The %s lookup for %s failed: %s (%s).",
	                   dns_type_name(ans->qtype, tb, sizeof tb), ans->qname, dns_status_name(ans->status),
	                   dns_answer_why(ans));
	if (ans->status == DNS_NXDOMAIN || ans->status == DNS_NODATA)
		return;
	if (ans->status == DNS_UNTRUSTED)
		finding_set_remedy(
		    f,
		    "Run the audit through a resolver that answers for the public DNS: the one "
		    "in use (%s) denies names that exist. Give --resolver with a recursive "
		    "resolver of your own, outside any captive portal or filter.",
		    resolver_servers(a->dns));
	else
		finding_set_remedy(f,
		                   "Check that the DNS resolver (%s) is reachable and answers for %s, "
		                   "and that the zone's name servers work; then run the audit again.",
		                   resolver_servers(a->dns), ans->qname);
	cJSON *d = f->data;
	cJSON_DeleteItemFromObject(d, "lookup_error");
	cJSON *le = JSON_OBJ(d, "lookup_error");
	JSON_STR(le, "name", ans->qname);
	JSON_STR(le, "type", dns_type_name(ans->qtype, tb, sizeof tb));
	JSON_STR(le, "status", dns_status_name(ans->status));
	JSON_STR(le, "reason", dns_answer_why(ans));
}

struct finding *add_lookup_error(const struct audit *a, struct findings *out, const char *id,
                                 const char *subject, const char *what, const struct dns_answer *ans)
{
	struct finding *f =
	    findings_add(out, id, subject, STATUS_ERROR, "Could not check %s: %s lookup failed (%s)", what,
	                 ans->qname, dns_status_name(ans->status));
	finding_lookup_failed(a, f, ans);
	return f;
}
