/* SPDX-License-Identifier: ISC */
/* rdns: reverse and forward DNS of the sending IP (checks.md § rdns): the
 * PTR record, its syntax, its forward confirmation (input IN_PTR_ADDRS),
 * whether it looks generic (lib/records/generic.c) and in whose domain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/records/generic.h"
#include "../lib/util/json.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"

static void check_single(const struct audit *a, const struct ptr_set *p, struct findings *out)
{
	const char *ip = a->t->ip.text;
	struct finding *f;
	if (p->count == 1) {
		f = findings_add(out, "rdns.single", NULL, STATUS_PASS, "%s has exactly one PTR record", ip);
	} else {
		f = findings_add(out, "rdns.single", NULL, STATUS_FAIL, "%s has %zu PTR records", ip,
		                 p->count);
		struct strbuf list = {0};
		for (size_t i = 0; i < p->count; i++)
			sb_sep_printf(&list, ", ", "%s.", p->names[i]);
		finding_set_detail(f,
		                   "PTR: %s Receivers pick one of them at random, so forward-confirmation "
		                   "and HELO matching become a matter of luck.",
		                   sb_str(&list));
		sb_free(&list);
		finding_set_remedy(f, "Keep one PTR record for %s, naming the host that sends mail.", ip);
	}
	JSON_ITEM(f->data, "ptr", json_str_array(p->names, p->count));
	JSON_NUM(f->data, "count", (double)p->count);
}

static void check_syntax(const struct audit *a, const struct ptr_set *p, struct findings *out)
{
	(void)a;
	size_t bad = 0;
	char why[160] = "";
	const char *bad_name = NULL;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < p->count; i++) {
		char w[160];
		bool ok = name_is_hostname(p->names[i], w, sizeof w);
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "name", p->names[i]);
		JSON_BOOL(o, "valid", ok);
		json_add_str(o, "problem", ok ? NULL : w);
		cJSON_AddItemToArray(arr, o);
		if (!ok && !bad++) {
			bad_name = p->names[i];
			snprintf(why, sizeof why, "%s", w);
		}
	}
	struct finding *f;
	if (!bad) {
		f = findings_add(out, "rdns.syntax", NULL, STATUS_PASS, "%s is a valid host name",
		                 p->count == 1 ? p->names[0] : "every PTR name");
	} else {
		f = findings_add(out, "rdns.syntax", NULL, STATUS_FAIL,
		                 "PTR name %s is not a valid host name: %s", bad_name, why);
		finding_set_remedy(
		    f,
		    "Change the PTR record of %s to a fully qualified host name made of letters, "
		    "digits and hyphens, such as mail.%s, that resolves back to %s.",
		    a->t->ip.text, a->t->domain, a->t->ip.text);
	}
	JSON_ITEM(f->data, "names", arr);
}

/* ------------------------------------------------------------ IN_PTR_ADDRS */

/* The addresses of every PTR name (asked at once). */
struct ptr_addrs {
	size_t count;
	bool *usable;          /* the name can be looked up at all */
	struct addr_set *sets; /* per PTR name of IN_PTR */
};

static void *ptr_addrs_compute(const struct audit *a, const struct inputs *in)
{
	const struct ptr_set *p = input_get(in, IN_PTR);
	struct ptr_addrs *pa = xcalloc(1, sizeof *pa);
	pa->count = p->count;
	pa->usable = xcalloc(p->count ? p->count : 1, sizeof *pa->usable);
	pa->sets = xcalloc(p->count ? p->count : 1, sizeof *pa->sets);
	for (size_t i = 0; i < p->count; i++)
		if ((pa->usable[i] = name_is_dns(p->names[i])))
			addr_prefetch(a, p->names[i]);
	for (size_t i = 0; i < p->count; i++)
		if (pa->usable[i])
			addr_lookup(a, p->names[i], &pa->sets[i]);
	return pa;
}

static void ptr_addrs_free(void *v)
{
	struct ptr_addrs *pa = v;
	free(pa->usable);
	free(pa->sets);
	free(pa);
}

