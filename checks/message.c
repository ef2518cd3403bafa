/* SPDX-License-Identifier: ISC */
/* message: a real message audited as a receiver judges it (--message; the
 * message table of the man page's CHECKS): its DKIM signatures, DMARC on
 * its From: domain with SPF and DKIM alignment, the bulk-sender rules
 * (RFC 8058 one-click unsubscribe, Message-ID, Date, one From, one
 * Subject), and its form (RFC 5322 lines and header fields, MIME, ARC).
 * Inputs IN_MESSAGE (the parsed message), IN_MSG_DKIM (the verified
 * signatures) and IN_MSG_DMARC (the From: domain's policy and the
 * organizational domains of the identifiers that may align with it); SPF
 * comes from the spf family's IN_SPF and IN_HELO_SPF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../lib/message/dkimverify.h"
#include "../lib/util/json.h"
#include "../lib/message/rfc5322.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "dmarc.h"
#include "lookup.h"
#include "spf.h"

/* A Date this far ahead of the clock is in the future, not skew. */
#define DATE_SKEW_S (15 * 60)

/* ------------------------------------------------------------ the inputs */

/* IN_MESSAGE. */
struct msg_in {
	bool present;
	struct message m;
	size_t from_fields;       /* From: fields */
	struct msg_mailbox *from; /* the first one's mailboxes */
	long from_n;              /* their number, -1 when it does not parse */
	char from_why[200];
};

static void *message_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct msg_in *mi = xcalloc(1, sizeof *mi);
	if (!a->t->message)
		return mi;
	mi->present = true;
	msg_parse(a->t->message, a->t->message_len, &mi->m);
	mi->from_fields = msg_count(&mi->m, "From");
	const struct msg_field *f = msg_get(&mi->m, "From", 0);
	mi->from_n = f ? msg_mailboxes(f->value, &mi->from, mi->from_why, sizeof mi->from_why) : -1;
	return mi;
}

static void message_free(void *v)
{
	struct msg_in *mi = v;
	if (mi->present) {
		msg_free(&mi->m);
		if (mi->from_n > 0)
			msg_mailboxes_free(mi->from, (size_t)mi->from_n);
	}
	free(mi);
}

static void *msg_dkim_compute(const struct audit *a, const struct inputs *in)
{
	const struct msg_in *mi = input_get(in, IN_MESSAGE);
	struct dkimv *v = xcalloc(1, sizeof *v);
	if (mi->present)
		dkimv_run(&mi->m, a->dns, 0, v);
	return v;
}

static void msg_dkim_free(void *v)
{
	dkimv_free(v);
	free(v);
}

/* IN_MSG_DMARC: the From: domain's policy, and the organizational domain
 * (DNS Tree Walk) of each identifier that may align with it: the SPF
 * identity's domain and the d= of each signature. */
struct org {
	char *domain;
	char *org; /* NULL when the walk failed */
	const struct dns_answer *failure;
};

/* Whether the From: domain exists: a subdomain that does not (NXDOMAIN
 * for A, AAAA and MX, RFC 9091 2.1) gets the np= policy. */
enum from_state { FROM_EXISTS, FROM_MISSING, FROM_UNKNOWN };

struct msg_dmarc {
	struct dmarc_policy *policy; /* NULL without a From: domain */
	struct org ids[DKIMV_MAX + 2];
	size_t n;
	enum from_state from;
	const struct dns_answer *from_failure; /* why FROM_UNKNOWN */
};

static const uint16_t exist_types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX};

static void from_existence(const struct audit *a, struct msg_dmarc *md)
{
	bool missing = true;
	for (size_t i = 0; i < sizeof exist_types / sizeof *exist_types; i++) {
		const struct dns_answer *ans = lookup(a, a->t->message_from, exist_types[i]);
		if (ans->status == DNS_OK || ans->status == DNS_NODATA) {
			md->from = FROM_EXISTS;
			return;
		}
		if (ans->status != DNS_NXDOMAIN) {
			missing = false;
			if (!md->from_failure)
				md->from_failure = ans;
		}
	}
	md->from = missing ? FROM_MISSING : FROM_UNKNOWN;
}

/* The domain SPF authenticated for the message: MAIL FROM's, or the
 * HELO name's for a bounce (RFC 7208 2.4). NULL when there is none. */
static const char *spf_domain(const struct audit *a)
{
	return a->t->null_return_path ? a->t->helo : a->t->mail_from;
}

static void add_id(struct msg_dmarc *md, const char *domain)
{
	if (!domain || !*domain || md->n == sizeof md->ids / sizeof *md->ids)
		return;
	char *d = name_normalize_new(domain);
	for (size_t i = 0; i < md->n; i++)
		if (strcmp(md->ids[i].domain, d) == 0) {
			free(d);
			return;
		}
	md->ids[md->n++].domain = d;
}

static void *msg_dmarc_compute(const struct audit *a, const struct inputs *in)
{
	const struct msg_in *mi = input_get(in, IN_MESSAGE);
	struct msg_dmarc *md = xcalloc(1, sizeof *md);
	if (!mi->present || !a->t->message_from)
		return md;
	add_id(md, spf_domain(a));
	size_t sigs = 0;
	for (size_t i = 0; i < mi->m.nf && sigs < DKIMV_MAX; i++) {
		const struct msg_field *f = &mi->m.f[i];
		if (!f->name || strcasecmp(f->name, "DKIM-Signature") != 0)
			continue;
		sigs++;
		char *d = msg_tag_new(f->value, "d");
		if (d && name_is_dns(d))
			add_id(md, d);
		free(d);
	}
	/* every walk's names at once, then each walk from the cache */
	for (size_t i = 0; i < md->n; i++) {
		char *names[8];
		size_t k = dmarc_walk_names_new(md->ids[i].domain, names);
		for (size_t j = 0; j < k; j++) {
			char *q = xasprintf("_dmarc.%s", names[j]);
			prefetch(a, q, DNS_T_TXT);
			free(q);
			free(names[j]);
		}
	}
	/* asked with the walk, before the policy says whether np= matters:
	 * so it never costs a round trip of its own */
	for (size_t i = 0; i < sizeof exist_types / sizeof *exist_types; i++)
		prefetch(a, a->t->message_from, exist_types[i]);
	md->policy = dmarc_policy_new(a, a->t->message_from);
	for (size_t i = 0; i < md->n; i++)
		md->ids[i].org = dmarc_org_new(a, md->ids[i].domain, &md->ids[i].failure);
	from_existence(a, md);
	return md;
}

