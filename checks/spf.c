/* SPDX-License-Identifier: ISC */
/* spf: SPF of the MAIL FROM domain (checks.md § SPF) and of the HELO
 * identity (helo.spf, in checks/helo.c). The verdict comes from
 * lib/records/spf_eval (RFC 7208 with its limits); libspf2's verdict is
 * kept beside it as a second opinion (lib/proc/spf2pool). Inputs IN_SPF,
 * IN_SPF_SECOND, IN_HELO_SPF and IN_HELO_SPF_SECOND. */
#include "spf.h"
#include "../lib/util/json.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/records/spf_json.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/timeouts.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"

/* RFC 7208 3.4: keep the answer within 512 bytes. */
#define RECORD_WARN_LEN 450

void spf_outcome_run(const struct resolver *dns, const struct spf_request *rq, struct spf_outcome *out)
{
	memset(out, 0, sizeof *out);
	struct resolver logged = resolver_logging(&out->asked, dns);
	spf_walk(&logged, rq, &out->tree);
	spf_check_host(&logged, rq, &out->verdict);
	out->asked.inner = NULL;                                    /* the caller's, used no more */
	out->root_txt = resolver_query(dns, rq->domain, DNS_T_TXT); /* from the cache */
}

void spf_outcome_clear(struct spf_outcome *o)
{
	spf_verdict_clear(&o->verdict);
	spf_tree_clear(&o->tree);
	resolver_log_clear(&o->asked);
	memset(o, 0, sizeof *o);
}

/* The verdict and libspf2's beside it. */
static cJSON *verdict_json_new(const struct spf_verdict *v, const struct spf_second *second)
{
	cJSON *j = spf_verdict_json_new(v);
	JSON_ITEM(j, "libspf2", spf_second_json_new(second));
	return j;
}

/* ------------------------------------------------------------ the inputs */

/* SPF of an identity: domain, with sender postmaster@domain. */
static struct spf_outcome *outcome_new(const struct audit *a, const char *domain)
{
	struct spf_outcome *o = xcalloc(1, sizeof *o);
	char *sender = xasprintf("postmaster@%s", domain);
	struct spf_request rq = {a->t->ip, domain, sender, a->t->helo};
	spf_outcome_run(a->dns, &rq, o);
	free(sender);
	return o;
}

static void outcome_free(void *v)
{
	spf_outcome_clear(v);
	free(v);
}

/* libspf2's verdicts. When the audit wants both identities', the MAIL FROM
 * input asks for the two in one request to a worker (each handed the
 * answers its own evaluation had), and the HELO input takes its half: a
 * batch wakes a worker, and is woken by it, once a sender instead of twice. */
struct seconds {
	struct spf_second mail_from, helo; /* helo: when IN_HELO_SPF_SECOND wants it */
};

static void seconds_run(const struct audit *a, const char *const *domain, const struct spf_outcome *const *o,
                        size_t n, struct spf_second *out)
{
	struct spf_request rq[2];
	char *sender[2];
	const struct resolver_log *known[2];
	for (size_t i = 0; i < n; i++) {
		sender[i] = xasprintf("postmaster@%s", domain[i]);
		rq[i] = (struct spf_request){a->t->ip, domain[i], sender[i], a->t->helo};
		known[i] = &o[i]->asked;
	}
	struct timeouts tm;
	timeouts_from(a->o->timeout_ms, &tm);
	spf_second_run_n(a->spf2, a->dns, rq, known, n, tm.libspf2_ms, out);
	for (size_t i = 0; i < n; i++)
		free(sender[i]);
}

static void seconds_free(void *v)
{
	struct seconds *s = v;
	spf_second_clear(&s->mail_from);
	spf_second_clear(&s->helo);
	free(s);
}

static void second_free(void *v)
{
	spf_second_clear(v);
	free(v);
}

static void *spf_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return outcome_new(a, a->t->mail_from);
}

static void *spf_second_compute(const struct audit *a, const struct inputs *in)
{
	struct seconds *s = xcalloc(1, sizeof *s);
	const char *domain[2] = {a->t->mail_from, a->t->helo};
	const struct spf_outcome *o[2] = {input_get(in, IN_SPF), NULL};
	bool both = a->t->helo && input_needed(in, IN_HELO_SPF_SECOND);
	if (both)
		o[1] = input_get(in, IN_HELO_SPF);
	struct spf_second out[2];
	seconds_run(a, domain, o, both ? 2 : 1, out);
	s->mail_from = out[0];
	if (both)
		s->helo = out[1];
	return s;
}

