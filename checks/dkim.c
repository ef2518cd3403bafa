/* SPDX-License-Identifier: ISC */
/* dkim: DKIM key records of the audited domain (checks.md § DKIM). Input
 * IN_DKIM: the key record of every --selector, else of the common
 * selectors, asked at once; lib/records/dkimkey parses them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/records/dkimkey.h"
#include "../lib/util/json.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"

/* Selectors that ESPs and common software use. Amazon SES (Easy DKIM)
 * selectors are random per key and cannot be guessed. */
static const char *const common_selectors[] = {
    "default",       "dkim",        "mail",        "google",  "selector1",
    "selector2",     "k1",          "k2",          "k3",      "mte1",
    "mandrill",      "s1",          "s2",          "smtpapi", "key1",
    "key2",          "sig1",        "zoho",        "mxvault", "everlytickey1",
    "everlytickey2", "pm",          "fm1",         "fm2",     "fm3",
    "protonmail",    "protonmail2", "protonmail3", "mailjet", "hs1",
    "hs2",           "dk",
};
#define COMMON_COUNT (sizeof common_selectors / sizeof *common_selectors)

enum probe_state { P_FOUND, P_MISSING, P_ERROR };

struct probe {
	const char *sel;
	char *name;
	const struct dns_answer *ans;
	enum probe_state st;
};

/* A key record problem, worst first when summarised. */
struct issue {
	enum status st;
	char *text;
	char *remedy;
};

struct issues {
	struct issue v[12];
	size_t n;
};

static void issue(struct issues *is, enum status st, char *text, char *remedy)
{
	if (is->n == sizeof is->v / sizeof *is->v) {
		free(text);
		free(remedy);
		return;
	}
	is->v[is->n++] = (struct issue){st, text, remedy};
}

static void classify(const struct audit *a, struct probe *p, bool given)
{
	p->ans = lookup(a, p->name, DNS_T_TXT);
	if (p->ans->status == DNS_NXDOMAIN || p->ans->status == DNS_NODATA) {
		p->st = P_MISSING;
		return;
	}
	if (p->ans->status != DNS_OK) {
		p->st = P_ERROR;
		return;
	}
	p->st = given ? P_FOUND : P_MISSING;
	/* A guessed name that only holds an unrelated TXT record (a wildcard,
	 * a verification token) is no key. */
	for (size_t i = 0; i < p->ans->rr_count && !given; i++)
		if (p->ans->rrs[i].txt && dkimkey_looks_like(p->ans->rrs[i].txt, p->ans->rrs[i].txt_len))
			p->st = P_FOUND;
}

static cJSON *records_json(const struct dns_answer *ans)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; ans->status == DNS_OK && i < ans->rr_count; i++) {
		if (!ans->rrs[i].txt)
			continue;
		char *s = utf8_sanitize_new(ans->rrs[i].txt, ans->rrs[i].txt_len);
		cJSON_AddItemToArray(arr, cJSON_CreateString(s));
		free(s);
	}
	return arr;
}

static void add_common_data(struct finding *f, const struct probe *p)
{
	JSON_STR(f->data, "selector", p->sel);
	JSON_STR(f->data, "name", p->name);
	JSON_ITEM(f->data, "cname_chain", json_str_array(p->ans->cnames, p->ans->cname_count));
	JSON_ITEM(f->data, "records", records_json(p->ans));
}