static void msg_dmarc_free(void *v)
{
	struct msg_dmarc *md = v;
	if (md->policy)
		dmarc_policy_free(md->policy);
	for (size_t i = 0; i < md->n; i++) {
		free(md->ids[i].domain);
		free(md->ids[i].org);
	}
	free(md);
}

const struct input_def input_message = {
    .id = IN_MESSAGE, .name = "the message", .compute = message_compute, .free = message_free};
const struct input_def input_msg_dkim = {.id = IN_MSG_DKIM,
                                         .name = "the message's DKIM signatures",
                                         .needs = NEED(IN_MESSAGE),
                                         .compute = msg_dkim_compute,
                                         .free = msg_dkim_free};
const struct input_def input_msg_dmarc = {.id = IN_MSG_DMARC,
                                          .name = "the message's DMARC policy and organizational domains",
                                          .needs = NEED(IN_MESSAGE),
                                          .compute = msg_dmarc_compute,
                                          .free = msg_dmarc_free};

/* ------------------------------------------------------------ shared */

/* The message, or NULL with a skip finding of id when there is none. */
static const struct msg_in *message_or_skip(const struct inputs *in, const char *id, struct findings *out)
{
	const struct msg_in *mi = input_get(in, IN_MESSAGE);
	if (!mi->present)
		findings_add(out, id, NULL, STATUS_SKIP, "no --message given");
	return mi->present ? mi : NULL;
}

/* A header value, shortened and made printable for a summary. */
static char *shown_new(const char *v)
{
	char buf[TEXT_SHOWN_MAX * 4 + 8];
	return xstrdup(text_shown(buf, sizeof buf, v, TEXT_SHOWN_MAX));
}

enum align { ALIGN_NO, ALIGN_YES, ALIGN_UNKNOWN };

/* Whether domain aligns with the From: domain under mode ('r' or 's');
 * *psl gets the RFC 7489 (Public Suffix List) answer. */
static enum align aligned(const struct audit *a, const struct msg_dmarc *md, const struct dmarc_facts *fx,
                          const char *domain, char mode, bool *psl)
{
	const char *from = a->t->message_from;
	char *d = name_normalize_new(domain);
	bool equal = strcmp(d, from) == 0;
	*psl = equal || (mode == 'r' && psl_same_org(a->psl, d, from));
	enum align r = equal ? ALIGN_YES : ALIGN_NO;
	if (!equal && mode == 'r') {
		r = ALIGN_UNKNOWN;
		for (size_t i = 0; i < md->n; i++)
			if (strcmp(md->ids[i].domain, d) == 0 && md->ids[i].org)
				r = strcmp(md->ids[i].org, fx->org) == 0 ? ALIGN_YES : ALIGN_NO;
	}
	free(d);
	return r;
}

static const char *align_name(enum align x)
{
	return x == ALIGN_YES ? "aligned" : x == ALIGN_NO ? "not aligned" : "unknown";
}

/* A signature that passes and whose d= aligns with From: (adkim). */
static bool dkim_aligned_pass(const struct audit *a, const struct msg_dmarc *md, const struct dmarc_facts *fx,
                              const struct dkimv_sig *s)
{
	bool psl;
	char adkim = fx->r ? fx->r->adkim : 'r';
	return s->result == DKIMV_PASS && s->d && aligned(a, md, fx, s->d, adkim, &psl) == ALIGN_YES;
}

/* Bulk mail (RFC 8058 applies): declared by --bulk, List-Id or Precedence
 * bulk/list (strict: the rules fail), or only by carrying List-Unsubscribe. */
static void bulk_of(const struct audit *a, const struct message *m, bool *bulk, bool *strict,
                    const char **why)
{
	const struct msg_field *prec = msg_get(m, "Precedence", 0);
	bool p = prec && (strcasecmp(prec->value, "bulk") == 0 || strcasecmp(prec->value, "list") == 0);
	*strict = a->t->bulk || msg_count(m, "List-Id") || p;
	*bulk = *strict || msg_count(m, "List-Unsubscribe");
	*why = a->t->bulk                         ? "--bulk"
	       : msg_count(m, "List-Id")          ? "it has List-Id"
	       : p                                ? "it has Precedence: bulk/list"
	       : msg_count(m, "List-Unsubscribe") ? "it has List-Unsubscribe"
	                                          : "";
}

/* ------------------------------------------------------------ message.from */

static void from_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.from", out);
	if (!mi)
		return;
	struct finding *f;
	const struct msg_field *fld = msg_get(&mi->m, "From", 0);
	if (mi->from_fields == 0) {
		f = findings_add(out, "message.from", NULL, STATUS_FAIL, "the message has no From: field");
		finding_set_remedy(
		    f, "Write exactly one From: field with the address the message is from, in a domain "
		       "with SPF, DKIM and DMARC (RFC 5322 3.6.2).");
	} else if (mi->from_fields > 1) {
		f = findings_add(out, "message.from", NULL, STATUS_FAIL, "the message has %zu From: fields",
		                 mi->from_fields);
		finding_set_detail(
		    f, "RFC 5322 3.6 allows one; receivers reject such messages, since DMARC cannot tell "
		       "whose policy applies.");
		finding_set_remedy(f, "Send with exactly one From: field.");
	} else if (mi->from_n < 0) {
		char *v = shown_new(fld->value);
		f = findings_add(out, "message.from", NULL, STATUS_FAIL, "the From: field does not parse: %s",
		                 mi->from_why);
		finding_set_detail(f, "From: %s", v);
		free(v);
		finding_set_remedy(f,
		                   "Write From: as an address (\"Name <user@example.com>\", RFC 5322 3.4).");
	} else if (mi->from_n != 1) {
		f = findings_add(out, "message.from", NULL, STATUS_FAIL, "From: holds %ld mailboxes",
		                 mi->from_n);
		finding_set_detail(
		    f, "RFC 5322 3.6.2 then requires Sender:, and DMARC (RFC 9989) cannot pick one "
		       "domain: Gmail and others reject such messages.");
		finding_set_remedy(f, "Put one mailbox in From:.");
	} else if (!a->t->message_from) {
		f = findings_add(out, "message.from", NULL, STATUS_FAIL,
		                 "the From: domain %s is not a domain name", mi->from[0].domain);
		finding_set_remedy(f, "Send From: an address in a registered domain.");
	} else {
		f = findings_add(out, "message.from", NULL, STATUS_PASS, "From: %s@%s", mi->from[0].local,
		                 mi->from[0].domain);
	}
	json_add_str(f->data, "from", fld ? fld->value : NULL);
	JSON_NUM(f->data, "fields", (double)mi->from_fields);
	cJSON *arr = JSON_ARR(f->data, "mailboxes");
	for (long i = 0; i < mi->from_n; i++) {
		char *s = xasprintf("%s@%s", mi->from[i].local, mi->from[i].domain);
		cJSON_AddItemToArray(arr, cJSON_CreateString(s));
		free(s);
	}
	json_add_str(f->data, "domain", a->t->message_from);
}