/* The HELO identity (RFC 7208 2.3): sender postmaster@helo. Without a
 * HELO name there is nothing to evaluate: an empty outcome. */
static void *helo_spf_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return a->t->helo ? outcome_new(a, a->t->helo) : xcalloc(1, sizeof(struct spf_outcome));
}

static void *helo_spf_second_compute(const struct audit *a, const struct inputs *in)
{
	struct spf_second *s = xcalloc(1, sizeof *s);
	if (!a->t->helo)
		return s;
	if (input_needed(in, IN_SPF_SECOND)) {
		/* asked with the MAIL FROM identity's (spf_second_compute) */
		const struct seconds *both = input_get(in, IN_SPF_SECOND);
		s->ran = both->helo.ran;
		s->result = both->helo.result ? xstrdup(both->helo.result) : NULL;
		s->why = both->helo.why ? xstrdup(both->helo.why) : NULL;
		s->asked = both->helo.asked;
		return s;
	}
	const char *domain = a->t->helo;
	const struct spf_outcome *o = input_get(in, IN_HELO_SPF);
	seconds_run(a, &domain, &o, 1, s);
	return s;
}

const struct input_def input_spf = {
    .id = IN_SPF, .name = "SPF of the MAIL FROM domain", .compute = spf_compute, .free = outcome_free};
const struct input_def input_spf_second = {.id = IN_SPF_SECOND,
                                           .name = "libspf2's SPF verdict for the MAIL FROM domain",
                                           .needs = NEED(IN_SPF),
                                           .uses = NEED(IN_HELO_SPF),
                                           .compute = spf_second_compute,
                                           .free = seconds_free};
const struct input_def input_helo_spf = {
    .id = IN_HELO_SPF, .name = "SPF of the HELO name", .compute = helo_spf_compute, .free = outcome_free};
const struct input_def input_helo_spf_second = {.id = IN_HELO_SPF_SECOND,
                                                .name = "libspf2's SPF verdict for the HELO name",
                                                .needs = NEED(IN_HELO_SPF),
                                                .uses = NEED(IN_SPF_SECOND),
                                                .compute = helo_spf_second_compute,
                                                .free = second_free};

/* ------------------------------------------------------------ the checks */

/* The record check reads the root of the tree. */
static void check_record(const struct audit *a, const struct spf_outcome *o, const char *dom,
                         struct findings *out)
{
	const struct spf_node *n = &o->tree.nodes[0];
	struct finding *f;
	switch (n->status) {
	case SPF_NODE_OK:
		if (n->record_len > RECORD_WARN_LEN) {
			f = findings_add(out, "spf.record", NULL, STATUS_WARN,
			                 "the SPF record of %s is %zu bytes long", dom, n->record_len);
			finding_set_detail(
			    f,
			    "Records over %d bytes risk answers larger than 512 bytes (RFC 7208 3.4), "
			    "which some receivers do not retry over TCP.",
			    RECORD_WARN_LEN);
			finding_set_remedy(
			    f, "Shorten the record: move groups of ip4:/ip6: terms into an include:d "
			       "record, or drop terms for senders you no longer use.");
		} else {
			f = findings_add(out, "spf.record", NULL, STATUS_PASS, "%s has one SPF record", dom);
		}
		if (n->after_all)
			finding_set_detail(f, "Terms after \"all\" are never evaluated (RFC 7208 5.1).");
		break;
	case SPF_NODE_NONE:
		f = findings_add(out, "spf.record", NULL, STATUS_FAIL, "%s has no SPF record", dom);
		finding_set_detail(
		    f, "No TXT record of %s starts with \"v=spf1\"%s; receivers get the SPF result none.",
		    dom, strstr(n->why, "does not exist") ? " (the name does not exist)" : "");
		finding_set_remedy(
		    f,
		    "Publish one TXT record at %s starting with \"v=spf1\" that lists the servers "
		    "sending its mail and ends in \"-all\" or \"~all\", e.g. \"v=spf1 ip4:%s -all\".",
		    dom, a->t->ip.text);
		break;
	case SPF_NODE_MULTIPLE:
		f = findings_add(out, "spf.record", NULL, STATUS_FAIL, "%s has more than one SPF record",
		                 dom);
		finding_set_detail(f, "%s: receivers return permerror (RFC 7208 4.5).", n->why);
		finding_set_remedy(f, "Merge the SPF records of %s into one TXT record.", dom);
		break;
	case SPF_NODE_SYNTAX:
		f = findings_add(out, "spf.record", NULL, STATUS_FAIL, "the SPF record of %s does not parse",
		                 dom);
		finding_set_detail(f, "%s: receivers return permerror.", n->why);
		finding_set_remedy(f, "Fix the record's syntax (RFC 7208 12), e.g. with `senderaudit spf`.");
		break;
	case SPF_NODE_DNSERR: {
		f = add_lookup_error(a, out, "spf.record", NULL, "the SPF record", o->root_txt);
		break;
	}
	default:
		f = findings_add(out, "spf.record", NULL, STATUS_FAIL, "%s cannot have an SPF record", dom);
		finding_set_detail(f, "%s", n->why ? n->why : "");
		finding_set_remedy(f, "Send with a MAIL FROM domain that is a valid domain name.");
		break;
	}
	JSON_STR(f->data, "domain", dom);
	json_add_str(f->data, "record", n->record);
	JSON_NUM(f->data, "length", (double)n->record_len);
}

