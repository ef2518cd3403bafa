/* SPDX-License-Identifier: ISC */
/* rdap: registration data of the sending network and the domain (checks.md
 * § Registration data). RDAP servers come from the IANA bootstrap (cached a
 * day); the IP and domain lookups run at once over one curl multi handle,
 * WHOIS (TCP 43) on its own thread for TLDs without RDAP. */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../lib/net/http.h"
#include "../lib/util/json.h"
#include "../lib/net/httpgate.h"
#include "../lib/records/rdap.h"
#include "../lib/records/rdap_boot.h"
#include "../lib/net/whois.h"
#include "../lib/records/whois_domain.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/timeouts.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"

#define MAX_BODY  (2 * 1024 * 1024)
#define DAY       86400
#define NEAR_DAYS 30

/* One RDAP question and what became of it. */
struct query {
	char *url;
	struct http_resp *resp;
	char *error;        /* could not be answered (reason), or NULL */
	const char *remedy; /* for an error before any request, else NULL */
	bool absent;        /* HTTP 404: the registry has no such object */
};

struct whois_job {
	const struct resolver *res;
	const char *host;
	int port;
	const char *domain;
	int timeout_ms;
	struct rdap_domain d;
	char *server;
	int rc;
	char why[300];
};

struct run {
	const struct audit *a;
	struct http *h; /* owns the responses below */
	bool allow_http;
	char *boot_note; /* stale bootstrap used */
	/* IP */
	struct query ipq;
	struct rdap_ipnet net;
	bool net_ok;
	/* domain */
	char *regdom;
	struct query domq, rarq; /* registry, registrar */
	struct rdap_domain dom;
	bool dom_ok;
	bool use_whois;
	struct whois_job wj;
	pthread_t wth;
	bool wth_started;
};

static void query_free(struct query *q)
{
	free(q->url);
	free(q->error);
}

static void *whois_main(void *arg)
{
	struct whois_job *j = arg;
	j->rc = whois_domain_lookup(j->res, j->host, j->port, j->domain, j->timeout_ms, &j->d, &j->server,
	                            j->why, sizeof j->why);
	return NULL;
}

/* Grades a finished response: a 200 is the answer; 404 is "no such object"
 * (an answer for a domain, an error for a network); everything else is an
 * error with its reason. */
static void grade(struct query *q)
{
	struct http_resp *r = q->resp;
	char prob[300];
	if (r->err == HTTP_E_NONE && r->status == 200)
		return;
	if (r->err == HTTP_E_NONE && r->status == 404) {
		q->absent = true;
		return;
	}
	q->error = xasprintf("%s: %s", r->effective_url ? r->effective_url : q->url,
	                     http_problem(r, prob, sizeof prob));
}

static char *host_of_new(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	return xstrndup(p, strcspn(p, "/:?#"));
}

static void add_error(struct findings *out, const char *id, const char *what, const char *why,
                      const char *remedy, const char *url)
{
	struct finding *f = findings_add(out, id, NULL, STATUS_ERROR, "Could not check %s", what);
	finding_set_detail(f, "%s.", why);
	finding_set_remedy(f, "%s", remedy);
	cJSON *le = JSON_OBJ(f->data, "lookup_error");
	json_add_str(le, "url", url);
	JSON_STR(le, "reason", why);
}

static const char *remedy_bootstrap =
    "Check that this host can reach data.iana.org over HTTPS (firewall, proxy, DNS) so the RDAP bootstrap "
    "can be fetched, or give --rdap-bootstrap with a URL or directory holding ipv4.json, ipv6.json and "
    "dns.json; then run the audit again.";
static const char *remedy_not_public =
    "Audit the public address the mail leaves from (as receivers see it in Received: headers), not a "
    "private, reserved or documentation address.";
static const char *remedy_unreachable =
    "Check that this host can reach the registry's RDAP server over HTTPS (firewall, proxy, DNS), or "
    "give --rdap-bootstrap; then run the audit again. A rate-limited (HTTP 429) server wants a pause first.";

/* ------------------------------------------------------------ IP checks */

static cJSON *net_json(const struct rdap_ipnet *n)
{
	cJSON *o = cJSON_CreateObject();
	json_add_str(o, "handle", n->handle);
	json_add_str(o, "name", n->name);
	json_add_str(o, "type", n->type);
	json_add_str(o, "cidr", n->cidr);
	json_add_str(o, "start", n->start);
	json_add_str(o, "end", n->end);
	if (n->host_bits >= 0)
		JSON_NUM(o, "prefix_length", (n->af == AF_INET ? 32 : 128) - n->host_bits);
	else
		JSON_NULL(o, "prefix_length");
	json_add_str(o, "country", n->country);
	json_add_str(o, "holder", n->holder);
	return o;
}