/* Judges one parsed key record; fills is. */
static void judge_key(const struct dkim_key *k, const char *name, bool given, struct issues *is)
{
	if (!k->syntax_ok) {
		issue(is, STATUS_FAIL, xasprintf("the record does not parse: %s", k->error),
		      xasprintf(
		          "Republish the record at %s as tag=value pairs separated by ';', v=DKIM1 first if "
		          "present, e.g. \"v=DKIM1; k=rsa; p=<base64 public key>\".",
		          name));
		return;
	}
	if (k->revoked) {
		/* A revoked key at a guessed selector is an old key taken out
		 * of use on purpose; at a selector the user signs with it
		 * breaks every signature. */
		if (given)
			issue(
			    is, STATUS_FAIL,
			    xstrdup("the key is revoked (empty p=): signatures with it fail"),
			    xasprintf(
			        "Sign with a selector that has a key, or publish a new public key at %s "
			        "(\"v=DKIM1; k=rsa; p=<base64 public key>\") and sign with its private half.",
			        name));
		else
			issue(is, STATUS_INFO,
			      xstrdup("the key is revoked (empty p=); fine if nothing signs with it"), NULL);
		return; /* the other tags of a revoked key do not matter */
	}
	if (!k->key_ok) {
		issue(
		    is, STATUS_FAIL, xasprintf("the key is unusable: %s", k->key_error),
		    k->ktype == DKIM_K_UNKNOWN
		        ? xasprintf("Set k=rsa or k=ed25519 at %s to match the key in p=.", name)
		        : xasprintf("Republish the public key at %s as base64 of the DER "
		                    "SubjectPublicKeyInfo (RSA, "
		                    "e.g. from `openssl rsa -pubout -outform DER`) or of the raw 32-byte key "
		                    "(Ed25519, RFC 8463).",
		                    name));
	} else if (k->ktype == DKIM_K_RSA && k->bits < 1024) {
		issue(
		    is, STATUS_FAIL,
		    xasprintf("RSA key of %d bits: below the 1024-bit minimum (RFC 8301)", k->bits),
		    xasprintf(
		        "Generate a 2048-bit RSA key (`openssl genrsa -out dkim.pem 2048`), publish it at a "
		        "new selector, sign with it, and revoke the key at %s (empty p=): a %d-bit key can "
		        "be "
		        "factored and your mail forged.",
		        name, k->bits));
	} else if (k->ktype == DKIM_K_RSA && k->bits < 2048) {
		issue(is, STATUS_WARN, xasprintf("RSA key of %d bits: RFC 8301 asks for 2048", k->bits),
		      xasprintf(
		          "Rotate to a 2048-bit RSA key: publish it at a new selector, sign with it, then "
		          "revoke the key at %s (empty p=).",
		          name));
	}
	if (k->h_given && !k->h_sha256)
		issue(is, STATUS_FAIL,
		      xstrdup(
		          k->h_sha1
		              ? "h=sha1 only: RFC 8301 forbids verifying rsa-sha1, so no signature with this "
		                "key verifies"
		              : "h= names no hash algorithm verifiers support (sha256)"),
		      xasprintf("Remove the h= tag at %s (or set h=sha256) and sign with rsa-sha256 or "
		                "ed25519-sha256.",
		                name));
	if (!k->s_email)
		issue(
		    is, STATUS_FAIL,
		    xasprintf("s=%s excludes email: verifiers must not use it for mail", dkimkey_tag(k, "s")),
		    xasprintf("Remove the s= tag at %s or set s=email.", name));
	if (k->testing)
		issue(is, STATUS_WARN,
		      xstrdup("t=y: the domain is testing DKIM, receivers may ignore failures"),
		      xasprintf("When signing works, remove t=y from the record at %s.", name));
}

static const char *ktype_name(const struct dkim_key *k)
{
	return k->ktype == DKIM_K_RSA ? "rsa" : k->ktype == DKIM_K_ED25519 ? "ed25519" : k->k;
}

/* The detail (every problem but the one in the summary, then the facts a
 * reader wants to see) and the remedy (every problem's) of f. */
static void key_text(struct finding *f, const struct probe *p, const struct dkim_key *k,
                     const struct issues *is, size_t worst, const char *via)
{
	enum status st = f->status;
	struct strbuf detail = {0};
	/* the summary already names the worst problem */
	for (size_t i = 0; i < is->n; i++)
		if (i != worst || st == STATUS_PASS)
			sb_sep_printf(&detail, " ", "%s.", is->v[i].text);
	if (via)
		sb_sep_printf(&detail, " ", "%s is a CNAME to %.250s.", p->name, via);
	if (k->key_ok && k->format && strcmp(k->format, "pkcs1") == 0)
		sb_sep_printf(&detail, " ",
		              "The RSA key is a bare PKCS#1 RSAPublicKey, which RFC 6376 names but most "
		              "publishers replace by SubjectPublicKeyInfo; verifiers accept both.");
	if (k->key_ok && k->ktype == DKIM_K_RSA && k->bits > 4096)
		sb_sep_printf(&detail, " ",
		              "RFC 8301 only requires verifiers to handle keys up to 4096 bits.");
	if (k->strict)
		sb_sep_printf(&detail, " ", "t=s: the i= domain of signatures must equal d=.");
	if (detail.len)
		finding_set_detail(f, "%s", sb_str(&detail));
	sb_free(&detail);
	if (st == STATUS_WARN || st == STATUS_FAIL) {
		struct strbuf rem = {0};
		for (size_t i = 0; i < is->n; i++)
			if (is->v[i].remedy && (is->v[i].st == STATUS_WARN || is->v[i].st == STATUS_FAIL))
				sb_sep_printf(&rem, " ", "%s", is->v[i].remedy);
		finding_set_remedy(f, "%s", sb_str(&rem));
		sb_free(&rem);
	}
}