static void check_pass(const struct audit *a, const struct spf_outcome *o, const struct spf_second *second,
                       const char *dom, struct findings *out)
{
	const struct spf_verdict *v = &o->verdict;
	struct finding *f;
	const char *res = spf_result_name(v->result);
	switch (v->result) {
	case SPF_RES_PASS:
		f = findings_add(out, "spf.pass", NULL, STATUS_PASS, "SPF passes for %s from %s", dom,
		                 a->t->ip.text);
		finding_set_detail(f, "%s.", v->reason);
		break;
	case SPF_RES_TEMPERROR:
		f = findings_add(out, "spf.pass", NULL, STATUS_ERROR,
		                 "SPF for %s could not be evaluated (temperror)", dom);
		finding_set_detail(f, "%s.", v->reason);
		finding_set_remedy(
		    f, "Check that the name servers of every domain in the SPF tree answer; run again.");
		break;
	default:
		f = findings_add(out, "spf.pass", NULL, STATUS_FAIL, "SPF for %s from %s is %s", dom,
		                 a->t->ip.text, res);
		finding_set_detail(f, "%s.", v->reason);
		if (v->result == SPF_RES_PERMERROR)
			finding_set_remedy(f,
			                   "Fix the SPF tree of %s so that it evaluates (see spf.record and "
			                   "spf.lookups), then authorize %s in it.",
			                   dom, a->t->ip.text);
		else
			finding_set_remedy(
			    f,
			    "Authorize %s in the SPF record of %s (e.g. \"ip4:%s\" before the \"all\"), or "
			    "send through a server it already lists.",
			    a->t->ip.text, dom, a->t->ip.text);
		break;
	}
	/* Receivers differ: say so when libspf2 (Exim, ...) would decide otherwise,
	 * or could not decide at all. */
	char *d = NULL;
	if (second->result && strcmp(second->result, res) != 0)
		d = xasprintf(
		    "%s libspf2 says %s for the same data: receivers built on it (Exim and others) will "
		    "decide that way.",
		    f->detail ? f->detail : "", second->result);
	else if (second->ran && !second->result)
		d = xasprintf(
		    "%s libspf2 did not evaluate the same data (%s): receivers built on it may fail on "
		    "this record.",
		    f->detail ? f->detail : "", second->why ? second->why : "no result");
	if (d) {
		finding_set_detail(f, "%s", d);
		free(d);
	}
	cJSON *j = verdict_json_new(&o->verdict, second);
	JSON_STR(j, "domain", dom);
	cJSON_Delete(f->data);
	f->data = j;
}

