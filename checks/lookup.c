#include "lookup.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/xalloc.h"

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

void ptr_lookup(const struct audit *a, struct ptr_set *out)
{
	char rev[80];
	memset(out, 0, sizeof *out);
	ip_reverse_name(&a->t->ip, rev, sizeof rev);
	out->ans = dns_query(a->dns, rev, DNS_T_PTR);
	if (out->ans->status != DNS_OK)
		return;
	out->names = xcalloc(out->ans->rr_count, sizeof *out->names);
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
}

void ptr_set_free(struct ptr_set *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->names[i]);
	free(p->names);
	memset(p, 0, sizeof *p);
}

void addr_prefetch(const struct audit *a, const char *name)
{
	dns_prefetch(a->dns, name, DNS_T_A);
	dns_prefetch(a->dns, name, DNS_T_AAAA);
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
	out->a4 = dns_query(a->dns, name, DNS_T_A);
	out->a6 = dns_query(a->dns, name, DNS_T_AAAA);
	/* The audited IP's own family first: its failure matters most. */
	if (a->t->ip.af == AF_INET6) {
		addr_take(a, out->a6, out);
		addr_take(a, out->a4, out);
	} else {
		addr_take(a, out->a4, out);
		addr_take(a, out->a6, out);
	}
	out->resolves = out->count > 0;
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
			inet_ntop(ans->qtype == DNS_T_A ? AF_INET : AF_INET6, ans->rrs[i].addr, buf, sizeof buf);
			cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
		}
	}
	return arr;
}

void finding_lookup_failed(const struct audit *a, struct finding *f, const struct dns_answer *ans)
{
	char tb[16];
	f->status = STATUS_ERROR;
	finding_set_detail(f, "The %s lookup for %s failed: %s (%s).", dns_type_name(ans->qtype, tb, sizeof tb),
	                   ans->qname, dns_status_name(ans->status), dns_answer_why(ans));
	if (ans->status == DNS_NXDOMAIN || ans->status == DNS_NODATA)
		return;
	if (ans->status == DNS_UNTRUSTED)
		finding_set_remedy(f,
		                   "Run the audit through a resolver that answers for the public DNS: the one "
		                   "in use (%s) denies names that exist. Give --resolver with a recursive "
		                   "resolver of your own, outside any captive portal or filter.",
		                   dns_servers_text(a->dns));
	else
		finding_set_remedy(f,
		                   "Check that the DNS resolver (%s) is reachable and answers for %s, "
		                   "and that the zone's name servers work; then run the audit again.",
		                   dns_servers_text(a->dns), ans->qname);
	cJSON *d = f->data;
	cJSON_DeleteItemFromObject(d, "lookup_error");
	cJSON *le = cJSON_AddObjectToObject(d, "lookup_error");
	cJSON_AddStringToObject(le, "name", ans->qname);
	cJSON_AddStringToObject(le, "type", dns_type_name(ans->qtype, tb, sizeof tb));
	cJSON_AddStringToObject(le, "status", dns_status_name(ans->status));
	cJSON_AddStringToObject(le, "reason", dns_answer_why(ans));
}

struct finding *add_lookup_error(const struct audit *a, struct findings *out, const char *id, const char *subject,
                                 const char *what, const struct dns_answer *ans)
{
	struct finding *f = findings_add(out, id, subject, STATUS_ERROR, "Could not check %s: %s lookup failed (%s)",
	                                 what, ans->qname, dns_status_name(ans->status));
	finding_lookup_failed(a, f, ans);
	return f;
}

void json_add_str(cJSON *obj, const char *key, const char *val)
{
	if (val)
		cJSON_AddStringToObject(obj, key, val);
	else
		cJSON_AddNullToObject(obj, key);
}

cJSON *json_str_array(char *const *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return arr;
}