/* ------------------------------------------------------------ message.dkim */

static const char *hash_name(int h)
{
	return h == 1 ? "match" : h == 0 ? "mismatch" : NULL;
}

static void sig_data(struct finding *f, const struct dkimv_sig *s)
{
	cJSON *d = f->data;
	JSON_NUM(d, "field", (double)s->field);
	JSON_NUM(d, "line", (double)s->line);
	json_add_str(d, "d", s->d);
	json_add_str(d, "s", s->s);
	json_add_str(d, "a", s->a);
	json_add_str(d, "c", s->c);
	json_add_str(d, "i", s->i);
	json_add_str(d, "h", s->h);
	JSON_STR(d, "result", dkimv_result_name(s->result));
	json_add_str(d, "why", s->why);
	cJSON *k = JSON_OBJ(d, "key");
	json_add_str(k, "name", s->key_name);
	if (s->key_ans)
		JSON_STR(k, "dns_status", dns_status_name(s->key_ans->status));
	else
		JSON_NULL(k, "dns_status");
	json_add_str(k, "record", s->key_record);
	json_add_str(k, "type", s->key_type);
	if (s->key_bits)
		JSON_NUM(k, "bits", s->key_bits);
	else
		JSON_NULL(k, "bits");
	JSON_BOOL(k, "testing", s->key_testing);
	json_add_str(d, "body_hash", hash_name(s->body_hash));
	json_add_str(d, "header_hash", hash_name(s->header_hash));
#define NUM_OR_NULL(key, v)                                                                                  \
	do {                                                                                                 \
		if ((v) >= 0)                                                                                \
			cJSON_AddNumberToObject(d, key, (double)(v));                                        \
		else                                                                                         \
			cJSON_AddNullToObject(d, key);                                                       \
	} while (0)
	NUM_OR_NULL("l", s->l);
	NUM_OR_NULL("body_length", s->body_len);
	NUM_OR_NULL("signed_length", s->signed_len);
	NUM_OR_NULL("t", s->t);
	NUM_OR_NULL("x", s->x);
#undef NUM_OR_NULL
	JSON_BOOL(d, "h_covers_from", s->h_from);
}

static void sig_finding(const struct audit *a, const struct dkimv_sig *s, struct findings *out)
{
	char subject[300];
	snprintf(subject, sizeof subject, "#%02zu d=%.120s s=%.120s", s->field, s->d ? s->d : "?",
	         s->s ? s->s : "?");
	const char *d = s->d ? s->d : "?", *key = s->key_name ? s->key_name : "the key";
	struct finding *f;
	switch (s->result) {
	case DKIMV_PASS: {
		bool partial = s->l >= 0;
		bool rsa_short =
		    s->key_type && strcmp(s->key_type, "rsa") == 0 && s->key_bits && s->key_bits < 2048;
		if (partial) {
			f = findings_add(
			    out, "message.dkim", subject, STATUS_WARN,
			    "d=%s passes, but l=%lld limits what it signs: content can be appended", d, s->l);
			finding_set_detail(
			    f,
			    "The body is %lld octets; the signature covers %lld after canonicalisation. "
			    "Anyone can append to it and the signature still verifies (RFC 6376 8.2)%s.",
			    s->body_len, s->signed_len,
			    s->body_len > s->l ? "; this message has content after what was signed" : "");
			finding_set_remedy(
			    f, "Sign the whole body: drop the l= tag from the signer's configuration.");
		} else if (rsa_short) {
			f = findings_add(out, "message.dkim", subject, STATUS_WARN,
			                 "d=%s passes with a %d-bit RSA key", d, s->key_bits);
			finding_set_remedy(
			    f,
			    "Rotate to a 2048-bit RSA key (RFC 8301) at a new selector, sign with it, then "
			    "revoke %s.",
			    key);
		} else if (s->key_testing) {
			f = findings_add(out, "message.dkim", subject, STATUS_WARN,
			                 "d=%s passes, but its key says t=y (testing)", d);
			finding_set_remedy(f, "Remove t=y from %s once signing works.", key);
		} else {
			f = findings_add(out, "message.dkim", subject, STATUS_PASS, "d=%s: %s", d, s->why);
		}
		break;
	}
	case DKIMV_TEMPERROR:
		f = findings_add(out, "message.dkim", subject, STATUS_ERROR, "d=%s could not be verified: %s",
		                 d, s->why);
		finding_set_remedy(
		    f, "Check that the name servers of %s answer for %s (or pass --resolver); run again.", d,
		    key);
		break;
	default:
		f = findings_add(out, "message.dkim", subject, STATUS_FAIL, "d=%s %s: %s", d,
		                 s->result == DKIMV_FAIL ? "fails" : "is unusable", s->why);
		if (s->body_hash == 0)
			finding_set_remedy(
			    f, "Sign after the last change to the body: a footer, a disclaimer or a "
			       "re-encoding added after signing breaks the body hash. Check what the "
			       "gateways after the signer change.");
		else if (s->header_hash == 0)
			finding_set_remedy(
			    f,
			    "Sign after the last change to the header fields named in h= (a gateway that "
			    "rewrites Subject: or From: after signing breaks the signature), and check "
			    "that %s holds the public half of the signing key.",
			    key);
		else if (s->key_ans &&
		         (s->key_ans->status == DNS_NXDOMAIN || s->key_ans->status == DNS_NODATA))
			finding_set_remedy(
			    f,
			    "Publish the public key at %s (\"v=DKIM1; k=rsa; p=<base64 key>\"), or sign "
			    "with a selector that has one.",
			    key);
		else
			finding_set_remedy(
			    f,
			    "Sign with rsa-sha256 (2048-bit key) or ed25519-sha256, a valid key record at "
			    "%s, h= including From, no x= in the past (RFC 6376, RFC 8301).",
			    key);
		break;
	}
	sig_data(f, s);
	(void)a;
}