/* Letters and digits only, lower-case: "Radio Link Internet" -> "radiolinkinternet". */
static char *squash_new(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *w = o;
	for (; *s; s++)
		if (isalnum((unsigned char)*s))
			*w++ = (char)tolower((unsigned char)*s);
	*w = '\0';
	return o;
}

/* Whether a holder name names the domain's organisation: the registrable
 * domain's first label as a word of the name, or (5+ characters) inside it. */
static bool name_related(const char *name, const char *regdom)
{
	if (!name || !regdom)
		return false;
	char *label = xstrndup(regdom, strcspn(regdom, "."));
	char *sl = squash_new(label), *sn = squash_new(name);
	bool hit = strlen(sl) >= 5 && strstr(sn, sl);
	/* word match for short labels ("BT" in "BT-CORPORATE") */
	size_t ll = strlen(label);
	for (const char *p = name; !hit && *p; p++) {
		if ((p == name || !isalnum((unsigned char)p[-1])) && strncasecmp(p, label, ll) == 0 &&
		    !isalnum((unsigned char)p[ll]))
			hit = true;
	}
	free(label);
	free(sl);
	free(sn);
	return hit;
}

/* The URL that answered for the network (after redirects). */
static const char *ip_url(const struct run *r)
{
	return r->ipq.resp && r->ipq.resp->effective_url ? r->ipq.resp->effective_url : r->ipq.url;
}

/* The network, or NULL with an error finding of id when it is unknown. */
static const struct rdap_ipnet *net_or_error(const struct run *r, const char *id, const char *what,
                                             struct findings *out)
{
	if (r->net_ok)
		return &r->net;
	char *w = xasprintf("%s %s", what, r->a->t->ip.text);
	add_error(out, id, w, r->ipq.error ? r->ipq.error : "no answer",
	          r->ipq.remedy ? r->ipq.remedy : remedy_unreachable, ip_url(r));
	free(w);
	return NULL;
}

static const char *net_label(const struct rdap_ipnet *n)
{
	return n->name ? n->name : n->handle ? n->handle : "?";
}

static void abuse_finding(const struct run *r, struct findings *out)
{
	const struct rdap_ipnet *n = net_or_error(r, "rdap.ip.abuse", "the abuse contact of", out);
	if (!n)
		return;
	const char *ip = r->a->t->ip.text, *label = net_label(n), *url = ip_url(r);
	char *server = host_of_new(url);
	struct finding *f;
	if (n->abuse_emails.n) {
		f = findings_add(out, "rdap.ip.abuse", NULL, STATUS_PASS, "abuse contact for %s: %s", ip,
		                 n->abuse_emails.v[0]);
		if (n->abuse_from_remark)
			finding_set_detail(
			    f,
			    "Network %s (%s) at %s has no structured abuse contact; the address comes "
			    "from a remark of the network object.",
			    label, n->cidr ? n->cidr : "?", server);
		else
			finding_set_detail(f, "Network %s (%s) at %s: abuse contact %s.", label,
			                   n->cidr ? n->cidr : "?", server,
			                   n->abuse_handle ? n->abuse_handle : "(no handle)");
	} else {
		f = findings_add(out, "rdap.ip.abuse", NULL, STATUS_FAIL, "no abuse contact for %s", ip);
		finding_set_detail(f, "Network %s (%s) at %s %s.", label, n->cidr ? n->cidr : "?", server,
		                   n->abuse_entity
		                       ? "has an entity with the abuse role but no e-mail address in it"
		                       : "has no entity with the abuse role");
		finding_set_remedy(f,
		                   "Have the holder of %s register an abuse contact with a monitored e-mail "
		                   "address (RIPE/AFRINIC abuse-c, ARIN abuse POC, APNIC/LACNIC IRT or abuse "
		                   "contact), e.g. abuse@%s; if the block is your provider's, ask them to.",
		                   n->cidr ? n->cidr : label, r->regdom ? r->regdom : r->a->t->domain);
	}
	JSON_ITEM(f->data, "network", net_json(n));
	JSON_ITEM(f->data, "abuse_emails", json_str_array(n->abuse_emails.v, n->abuse_emails.n));
	JSON_STR(f->data, "abuse_source",
	         n->abuse_emails.n == 0 ? "none"
	         : n->abuse_from_remark ? "remark"
	                                : "entity");
	json_add_str(f->data, "rdap_url", url);
	free(server);
}