const struct input_def input_ptr_addrs = {.id = IN_PTR_ADDRS,
                                          .name = "the PTR names' addresses",
                                          .needs = NEED(IN_PTR),
                                          .compute = ptr_addrs_compute,
                                          .free = ptr_addrs_free};

/* ------------------------------------------------------------ the checks */

static void check_fcrdns(const struct audit *a, const struct ptr_set *p, const struct ptr_addrs *pa,
                         struct findings *out)
{
	const char *ip = a->t->ip.text;
	const char *rr = a->t->ip.af == AF_INET6 ? "AAAA" : "A";
	cJSON *arr = cJSON_CreateArray();
	const char *first_bad = NULL, *why_bad = NULL;
	const struct dns_answer *failure = NULL;
	for (size_t i = 0; i < p->count; i++) {
		if (!pa->usable[i]) {
			/* The root or an over-long name: nothing to look up. */
			if (!first_bad) {
				first_bad = p->names[i];
				why_bad = "is not a name that can resolve";
			}
			continue;
		}
		const struct addr_set *s = &pa->sets[i];
		const struct dns_answer *own = addr_own(a, s);
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "name", p->names[i]);
		JSON_ITEM(o, "addresses", addr_set_json(s));
		JSON_STR(o, "lookup", dns_status_name(own->status));
		JSON_BOOL(o, "confirms", s->has_ip);
		cJSON_AddItemToArray(arr, o);
		if (s->has_ip) {
			continue;
		} else if (!dns_status_answered(own->status)) {
			if (!failure)
				failure = own;
		} else if (!first_bad) {
			first_bad = p->names[i];
			why_bad = own->status == DNS_OK ? "resolves, but not to "
			          : s->resolves         ? "has no address of the IP's family"
			                                : "does not resolve";
		}
	}
	struct finding *f;
	if (first_bad) {
		/* A definite mismatch outweighs a lookup error elsewhere. */
		f = findings_add(out, "rdns.fcrdns", NULL, STATUS_FAIL, "PTR name %s %s%s", first_bad,
		                 why_bad, strcmp(why_bad, "resolves, but not to ") == 0 ? ip : "");
		finding_set_detail(f,
		                   "Receivers accept a host name only when its %s records include the "
		                   "connecting IP (forward-confirmed reverse DNS).",
		                   rr);
		finding_set_remedy(
		    f,
		    "Publish an %s record for %s pointing to %s, or change the PTR record of %s "
		    "to a name that does.",
		    rr, first_bad, ip, ip);
	} else if (failure) {
		f = findings_add(out, "rdns.fcrdns", NULL, STATUS_ERROR,
		                 "Could not confirm the PTR name: %s lookup failed (%s)", failure->qname,
		                 dns_status_name(failure->status));
		finding_lookup_failed(a, f, failure);
	} else {
		f = findings_add(out, "rdns.fcrdns", NULL, STATUS_PASS, "%s resolves back to %s",
		                 p->count == 1 ? p->names[0] : "every PTR name", ip);
	}
	JSON_ITEM(f->data, "names", arr);
}