static void check_lookups(const struct spf_outcome *o, const char *dom, struct findings *out)
{
	const struct spf_tree *t = &o->tree;
	unsigned total = t->nodes[0].total, macros = 0;
	for (size_t i = 0; i < t->n; i++)
		macros += t->nodes[i].macros;
	const struct spf_node *loop = NULL;
	for (size_t i = 0; i < t->n && !loop; i++)
		if (t->nodes[i].status == SPF_NODE_LOOP)
			loop = &t->nodes[i];
	struct finding *f;
	if (t->nodes[0].status != SPF_NODE_OK && t->nodes[0].status != SPF_NODE_DNSERR) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_SKIP, "no SPF record to count");
	} else if (loop) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_FAIL,
		                 "the SPF tree of %s loops: %s:%s is already on its path (permerror)", dom,
		                 loop->via, loop->domain);
	} else if (total > 10) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_FAIL,
		                 "the SPF tree of %s needs %u DNS lookups; receivers stop at 10 (permerror)",
		                 dom, total);
	} else if (t->voids > 2) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_FAIL,
		                 "the SPF tree of %s has %u void lookups; receivers stop at 2 (permerror)",
		                 dom, t->voids);
	} else if (t->mx_names_max > 10) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_FAIL,
		                 "mx:%s in the SPF tree of %s has %u MX names; more than 10 is a permerror",
		                 t->mx_names_domain, dom, t->mx_names_max);
	} else if (t->incomplete) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_ERROR,
		                 "the SPF tree of %s could not be read in full", dom);
		finding_set_detail(f, "%s; %u lookup%s counted so far.", t->incomplete_why, total,
		                   total == 1 ? "" : "s");
		finding_set_remedy(
		    f, "Check that the name servers of every domain in the SPF tree answer; run again.");
	} else if (total > 8) {
		f = findings_add(out, "spf.lookups", NULL, STATUS_WARN,
		                 "the SPF tree of %s needs %u of the 10 DNS lookups allowed", dom, total);
	} else {
		f = findings_add(out, "spf.lookups", NULL, STATUS_PASS,
		                 "the SPF tree of %s needs %u DNS lookup%s", dom, total,
		                 total == 1 ? "" : "s");
	}
	if (f->status == STATUS_FAIL || f->status == STATUS_WARN) {
		/* the most expensive branches first: what to flatten */
		size_t worst = 0;
		for (size_t i = 1; i < t->n; i++)
			if (t->nodes[i].parent == 0 && (!worst || t->nodes[i].total > t->nodes[worst].total))
				worst = i;
		if (worst)
			finding_set_detail(
			    f,
			    "The largest branch is %s:%s with %u lookup%s; the whole tree is in data.tree.%s",
			    t->nodes[worst].via, t->nodes[worst].domain, t->nodes[worst].total,
			    t->nodes[worst].total == 1 ? "" : "s",
			    macros ? " Terms with macros were counted for this sender only." : "");
		finding_set_remedy(
		    f, "Bring the tree under 10 lookups (8 leaves room for a provider's change): replace "
		       "include:/a/mx terms of your own servers with ip4:/ip6: ranges, drop includes of "
		       "services you no longer use, and remove terms whose names do not exist.");
	}
	JSON_STR(f->data, "domain", dom);
	JSON_NUM(f->data, "total", total);
	JSON_NUM(f->data, "void_lookups", t->voids);
	JSON_NUM(f->data, "mx_names_max", t->mx_names_max);
	JSON_NUM(f->data, "macro_terms", macros);
	JSON_ITEM(f->data, "tree", spf_tree_json_new(t));
}

/* The record could not be read (lookup failed): what depends on it is an
 * error, not a skip. */
static struct finding *add_unread(const struct audit *a, struct findings *out, const char *id,
                                  const struct spf_outcome *o, const char *what)
{
	const struct spf_tree *t = &o->tree;
	const struct spf_node *root = &t->nodes[0];
	const struct dns_answer *ans = o->root_txt;
	if (!dns_status_answered(ans->status))
		return add_lookup_error(a, out, id, NULL, what, ans);
	struct finding *f = findings_add(out, id, NULL, STATUS_ERROR, "Could not check %s: %s", what,
	                                 t->incomplete_why ? t->incomplete_why : root->why);
	finding_set_remedy(f,
	                   "Check that the name servers of every domain in the SPF tree answer; run again.");
	return f;
}