static void dkim_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct msg_in *mi = message_or_skip(in, "message.dkim", out);
	if (!mi)
		return;
	const struct dkimv *v = input_get(in, IN_MSG_DKIM);
	struct finding *f;
	if (v->error) {
		f = findings_add(out, "message.dkim", NULL, STATUS_ERROR,
		                 "the signatures could not be verified: %s", v->error);
		finding_set_remedy(f, "Report this as a bug in senderaudit, with the message.");
		return;
	}
	if (!v->fields) {
		bool bulk, strict;
		const char *why;
		bulk_of(a, &mi->m, &bulk, &strict, &why);
		f = findings_add(out, "message.dkim", NULL, bulk ? STATUS_FAIL : STATUS_WARN,
		                 "the message has no DKIM signature");
		finding_set_detail(
		    f,
		    "Gmail and Yahoo require DKIM of bulk senders%s%s%s, and treat unsigned mail "
		    "with suspicion.",
		    bulk ? " (this is bulk mail: " : "", bulk ? why : "", bulk ? ")" : "");
		finding_set_remedy(
		    f,
		    "Sign outgoing mail with DKIM, d= %s or a domain under it, with a 2048-bit RSA "
		    "or an Ed25519 key.",
		    a->t->message_from ? a->t->message_from : a->t->domain);
		return;
	}
	for (size_t i = 0; i < v->n; i++)
		sig_finding(a, &v->v[i], out);
	if (v->fields > v->n) {
		f = findings_add(out, "message.dkim", "#more", STATUS_INFO,
		                 "%zu more DKIM signatures were not verified (only the first %d are)",
		                 v->fields - v->n, DKIMV_MAX);
		JSON_NUM(f->data, "fields", (double)v->fields);
	}
}

/* ------------------------------------------------------------ message.dmarc */

/* A policy the record states (not absent, not invalid). */
static bool pol_given(enum dmarc_pol p)
{
	return p == DMARC_POL_NONE || p == DMARC_POL_QUARANTINE || p == DMARC_POL_REJECT;
}

static enum dmarc_pol step_down(enum dmarc_pol p)
{
	return p == DMARC_POL_REJECT ? DMARC_POL_QUARANTINE : DMARC_POL_NONE;
}