/* How the network relates to the domain (NULL: it does not); *mail gets
 * the contact address that did it (new string), if one did. */
static const char *owner_relation(const struct run *r, const struct rdap_ipnet *n, char **mail)
{
	*mail = NULL;
	if (name_related(n->holder, r->regdom))
		return "the holder's name";
	if (name_related(n->name, r->regdom))
		return "the network's name";
	for (size_t i = 0; i < n->emails.n && r->regdom; i++) {
		const char *at = strrchr(n->emails.v[i], '@');
		char *rd = at ? psl_registrable_new(r->a->psl, at + 1) : NULL;
		bool hit = rd && strcmp(rd, r->regdom) == 0;
		free(rd);
		if (hit) {
			*mail = xstrdup(n->emails.v[i]);
			return "a contact e-mail address";
		}
	}
	return NULL;
}

static void owner_finding(const struct run *r, struct findings *out)
{
	const struct rdap_ipnet *n = net_or_error(r, "rdap.ip.owner", "the holder of", out);
	if (!n)
		return;
	const struct audit *a = r->a;
	const char *ip = a->t->ip.text, *label = net_label(n), *url = ip_url(r);
	const char *holder = n->holder ? n->holder : n->name;
	const char *dom = r->regdom ? r->regdom : a->t->domain;
	char *server = host_of_new(url), *mail;
	const char *why = owner_relation(r, n, &mail);
	int bits = n->af == AF_INET ? 32 : 128;
	/* M3AAWG: /29 and larger (v4) must be documented; a v6 /64 is the
	 * smallest block a customer normally gets. */
	bool large = n->host_bits >= (n->af == AF_INET ? 3 : 64);
	struct finding *f;
	if (why) {
		f = findings_add(out, "rdap.ip.owner", NULL, STATUS_PASS, "%s is registered to %s",
		                 n->cidr ? n->cidr : label, holder ? holder : "?");
		finding_set_detail(f, "Related to %s by %s%s%s%s (network %s at %s).", r->regdom, why,
		                   mail ? " (" : "", mail ? mail : "", mail ? ")" : "", label, server);
	} else if (large && !a->t->shared) {
		f = findings_add(out, "rdap.ip.owner", NULL, STATUS_WARN,
		                 "%s sits in %s's block %s (/%d) with no reassignment to %s", ip,
		                 holder ? holder : "an unnamed holder", n->cidr ? n->cidr : label,
		                 bits - n->host_bits, dom);
		finding_set_detail(
		    f,
		    "The most specific network at %s is %s (%s%s%s); neither its holder, its name "
		    "nor its contacts' e-mail domains relate to %s.",
		    server, label, n->type ? "type " : "", n->type ? n->type : "", n->type ? "" : "no type",
		    dom);
		finding_set_remedy(
		    f,
		    "Ask the provider (%s) to register a reassignment of the addresses you send "
		    "from to your organisation, with your abuse contact (ARIN: reassign/SWIP; "
		    "RIPE: an ASSIGNED PA inetnum; APNIC, LACNIC, AFRINIC: a customer "
		    "assignment) — M3AAWG expects /29 and larger blocks documented.",
		    holder ? holder : "the block's holder");
	} else {
		f = findings_add(out, "rdap.ip.owner", NULL, STATUS_INFO, "%s is registered to %s",
		                 n->cidr ? n->cidr : label, holder ? holder : "an unnamed holder");
		finding_set_detail(
		    f, "%s",
		    a->t->shared ? "A shared (ESP) address is expected to be registered to the ESP, not to "
		                   "the sender."
		    : n->host_bits < 0
		        ? "The network's size is unknown; its holder does not relate to the domain."
		        : "A small network whose holder does not relate to the domain by name.");
	}
	JSON_ITEM(f->data, "network", net_json(n));
	json_add_str(f->data, "related_by", why);
	json_add_str(f->data, "domain", r->regdom);
	JSON_BOOL(f->data, "large_block", large);
	json_add_str(f->data, "rdap_url", url);
	free(mail);
	free(server);
}

/* ------------------------------------------------------------ domain checks */

static void add_time(cJSON *o, const char *key, time_t t)
{
	if (!t) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char buf[32];
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, key, buf);
}