static void check_generic(const struct audit *a, const struct ptr_set *p, struct findings *out)
{
	struct generic_verdict worst;
	const char *worst_name = NULL;
	memset(&worst, 0, sizeof worst);
	worst.status = STATUS_PASS;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < p->count; i++) {
		struct generic_verdict v;
		/* ICANN section only: a private-section suffix (a provider's
		 * customer zone) would swallow the label with the IP in it. */
		char *reg = psl_icann_registrable_new(a->psl, p->names[i]);
		generic_classify(p->names[i], reg, &a->t->ip, &v);
		free(reg);
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "name", p->names[i]);
		JSON_STR(o, "verdict", status_name(v.status));
		JSON_NUM(o, "octets", v.octets);
		json_add_str(o, "octets_found", v.octets_text[0] ? v.octets_text : NULL);
		json_add_str(o, "encoding", v.encoding[0] ? v.encoding : NULL);
		json_add_str(o, "keyword", v.keyword[0] ? v.keyword : NULL);
		JSON_BOOL(o, "pool", v.pool);
		JSON_BOOL(o, "static_token", v.static_token);
		JSON_BOOL(o, "role_word", v.role);
		json_add_str(o, "shape", v.shape[0] ? v.shape : NULL);
		JSON_STR(o, "reason", v.reason);
		cJSON_AddItemToArray(arr, o);
		if (!worst_name || status_rank(v.status) > status_rank(worst.status)) {
			worst = v;
			worst_name = p->names[i];
		}
	}
	struct finding *f;
	switch (worst.status) {
	case STATUS_FAIL:
		f = findings_add(out, "rdns.generic", NULL, STATUS_FAIL,
		                 "%s looks like a dynamic or end-user address name", worst_name);
		break;
	case STATUS_WARN:
		f = findings_add(out, "rdns.generic", NULL, STATUS_WARN, "%s looks generic", worst_name);
		break;
	default:
		f = findings_add(out, "rdns.generic", NULL, STATUS_PASS, "%s looks like a server name",
		                 worst_name ? worst_name : "the PTR name");
		break;
	}
	finding_set_detail(f, "%s", worst.reason);
	if (worst.status == STATUS_FAIL)
		finding_set_remedy(
		    f,
		    "Mail from dynamic or end-user address space is refused by large mailbox "
		    "providers: send through a server with a static address whose PTR names it "
		    "(e.g. mail.%s), or relay through your provider's smarthost.",
		    a->t->domain);
	else if (worst.status == STATUS_WARN)
		finding_set_remedy(
		    f,
		    "Ask the address owner to set the PTR record of %s to a name that identifies "
		    "the mail server, such as mail.%s, without the IP address or "
		    "access-network words in it.",
		    a->t->ip.text, a->t->domain);
	JSON_ITEM(f->data, "names", arr);
}

static void check_domain(const struct audit *a, const struct ptr_set *p, struct findings *out)
{
	char *want = psl_registrable_new(a->psl, a->t->domain);
	const char *mismatch = NULL;
	char *mismatch_reg = NULL;
	for (size_t i = 0; i < p->count && !mismatch; i++) {
		char *reg = psl_registrable_new(a->psl, p->names[i]);
		if (!reg || !want || strcmp(reg, want) != 0) {
			mismatch = p->names[i];
			mismatch_reg = reg;
		} else {
			free(reg);
		}
	}
	struct finding *f;
	if (!mismatch) {
		f = findings_add(out, "rdns.domain", NULL, STATUS_PASS, "%s is in %s",
		                 p->count == 1 ? p->names[0] : "every PTR name", want);
	} else if (a->t->shared) {
		f = findings_add(out, "rdns.domain", NULL, STATUS_INFO,
		                 "PTR name %s is outside %s (expected for a shared IP)", mismatch,
		                 want ? want : a->t->domain);
	} else {
		f = findings_add(out, "rdns.domain", NULL, STATUS_WARN, "PTR name %s is outside %s", mismatch,
		                 want ? want : a->t->domain);
		finding_set_detail(f,
		                   "The PTR name's registrable domain is %s; for a dedicated IP receivers "
		                   "expect the sender's own domain (or its operator's).",
		                   mismatch_reg ? mismatch_reg : "undetermined");
		finding_set_remedy(
		    f,
		    "For a dedicated IP, set the PTR record of %s to a name in %s (e.g. mail.%s) "
		    "with a matching A record; if the IP is an ESP's shared pool, audit with "
		    "--shared.",
		    a->t->ip.text, want ? want : a->t->domain, want ? want : a->t->domain);
	}
	json_add_str(f->data, "ptr_domain", mismatch ? mismatch_reg : want);
	json_add_str(f->data, "domain", want);
	JSON_BOOL(f->data, "shared", a->t->shared);
	free(mismatch_reg);
	free(want);
}