static void dmarc_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct msg_in *mi = message_or_skip(in, "message.dmarc", out);
	if (!mi)
		return;
	struct finding *f;
	if (mi->from_fields != 1 || mi->from_n != 1 || !a->t->message_from) {
		f = findings_add(out, "message.dmarc", NULL, STATUS_FAIL,
		                 "DMARC cannot be evaluated: the message needs exactly one From: mailbox "
		                 "(see message.from)");
		finding_set_remedy(f, "Send with one From: field holding one address in your domain.");
		return;
	}
	const struct msg_dmarc *md = input_get(in, IN_MSG_DMARC);
	const struct dkimv *v = input_get(in, IN_MSG_DKIM);
	struct dmarc_facts fx;
	dmarc_policy_facts(md->policy, &fx);
	const char *from = a->t->message_from;
	if (fx.failure) {
		f = add_lookup_error(a, out, "message.dmarc", NULL, "the DMARC policy of the From: domain",
		                     fx.failure);
		JSON_STR(f->data, "from_domain", from);
		return;
	}
	char adkim = fx.r ? fx.r->adkim : 'r', aspf = fx.r ? fx.r->aspf : 'r';

	/* SPF: the MAIL FROM identity (HELO for a bounce) */
	const struct spf_outcome *so = input_get(in, a->t->null_return_path ? IN_HELO_SPF : IN_SPF);
	const char *sd = spf_domain(a);
	enum spf_result sr = sd ? so->verdict.result : SPF_RES_NONE;
	bool spf_psl = false;
	enum align spf_al = sd ? aligned(a, md, &fx, sd, aspf, &spf_psl) : ALIGN_NO;
	bool spf_pass = sr == SPF_RES_PASS && spf_al == ALIGN_YES;
	bool spf_unknown = (sr == SPF_RES_TEMPERROR && spf_al != ALIGN_NO) ||
	                   (sr == SPF_RES_PASS && spf_al == ALIGN_UNKNOWN);
	bool spf_pass_psl = sr == SPF_RES_PASS && spf_psl;

	/* DKIM: every signature that passes, aligned or not */
	bool dkim_pass = false, dkim_unknown = false, dkim_pass_psl = false;
	cJSON *sigs = cJSON_CreateArray();
	for (size_t i = 0; i < v->n; i++) {
		const struct dkimv_sig *s = &v->v[i];
		bool psl = false;
		enum align al = s->d ? aligned(a, md, &fx, s->d, adkim, &psl) : ALIGN_NO;
		if (s->result == DKIMV_PASS && al == ALIGN_YES)
			dkim_pass = true;
		if ((s->result == DKIMV_TEMPERROR && al != ALIGN_NO) ||
		    (s->result == DKIMV_PASS && al == ALIGN_UNKNOWN))
			dkim_unknown = true;
		dkim_pass_psl |= s->result == DKIMV_PASS && psl;
		cJSON *o = cJSON_CreateObject();
		json_add_str(o, "d", s->d);
		json_add_str(o, "s", s->s);
		JSON_STR(o, "result", dkimv_result_name(s->result));
		JSON_STR(o, "alignment", align_name(al));
		JSON_BOOL(o, "psl_aligned", psl);
		cJSON_AddItemToArray(sigs, o);
	}
	bool pass = spf_pass || dkim_pass;
	bool psl_pass = spf_pass_psl || dkim_pass_psl;
	const char *result = pass ? "pass" : (spf_unknown || dkim_unknown) ? "temperror" : "fail";

	/* the disposition: p= for the domain itself, sp= (if any) below it,
	 * np= (if any) for a subdomain that does not exist; t=y applies one
	 * step less (RFC 9989) */
	enum dmarc_pol pol = DMARC_POL_NONE, tagged = DMARC_POL_NONE;
	const char *tag = NULL;
	bool np_unknown = false; /* np= would apply if the From: domain did not exist */
	if (fx.r) {
		bool own = strcmp(fx.record_domain, from) == 0;
		tag = "p";
		pol = fx.r->p;
		if (!own && pol_given(fx.r->sp)) {
			tag = "sp";
			pol = fx.r->sp;
		}
		if (!own && pol_given(fx.r->np) && md->from == FROM_MISSING) {
			tag = "np";
			pol = fx.r->np;
		}
		np_unknown = !own && pol_given(fx.r->np) && fx.r->np != pol && md->from == FROM_UNKNOWN;
		tagged = pol;
		if (fx.r->p_as_none)
			pol = DMARC_POL_NONE;
		if (fx.r->testing)
			pol = step_down(pol);
	}
	const char *disposition = pass || !fx.r ? "none" : dmarc_pol_name(pol);

	struct strbuf det = {0};
	sb_printf(&det, "SPF %s for %s (%s, aspf=%c); DKIM: %s.", spf_result_name(sr),
	          sd ? sd : "(no identity)", align_name(spf_al), aspf,
	          dkim_pass ? "an aligned signature passes"
	          : v->n    ? "no aligned signature passes"
	                    : "no signature");
	if (fx.r && fx.r->testing)
		sb_sep_printf(&det, " ", "t=y: receivers apply one step less than %s=%s.", tag,
		              dmarc_pol_name(fx.r->p));
	if (tag && strcmp(tag, "np") == 0)
		sb_sep_printf(&det, " ", "%s does not exist (NXDOMAIN for A, AAAA and MX): np= applies.",
		              from);
	if (np_unknown) {
		char tb[16];
		sb_sep_printf(&det, " ",
		              "Whether %s exists is unknown (its %s lookup failed: %s): if it does not, "
		              "np=%s applies.",
		              from, dns_type_name(md->from_failure->qtype, tb, sizeof tb),
		              dns_status_name(md->from_failure->status), dmarc_pol_name(fx.r->np));
	}
	if (fx.rfc7489_failed)
		sb_sep_printf(&det, " ", "What RFC 7489 receivers see is unknown (a lookup failed).");
	else if ((fx.record_domain || fx.rfc7489_domain) &&
	         !(fx.record_domain && fx.rfc7489_domain && strcmp(fx.record_domain, fx.rfc7489_domain) == 0))
		sb_sep_printf(&det, " ", "RFC 7489 receivers (Public Suffix List) %s%s%s.",
		              fx.rfc7489_domain ? "use the record at _dmarc." : "find no DMARC record",
		              fx.rfc7489_domain ? fx.rfc7489_domain : "",
		              fx.rfc7489_domain ? " instead" : "");
	if (psl_pass != pass && strcmp(result, "temperror") != 0)
		sb_sep_printf(&det, " ",
		              "Under RFC 7489 (Public Suffix List organizational domains) the alignment "
		              "gives the opposite: DMARC %s.",
		              psl_pass ? "pass" : "fail");
	if (a->t->mail_from_src == SRC_HEADER)
		sb_sep_printf(&det, " ",
		              "MAIL FROM was taken from Return-Path: (a hint: headers can be forged).");

	if (!fx.r) {
		f = findings_add(out, "message.dmarc", NULL, pass ? STATUS_WARN : STATUS_FAIL,
		                 "%s has no DMARC policy; the message %s", from,
		                 pass ? "would pass (aligned SPF or DKIM)"
		                      : "would fail (nothing aligned passes)");
		finding_set_remedy(f, "Publish a DMARC record for %s (see dmarc.record)%s.", fx.org,
		                   pass ? ""
		                        : ", and sign with DKIM d="
		                          "your From: domain, or send with a MAIL FROM under it");
	} else if (strcmp(result, "pass") == 0) {
		f = findings_add(out, "message.dmarc", NULL, STATUS_PASS, "DMARC passes for %s (%s)", from,
		                 dkim_pass && spf_pass ? "aligned SPF and DKIM"
		                 : dkim_pass           ? "aligned DKIM"
		                                       : "aligned SPF");
	} else if (strcmp(result, "temperror") == 0) {
		f = findings_add(
		    out, "message.dmarc", NULL, STATUS_ERROR,
		    "DMARC for %s could not be determined: an aligned identifier could not be checked", from);
		finding_set_remedy(f, "See message.dkim and spf.pass for the lookup that failed; run again.");
	} else {
		f = findings_add(out, "message.dmarc", NULL, STATUS_FAIL,
		                 "DMARC fails for %s: disposition %s (%s=%s at _dmarc.%s)", from, disposition,
		                 tag, dmarc_pol_name(fx.r->p_as_none ? DMARC_POL_NONE : tagged),
		                 fx.record_domain);
		finding_set_remedy(
		    f,
		    "Make one identifier align and pass: sign with DKIM d=%s (or a subdomain, with "
		    "adkim=r), or send with a MAIL FROM (Return-Path) domain under %s that SPF "
		    "authorizes for %s.",
		    from, fx.org, a->t->ip.text);
	}
	finding_set_detail(f, "%s", sb_str(&det));
	sb_free(&det);
	cJSON *d = f->data;
	JSON_STR(d, "from_domain", from);
	JSON_STR(d, "result", fx.r ? result : "none");
	JSON_STR(d, "disposition", disposition);
	json_add_str(d, "record_domain", fx.record_domain);
	json_add_str(d, "applied_tag", tag);
	if (md->from == FROM_UNKNOWN)
		JSON_NULL(d, "from_domain_exists");
	else
		JSON_BOOL(d, "from_domain_exists", md->from == FROM_EXISTS);
	json_add_str(d, "policy", fx.r ? dmarc_pol_name(pol) : NULL);
	JSON_STR(d, "organizational_domain", fx.org);
	json_add_str(d, "psl_organizational_domain", fx.psl_org);
	json_add_str(d, "rfc7489_record_domain", fx.rfc7489_domain);
	JSON_BOOL(d, "rfc7489_pass", psl_pass);
	char m[2] = {adkim, 0}, n[2] = {aspf, 0};
	JSON_STR(d, "adkim", m);
	JSON_STR(d, "aspf", n);
	cJSON *spf = JSON_OBJ(d, "spf");
	json_add_str(spf, "domain", sd);
	JSON_STR(spf, "identity", a->t->null_return_path ? "helo" : "mailfrom");
	JSON_STR(spf, "source", target_source_name(a->t->mail_from_src));
	JSON_STR(spf, "result", spf_result_name(sr));
	JSON_STR(spf, "alignment", align_name(spf_al));
	JSON_BOOL(spf, "psl_aligned", spf_psl);
	if (a->t->helo && !a->t->null_return_path) {
		const struct spf_outcome *ho = input_get(in, IN_HELO_SPF);
		JSON_STR(spf, "helo_result", spf_result_name(ho->verdict.result));
	}
	JSON_ITEM(d, "dkim", sigs);
}

/* ------------------------------------------------------------ message.unsubscribe */