/* The key record's facts. */
static void add_key_data(struct finding *f, const struct dkim_key *k)
{
	cJSON *tags = JSON_OBJ(f->data, "tags");
	for (size_t i = 0; i < k->tag_count; i++) {
		char *v = utf8_sanitize_new(k->tags[i].value, strlen(k->tags[i].value));
		cJSON_AddStringToObject(tags, k->tags[i].name, v);
		free(v);
	}
	JSON_BOOL(f->data, "syntax_ok", k->syntax_ok);
	if (k->syntax_ok) {
		char *kt = utf8_sanitize_new(ktype_name(k), strlen(ktype_name(k)));
		JSON_STR(f->data, "key_type", kt);
		free(kt);
	} else {
		JSON_NULL(f->data, "key_type");
	}
	if (k->key_ok)
		JSON_NUM(f->data, "bits", k->bits);
	else
		JSON_NULL(f->data, "bits");
	json_add_str(f->data, "key_format", k->key_ok ? k->format : NULL);
	JSON_BOOL(f->data, "revoked", k->revoked);
	JSON_BOOL(f->data, "testing", k->testing);
	JSON_BOOL(f->data, "strict", k->strict);
}

static void key_finding(const struct audit *a, const struct probe *p, bool given, struct findings *out)
{
	struct finding *f;
	if (p->st == P_ERROR) {
		f = add_lookup_error(a, out, "dkim.key", p->sel, "the DKIM key", p->ans);
		add_common_data(f, p);
		return;
	}
	if (p->st == P_MISSING) {
		f = findings_add(out, "dkim.key", p->sel, STATUS_FAIL, "no key record at %s", p->name);
		finding_set_remedy(f,
		                   "Publish the public key of selector %s as a TXT record at %s "
		                   "(\"v=DKIM1; k=rsa; p=<base64 public key>\").",
		                   p->sel, p->name);
		add_common_data(f, p);
		return;
	}
	const char *via = p->ans->cname_count ? p->ans->cnames[p->ans->cname_count - 1] : NULL;
	if (p->ans->rr_count > 1) {
		f = findings_add(out, "dkim.key", p->sel, STATUS_FAIL,
		                 "%zu TXT records at %s, verifiers' results are "
		                 "undefined",
		                 p->ans->rr_count, p->name);
		finding_set_detail(
		    f, "RFC 6376 3.6.2.2: TXT records at a selector must be unique; verifiers may use "
		       "any of them.");
		finding_set_remedy(f, "Keep exactly one TXT record (the current key) at %s.",
		                   via ? via : p->name);
		add_common_data(f, p);
		return;
	}
	const struct dns_rr *rr = &p->ans->rrs[0];
	struct dkim_key k;
	dkimkey_parse(rr->txt ? rr->txt : "", rr->txt ? rr->txt_len : 0, &k);
	struct issues is = {0};
	judge_key(&k, via ? via : p->name, given, &is);

	enum status st = STATUS_PASS;
	size_t worst = 0;
	for (size_t i = 0; i < is.n; i++)
		if (status_rank(is.v[i].st) > status_rank(st) ||
		    (st == STATUS_PASS && is.v[i].st == STATUS_INFO)) {
			st = is.v[i].st;
			worst = i;
		}
	if (st == STATUS_INFO && is.n == 1) {
		f = findings_add(out, "dkim.key", p->sel, STATUS_INFO, "%s", is.v[0].text);
	} else if (is.n && st != STATUS_PASS) {
		f = findings_add(out, "dkim.key", p->sel, st, "%s", is.v[worst].text);
	} else if (k.ktype == DKIM_K_ED25519) {
		f = findings_add(out, "dkim.key", p->sel, STATUS_PASS, "Ed25519 key at %s", p->name);
	} else {
		f = findings_add(out, "dkim.key", p->sel, STATUS_PASS, "RSA key of %d bits at %s", k.bits,
		                 p->name);
	}

	key_text(f, p, &k, &is, worst, via);
	add_common_data(f, p);
	add_key_data(f, &k);
	for (size_t i = 0; i < is.n; i++) {
		free(is.v[i].text);
		free(is.v[i].remedy);
	}
	dkimkey_free(&k);
}