static void day_text(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* Where the facts came from, for `detail` (WHOIS is less reliable). */
static char *source_text_new(const struct run *r)
{
	if (r->use_whois)
		return xasprintf(
		    "WHOIS (port 43, %s): free-form text, lower confidence than RDAP (the TLD has no RDAP "
		    "service in the IANA bootstrap)",
		    r->wj.server ? r->wj.server : "?");
	char *h = host_of_new(r->domq.resp && r->domq.resp->effective_url ? r->domq.resp->effective_url
	                                                                  : r->domq.url);
	char *s = r->rarq.resp && !r->rarq.error ? xasprintf("RDAP at %s and the registrar's RDAP", h)
	                                         : xasprintf("RDAP at %s", h);
	free(h);
	return s;
}

static void dom_source_json(const struct run *r, cJSON *o)
{
	JSON_STR(o, "source", r->use_whois ? "whois" : "rdap");
	if (r->use_whois)
		json_add_str(o, "whois_server", r->wj.server);
	else
		json_add_str(o, "rdap_url",
		             r->domq.resp && r->domq.resp->effective_url ? r->domq.resp->effective_url
		                                                         : r->domq.url);
}

static const char *const holds[] = {"clienthold", "serverhold", "redemptionperiod", "pendingdelete"};

static void status_finding(const struct run *r, struct findings *out, time_t now)
{
	const struct rdap_domain *d = &r->dom;
	const char *dom = r->regdom;
	char *src = source_text_new(r);
	const char *hold = NULL;
	for (size_t i = 0; i < d->status.n && !hold; i++) {
		char key[64];
		rdap_status_key(d->status.v[i], key, sizeof key);
		for (size_t k = 0; k < sizeof holds / sizeof *holds; k++)
			if (strcmp(key, holds[k]) == 0)
				hold = d->status.v[i];
	}
	long age = d->registered ? (long)((now - d->registered) / DAY) : -1;
	long left = d->expires ? (long)((d->expires - now) / DAY) : -1;
	char reg_day[16] = "", exp_day[16] = "";
	if (d->registered)
		day_text(d->registered, reg_day, sizeof reg_day);
	if (d->expires)
		day_text(d->expires, exp_day, sizeof exp_day);
	struct finding *f;
	if (hold) {
		f = findings_add(out, "rdap.domain.status", NULL, STATUS_FAIL, "%s has status \"%s\"", dom,
		                 hold);
		finding_set_detail(f,
		                   "From %s. A domain on hold is removed from the DNS; redemption period and "
		                   "pending delete mean it has expired and is being deleted.",
		                   src);
		finding_set_remedy(
		    f,
		    "Contact the registrar of %s%s%s%s now: settle the renewal or verification that "
		    "caused \"%s\" (restore it from redemption if needed), and turn on auto-renewal.",
		    dom, d->registrar ? " (" : "", d->registrar ? d->registrar : "", d->registrar ? ")" : "",
		    hold);
	} else if (d->expires && left < NEAR_DAYS) {
		if (d->expires <= now)
			f = findings_add(out, "rdap.domain.status", NULL, STATUS_WARN, "%s expired on %s",
			                 dom, exp_day);
		else
			f = findings_add(out, "rdap.domain.status", NULL, STATUS_WARN,
			                 "%s expires in %ld day%s (%s)", dom, left, left == 1 ? "" : "s",
			                 exp_day);
		finding_set_detail(f, "From %s.", src);
		finding_set_remedy(
		    f,
		    "Renew %s at its registrar now and turn on auto-renewal: an expired domain "
		    "stops resolving and its mail bounces.",
		    dom);
	} else if (d->registered && age < NEAR_DAYS) {
		f = findings_add(out, "rdap.domain.status", NULL, STATUS_WARN,
		                 "%s was registered %ld day%s ago (%s)", dom, age < 0 ? 0 : age,
		                 age == 1 ? "" : "s", reg_day);
		finding_set_detail(
		    f, "From %s. Receivers treat mail from newly registered domains with suspicion.", src);
		finding_set_remedy(
		    f,
		    "Send from an established domain, or ramp up volume from %s slowly over its first "
		    "weeks and make sure SPF, DKIM and DMARC are in place from the start.",
		    dom);
	} else {
		f = findings_add(out, "rdap.domain.status", NULL, STATUS_PASS, "%s is registered%s%s%s", dom,
		                 d->expires ? " until " : "", exp_day, "");
		finding_set_detail(f, "From %s.%s%s%s", src, d->registered ? " Registered " : "", reg_day,
		                   d->expires ? "." : ". No expiration date is published.");
	}
	dom_source_json(r, f->data);
	JSON_STR(f->data, "domain", dom);
	JSON_ITEM(f->data, "status", json_str_array(d->status.v, d->status.n));
	add_time(f->data, "registered", d->registered);
	add_time(f->data, "expires", d->expires);
	if (d->expires)
		JSON_NUM(f->data, "days_to_expiry", (double)left);
	else
		JSON_NULL(f->data, "days_to_expiry");
	if (d->registered)
		JSON_NUM(f->data, "days_registered", (double)age);
	else
		JSON_NULL(f->data, "days_registered");
	free(src);
}

static const char *const reg_kind[] = {"none", "identified", "redacted", "proxy"};

static void contact_finding(const struct run *r, struct findings *out)
{
	const struct rdap_domain *d = &r->dom;
	const char *dom = r->regdom;
	char *src = source_text_new(r);
	bool no_abuse = d->registrar_present && d->registrar_abuse.n == 0 && !d->whois;
	struct finding *f;
	if (d->reg == RDAP_REG_NONE && r->rarq.error) {
		add_error(out, "rdap.domain.contact", "the registrant", r->rarq.error, remedy_unreachable,
		          r->rarq.url);
		free(src);
		return;
	}
	if (d->reg == RDAP_REG_PROXY) {
		f = findings_add(out, "rdap.domain.contact", NULL, STATUS_FAIL,
		                 "%s is registered through a privacy/proxy service%s%s%s", dom,
		                 d->registrant ? " (" : "", d->registrant ? d->registrant : "",
		                 d->registrant ? ")" : "");
		finding_set_detail(f, "From %s: %s.%s", src, d->why_reg ? d->why_reg : "privacy service",
		                   no_abuse ? " The registrar also publishes no abuse contact." : "");
		finding_set_remedy(
		    f,
		    "Turn off the privacy/proxy service for %s at the registrar%s%s%s so the domain "
		    "is registered in the sending organisation's own name (M3AAWG 3.1); "
		    "registration data withheld by registry policy (GDPR) is fine.",
		    dom, d->registrar ? " (" : "", d->registrar ? d->registrar : "", d->registrar ? ")" : "");
	} else if (no_abuse) {
		f = findings_add(out, "rdap.domain.contact", NULL, STATUS_WARN,
		                 "the registrar of %s publishes no abuse contact", dom);
		finding_set_detail(f, "From %s: registrar %s, registrant %s.", src,
		                   d->registrar ? d->registrar : "(unnamed)",
		                   d->registrant ? d->registrant : reg_kind[d->reg]);
		finding_set_remedy(
		    f,
		    "Ask the registrar%s%s%s to publish its abuse contact (ICANN requires one in RDAP), "
		    "or move %s to a registrar that does.",
		    d->registrar ? " (" : "", d->registrar ? d->registrar : "", d->registrar ? ")" : "", dom);
	} else if (d->reg == RDAP_REG_IDENTIFIED) {
		f = findings_add(out, "rdap.domain.contact", NULL, STATUS_PASS, "%s is registered to %s", dom,
		                 d->registrant);
		finding_set_detail(f, "From %s.%s", src,
		                   d->whois ? " Parsed from free-form WHOIS text: lower confidence." : "");
	} else if (d->reg == RDAP_REG_REDACTED) {
		f = findings_add(out, "rdap.domain.contact", NULL, STATUS_INFO,
		                 "the registrant of %s is redacted by registration policy", dom);
		finding_set_detail(
		    f, "From %s: %s. Policy redaction (GDPR, RFC 9537) is not a privacy/proxy service.", src,
		    d->why_reg ? d->why_reg : "redacted");
	} else {
		f = findings_add(out, "rdap.domain.contact", NULL, STATUS_INFO,
		                 "no registrant is published for %s", dom);
		finding_set_detail(f, "From %s: the answer names no registrant%s.", src,
		                   d->related ? "" : " and links to no registrar RDAP service");
	}
	dom_source_json(r, f->data);
	JSON_STR(f->data, "domain", dom);
	JSON_STR(f->data, "registrant_kind", reg_kind[d->reg]);
	json_add_str(f->data, "registrant", d->registrant);
	json_add_str(f->data, "reason", d->why_reg);
	JSON_ITEM(f->data, "redacted", json_str_array(d->redacted.v, d->redacted.n));
	json_add_str(f->data, "registrar", d->registrar);
	JSON_ITEM(f->data, "registrar_abuse", json_str_array(d->registrar_abuse.v, d->registrar_abuse.n));
	free(src);
}

static void domain_findings(const struct run *r, bool want_status, bool want_contact, struct findings *out)
{
	const struct audit *a = r->a;
	const char *dom = r->regdom ? r->regdom : a->t->domain;
	bool absent = r->use_whois ? r->wj.rc == 0 : r->domq.absent;
	if (absent) {
		if (want_status) {
			struct finding *f = findings_add(out, "rdap.domain.status", NULL, STATUS_FAIL,
			                                 "%s is not registered", dom);
			char *src = source_text_new(r);
			finding_set_detail(f, "%s answers that it has no such domain%s.", src,
			                   r->use_whois ? "" : " (HTTP 404)");
			finding_set_remedy(
			    f,
			    "Register %s, or send from a domain that is registered: receivers reject mail "
			    "from domains that do not exist.",
			    dom);
			dom_source_json(r, f->data);
			JSON_STR(f->data, "domain", dom);
			free(src);
		}
		if (want_contact) {
			struct finding *f =
			    findings_add(out, "rdap.domain.contact", NULL, STATUS_SKIP,
			                 "%s is not registered (see rdap.domain.status)", dom);
			JSON_STR(f->data, "domain", dom);
		}
		return;
	}
	if (!r->dom_ok) {
		const char *why = r->use_whois ? r->wj.why : r->domq.error ? r->domq.error : "no answer";
		const char *rem =
		    r->use_whois
		        ? "Check that this host can reach the registry's WHOIS server on TCP port 43; "
		          "then run the audit again."
		    : r->domq.remedy ? r->domq.remedy
		                     : remedy_unreachable;
		char *w1 = xasprintf("the registration of %s", dom),
		     *w2 = xasprintf("the registrant of %s", dom);
		if (want_status)
			add_error(out, "rdap.domain.status", w1, why, rem,
			          r->use_whois ? r->wj.server : r->domq.url);
		if (want_contact)
			add_error(out, "rdap.domain.contact", w2, why, rem,
			          r->use_whois ? r->wj.server : r->domq.url);
		free(w1);
		free(w2);
		return;
	}
	if (want_status)
		status_finding(r, out, time(NULL));
	if (want_contact)
		contact_finding(r, out);
}

/* ------------------------------------------------------------ the run */

/* The network's answer: parsed, and checked to hold the IP. */
static void take_ip(struct run *r, struct http_resp *resp)
{
	struct query *q = &r->ipq;
	const struct ipaddr *ip = &r->a->t->ip;
	char why[300];
	if (q->absent) {
		q->error = xasprintf("%s: HTTP 404, the registry has no network for %s", resp->effective_url,
		                     ip->text);
	} else if (q->error) {
		return;
	} else if (rdap_ipnet_parse(resp->body ? resp->body : "", resp->len, &r->net, why, sizeof why) < 0) {
		q->error = xasprintf("%s: %s", resp->effective_url, why);
		rdap_ipnet_free(&r->net);
	} else if (r->net.af && !rdap_ipnet_contains(&r->net, ip)) {
		q->error = xasprintf("%s answered with network %s, which does not hold %s",
		                     resp->effective_url, r->net.cidr, ip->text);
		rdap_ipnet_free(&r->net);
	} else {
		r->net_ok = true;
	}
}

/* The registry's answer; a thin registry's points at the registrar, which
 * is asked next. */
static void take_domain(struct run *r, struct http_resp *resp)
{
	struct query *q = &r->domq;
	char why[300];
	if (q->error || q->absent)
		return;
	if (rdap_domain_parse(resp->body ? resp->body : "", resp->len, &r->dom, why, sizeof why) < 0) {
		q->error = xasprintf("%s: %s", resp->effective_url, why);
		rdap_domain_free(&r->dom);
		return;
	}
	r->dom_ok = true;
	/* A thin registry: the registrant is at the registrar. */
	if (r->dom.reg == RDAP_REG_NONE && r->dom.related &&
	    (strncasecmp(r->dom.related, "https://", 8) == 0 ||
	     (r->allow_http && strncasecmp(r->dom.related, "http://", 7) == 0))) {
		r->rarq.url = xstrdup(r->dom.related);
		r->rarq.resp = http_get(r->h, r->rarq.url, &r->rarq);
	}
}

static void take_registrar(struct run *r, struct http_resp *resp)
{
	struct query *q = &r->rarq;
	struct rdap_domain rd;
	char why[300];
	if (q->error)
		return;
	if (q->absent)
		q->error = xasprintf("%s: HTTP 404 from the registrar", resp->effective_url);
	else if (rdap_domain_parse(resp->body ? resp->body : "", resp->len, &rd, why, sizeof why) < 0)
		q->error = xasprintf("%s: %s", resp->effective_url, why);
	else {
		rdap_domain_merge(&r->dom, &rd);
		rdap_domain_free(&rd);
	}
}

/* The bootstrap file name of the run, loaded into bf (its `boot` or `why`). */
static void load_bootstrap(struct run *r, bool ip, struct rdap_boot_file *bf)
{
	bf->name = !ip ? "dns.json" : r->a->t->ip.af == AF_INET ? "ipv4.json" : "ipv6.json";
	char *cache = rdap_cache_dir_new();
	rdap_boot_load(r->h, r->a->o->rdap_bootstrap, RDAP_IANA_BOOTSTRAP, cache, bf, 1);
	free(cache);
	if (bf->note)
		r->boot_note = xstrdup(bf->note);
}

static void ip_start(struct run *r, const struct rdap_boot_file *bf)
{
	const struct ipaddr *ip = &r->a->t->ip;
	char *base = bf->boot ? rdap_boot_ip_new(bf->boot, ip, r->allow_http) : NULL;
	if (!bf->boot) {
		r->ipq.error = xasprintf("the RDAP bootstrap %s could not be loaded: %s", bf->name, bf->why);
		r->ipq.remedy = remedy_bootstrap;
	} else if (!base) {
		r->ipq.error =
		    xasprintf("the RDAP bootstrap (%s) names no %sRDAP service for %s: not a public, "
		              "RIR-allocated address",
		              bf->name, r->allow_http ? "" : "https ", ip->text);
		r->ipq.remedy = remedy_not_public;
	} else {
		r->ipq.url = xasprintf("%sip/%s", base, ip->text);
		r->ipq.resp = http_get(r->h, r->ipq.url, &r->ipq);
	}
	free(base);
}

/* RDAP where the TLD has it, else WHOIS on a thread of its own. */
static void domain_start(struct run *r, const struct rdap_boot_file *bf, int whois_ms)
{
	const struct audit *a = r->a;
	char *base = bf->boot ? rdap_boot_domain_new(bf->boot, r->regdom, r->allow_http) : NULL;
	if (!bf->boot) {
		r->domq.error = xasprintf("the RDAP bootstrap %s could not be loaded: %s", bf->name, bf->why);
		r->domq.remedy = remedy_bootstrap;
	} else if (base) {
		r->domq.url = xasprintf("%sdomain/%s", base, r->regdom);
		r->domq.resp = http_get(r->h, r->domq.url, &r->domq);
	} else {
		r->use_whois = true;
		r->wj = (struct whois_job){.res = a->dns,
		                           .host = a->o->whois_server ? a->o->whois_server : WHOIS_IANA,
		                           .port = a->o->whois_port ? a->o->whois_port : WHOIS_PORT,
		                           .domain = r->regdom,
		                           .timeout_ms = whois_ms,
		                           .rc = -1};
		r->wth_started = pthread_create(&r->wth, NULL, whois_main, &r->wj) == 0;
		if (!r->wth_started)
			whois_main(&r->wj);
	}
	free(base);
}

static void whois_finish(struct run *r)
{
	if (r->wth_started)
		pthread_join(r->wth, NULL);
	if (r->use_whois && r->wj.rc == 1) {
		r->dom = r->wj.d;
		memset(&r->wj.d, 0, sizeof r->wj.d);
		r->dom_ok = true;
	}
	if (r->use_whois && r->wj.rc < 0 && !r->wj.why[0])
		snprintf(r->wj.why, sizeof r->wj.why, "the WHOIS lookup failed");
}

/* Fetches the registration data of the IP's network (ip) or of the domain:
 * bootstrap, then the registry (and the registrar of a thin registry), or
 * WHOIS for a TLD without RDAP. Every server name is resolved through the
 * audit's resolver. The run owns the HTTP client and its answers. */
static struct run *fetch(const struct audit *a, bool ip)
{
	struct run *r = xcalloc(1, sizeof *r);
	r->a = a;
	const char *override = a->o->rdap_bootstrap;
	/* Plain http only where the user named it: a bootstrap URL or
	 * directory of their own (tests: a loopback server). */
	r->allow_http = override && strncmp(override, "https://", 8) != 0;
	r->regdom = psl_registrable_new(a->psl, a->t->domain);
	if (!r->regdom)
		r->regdom = xstrdup(a->t->domain);
	struct timeouts tm;
	timeouts_from(a->o->timeout_ms, &tm);
	struct http_opts ho = {.connect_timeout_ms = tm.http_connect_ms,
	                       .total_timeout_ms = tm.http_total_ms,
	                       .max_body = MAX_BODY,
	                       .allow_http = r->allow_http,
	                       .accept = "application/rdap+json, application/json;q=0.9",
	                       .gate = a->http_gate,
	                       .resolver = a->dns};
	if (!(r->h = http_new(&ho))) {
		struct query *q = ip ? &r->ipq : &r->domq;
		q->error = xstrdup("libcurl could not start (out of memory?)");
		return r;
	}
	struct rdap_boot_file bf = {0};
	load_bootstrap(r, ip, &bf);
	if (ip)
		ip_start(r, &bf);
	else
		domain_start(r, &bf, tm.whois_ms);
	rdap_boot_file_free(&bf);
	struct http_resp *resp;
	while ((resp = http_next(r->h))) {
		struct query *q = resp->user;
		grade(q);
		if (q == &r->ipq)
			take_ip(r, resp);
		else if (q == &r->domq)
			take_domain(r, resp);
		else if (q == &r->rarq)
			take_registrar(r, resp);
	}
	whois_finish(r);
	return r;
}

static void run_free(void *v)
{
	struct run *r = v;
	if (r->net_ok)
		rdap_ipnet_free(&r->net);
	rdap_domain_free(&r->dom);
	rdap_domain_free(&r->wj.d);
	free(r->wj.server);
	query_free(&r->ipq);
	query_free(&r->domq);
	query_free(&r->rarq);
	free(r->regdom);
	free(r->boot_note);
	http_free(r->h);
	free(r);
}

static void *ip_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return fetch(a, true);
}