static void unsubscribe_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct msg_in *mi = message_or_skip(in, "message.unsubscribe", out);
	if (!mi)
		return;
	const struct message *m = &mi->m;
	bool bulk, strict;
	const char *why;
	bulk_of(a, m, &bulk, &strict, &why);
	struct finding *f;
	if (!bulk) {
		f = findings_add(out, "message.unsubscribe", NULL, STATUS_INFO,
		                 "not bulk mail (no List-Id, List-Unsubscribe or Precedence: bulk): RFC 8058 "
		                 "does not apply");
		finding_set_detail(f,
		                   "Pass --bulk to judge it as bulk mail (Gmail and Yahoo require one-click "
		                   "unsubscribe of senders of more than 5,000 messages a day).");
		JSON_BOOL(f->data, "bulk", false);
		return;
	}
	const struct msg_field *lu = msg_get(m, "List-Unsubscribe", 0),
	                       *lp = msg_get(m, "List-Unsubscribe-Post", 0);
	char **uris = NULL;
	long nu = lu ? msg_uri_list(lu->value, &uris) : -1;
	bool https = false, mailto = false, http = false;
	for (long i = 0; i < nu; i++) {
		https |= strncasecmp(uris[i], "https://", 8) == 0;
		http |= strncasecmp(uris[i], "http://", 7) == 0;
		mailto |= strncasecmp(uris[i], "mailto:", 7) == 0;
	}
	bool post_ok = lp && strcmp(lp->value, "List-Unsubscribe=One-Click") == 0;
	const struct msg_dmarc *md = input_get(in, IN_MSG_DMARC);
	const struct dkimv *v = input_get(in, IN_MSG_DKIM);
	bool covered = false;
	const char *signer = NULL;
	if (md->policy) {
		struct dmarc_facts fx;
		dmarc_policy_facts(md->policy, &fx);
		for (size_t i = 0; i < v->n && !covered; i++)
			if (!fx.failure && dkim_aligned_pass(a, md, &fx, &v->v[i]) && v->v[i].h_unsub &&
			    (v->v[i].h_unsub_post || !lp)) {
				covered = true;
				signer = v->v[i].d;
			}
	}
	struct strbuf p = {0}, rem = {0};
	if (!lu) {
		sb_printf(&p, "no List-Unsubscribe field");
		sb_sep_printf(&rem, " ",
		              "Add \"List-Unsubscribe: <https://...>\" with a one-click URL and "
		              "\"List-Unsubscribe-Post: List-Unsubscribe=One-Click\" (RFC 8058), both signed "
		              "with DKIM d=%s.",
		              a->t->message_from ? a->t->message_from : a->t->domain);
	} else {
		if (nu < 0)
			sb_sep_printf(&p, "; ", "List-Unsubscribe is not a list of <URI>s (RFC 2369)");
		else if (!https)
			sb_sep_printf(&p, "; ",
			              "List-Unsubscribe has no https URI (%s only): one-click needs https",
			              mailto ? "mailto"
			              : http ? "http"
			                     : "other schemes");
		if (nu < 0 || !https)
			sb_sep_printf(
			    &rem, " ",
			    "Put an https URL in List-Unsubscribe (\"<https://example.com/u/TOKEN>, "
			    "<mailto:unsub@example.com>\").");
		if (!post_ok) {
			sb_sep_printf(&p, "; ",
			              lp ? "List-Unsubscribe-Post is not \"List-Unsubscribe=One-Click\""
			                 : "no List-Unsubscribe-Post: List-Unsubscribe=One-Click");
			sb_sep_printf(
			    &rem, " ",
			    "Add \"List-Unsubscribe-Post: List-Unsubscribe=One-Click\" (RFC 8058 3.1).");
		}
		if (!covered) {
			sb_sep_printf(
			    &p, "; ",
			    "List-Unsubscribe%s not covered by a passing DKIM signature aligned with From:",
			    lp ? " and List-Unsubscribe-Post are" : " is");
			sb_sep_printf(
			    &rem, " ",
			    "Sign both fields: add List-Unsubscribe and List-Unsubscribe-Post to h= of a "
			    "DKIM signature with d= your From: domain (RFC 8058 4).");
		}
	}
	if (p.len) {
		f = findings_add(out, "message.unsubscribe", NULL, strict ? STATUS_FAIL : STATUS_WARN, "%s",
		                 sb_str(&p));
		finding_set_detail(
		    f,
		    "This is bulk mail (%s): Gmail and Yahoo require RFC 8058 one-click unsubscribe of "
		    "bulk senders since 2024; mail.com asks for it too.",
		    why);
		finding_set_remedy(f, "%s", sb_str(&rem));
	} else {
		f = findings_add(out, "message.unsubscribe", NULL, STATUS_PASS,
		                 "one-click unsubscribe (RFC 8058), signed by d=%s", signer);
	}
	sb_free(&p);
	sb_free(&rem);
	cJSON *d = f->data;
	JSON_BOOL(d, "bulk", true);
	JSON_STR(d, "bulk_because", why);
	json_add_str(d, "list_unsubscribe", lu ? lu->value : NULL);
	json_add_str(d, "list_unsubscribe_post", lp ? lp->value : NULL);
	cJSON *arr = JSON_ARR(d, "uris");
	for (long i = 0; i < nu; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(uris[i]));
	JSON_BOOL(d, "https", https);
	JSON_BOOL(d, "one_click", post_ok);
	JSON_BOOL(d, "signed", covered);
	if (nu > 0)
		msg_strings_free(uris, (size_t)nu);
}

/* ------------------------------------------------------------ message.msgid, .date, .subject */

/* A field that must appear once: the summary for none or several, or NULL. */
static const struct msg_field *one_field(const struct message *m, const char *name, const char *id,
                                         enum status missing, const char *remedy, struct findings *out)
{
	size_t n = msg_count(m, name);
	struct finding *f;
	if (n == 1)
		return msg_get(m, name, 0);
	if (n == 0)
		f = findings_add(out, id, NULL, missing, "the message has no %s: field", name);
	else
		f = findings_add(out, id, NULL, STATUS_FAIL,
		                 "the message has %zu %s: fields (RFC 5322 3.6 allows one)", n, name);
	finding_set_remedy(f, "%s", remedy);
	JSON_NUM(f->data, "fields", (double)n);
	return NULL;
}

static void msgid_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.msgid", out);
	if (!mi)
		return;
	const struct msg_field *fld = one_field(
	    &mi->m, "Message-ID", "message.msgid", STATUS_FAIL,
	    "Have the sending software write one Message-ID: \"<unique@your-domain>\" (RFC 5322 3.6.4); "
	    "Gmail rejects bulk mail without one.",
	    out);
	if (!fld)
		return;
	char why[120];
	char *v = shown_new(fld->value);
	struct finding *f;
	if (msg_id_valid(fld->value, why, sizeof why)) {
		f = findings_add(out, "message.msgid", NULL, STATUS_PASS, "Message-ID: %s", v);
	} else {
		f = findings_add(out, "message.msgid", NULL, STATUS_FAIL, "the Message-ID is malformed: %s",
		                 why);
		finding_set_detail(f, "Message-ID: %s", v);
		finding_set_remedy(f,
		                   "Write the Message-ID as \"<unique-part@your-domain>\" (RFC 5322 3.6.4).");
	}
	free(v);
	JSON_STR(f->data, "message_id", fld->value);
}