static void ptr_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct ptr_set *p = input_get(in, IN_PTR);
	const char *ip = a->t->ip.text;
	struct finding *f;
	if (!dns_status_answered(p->ans->status)) {
		f = add_lookup_error(a, out, "rdns.ptr", NULL, "reverse DNS", p->ans);
	} else if (p->count == 0) {
		f = findings_add(out, "rdns.ptr", NULL, STATUS_FAIL, "%s has no PTR record", ip);
		finding_set_detail(f, "%s: %s.", p->rev,
		                   p->ans->status == DNS_NXDOMAIN ? "NXDOMAIN" : "no PTR record");
		finding_set_remedy(
		    f,
		    "Ask whoever controls the reverse zone of %s (the hosting or network provider) "
		    "to publish a PTR record naming the sending host, e.g. mail.%s, and give that "
		    "name an A record pointing to %s.",
		    ip, a->t->domain, ip);
	} else {
		f = findings_add(out, "rdns.ptr", NULL, STATUS_PASS, "%s has PTR %s%s", ip, p->names[0],
		                 p->count > 1 ? " (and more)" : "");
	}
	json_add_str(f->data, "reverse_name", p->rev);
	JSON_ITEM(f->data, "ptr", json_str_array(p->names, p->count));
}

/* The checks that judge the PTR names, once there are some. */
#define ON_PTR_NAMES(fn, id)                                                                                 \
	static void fn##_run(const struct audit *a, const struct inputs *in, struct findings *out)           \
	{                                                                                                    \
		const struct ptr_set *p = ptr_names_or_report(a, in, id, "reverse DNS", out);                \
		if (p)                                                                                       \
			check_##fn(a, p, out);                                                               \
	}
ON_PTR_NAMES(single, "rdns.single")
ON_PTR_NAMES(syntax, "rdns.syntax")
ON_PTR_NAMES(generic, "rdns.generic")
ON_PTR_NAMES(domain, "rdns.domain")

static void fcrdns_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct ptr_set *p = ptr_names_or_report(a, in, "rdns.fcrdns", "reverse DNS", out);
	if (p)
		check_fcrdns(a, p, input_get(in, IN_PTR_ADDRS), out);
}

static const struct check checks[] = {
    {.id = "rdns.ptr",
     .title = "the IP has a PTR record",
     .refs = {"M3AAWG Senders BCP 3.3.2a", "1&1 sender rules"},
     .needs = NEED(IN_PTR),
     .run = ptr_run,
     .file = __FILE__},
    {.id = "rdns.single",
     .title = "exactly one PTR record",
     .refs = {"M3AAWG Senders BCP 3.3.2b"},
     .needs = NEED(IN_PTR),
     .run = single_run,
     .file = __FILE__},
    {.id = "rdns.syntax",
     .title = "the PTR name is a valid fully qualified host name",
     .refs = {"RFC 1912 2.1", "1&1 sender rules"},
     .needs = NEED(IN_PTR),
     .run = syntax_run,
     .file = __FILE__},
    {.id = "rdns.fcrdns",
     .title = "the PTR name resolves back to the IP (forward-confirmed)",
     .refs = {"M3AAWG Senders BCP 3.3.2c"},
     .needs = NEED(IN_PTR) | NEED(IN_PTR_ADDRS),
     .run = fcrdns_run,
     .file = __FILE__},
    {.id = "rdns.generic",
     .title = "the PTR name does not look generic or dynamic",
     .refs = {"M3AAWG Senders BCP 3.3.1b", "1&1 sender rules"},
     .needs = NEED(IN_PTR),
     .run = generic_run,
     .file = __FILE__},
    {.id = "rdns.domain",
     .title = "the PTR name is in the audited domain's registrable domain",
     .refs = {"M3AAWG Senders BCP 3.3.1a", "M3AAWG Senders BCP 3.4"},
     .needs = NEED(IN_PTR),
     .run = domain_run,
     .file = __FILE__},
};
FAMILY_OF(rdns, checks);