static void check_all(const struct audit *a, const struct spf_outcome *o, const char *dom,
                      struct findings *out)
{
	const char *where;
	const struct spf_node *stop;
	char q = spf_tree_all(&o->tree, &where, &stop);
	const struct spf_node *root = &o->tree.nodes[0];
	struct finding *f;
	if (root->status == SPF_NODE_DNSERR) {
		f = add_unread(a, out, "spf.all", o, "the SPF record's \"all\"");
	} else if (root->status != SPF_NODE_OK) {
		f = findings_add(out, "spf.all", NULL, STATUS_SKIP, "no SPF record to read");
	} else if (stop && (stop->status == SPF_NODE_DNSERR || stop->status == SPF_NODE_CUT)) {
		/* the redirect= target holds the `all`: unknown, not missing */
		f = findings_add(out, "spf.all", NULL, STATUS_ERROR,
		                 "Could not check the SPF record's \"all\": the redirect= target %s could "
		                 "not be read",
		                 stop->domain);
		finding_set_detail(f, "%s.", stop->why);
		finding_set_remedy(f, "Check that the name servers of %s answer; run again.", stop->domain);
	} else if (q == '-' || q == '~') {
		f = findings_add(out, "spf.all", NULL, STATUS_PASS, "the SPF record of %s ends in %call", dom,
		                 q);
	} else if (q == '+') {
		f = findings_add(out, "spf.all", NULL, STATUS_FAIL,
		                 "the SPF record of %s ends in +all: every IP passes", dom);
		finding_set_remedy(
		    f,
		    "Replace \"+all\" with \"-all\" (or \"~all\" while you test) after listing your "
		    "senders: +all lets anyone send as %s.",
		    dom);
	} else if (q == '?') {
		f = findings_add(out, "spf.all", NULL, STATUS_WARN,
		                 "the SPF record of %s ends in ?all (neutral)", dom);
		finding_set_remedy(
		    f, "End the record in \"-all\" or \"~all\" so receivers can act on mail from other IPs.");
	} else {
		f = findings_add(
		    out, "spf.all", NULL, STATUS_WARN, "the SPF record of %s has no \"all\" %s", dom,
		    root->redirect ? "(its redirect= target has none either)" : "and no redirect=");
		finding_set_detail(f,
		                   "Mail from unlisted IPs gets neutral, which receivers treat like no SPF.");
		finding_set_remedy(f, "End the record in \"-all\" or \"~all\".");
	}
	JSON_STR(f->data, "domain", dom);
	if (q) {
		char all[5] = {q, 'a', 'l', 'l', '\0'};
		JSON_STR(f->data, "all", all);
		json_add_str(f->data, "in", where);
	}
}

static void check_ptr(const struct audit *a, const struct spf_outcome *o, const char *dom,
                      struct findings *out)
{
	const struct spf_tree *t = &o->tree;
	cJSON *where = cJSON_CreateArray();
	for (size_t i = 0; i < t->n; i++)
		if (t->nodes[i].ptr)
			cJSON_AddItemToArray(where, cJSON_CreateString(t->nodes[i].domain));
	struct finding *f;
	int n = cJSON_GetArraySize(where);
	if (t->nodes[0].status == SPF_NODE_DNSERR) {
		f = add_unread(a, out, "spf.ptr", o, "whether the SPF tree uses ptr");
	} else if (t->nodes[0].status != SPF_NODE_OK) {
		f = findings_add(out, "spf.ptr", NULL, STATUS_SKIP, "no SPF record to read");
	} else if (n == 0 && t->incomplete) {
		/* a part of the tree that was not read may use it */
		f = add_unread(a, out, "spf.ptr", o, "whether the SPF tree uses ptr");
	} else if (n == 0) {
		f = findings_add(out, "spf.ptr", NULL, STATUS_PASS, "the SPF tree of %s does not use ptr",
		                 dom);
	} else {
		f = findings_add(out, "spf.ptr", NULL, STATUS_WARN, "the SPF tree of %s uses ptr (in %s)",
		                 dom, cJSON_GetArrayItem(where, 0)->valuestring);
		finding_set_detail(
		    f, "RFC 7208 5.5: ptr is slow and unreliable and SHOULD NOT be used; some receivers "
		       "skip it, so mail it would authorize fails.");
		finding_set_remedy(
		    f, "Replace ptr with ip4:/ip6: ranges or a:/mx terms for the servers it meant.");
	}
	JSON_STR(f->data, "domain", dom);
	JSON_ITEM(f->data, "in", where);
}

/* Whether SPF records can be published at the HELO name: not an address
 * literal, a bare word or localhost. */
static bool helo_is_name(const char *h)
{
	return name_is_hostname(h, NULL, 0) && !name_is_under(h, "localhost") &&
	       strcmp(h, "localhost.localdomain") != 0;
}

/* For a HELO that is no host name the fix is the greeting, not a record. */
static void helo_name_remedy(const struct audit *a, struct finding *f)
{
	finding_set_remedy(f,
	                   "Configure the mail server to greet with its fully qualified host name (see "
	                   "helo.syntax), such as mail.%s, then publish \"v=spf1 a -all\" at that name.",
	                   a->t->domain);
}