static void date_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.date", out);
	if (!mi)
		return;
	const struct msg_field *fld =
	    one_field(&mi->m, "Date", "message.date", STATUS_FAIL,
	              "Have the sending software write one Date: field with the time "
	              "the message was written (RFC 5322 3.6.1).",
	              out);
	if (!fld)
		return;
	time_t t;
	bool obsolete;
	char why[120];
	struct finding *f;
	char *v = shown_new(fld->value);
	if (msg_date(fld->value, &t, &obsolete, why, sizeof why) < 0) {
		f = findings_add(out, "message.date", NULL, STATUS_FAIL, "the Date: does not parse: %s", why);
		finding_set_detail(f, "Date: %s", v);
		finding_set_remedy(
		    f, "Write Date: as RFC 5322 3.3 says, e.g. \"Tue, 1 Jul 2025 10:52:37 +0200\".");
	} else {
		time_t now = time(NULL);
		char iso[32];
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (t > now + DATE_SKEW_S) {
			f = findings_add(out, "message.date", NULL, STATUS_FAIL,
			                 "the Date: is %lld minutes in the future",
			                 (long long)(t - now) / 60);
			finding_set_detail(f, "Date: %s (%s)", v, iso);
			finding_set_remedy(
			    f, "Set the sending host's clock and time zone right (NTP); a Date in the future "
			       "is a spam sign.");
		} else if (obsolete) {
			f = findings_add(out, "message.date", NULL, STATUS_WARN,
			                 "the Date: uses an obsolete form");
			finding_set_detail(f, "Date: %s: a two-digit year or a zone name (RFC 5322 4.3).", v);
			finding_set_remedy(
			    f, "Write Date: with a four-digit year and a numeric zone (\"+0200\").");
		} else {
			f = findings_add(out, "message.date", NULL, STATUS_PASS, "Date: %s", v);
		}
		JSON_STR(f->data, "utc", iso);
	}
	free(v);
	JSON_STR(f->data, "date", fld->value);
}

static void subject_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.subject", out);
	if (!mi)
		return;
	const struct msg_field *fld = one_field(&mi->m, "Subject", "message.subject", STATUS_WARN,
	                                        "Give the message one Subject: field.", out);
	if (!fld)
		return;
	char *v = shown_new(fld->value);
	struct finding *f = findings_add(out, "message.subject", NULL, STATUS_PASS, "Subject: %s", v);
	free(v);
	JSON_STR(f->data, "subject", fld->value);
}

/* ------------------------------------------------------------ message.lines, .headers, .mime */

static void lines_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.lines", out);
	if (!mi)
		return;
	const struct message *m = &mi->m;
	struct finding *f;
	if (m->long_lines) {
		f = findings_add(
		    out, "message.lines", NULL, STATUS_FAIL,
		    "%zu line%s longer than %d octets (the first at line %zu; the longest %zu octets)",
		    m->long_lines, m->long_lines == 1 ? " is" : "s are", MSG_MAX_LINE, m->first_long,
		    m->longest);
		finding_set_detail(
		    f, "RFC 5322 2.1.1 and RFC 5321 4.5.3.1.6 limit a line to 998 octets: servers "
		       "reject the message or break the line, which breaks DKIM signatures.");
		finding_set_remedy(
		    f, "Encode long lines (quoted-printable or base64 Content-Transfer-Encoding) or fold "
		       "long header fields.");
	} else {
		f = findings_add(out, "message.lines", NULL, STATUS_PASS,
		                 "every line is at most %d octets (longest %zu)", MSG_MAX_LINE, m->longest);
	}
	JSON_NUM(f->data, "lines", (double)m->lines);
	JSON_NUM(f->data, "long_lines", (double)m->long_lines);
	JSON_NUM(f->data, "longest", (double)m->longest);
	JSON_NUM(f->data, "bytes", (double)a->t->message_len);
}

static void headers_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.headers", out);
	if (!mi)
		return;
	const struct message *m = &mi->m;
	struct strbuf p = {0}, rem = {0};
	if (m->nuls) {
		sb_sep_printf(&p, "; ", "%zu NUL octet%s (the first at line %zu)", m->nuls,
		              m->nuls == 1 ? "" : "s", m->first_nul);
		sb_sep_printf(&rem, " ",
		              "Remove the NUL octets: RFC 5322 2.1 forbids them; encode binary content in "
		              "base64.");
	}
	if (m->fields_cut) {
		sb_sep_printf(&p, "; ", "more than %d header fields (only those were read)", MSG_MAX_FIELDS);
		sb_sep_printf(&rem, " ", "Send a message with a sane number of header fields.");
	}
	if (m->malformed) {
		sb_sep_printf(&p, "; ",
		              "%zu header line%s not a field (\"Name: value\"), the first at line %zu",
		              m->malformed, m->malformed == 1 ? " is" : "s are", m->first_malformed);
		sb_sep_printf(&rem, " ",
		              "Fix the header section: every field is \"Name: value\", continuation lines "
		              "start with a space, and an empty line ends it.");
	}
	if (m->bad_8bit) {
		sb_sep_printf(&p, "; ", "%zu header field%s 8-bit octets that are not UTF-8", m->bad_8bit,
		              m->bad_8bit == 1 ? " has" : "s have");
		sb_sep_printf(&rem, " ",
		              "Encode non-ASCII header text as RFC 2047 encoded words, or as UTF-8 sent "
		              "with SMTPUTF8 (RFC 6532).");
	}
	struct finding *f;
	if (p.len) {
		f = findings_add(out, "message.headers", NULL, STATUS_FAIL, "%s", sb_str(&p));
		finding_set_remedy(f, "%s", sb_str(&rem));
	} else {
		f = findings_add(out, "message.headers", NULL, STATUS_PASS,
		                 "%zu header fields, well-formed%s", m->nf,
		                 m->utf8_fields ? " (some in UTF-8: they need SMTPUTF8, RFC 6531)" : "");
	}
	if (m->lf_converted)
		finding_set_detail(
		    f, "The file has bare LF line endings; they were read as CRLF, as on the wire.");
	sb_free(&p);
	sb_free(&rem);
	cJSON *d = f->data;
	JSON_NUM(d, "fields", (double)m->nf);
	JSON_NUM(d, "malformed", (double)m->malformed);
	JSON_NUM(d, "nul_octets", (double)m->nuls);
	JSON_NUM(d, "non_utf8_fields", (double)m->bad_8bit);
	JSON_NUM(d, "utf8_fields", (double)m->utf8_fields);
	JSON_BOOL(d, "fields_cut", m->fields_cut);
	JSON_BOOL(d, "lf_converted", m->lf_converted);
	JSON_BOOL(d, "header_body_separator", m->separator);
}

