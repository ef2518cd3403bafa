/* SPDX-License-Identifier: ISC */
/* helo: the name the server gives in HELO/EHLO (checks.md § HELO): its
 * syntax, its addresses (input IN_HELO_ADDRS), whether it matches the PTR
 * name, and SPF for the HELO identity (inputs of checks/spf.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/xalloc.h"
#include "../lib/util/json.h"
#include "check.h"
#include "lookup.h"
#include "spf.h"

enum helo_kind { HELO_FQDN, HELO_LITERAL, HELO_IP, HELO_LOCALHOST, HELO_BARE, HELO_INVALID };

/* Classifies the HELO argument; why gets the reason for a non-FQDN. */
static enum helo_kind classify(const char *h, char *why, size_t len)
{
	unsigned char buf[16];
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		snprintf(why, len, "an address literal");
		return HELO_LITERAL;
	}
	if (inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1) {
		snprintf(why, len, "an IP address");
		return HELO_IP;
	}
	if (strcmp(h, "localhost") == 0 || strcmp(h, "localhost.localdomain") == 0 ||
	    name_is_under(h, "localhost")) {
		snprintf(why, len, "localhost");
		return HELO_LOCALHOST;
	}
	if (!strchr(h, '.') && n > 0 && n <= 63) {
		char w[8];
		bool ldh = name_is_hostname(h, w, sizeof w) || strstr(w, "single") == w;
		for (const char *p = h; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
				ldh = false;
		if (ldh) {
			snprintf(why, len, "a bare word");
			return HELO_BARE;
		}
	}
	if (!name_is_hostname(h, why, len))
		return HELO_INVALID;
	return HELO_FQDN;
}

static void check_syntax(const char *h, enum helo_kind k, const char *why, const struct audit *a,
                         struct findings *out)
{
	struct finding *f;
	if (k == HELO_FQDN) {
		f = findings_add(out, "helo.syntax", NULL, STATUS_PASS,
		                 "HELO %s is a fully qualified host name", h);
	} else {
		f = findings_add(out, "helo.syntax", NULL, STATUS_FAIL,
		                 "HELO %s is not a fully qualified host name (%s)", h, why);
		finding_set_remedy(
		    f,
		    "Configure the mail server to greet with its fully qualified host name, the "
		    "one its PTR record names (e.g. mail.%s), not an address, localhost or a "
		    "bare word.",
		    a->t->domain);
	}
	JSON_STR(f->data, "helo", h);
	static const char *const kinds[] = {"fqdn",      "address-literal", "ip",
	                                    "localhost", "bare-word",       "invalid"};
	JSON_STR(f->data, "kind", kinds[k]);
}

static void check_resolves(const char *h, const struct addr_set *s, const struct audit *a,
                           struct findings *out)
{
	const char *ip = a->t->ip.text;
	const struct dns_answer *own = a->t->ip.af == AF_INET6 ? s->a6 : s->a4;
	struct finding *f;
	if (s->has_ip) {
		f = findings_add(out, "helo.resolves", NULL, STATUS_PASS, "HELO %s resolves to %s", h, ip);
	} else if (!dns_status_answered(own->status) || (!s->resolves && s->failed)) {
		const struct dns_answer *bad = !dns_status_answered(own->status) ? own : s->failure;
		f = findings_add(out, "helo.resolves", NULL, STATUS_ERROR,
		                 "Could not check HELO %s: %s lookup failed (%s)", h, bad->qname,
		                 dns_status_name(bad->status));
		finding_lookup_failed(a, f, bad);
	} else if (!s->resolves) {
		f = findings_add(out, "helo.resolves", NULL, STATUS_FAIL, "HELO %s does not resolve", h);
		finding_set_remedy(
		    f, "Publish an %s record for %s pointing to %s (or greet with a name that has one).",
		    a->t->ip.af == AF_INET6 ? "AAAA" : "A", h, ip);
	} else if (a->t->shared) {
		f = findings_add(out, "helo.resolves", NULL, STATUS_WARN, "HELO %s resolves, but not to %s",
		                 h, ip);
		finding_set_detail(f,
		                   "Accepted for a shared IP, but a HELO name that resolves to the sending "
		                   "IP is what receivers trust most.");
		finding_set_remedy(
		    f,
		    "Have each pool IP greet with a name that resolves to that IP (e.g. its PTR "
		    "name), or publish an %s record for %s pointing to %s.",
		    a->t->ip.af == AF_INET6 ? "AAAA" : "A", h, ip);
	} else {
		f = findings_add(out, "helo.resolves", NULL, STATUS_FAIL, "HELO %s resolves, but not to %s",
		                 h, ip);
		finding_set_remedy(
		    f,
		    "Publish an %s record for %s pointing to %s, or greet with a name that resolves "
		    "to it (the PTR name).",
		    a->t->ip.af == AF_INET6 ? "AAAA" : "A", h, ip);
	}
	JSON_STR(f->data, "helo", h);
	JSON_ITEM(f->data, "addresses", addr_set_json(s));
	JSON_BOOL(f->data, "shared", a->t->shared);
}