static cJSON *names_json(const struct probe *ps, size_t n, enum probe_state st)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		if (ps[i].st == st)
			cJSON_AddItemToArray(arr, cJSON_CreateString(ps[i].sel));
	return arr;
}

static char *list_new(const struct probe *ps, size_t n, enum probe_state st, size_t max)
{
	struct strbuf s = {0};
	size_t shown = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		if (ps[i].st != st)
			continue;
		if (shown < max) {
			sb_sep_printf(&s, ", ", "%s", ps[i].sel);
			shown++;
		}
		total++;
	}
	if (total > shown)
		sb_printf(&s, " and %zu more", total - shown);
	return sb_take(&s);
}

static void selectors_finding(const struct audit *a, const struct probe *ps, size_t n, bool given,
                              struct findings *out)
{
	const char *dom = a->t->domain;
	size_t found = 0, missing = 0, errors = 0;
	const struct probe *first_err = NULL, *first_missing = NULL;
	for (size_t i = 0; i < n; i++) {
		if (ps[i].st == P_FOUND)
			found++;
		else if (ps[i].st == P_MISSING) {
			missing++;
			if (!first_missing)
				first_missing = &ps[i];
		} else {
			errors++;
			if (!first_err)
				first_err = &ps[i];
		}
	}
	char *fl = list_new(ps, n, P_FOUND, 10), *ml = list_new(ps, n, P_MISSING, 10),
	     *el = list_new(ps, n, P_ERROR, 10);
	struct finding *f;
	if (given && missing) {
		f = findings_add(out, "dkim.selectors", NULL, STATUS_FAIL,
		                 "no DKIM key for selector%s %s of %s", missing == 1 ? "" : "s", ml, dom);
		finding_set_remedy(
		    f,
		    "Publish the public key of each selector your signers use as a TXT record at "
		    "<selector>._domainkey.%s (e.g. %s), or correct the selector name: it is the s= tag "
		    "of the DKIM-Signature header in a message you sent.",
		    dom, first_missing->name);
		if (errors)
			finding_set_detail(f, "Could not be checked (lookup failed): %s.", el);
	} else if (given && errors) {
		/* every given selector must have a key: one not looked up may not */
		f = add_lookup_error(a, out, "dkim.selectors", NULL, "the DKIM selectors", first_err->ans);
		finding_set_detail(f, "%zu of %zu selector lookups failed (%s; first: %s %s)%s%s.", errors, n,
		                   el, first_err->name, dns_answer_why(first_err->ans),
		                   found ? "; keys found for " : "", found ? fl : "");
	} else if (found) {
		f = findings_add(out, "dkim.selectors", NULL, STATUS_PASS, "DKIM key%s found for %s",
		                 found == 1 ? "" : "s", fl);
		if (errors)
			finding_set_detail(f, "Could not be checked (lookup failed): %s.", el);
		else if (!given)
			finding_set_detail(f, "Probed %zu common selectors; give --selector to check others.",
			                   n);
	} else if (errors) {
		f = add_lookup_error(a, out, "dkim.selectors", NULL,
		                     given ? "the DKIM selectors" : "the common DKIM selectors",
		                     first_err->ans);
		finding_set_detail(
		    f,
		    "%zu of %zu selector lookups failed (%s; first: %s %s) and no key was found, so "
		    "whether %s publishes DKIM keys is unknown.",
		    errors, n, el, first_err->name, dns_answer_why(first_err->ans), dom);
	} else {
		f = findings_add(out, "dkim.selectors", NULL, STATUS_WARN,
		                 "none of %zu common DKIM selectors has a key for %s", n, dom);
		finding_set_detail(
		    f,
		    "DKIM selectors cannot be listed, only guessed; a miss is not proof that %s does not "
		    "sign. Amazon SES selectors are random per key and are never guessed.",
		    dom);
		finding_set_remedy(
		    f,
		    "Give the selectors your signers use with --selector SEL (the s= tag of the "
		    "DKIM-Signature header in a message you sent); if you do not sign yet, set up DKIM "
		    "signing and publish the key at <selector>._domainkey.%s.",
		    dom);
	}
	JSON_STR(f->data, "domain", dom);
	JSON_BOOL(f->data, "selectors_given", given);
	cJSON *probed = JSON_ARR(f->data, "probed");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(probed, cJSON_CreateString(ps[i].sel));
	JSON_ITEM(f->data, "found", names_json(ps, n, P_FOUND));
	JSON_ITEM(f->data, "missing", names_json(ps, n, P_MISSING));
	cJSON *errs = JSON_ARR(f->data, "errors");
	for (size_t i = 0; i < n; i++) {
		if (ps[i].st != P_ERROR)
			continue;
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "selector", ps[i].sel);
		JSON_STR(o, "status", dns_status_name(ps[i].ans->status));
		JSON_STR(o, "reason", dns_answer_why(ps[i].ans));
		cJSON_AddItemToArray(errs, o);
	}
	free(fl);
	free(ml);
	free(el);
}