static void mime_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.mime", out);
	if (!mi)
		return;
	char why[200];
	enum msg_mime r = msg_mime_check(&mi->m, why, sizeof why);
	const struct msg_field *ct = msg_get(&mi->m, "Content-Type", 0);
	struct finding *f;
	if (r == MSG_MIME_BROKEN) {
		f = findings_add(out, "message.mime", NULL, STATUS_FAIL, "broken MIME: %s", why);
		finding_set_remedy(f,
		                   "Send the multipart body the Content-Type announces: every part opened by "
		                   "\"--BOUNDARY\" and the last closed by \"--BOUNDARY--\" (RFC 2046 5.1).");
	} else if (ct && !msg_count(&mi->m, "MIME-Version")) {
		f = findings_add(out, "message.mime", NULL, STATUS_WARN, "Content-Type without MIME-Version");
		finding_set_remedy(f, "Add \"MIME-Version: 1.0\" (RFC 2045 4).");
	} else {
		f = findings_add(out, "message.mime", NULL, STATUS_PASS, "%s",
		                 r == MSG_MIME_OK ? "multipart structure complete" : "a single-part message");
	}
	json_add_str(f->data, "content_type", ct ? ct->value : NULL);
}

/* ------------------------------------------------------------ message.arc */

static void arc_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct msg_in *mi = message_or_skip(in, "message.arc", out);
	if (!mi)
		return;
	size_t n = msg_count(&mi->m, "ARC-Seal");
	if (!n) {
		findings_add(out, "message.arc", NULL, STATUS_SKIP,
		             "no ARC sets (the message was not forwarded through "
		             "an ARC sealer)");
		return;
	}
	cJSON *sets = cJSON_CreateArray();
	char *last_cv = NULL;
	long last_i = -1;
	for (size_t k = 0; k < n && k < 50; k++) {
		const struct msg_field *fld = msg_get(&mi->m, "ARC-Seal", k);
		char *i = msg_tag_new(fld->value, "i"), *cv = msg_tag_new(fld->value, "cv"),
		     *d = msg_tag_new(fld->value, "d"), *s = msg_tag_new(fld->value, "s");
		cJSON *o = cJSON_CreateObject();
		json_add_str(o, "i", i);
		json_add_str(o, "cv", cv);
		json_add_str(o, "d", d);
		json_add_str(o, "s", s);
		cJSON_AddItemToArray(sets, o);
		long iv = i ? strtol(i, NULL, 10) : -1;
		if (iv > last_i) {
			last_i = iv;
			free(last_cv);
			last_cv = cv ? xstrdup(cv) : NULL;
		}
		free(i);
		free(cv);
		free(d);
		free(s);
	}
	struct finding *f = findings_add(out, "message.arc", NULL, STATUS_INFO,
	                                 "%zu ARC set%s (highest i=%ld, cv=%s); not verified", n,
	                                 n == 1 ? "" : "s", last_i, last_cv ? last_cv : "?");
	finding_set_detail(f, "ARC (RFC 8617) lets a forwarder vouch for the authentication results it saw; "
	                      "receivers weigh it by their trust in the sealer.");
	free(last_cv);
	JSON_ITEM(f->data, "sets", sets);
	JSON_NUM(f->data, "arc_seal_fields", (double)n);
}

/* ------------------------------------------------------------ the checks */

static const struct check checks[] = {
    {.id = "message.from",
     .title = "the message has one From: field with one mailbox in a valid domain",
     .refs = {"RFC 5322 3.6", "RFC 9989"},
     .needs = NEED(IN_MESSAGE),
     .run = from_run,
     .file = __FILE__},
    {.id = "message.dkim",
     .title = "every DKIM signature of the message verifies with its key",
     .refs = {"RFC 6376", "RFC 8301", "RFC 8463"},
     .needs = NEED(IN_MESSAGE) | NEED(IN_MSG_DKIM),
     .run = dkim_run,
     .file = __FILE__},
    {.id = "message.dmarc",
     .title = "the message passes DMARC: aligned SPF or DKIM for its From: domain",
     .refs = {"RFC 9989", "RFC 7489", "Gmail/Yahoo bulk sender rules"},
     .needs = NEED(IN_MESSAGE) | NEED(IN_MSG_DKIM) | NEED(IN_MSG_DMARC) | NEED(IN_SPF) | NEED(IN_HELO_SPF),
     .run = dmarc_run,
     .file = __FILE__},
    {.id = "message.unsubscribe",
     .title =
         "bulk mail carries signed one-click unsubscribe (List-Unsubscribe https, List-Unsubscribe-Post)",
     .refs = {"RFC 8058", "RFC 2369", "Gmail/Yahoo bulk sender rules", "mail.com"},
     .needs = NEED(IN_MESSAGE) | NEED(IN_MSG_DKIM) | NEED(IN_MSG_DMARC),
     .run = unsubscribe_run,
     .file = __FILE__},
    {.id = "message.msgid",
     .title = "the message has one well-formed Message-ID",
     .refs = {"RFC 5322 3.6.4", "Gmail/Yahoo bulk sender rules"},
     .needs = NEED(IN_MESSAGE),
     .run = msgid_run,
     .file = __FILE__},
    {.id = "message.date",
     .title = "the message has one Date: that parses and is not in the future",
     .refs = {"RFC 5322 3.3", "RFC 5322 3.6.1"},
     .needs = NEED(IN_MESSAGE),
     .run = date_run,
     .file = __FILE__},
    {.id = "message.subject",
     .title = "the message has one Subject:",
     .refs = {"RFC 5322 3.6.5"},
     .needs = NEED(IN_MESSAGE),
     .run = subject_run,
     .file = __FILE__},
    {.id = "message.lines",
     .title = "no line of the message is longer than 998 octets",
     .refs = {"RFC 5322 2.1.1", "RFC 5321 4.5.3.1.6"},
     .needs = NEED(IN_MESSAGE),
     .run = lines_run,
     .file = __FILE__},
    {.id = "message.headers",
     .title = "the header fields are well-formed: no NUL, 8-bit only as UTF-8",
     .refs = {"RFC 5322 2.2", "RFC 6532"},
     .needs = NEED(IN_MESSAGE),
     .run = headers_run,
     .file = __FILE__},
    {.id = "message.mime",
     .title = "a multipart message has the structure its Content-Type announces",
     .refs = {"RFC 2045", "RFC 2046 5.1"},
     .needs = NEED(IN_MESSAGE),
     .run = mime_run,
     .file = __FILE__},
    {.id = "message.arc",
     .title = "the ARC sets the message carries (info)",
     .refs = {"RFC 8617"},
     .needs = NEED(IN_MESSAGE),
     .run = arc_run,
     .file = __FILE__},
};
FAMILY_OF(message, checks);