static void *domain_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	return fetch(a, false);
}

const struct input_def input_rdap_ip = {
    .id = IN_RDAP_IP, .name = "the IP network's registration data", .compute = ip_compute, .free = run_free};
const struct input_def input_rdap_domain = {.id = IN_RDAP_DOMAIN,
                                            .name = "the domain's registration data",
                                            .compute = domain_compute,
                                            .free = run_free};

/* ------------------------------------------------------------ the checks */

/* A stale bootstrap copy that was used is said in every finding. */
static void add_boot_note(const struct run *r, struct findings *out, size_t first)
{
	for (size_t i = first; r->boot_note && i < out->n; i++) {
		struct strbuf d = {0};
		if (out->v[i].detail)
			sb_printf(&d, "%s ", out->v[i].detail);
		sb_printf(&d, "Note: %s.", r->boot_note);
		finding_set_detail(&out->v[i], "%s", sb_str(&d));
		sb_free(&d);
	}
}

static void abuse_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct run *r = input_get(in, IN_RDAP_IP);
	size_t first = out->n;
	abuse_finding(r, out);
	add_boot_note(r, out, first);
}

static void owner_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct run *r = input_get(in, IN_RDAP_IP);
	size_t first = out->n;
	owner_finding(r, out);
	add_boot_note(r, out, first);
}