/* ------------------------------------------------------------ IN_DKIM */

struct dkim_probes {
	bool given; /* --selector given: these are the signer's */
	struct probe *v;
	size_t n;
};

static void *dkim_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	const char *dom = a->t->domain;
	struct dkim_probes *d = xcalloc(1, sizeof *d);
	d->given = a->t->selector_count > 0;
	size_t n = d->given ? a->t->selector_count : COMMON_COUNT;
	d->v = xcalloc(n, sizeof *d->v);
	for (size_t i = 0; i < n; i++) {
		const char *sel = d->given ? a->t->selectors[i] : common_selectors[i];
		bool dup = false;
		for (size_t j = 0; j < d->n; j++)
			dup |= strcasecmp(d->v[j].sel, sel) == 0;
		if (dup)
			continue; /* --selector given twice */
		d->v[d->n].sel = sel;
		d->v[d->n].name = xasprintf("%s._domainkey.%s", sel, dom);
		prefetch(a, d->v[d->n].name, DNS_T_TXT);
		d->n++;
	}
	for (size_t i = 0; i < d->n; i++)
		classify(a, &d->v[i], d->given);
	return d;
}

static void dkim_free(void *v)
{
	struct dkim_probes *d = v;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	free(d);
}

const struct input_def input_dkim = {
    .id = IN_DKIM, .name = "the DKIM key records", .compute = dkim_compute, .free = dkim_free};

/* ------------------------------------------------------------ the checks */

static void selectors_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct dkim_probes *d = input_get(in, IN_DKIM);
	selectors_finding(a, d->v, d->n, d->given, out);
}

static void key_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct dkim_probes *d = input_get(in, IN_DKIM);
	bool any = false;
	for (size_t i = 0; i < d->n; i++)
		if (d->given || d->v[i].st == P_FOUND) {
			key_finding(a, &d->v[i], d->given, out);
			any = true;
		}
	if (!any)
		findings_add(out, "dkim.key", NULL, STATUS_SKIP, "no DKIM key found to check");
}

static const struct check checks[] = {
    {.id = "dkim.selectors",
     .title = "the domain publishes DKIM keys (given selectors, else common ones probed)",
     .refs = {"RFC 6376 3.6.2"},
     .needs = NEED(IN_DKIM),
     .run = selectors_run,
     .file = __FILE__},
    {.id = "dkim.key",
     .title = "each DKIM key record parses and its key is strong enough",
     .refs = {"RFC 6376 3.6.1", "RFC 8301", "RFC 8463"},
     .needs = NEED(IN_DKIM),
     .run = key_run,
     .file = __FILE__},
};
FAMILY_OF(dkim, checks);