static void check_matches(const char *h, const struct ptr_set *p, const struct audit *a, struct findings *out)
{
	struct finding *f;
	if (!dns_status_answered(p->ans->status)) {
		f = add_lookup_error(a, out, "helo.matches", NULL, "the HELO name against the PTR name",
		                     p->ans);
	} else if (p->count == 0) {
		f = findings_add(out, "helo.matches", NULL, STATUS_FAIL,
		                 "HELO %s cannot match: %s has no PTR record", h, a->t->ip.text);
		finding_set_remedy(
		    f,
		    "Publish a PTR record for %s naming %s (with an A record back), so HELO and "
		    "reverse DNS agree.",
		    a->t->ip.text, h);
	} else if (!a->t->shared) {
		bool eq = false;
		for (size_t i = 0; i < p->count; i++)
			if (strcmp(p->names[i], h) == 0)
				eq = true;
		if (eq) {
			f = findings_add(out, "helo.matches", NULL, STATUS_PASS,
			                 "HELO %s equals the PTR name", h);
		} else if (!name_is_hostname(h, NULL, 0)) {
			f = findings_add(out, "helo.matches", NULL, STATUS_FAIL,
			                 "HELO %s differs from PTR name %s", h, p->names[0]);
			finding_set_remedy(f, "Configure the server to greet with its PTR name, %s.",
			                   p->names[0]);
		} else {
			f = findings_add(out, "helo.matches", NULL, STATUS_FAIL,
			                 "HELO %s differs from PTR name %s", h, p->names[0]);
			finding_set_remedy(
			    f,
			    "For a dedicated IP, make the HELO name and the PTR name the same host "
			    "name: configure the server to greet with %s, or change the PTR record to "
			    "%s (with an A record back to %s).",
			    p->names[0], h, a->t->ip.text);
		}
	} else {
		char *hreg = psl_registrable_new(a->psl, h);
		const char *hit = NULL;
		for (size_t i = 0; i < p->count && !hit; i++) {
			char *r = psl_registrable_new(a->psl, p->names[i]);
			if (r && hreg && strcmp(r, hreg) == 0)
				hit = p->names[i];
			free(r);
		}
		if (hit) {
			f = findings_add(out, "helo.matches", NULL, STATUS_PASS,
			                 "HELO %s is in the PTR name's domain %s", h, hreg);
		} else {
			f = findings_add(out, "helo.matches", NULL, STATUS_FAIL,
			                 "HELO %s is not in the domain of PTR name %s", h, p->names[0]);
			finding_set_remedy(
			    f,
			    "For a shared IP, greet with a name in the same registrable domain as the "
			    "PTR name %s (ideally the PTR name itself).",
			    p->names[0]);
		}
		json_add_str(f->data, "helo_domain", hreg);
		free(hreg);
	}
	JSON_STR(f->data, "helo", h);
	JSON_ITEM(f->data, "ptr", json_str_array(p->names, p->count));
	JSON_BOOL(f->data, "shared", a->t->shared);
}