static void status_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct run *r = input_get(in, IN_RDAP_DOMAIN);
	size_t first = out->n;
	domain_findings(r, true, false, out);
	add_boot_note(r, out, first);
}

static void contact_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	(void)a;
	const struct run *r = input_get(in, IN_RDAP_DOMAIN);
	size_t first = out->n;
	domain_findings(r, false, true, out);
	add_boot_note(r, out, first);
}

static const struct check checks[] = {
    {.id = "rdap.ip.abuse",
     .title = "the network holding the IP has an abuse contact with an e-mail address",
     .refs = {"M3AAWG Senders BCP 3.1", "RFC 9083"},
     .needs = NEED(IN_RDAP_IP),
     .run = abuse_run,
     .file = __FILE__},
    {.id = "rdap.ip.owner",
     .title = "the network holding the IP names a holder related to the domain (blocks of /29 and up)",
     .refs = {"M3AAWG Senders BCP 3.1"},
     .needs = NEED(IN_RDAP_IP),
     .run = owner_run,
     .file = __FILE__},
    {.id = "rdap.domain.status",
     .title = "the domain is registered, not on hold and more than 30 days from expiry",
     .refs = {"RFC 9083", "RFC 8056"},
     .needs = NEED(IN_RDAP_DOMAIN),
     .run = status_run,
     .file = __FILE__},
    {.id = "rdap.domain.contact",
     .title = "the registrant is not a privacy/proxy service; the registrar has an abuse contact",
     .refs = {"M3AAWG Senders BCP 3.1", "RFC 9537"},
     .needs = NEED(IN_RDAP_DOMAIN),
     .run = contact_run,
     .file = __FILE__},
};
FAMILY_OF(rdap, checks);