/* helo.spf: RFC 7208 2.3, the HELO identity (sender postmaster@helo). */
void spf_helo_finding(const struct audit *a, const struct spf_outcome *o, const struct spf_second *second,
                      struct findings *out)
{
	const char *h = a->t->helo;
	const struct spf_verdict *v = &o->verdict;
	struct finding *f;
	switch (v->result) {
	case SPF_RES_PASS:
		f = findings_add(out, "helo.spf", NULL, STATUS_PASS, "SPF for the HELO name %s passes", h);
		finding_set_detail(f, "%s.", v->reason);
		break;
	case SPF_RES_NONE:
	case SPF_RES_NEUTRAL:
	case SPF_RES_SOFTFAIL:
		f = findings_add(out, "helo.spf", NULL, STATUS_WARN, "SPF for the HELO name %s is %s", h,
		                 spf_result_name(v->result));
		finding_set_detail(f, "%s. Receivers check the HELO identity for bounces (empty MAIL FROM).",
		                   v->reason);
		if (helo_is_name(h))
			finding_set_remedy(
			    f, "Publish \"v=spf1 a -all\" at %s (its own address authorizes it).", h);
		else
			helo_name_remedy(a, f);
		break;
	case SPF_RES_TEMPERROR:
		f = findings_add(out, "helo.spf", NULL, STATUS_ERROR,
		                 "SPF for the HELO name %s could not be evaluated", h);
		finding_set_detail(f, "%s.", v->reason);
		finding_set_remedy(f, "Check that the name servers of %s answer; run again.", h);
		break;
	default:
		f = findings_add(out, "helo.spf", NULL, STATUS_FAIL, "SPF for the HELO name %s is %s", h,
		                 spf_result_name(v->result));
		finding_set_detail(f, "%s.", v->reason);
		if (helo_is_name(h))
			finding_set_remedy(
			    f,
			    "Authorize %s in the SPF record of %s, e.g. \"v=spf1 a -all\" when %s resolves "
			    "to it.",
			    a->t->ip.text, h, h);
		else
			helo_name_remedy(a, f);
		break;
	}
	cJSON *j = verdict_json_new(&o->verdict, second);
	JSON_STR(j, "helo", h);
	JSON_ITEM(j, "tree", spf_tree_json_new(&o->tree));
	cJSON_Delete(f->data);
	f->data = j;
}

/* ------------------------------------------------------------ runs */

/* The checks of the MAIL FROM domain's SPF: fn(outcome, domain). */
static void record_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	check_record(a, input_get(in, IN_SPF), a->t->mail_from, out);
}

static void pass_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct seconds *second = input_get(in, IN_SPF_SECOND);
	check_pass(a, input_get(in, IN_SPF), &second->mail_from, a->t->mail_from, out);
}

static void lookups_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	check_lookups(input_get(in, IN_SPF), a->t->mail_from, out);
}

static void all_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	check_all(a, input_get(in, IN_SPF), a->t->mail_from, out);
}

static void ptr_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	check_ptr(a, input_get(in, IN_SPF), a->t->mail_from, out);
}

static const struct check checks[] = {
    {.id = "spf.record",
     .title = "the domain has exactly one SPF record, which parses",
     .refs = {"RFC 7208 3", "RFC 7208 4.5"},
     .needs = NEED(IN_SPF),
     .run = record_run,
     .file = __FILE__},
    {.id = "spf.pass",
     .title = "SPF (check_host) for the IP and the MAIL FROM domain is pass",
     .refs = {"RFC 7208 2.6", "1&1"},
     .needs = NEED(IN_SPF) | NEED(IN_SPF_SECOND),
     .run = pass_run,
     .file = __FILE__},
    {.id = "spf.lookups",
     .title = "the SPF tree stays within the DNS lookup limits (10 terms, 2 void lookups)",
     .refs = {"RFC 7208 4.6.4"},
     .needs = NEED(IN_SPF),
     .run = lookups_run,
     .file = __FILE__},
    {.id = "spf.all",
     .title = "the SPF record ends in -all or ~all",
     .refs = {"RFC 7208 5.1"},
     .needs = NEED(IN_SPF),
     .run = all_run,
     .file = __FILE__},
    {.id = "spf.ptr",
     .title = "the SPF tree does not use the ptr mechanism",
     .refs = {"RFC 7208 5.5"},
     .needs = NEED(IN_SPF),
     .run = ptr_run,
     .file = __FILE__},
};
FAMILY_OF(spf, checks);