/* ------------------------------------------------------------ IN_HELO_ADDRS */

struct helo_addrs {
	bool asked; /* the HELO is a name that can have addresses */
	struct addr_set s;
};

static bool helo_named(const char *h, enum helo_kind *k, char *why, size_t len)
{
	*k = classify(h, why, len);
	return *k == HELO_FQDN || *k == HELO_BARE || (*k == HELO_INVALID && name_is_dns(h));
}

static void *helo_addrs_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct helo_addrs *ha = xcalloc(1, sizeof *ha);
	enum helo_kind k;
	char why[160];
	if (a->t->helo && helo_named(a->t->helo, &k, why, sizeof why)) {
		ha->asked = true;
		addr_lookup(a, a->t->helo, &ha->s);
	}
	return ha;
}

const struct input_def input_helo_addrs = {
    .id = IN_HELO_ADDRS, .name = "the HELO name's addresses", .compute = helo_addrs_compute, .free = free};

/* ------------------------------------------------------------ the checks */

/* The HELO name, or NULL with a skip finding of id when none was given. */
static const char *helo_or_skip(const struct audit *a, const char *id, struct findings *out)
{
	if (a->t->helo)
		return a->t->helo;
	struct finding *f = findings_add(out, id, NULL, STATUS_SKIP, "no --helo given");
	finding_set_detail(f, "Pass --helo NAME (the name the server gives in HELO/EHLO) to check it.");
	return NULL;
}

static void syntax_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)in;
	const char *h = helo_or_skip(a, "helo.syntax", out);
	char why[160];
	if (h)
		check_syntax(h, classify(h, why, sizeof why), why, a, out);
}

static void resolves_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const char *h = helo_or_skip(a, "helo.resolves", out);
	if (!h)
		return;
	const struct helo_addrs *ha = input_get(in, IN_HELO_ADDRS);
	if (ha->asked) {
		check_resolves(h, &ha->s, a, out);
		return;
	}
	char why[160];
	classify(h, why, sizeof why);
	struct finding *f =
	    findings_add(out, "helo.resolves", NULL, STATUS_FAIL, "HELO %s cannot resolve (%s)", h, why);
	finding_set_remedy(f, "Greet with a fully qualified host name that resolves to %s.", a->t->ip.text);
	JSON_STR(f->data, "helo", h);
}

static void matches_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const char *h = helo_or_skip(a, "helo.matches", out);
	if (h)
		check_matches(h, input_get(in, IN_PTR), a, out);
}

static void spf_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	if (helo_or_skip(a, "helo.spf", out))
		spf_helo_finding(a, input_get(in, IN_HELO_SPF), input_get(in, IN_HELO_SPF_SECOND), out);
}

static const struct check checks[] = {
    {.id = "helo.syntax",
     .title = "the HELO name is a fully qualified host name",
     .refs = {"M3AAWG Senders BCP 3.3.3a", "RFC 5321 4.1.1.1"},
     .run = syntax_run,
     .file = __FILE__},
    {.id = "helo.resolves",
     .title = "the HELO name resolves to the IP",
     .refs = {"M3AAWG Senders BCP 3.3.3a", "M3AAWG Senders BCP 3.3.3b"},
     .needs = NEED(IN_HELO_ADDRS),
     .run = resolves_run,
     .file = __FILE__},
    {.id = "helo.matches",
     .title = "the HELO name matches the PTR name (same domain for a shared IP)",
     .refs = {"M3AAWG Senders BCP 3.3.3b", "M3AAWG Senders BCP 3.3.3c"},
     .needs = NEED(IN_PTR),
     .run = matches_run,
     .file = __FILE__},
    {.id = "helo.spf",
     .title = "SPF for the HELO name passes for the IP",
     .refs = {"RFC 7208 2.3"},
     .needs = NEED(IN_HELO_SPF) | NEED(IN_HELO_SPF_SECOND),
     .run = spf_run,
     .file = __FILE__},
};
FAMILY_OF(helo, checks);
