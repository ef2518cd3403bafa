/* SPDX-License-Identifier: ISC */
/* smtp: what only the wire shows (checks.md § SMTP probe), with --smtp.
 * Input IN_SMTP_PROBE is one conversation with the audited IP (greeting,
 * EHLO, STARTTLS, EHLO, a relay test, QUIT; never DATA); IN_SMTP_MX the
 * STARTTLS of the MAIL FROM domain's best MX hosts, probed at once. Both
 * connect only with --smtp: without it every smtp check is `skip`.
 * Nothing listening on the IP is `info` (an outbound-only sender need
 * not accept connections); a timeout once the server has answered is
 * `error`, and so is every check whose step the conversation never
 * reached. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/net/smtp.h"
#include "../lib/util/json.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/timeouts.h"
#include "../lib/util/xalloc.h"
#include "check.h"
#include "lookup.h"
#include "mx.h"

/* smtp.mx_tls probes at most this many MX hosts (checks.md). */
#define MX_PROBE_MAX 5
/* A certificate that expires within this many days warns. */
#define EXPIRY_WARN_DAYS 14

/* ------------------------------------------------------------ IN_SMTP_PROBE */

struct probe_facts {
	bool asked; /* --smtp given */
	int port;
	char setup_why[200]; /* the probe could not start (TLS set-up), or "" */
	int step_ms;
	char *from, *to; /* the relay test's addresses */
	struct smtp_probe p;
};

/* Two domains foreign to the audit (RFC 2606: no one receives mail for
 * them), so an accepted RCPT can only mean relaying. */
static void foreign_pair(const struct target *t, const char **from, const char **to)
{
	static const char *const reserved[] = {"example.org", "example.net", "example.com"};
	const char *pick[2] = {NULL, NULL};
	size_t k = 0;
	for (size_t i = 0; i < 3 && k < 2; i++) {
		const char *d = reserved[i];
		if (name_is_under(t->domain, d) || name_is_under(t->mail_from, d) ||
		    (t->helo && name_is_under(t->helo, d)))
			continue;
		pick[k++] = d;
	}
	*from = pick[0] ? pick[0] : "example.org";
	*to = pick[1] ? pick[1] : *from;
}

static void *probe_compute(const struct audit *a, const struct inputs *in)
{
	(void)in;
	struct probe_facts *f = xcalloc(1, sizeof *f);
	f->asked = a->o->smtp;
	f->port = a->o->smtp_port ? a->o->smtp_port : 25;
	if (!f->asked)
		return f;
	struct timeouts tm;
	timeouts_from(a->o->timeout_ms, &tm);
	f->step_ms = tm.smtp_step_ms;
	SSL_CTX *ctx = tls_client_ctx_new(f->setup_why, sizeof f->setup_why);
	if (!ctx)
		return f;
	const char *fd, *td;
	foreign_pair(a->t, &fd, &td);
	f->from = xasprintf("relay-test@%s", fd);
	f->to = xasprintf("relay-test@%s", td);
	struct smtp_probe_req rq = {.ip = a->t->ip,
	                            .port = f->port,
	                            .connect_ms = tm.smtp_connect_ms,
	                            .step_ms = tm.smtp_step_ms,
	                            .total_ms = tm.smtp_total_ms,
	                            .tls = ctx,
	                            .relay_from = f->from,
	                            .relay_to = f->to};
	smtp_probe_run(&rq, &f->p);
	SSL_CTX_free(ctx);
	return f;
}

static void probe_free(void *v)
{
	struct probe_facts *f = v;
	smtp_probe_clear(&f->p);
	free(f->from);
	free(f->to);
	free(f);
}

const struct input_def input_smtp_probe = {.id = IN_SMTP_PROBE,
                                           .name = "the SMTP conversation with the IP",
                                           .compute = probe_compute,
                                           .free = probe_free};

/* ------------------------------------------------------------ IN_SMTP_MX */

enum host_verdict { HOST_GOOD, HOST_BAD, HOST_UNKNOWN, HOST_NO_ADDRESS };

struct mx_host {
	const char *name;
	int pref;
	const struct addr_set *addrs;
	struct ipaddr ip[2]; /* an IPv4 and an IPv6 address, tried in turn */
	size_t n_ip;
	bool probed;
	size_t used; /* the address of ip[] the probe is of */
	struct smtp_probe p;
	/* filled by probe */
	const struct smtp_probe_req *base;
	pthread_t th;
	bool threaded;
};

struct mx_probe_facts {
	bool asked;
	char setup_why[200];
	int port;
	const struct mx_facts *m;
	bool implicit; /* the domain itself, for want of MX records */
	struct mx_host h[MX_PROBE_MAX];
	size_t n, skipped; /* probed hosts, and hosts beyond the cap */
};

/* The first address of each family an address set holds. */
static void pick_addrs(const struct addr_set *s, struct mx_host *h)
{
	const struct dns_answer *both[2] = {s->a4, s->a6};
	for (int k = 0; k < 2; k++) {
		const struct dns_answer *ans = both[k];
		if (!ans || ans->status != DNS_OK || !ans->rr_count)
			continue;
		char text[64], why[80];
		int af = ans->qtype == DNS_T_A ? AF_INET : AF_INET6;
		if (inet_ntop(af, ans->rrs[0].addr, text, sizeof text) &&
		    ip_parse(text, &h->ip[h->n_ip], why, sizeof why) == 0)
			h->n_ip++;
	}
}

static void *mx_host_main(void *arg)
{
	struct mx_host *h = arg;
	for (size_t i = 0; i < h->n_ip; i++) {
		struct smtp_probe_req rq = *h->base;
		rq.ip = h->ip[i];
		rq.sni = h->name;
		if (i)
			smtp_probe_clear(&h->p);
		smtp_probe_run(&rq, &h->p);
		h->probed = true;
		h->used = i;
		if (h->p.connect == SMTP_CONN_OK)
			break;
	}
	return NULL;
}

static void *mx_probe_compute(const struct audit *a, const struct inputs *in)
{
	struct mx_probe_facts *f = xcalloc(1, sizeof *f);
	f->asked = a->o->smtp;
	f->port = a->o->smtp_port ? a->o->smtp_port : 25;
	if (!f->asked)
		return f;
	const struct mx_facts *m = input_get(in, IN_MX);
	f->m = m;
	if (m->mx->status == DNS_NODATA && m->implicit.resolves) {
		f->implicit = true;
		f->h[0].name = a->t->mail_from;
		f->h[0].addrs = &m->implicit;
		f->n = 1;
	} else if (m->mx->status == DNS_OK) {
		for (size_t i = 0; i < m->n; i++) {
			if (f->n == MX_PROBE_MAX) {
				f->skipped++;
				continue;
			}
			f->h[f->n].name = m->hosts[i]->name;
			f->h[f->n].pref = m->hosts[i]->pref;
			f->h[f->n].addrs = &m->addrs[i];
			f->n++;
		}
	}
	if (!f->n)
		return f;
	SSL_CTX *ctx = tls_client_ctx_new(f->setup_why, sizeof f->setup_why);
	if (!ctx)
		return f;
	struct timeouts tm;
	timeouts_from(a->o->timeout_ms, &tm);
	struct smtp_probe_req base = {.port = f->port,
	                              .connect_ms = tm.smtp_connect_ms,
	                              .step_ms = tm.smtp_step_ms,
	                              .total_ms = tm.smtp_total_ms,
	                              .tls = ctx};
	/* Each host on its own thread: one slow server must not hold up the
	 * others' verdicts. */
	for (size_t i = 0; i < f->n; i++) {
		struct mx_host *h = &f->h[i];
		pick_addrs(h->addrs, h);
		h->base = &base;
		if (h->n_ip)
			h->threaded = pthread_create(&h->th, NULL, mx_host_main, h) == 0;
		if (h->n_ip && !h->threaded)
			mx_host_main(h);
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->h[i].threaded)
			pthread_join(f->h[i].th, NULL);
	SSL_CTX_free(ctx);
	return f;
}

static void mx_probe_free(void *v)
{
	struct mx_probe_facts *f = v;
	for (size_t i = 0; i < f->n; i++)
		smtp_probe_clear(&f->h[i].p);
	free(f);
}

const struct input_def input_smtp_mx = {.id = IN_SMTP_MX,
                                        .name = "STARTTLS of the MX hosts",
                                        .needs = NEED(IN_MX),
                                        .compute = mx_probe_compute,
                                        .free = mx_probe_free};

/* ------------------------------------------------------------ shared judging */

static cJSON *transcript_json(const struct smtp_probe *p)
{
	return json_str_array(p->transcript, p->transcript_n);
}

static cJSON *tls_json(const struct smtp_probe *p)
{
	const struct tls_facts *t = &p->tls_facts;
	cJSON *o = cJSON_CreateObject();
	JSON_STR(o, "version", t->version);
	JSON_STR(o, "cipher", t->cipher);
	if (!t->have_cert) {
		JSON_NULL(o, "certificate");
		return o;
	}
	cJSON *c = JSON_OBJ(o, "certificate");
	json_add_str(c, "subject_cn", t->subject_cn);
	JSON_ITEM(c, "names", json_str_array(t->names, t->name_count));
	json_add_str(c, "issuer", t->issuer);
	JSON_STR(c, "not_before", t->not_before);
	JSON_STR(c, "not_after", t->not_after);
	JSON_NUM(c, "days_left", (double)t->days_left);
	JSON_BOOL(c, "chain_verified", t->verified);
	json_add_str(c, "verify_error", t->verified ? NULL : t->verify_error);
	JSON_BOOL(c, "self_signed", t->self_signed);
	return o;
}

/* Common data of every finding of the IP's probe. */
static void probe_data(const struct audit *a, const struct probe_facts *f, struct finding *fd)
{
	JSON_STR(fd->data, "ip", a->t->ip.text);
	JSON_NUM(fd->data, "port", f->port);
}

static const char *timeout_remedy(void)
{
	return "The server stopped answering in the middle of the conversation. Check its load and logs; a "
	       "server that delays its replies on purpose (a tarpit) is waited for up to 6 times --timeout "
	       "per "
	       "step: raise --timeout to wait longer, then run the audit again.";
}

/* The facts of the IP's conversation, or NULL with a finding for id when
 * they do not reach what the check judges: skip without --smtp, info
 * when nothing listens, error when the conversation stopped before
 * `need` (for the greeting itself, smtp.banner judges). */
static const struct probe_facts *probe_or_report(const struct audit *a, const struct inputs *in,
                                                 const char *id, enum smtp_stage need, struct findings *out)
{
	const struct probe_facts *f = input_get(in, IN_SMTP_PROBE);
	const struct smtp_probe *p = &f->p;
	struct finding *fd;
	const char *ip = a->t->ip.text;
	if (!f->asked) {
		fd = findings_add(out, id, NULL, STATUS_SKIP, "no --smtp given");
		finding_set_detail(
		    fd,
		    "Pass --smtp to connect to %s port %d (and to the MX hosts) and check what "
		    "the server says and does.",
		    ip, f->port);
		return NULL;
	}
	if (f->setup_why[0]) {
		fd = findings_add(out, id, NULL, STATUS_ERROR, "Could not probe %s: %s", ip, f->setup_why);
		finding_set_remedy(
		    fd, "Check the OpenSSL installation of this host (libssl3, its configuration); "
		        "then run the audit again.");
		probe_data(a, f, fd);
		return NULL;
	}
	if (p->connect == SMTP_CONN_REFUSED || p->connect == SMTP_CONN_TIMEOUT) {
		fd = findings_add(out, id, NULL, STATUS_INFO, "nothing listens on %s port %d (%s)", ip,
		                  f->port,
		                  p->connect == SMTP_CONN_REFUSED ? "connection refused" : "no answer");
		finding_set_detail(
		    fd,
		    "%s. Normal for a server that only sends mail; one that should receive mail "
		    "(an MX, or a host bounces return to) must accept connections on port %d. No "
		    "answer at all can also mean that this host's network blocks outgoing port %d.",
		    p->connect_why, f->port, f->port);
		probe_data(a, f, fd);
		JSON_STR(fd->data, "connect", p->connect == SMTP_CONN_REFUSED ? "refused" : "timeout");
		return NULL;
	}
	if (p->connect == SMTP_CONN_ERROR) {
		fd = findings_add(out, id, NULL, STATUS_ERROR, "Could not connect to %s: %s", ip,
		                  p->connect_why);
		finding_set_remedy(fd,
		                   "Check that this host can reach %s on port %d (routing, firewall, IPv6 "
		                   "connectivity); then run the audit again.",
		                   ip, f->port);
		probe_data(a, f, fd);
		JSON_STR(fd->data, "connect", "error");
		return NULL;
	}
	bool reached = p->stopped == SMTP_STAGE_DONE || p->stopped > need;
	if (reached)
		return f;
	/* The greeting's own problems are smtp.banner's verdict; the others
	 * could not be checked. */
	const char *stage = smtp_stage_name(p->stopped);
	if (p->stopped == SMTP_STAGE_GREETING && p->greet_code)
		fd = findings_add(out, id, NULL, STATUS_ERROR,
		                  "Could not check: %s greets with %d and takes no commands", ip,
		                  p->greet_code);
	else
		fd = findings_add(out, id, NULL, STATUS_ERROR,
		                  "Could not check: the conversation with %s stopped at the %s", ip, stage);
	finding_set_detail(fd, "At the %s: %s.", stage, p->why);
	if (p->err == SMTP_ETIMEOUT)
		finding_set_remedy(fd, "%s", timeout_remedy());
	else if (p->greet_code == 421)
		finding_set_remedy(
		    fd, "The server turned the session away for now (421): run the audit again later, "
		        "or check why it refuses connections from this host.");
	else
		finding_set_remedy(
		    fd, "See smtp.banner and the transcript in the data: the server must greet with 220 "
		        "and answer EHLO before anything else can be checked.");
	probe_data(a, f, fd);
	JSON_STR(fd->data, "stopped_at", stage);
	JSON_ITEM(fd->data, "transcript", transcript_json(p));
	return NULL;
}

/* ------------------------------------------------------------ smtp.banner */

enum greet_kind { GREET_NAME, GREET_ADDRESS, GREET_NONE };

/* What the greeting's first word is (RFC 5321 4.3.1: the server's name). */
static enum greet_kind greeting_kind(const struct smtp_probe *p, char *name, size_t len)
{
	name[0] = '\0';
	if (!smtp_greeting_name(&p->greeting, name, len))
		return GREET_NONE;
	if (name[0] == '[')
		return GREET_ADDRESS;
	struct ipaddr ip;
	char why[80];
	if (ip_parse(name, &ip, why, sizeof why) == 0)
		return GREET_ADDRESS;
	if (!name_is_hostname(name, NULL, 0))
		return GREET_NONE;
	char *norm = name_normalize_new(name);
	snprintf(name, len, "%s", norm);
	free(norm);
	return GREET_NAME;
}

/* The greeting itself could not be read or is no SMTP greeting. */
static void banner_broken(const struct audit *a, const struct probe_facts *f, struct findings *out)
{
	const struct smtp_probe *p = &f->p;
	const char *ip = a->t->ip.text;
	struct finding *fd;
	if (p->greet_code == 554) {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_FAIL,
		                  "%s refuses every session: it greets with 554", ip);
		finding_set_detail(fd, "Greeting: %d %s", p->greet_code,
		                   p->greeting.n ? p->greeting.lines[0] : "");
		finding_set_remedy(fd,
		                   "A server that greets with 554 takes no mail at all (RFC 5321 3.1). If it "
		                   "should receive mail, fix its access rules; if it only sends, stop it "
		                   "listening on port %d instead.",
		                   f->port);
	} else if (p->greet_code == 421) {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_ERROR,
		                  "%s turned the session away (421): service "
		                  "not available now",
		                  ip);
		finding_set_detail(fd, "Greeting: %d %s", p->greet_code,
		                   p->greeting.n ? p->greeting.lines[0] : "");
		finding_set_remedy(
		    fd, "Run the audit again later; if it persists, check the server's load and why it "
		        "refuses connections from this host.");
	} else if (p->greet_code || p->err == SMTP_EBADREPLY) {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_FAIL, "%s port %d does not speak SMTP: %s",
		                  ip, f->port, p->greet_code ? "its greeting is not 220" : p->why);
		if (p->greet_code)
			finding_set_detail(fd, "Greeting: %d %s", p->greet_code,
			                   p->greeting.n ? p->greeting.lines[0] : "");
		finding_set_remedy(
		    fd,
		    "Make the service on port %d an SMTP server that greets with \"220 <its host "
		    "name> ESMTP\" (RFC 5321 4.2), or stop it listening there.",
		    f->port);
	} else {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_ERROR, "No greeting from %s port %d: %s",
		                  ip, f->port, p->why);
		finding_set_remedy(fd, "%s",
		                   p->err == SMTP_ETIMEOUT ? timeout_remedy()
		                                           : "The server accepted the connection and closed "
		                                             "it without a greeting: check its logs (an "
		                                             "access rule, a crash, a full process table); "
		                                             "then run the audit again.");
	}
	probe_data(a, f, fd);
	JSON_ITEM(fd->data, "transcript", transcript_json(p));
}

static void banner_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct probe_facts *f = probe_or_report(a, in, "smtp.banner", SMTP_STAGE_CONNECT, out);
	if (!f)
		return;
	const struct smtp_probe *p = &f->p;
	if (p->greet_code != 220) {
		banner_broken(a, f, out);
		return;
	}
	char name[256];
	enum greet_kind k = greeting_kind(p, name, sizeof name);
	const char *helo = a->t->helo;
	const struct ptr_set *ptr = input_get(in, IN_PTR);
	struct finding *fd = NULL;
	/* the names the greeting should give: the HELO name, else the PTR names */
	const char *match = NULL;
	if (k == GREET_NAME && helo && name_same(name, helo))
		match = helo;
	for (size_t i = 0; k == GREET_NAME && !helo && !match && i < ptr->count; i++)
		if (name_same(name, ptr->names[i]))
			match = ptr->names[i];
	const char *want = helo ? "the HELO name" : "the PTR name";
	if (match) {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_PASS, "the greeting names %s, %s", name,
		                  want);
	} else if (!helo && !dns_status_answered(ptr->ans->status)) {
		fd = add_lookup_error(a, out, "smtp.banner", NULL, "the greeting against the PTR name",
		                      ptr->ans);
	} else if (k == GREET_NAME) {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_WARN, "the greeting names %s, not %s",
		                  name, want);
		if (helo)
			finding_set_detail(fd, "HELO name: %s.", helo);
		else if (ptr->count)
			finding_set_detail(fd, "PTR name: %s.", ptr->names[0]);
		else
			finding_set_detail(fd, "%s has no PTR name to match (see rdns.ptr).", a->t->ip.text);
		finding_set_remedy(fd,
		                   "Make the server greet with its own name, the one in %s%s (e.g. Postfix: "
		                   "myhostname = %s), so the greeting, HELO and reverse DNS agree.",
		                   helo ? "HELO" : "the PTR record", helo ? " and the PTR record" : "",
		                   helo         ? helo
		                   : ptr->count ? ptr->names[0]
		                                : "<the PTR name>");
	} else {
		fd = findings_add(out, "smtp.banner", NULL, STATUS_WARN, "the greeting names %s",
		                  k == GREET_ADDRESS ? "an address, not a host" : "no host");
		finding_set_remedy(fd,
		                   "Make the server greet with its fully qualified host name first (\"220 %s "
		                   "ESMTP\", RFC 5321 4.3.1; Postfix: smtpd_banner = $myhostname ESMTP).",
		                   helo         ? helo
		                   : ptr->count ? ptr->names[0]
		                                : "<its host name>");
	}
	if (fd->status != STATUS_ERROR || !fd->detail)
		finding_set_detail(fd, "%s%sGreeting: 220 %s", fd->detail ? fd->detail : "",
		                   fd->detail ? " " : "", p->greeting.n ? p->greeting.lines[0] : "");
	probe_data(a, f, fd);
	JSON_ITEM(fd->data, "greeting", json_str_array(p->greeting.lines, p->greeting.n));
	json_add_str(fd->data, "name", k == GREET_NAME ? name : NULL);
	/* Without --helo the greeting's name is the best guess at the HELO name. */
	if (!helo)
		json_add_str(fd->data, "likely_helo", k == GREET_NAME ? name : NULL);
	JSON_ITEM(fd->data, "expected",
	          helo ? json_str_array((char *const *)&helo, 1) : json_str_array(ptr->names, ptr->count));
}

/* ------------------------------------------------------------ smtp.starttls */

/* Whether the certificate is valid for one of the names; the first match
 * in *matched. */
static bool cert_for(const struct tls_facts *t, char *const *names, size_t n, const char **matched)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && tls_cert_matches(t, names[i])) {
			*matched = names[i];
			return true;
		}
	return false;
}

static bool old_version(const char *v)
{
	return strcmp(v, "TLSv1") == 0 || strcmp(v, "TLSv1.1") == 0 || strncmp(v, "SSL", 3) == 0;
}

static void starttls_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct probe_facts *f = probe_or_report(a, in, "smtp.starttls", SMTP_STAGE_EHLO, out);
	if (!f)
		return;
	const struct smtp_probe *p = &f->p;
	const struct tls_facts *t = &p->tls_facts;
	const char *ip = a->t->ip.text;
	struct finding *fd;
	bool offered = p->ehlo.esmtp && smtp_ehlo_ext(&p->ehlo, "STARTTLS");
	if (!offered) {
		fd = findings_add(out, "smtp.starttls", NULL, STATUS_WARN, "%s offers no STARTTLS%s", ip,
		                  p->ehlo.esmtp ? "" : " (it refused EHLO: no ESMTP)");
		finding_set_remedy(
		    fd, "Offer STARTTLS with a certificate for the server's name (Postfix: "
		        "smtpd_tls_security_level = may, smtpd_tls_chain_files = key and chain), so mail "
		        "to and through it is not sent in clear.");
	} else if (!p->starttls_code) {
		/* the conversation stopped at STARTTLS: no answer is no verdict */
		fd = findings_add(out, "smtp.starttls", NULL, STATUS_ERROR,
		                  "Could not check: %s did not answer STARTTLS", ip);
		finding_set_detail(fd, "At the STARTTLS: %s.", p->why);
		finding_set_remedy(fd, "%s",
		                   p->err == SMTP_ETIMEOUT
		                       ? timeout_remedy()
		                       : "Check the server's log for why it ended the "
		                         "session at STARTTLS; then run the audit again.");
	} else if (p->starttls_code != 220) {
		fd = findings_add(out, "smtp.starttls", NULL, STATUS_FAIL,
		                  "%s offers STARTTLS but refuses it: %s", ip, p->starttls_text);
		finding_set_remedy(
		    fd, "Fix the server's TLS set-up (its certificate and key files, their permissions); "
		        "its log says why STARTTLS is refused. Or stop offering STARTTLS.");
	} else if (!p->tls && p->tls_timed_out) {
		fd = findings_add(
		    out, "smtp.starttls", NULL, STATUS_ERROR,
		    "Could not check: %s accepted STARTTLS but no TLS handshake followed in time", ip);
		finding_set_detail(fd, "%s (within %d ms).", p->tls_why, f->step_ms);
		finding_set_remedy(fd, "%s", timeout_remedy());
	} else if (!p->tls) {
		fd = findings_add(out, "smtp.starttls", NULL, STATUS_FAIL,
		                  "%s offers STARTTLS but the handshake fails", ip);
		finding_set_detail(fd, "%s.", p->tls_why);
		finding_set_remedy(
		    fd, "Fix the server's TLS set-up (certificate, key, protocol versions, ciphers): "
		        "senders that start TLS and fail deliver in clear, or not at all.");
	} else {
		/* The names the certificate should carry: the greeting's and the PTR names. */
		char gname[256];
		const struct ptr_set *ptr = input_get(in, IN_PTR);
		char **names = xcalloc(ptr->count + 1, sizeof *names);
		size_t nn = 0;
		if (greeting_kind(p, gname, sizeof gname) == GREET_NAME)
			names[nn++] = gname;
		for (size_t i = 0; i < ptr->count; i++)
			names[nn++] = ptr->names[i];
		const char *matched = NULL;
		bool name_ok = cert_for(t, names, nn, &matched);
		struct strbuf problems = {0};
		if (!t->have_cert)
			sb_sep_printf(&problems, "; ", "no certificate");
		if (old_version(t->version))
			sb_sep_printf(&problems, "; ", "%s only (RFC 8996 deprecates TLS 1.0 and 1.1)",
			              t->version);
		if (t->have_cert && t->self_signed)
			sb_sep_printf(&problems, "; ", "the certificate is self-signed");
		else if (t->have_cert && !t->verified && !(t->expired && strstr(t->verify_error, "expired")))
			sb_sep_printf(&problems, "; ", "the chain does not verify: %s", t->verify_error);
		if (t->have_cert && !name_ok)
			sb_sep_printf(&problems, "; ", "the certificate is not for %s",
			              nn ? names[0] : "the server's name");
		if (t->have_cert && !t->expired && t->days_left < EXPIRY_WARN_DAYS)
			sb_sep_printf(&problems, "; ", "the certificate expires in %ld day%s (%s)",
			              t->days_left, t->days_left == 1 ? "" : "s", t->not_after);
		if (t->have_cert && t->expired) {
			fd = findings_add(out, "smtp.starttls", NULL, STATUS_FAIL,
			                  "%s's certificate expired on %s", ip, t->not_after);
			finding_set_remedy(fd, "Renew the certificate of %s and reload the server.",
			                   matched ? matched
			                   : nn    ? names[0]
			                           : ip);
		} else if (problems.len) {
			fd = findings_add(out, "smtp.starttls", NULL, STATUS_WARN, "STARTTLS works, but %s",
			                  problems.s);
			finding_set_remedy(
			    fd,
			    "Give the server a certificate from a public CA for %s (e.g. Let's "
			    "Encrypt), renewed automatically, and allow TLS 1.2 and 1.3.",
			    nn ? names[0] : "its host name");
		} else {
			fd = findings_add(out, "smtp.starttls", NULL, STATUS_PASS,
			                  "STARTTLS: %s, %s, certificate for %s "
			                  "valid until %s",
			                  t->version, t->cipher, matched, t->not_after);
		}
		if (fd->status != STATUS_PASS || !fd->detail)
			finding_set_detail(
			    fd, "%s %s; certificate %s%s issued by %s, %s to %s%s%s.", t->version, t->cipher,
			    t->subject_cn ? "CN=" : "", t->subject_cn ? t->subject_cn : "(no CN)",
			    t->issuer ? t->issuer : "?", t->not_before, t->not_after,
			    t->verified ? ", chain verified" : "", name_ok ? "" : ", no name matches");
		JSON_ITEM(fd->data, "names_checked", json_str_array(names, nn));
		json_add_str(fd->data, "name_matched", matched);
		free(names);
		sb_free(&problems);
	}
	probe_data(a, f, fd);
	JSON_BOOL(fd->data, "offered", offered);
	if (p->starttls_code)
		JSON_NUM(fd->data, "starttls_reply", p->starttls_code);
	if (p->tls)
		JSON_ITEM(fd->data, "tls", tls_json(p));
	if (p->tls_dropped)
		JSON_NUM(fd->data, "bytes_before_handshake", (double)p->tls_dropped);
	JSON_ITEM(fd->data, "transcript", transcript_json(p));
}

/* ------------------------------------------------------------ smtp.auth */

static bool has_mech(const char *auth, const char *mech)
{
	/* "AUTH PLAIN LOGIN" or the old "AUTH=PLAIN LOGIN" */
	size_t ml = strlen(mech);
	for (const char *s = auth + 4; *s;) {
		s += strspn(s, " =");
		size_t n = strcspn(s, " =");
		if (n == ml && strncasecmp(s, mech, ml) == 0)
			return true;
		s += n;
	}
	return false;
}

static void auth_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct probe_facts *f = probe_or_report(a, in, "smtp.auth", SMTP_STAGE_EHLO, out);
	if (!f)
		return;
	const struct smtp_probe *p = &f->p;
	const char *ip = a->t->ip.text;
	const char *pre = smtp_ehlo_ext(&p->ehlo, "AUTH");
	const char *post = p->ehlo_tls.done ? smtp_ehlo_ext(&p->ehlo_tls, "AUTH") : NULL;
	struct finding *fd;
	bool clear = pre && (has_mech(pre, "PLAIN") || has_mech(pre, "LOGIN"));
	if (clear) {
		fd = findings_add(out, "smtp.auth", NULL, STATUS_WARN,
		                  "%s offers %s before STARTTLS: passwords in clear", ip, pre);
		finding_set_remedy(fd,
		                   "Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes), and "
		                   "better on the submission ports 587/465 than on port %d.",
		                   f->port);
	} else if (pre) {
		fd = findings_add(out, "smtp.auth", NULL, STATUS_PASS,
		                  "%s offers %s before STARTTLS, with no clear-text mechanism", ip, pre);
	} else if (post) {
		fd = findings_add(out, "smtp.auth", NULL, STATUS_PASS, "%s offers AUTH only after STARTTLS",
		                  ip);
	} else {
		fd = findings_add(out, "smtp.auth", NULL, STATUS_PASS, "%s offers no AUTH on port %d", ip,
		                  f->port);
	}
	if (post && fd->status == STATUS_PASS && pre)
		finding_set_detail(fd, "After STARTTLS: %s.", post);
	probe_data(a, f, fd);
	json_add_str(fd->data, "auth_before_tls", pre);
	json_add_str(fd->data, "auth_after_tls", post);
}

/* ------------------------------------------------------------ smtp.relay */

static void relay_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct probe_facts *f = probe_or_report(a, in, "smtp.relay", SMTP_STAGE_EHLO, out);
	if (!f)
		return;
	const struct smtp_probe *p = &f->p;
	const char *ip = a->t->ip.text;
	struct finding *fd;
	bool mail_ok = p->mail_code / 100 == 2;
	int refusal = !p->mail_code             ? 0
	              : !mail_ok                ? p->mail_code
	              : p->rcpt_code / 100 != 2 ? p->rcpt_code
	                                        : 0;
	if (!p->relay_tested || !p->mail_code || (mail_ok && !p->rcpt_code) || refusal == 421) {
		enum smtp_stage st = p->stopped;
		fd = findings_add(
		    out, "smtp.relay", NULL, STATUS_ERROR, "Could not test relaying through %s: %s", ip,
		    refusal == 421 ? "the server closed the session (421)" : "the conversation stopped");
		finding_set_detail(fd, "At the %s: %s.", smtp_stage_name(st),
		                   p->why[0] ? p->why : "no reply");
		finding_set_remedy(fd, "%s",
		                   p->err == SMTP_ETIMEOUT ? timeout_remedy()
		                                           : "Check the server's log for why it ended the "
		                                             "session; then run the audit again.");
	} else if (refusal) {
		bool at_mail = !mail_ok;
		fd = findings_add(out, "smtp.relay", NULL, STATUS_PASS, "%s refuses to relay: %s %s at %s",
		                  ip, refusal / 100 == 4 ? "temporary refusal" : "refused",
		                  at_mail ? p->mail_text : p->rcpt_text, at_mail ? "MAIL FROM" : "RCPT TO");
		if (refusal / 100 == 4)
			finding_set_detail(
			    fd, "A 4xx refusal is temporary by its code: a server that greylists might "
			        "accept the same recipient later.");
	} else {
		fd = findings_add(out, "smtp.relay", NULL, STATUS_FAIL,
		                  "%s is an open relay: it accepted mail from <%s> "
		                  "to <%s>",
		                  ip, f->from, f->to);
		finding_set_detail(
		    fd,
		    "RCPT TO:<%s>: %s, without authentication%s. If this host (the one running the "
		    "audit) is among the server's trusted networks, run the probe from outside.",
		    f->to, p->rcpt_text, p->tls ? ", over TLS" : "");
		finding_set_remedy(
		    fd, "Relay only for your own networks and authenticated users, and accept other mail "
		        "only for your own domains (Postfix: smtpd_relay_restrictions = "
		        "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination, with "
		        "mynetworks listing only your hosts).");
	}
	probe_data(a, f, fd);
	JSON_STR(fd->data, "mail_from", f->from ? f->from : "");
	JSON_STR(fd->data, "rcpt_to", f->to ? f->to : "");
	json_add_str(fd->data, "mail_reply", p->mail_text);
	json_add_str(fd->data, "rcpt_reply", p->rcpt_text);
	JSON_BOOL(fd->data, "without_tls_retry", p->relay_plain);
	JSON_ITEM(fd->data, "transcript", transcript_json(p));
}

/* ------------------------------------------------------------ smtp.mx_tls */

/* One host's verdict, with why in buf. */
static enum host_verdict judge_host(const struct mx_host *h, char *buf, size_t len)
{
	const struct smtp_probe *p = &h->p;
	const struct tls_facts *t = &p->tls_facts;
	if (!h->n_ip) {
		snprintf(buf, len, "%s",
		         h->addrs->failed ? "its address lookup failed" : "it has no address");
		return h->addrs->failed ? HOST_UNKNOWN : HOST_NO_ADDRESS;
	}
	if (p->connect != SMTP_CONN_OK) {
		snprintf(buf, len, "cannot connect (%s)", p->connect_why);
		return HOST_UNKNOWN;
	}
	if (!p->ehlo.done) {
		snprintf(buf, len, "the conversation stopped at the %s (%s)", smtp_stage_name(p->stopped),
		         p->why);
		return HOST_UNKNOWN;
	}
	if (!p->ehlo.esmtp || !smtp_ehlo_ext(&p->ehlo, "STARTTLS")) {
		snprintf(buf, len, "no STARTTLS");
		return HOST_BAD;
	}
	if (!p->starttls_code) {
		snprintf(buf, len, "no answer to STARTTLS (%s)", p->why);
		return HOST_UNKNOWN;
	}
	if (p->starttls_code != 220) {
		snprintf(buf, len, "STARTTLS refused (%s)", p->starttls_text);
		return HOST_BAD;
	}
	if (!p->tls) {
		snprintf(buf, len, "%s", p->tls_why);
		return p->tls_timed_out ? HOST_UNKNOWN : HOST_BAD;
	}
	if (!t->have_cert) {
		snprintf(buf, len, "no certificate");
		return HOST_BAD;
	}
	if (t->expired) {
		snprintf(buf, len, "the certificate expired on %s", t->not_after);
		return HOST_BAD;
	}
	if (!t->verified) {
		snprintf(buf, len, "%s", t->self_signed ? "a self-signed certificate" : t->verify_error);
		return HOST_BAD;
	}
	if (!tls_cert_matches(t, h->name)) {
		snprintf(buf, len, "the certificate is not for %s", h->name);
		return HOST_BAD;
	}
	snprintf(buf, len, "%s, certificate valid until %s%s", t->version, t->not_after,
	         t->days_left < EXPIRY_WARN_DAYS ? " (soon)" : "");
	return HOST_GOOD;
}

static void mx_tls_run(const struct audit *a, const struct inputs *in, struct findings *out)
{
	const struct mx_probe_facts *f = input_get(in, IN_SMTP_MX);
	const char *dom = a->t->mail_from;
	struct finding *fd;
	if (!f->asked) {
		fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_SKIP, "no --smtp given");
		finding_set_detail(fd, "Pass --smtp to check STARTTLS on the MX hosts of %s.", dom);
		return;
	}
	const struct mx_facts *m = f->m;
	if (!f->n) {
		if (m->mx->status == DNS_OK || m->mx->status == DNS_NXDOMAIN || m->mx->status == DNS_NODATA)
			fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_SKIP,
			                  "%s has no MX host to probe (see mx.bounces)", dom);
		else
			fd = add_lookup_error(a, out, "smtp.mx_tls", NULL, "the MX hosts", m->mx);
		JSON_STR(fd->data, "domain", dom);
		return;
	}
	if (f->setup_why[0]) {
		fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_ERROR, "Could not probe the MX hosts: %s",
		                  f->setup_why);
		finding_set_remedy(fd,
		                   "Check the OpenSSL installation of this host; then run the audit again.");
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	struct strbuf bad = {0}, unknown = {0};
	size_t good = 0, nbad = 0, nunknown = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct mx_host *h = &f->h[i];
		char why[400];
		enum host_verdict v = judge_host(h, why, sizeof why);
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "host", h->name);
		if (h->probed)
			JSON_STR(o, "address", h->ip[h->used].text);
		static const char *const vn[] = {"valid", "invalid", "unknown", "no address"};
		JSON_STR(o, "verdict", vn[v]);
		JSON_STR(o, "why", why);
		if (h->p.tls)
			JSON_ITEM(o, "tls", tls_json(&h->p));
		JSON_ITEM(o, "transcript", transcript_json(&h->p));
		cJSON_AddItemToArray(arr, o);
		if (v == HOST_GOOD) {
			good++;
		} else if (v == HOST_BAD) {
			nbad++;
			sb_sep_printf(&bad, "; ", "%s: %s", h->name, why);
		} else if (v == HOST_UNKNOWN) {
			nunknown++;
			sb_sep_printf(&unknown, "; ", "%s: %s", h->name, why);
		}
	}
	const char *what = f->implicit ? "the host of the implicit MX" : "MX host";
	if (nbad) {
		fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_WARN,
		                  "%zu of %zu %s%s of %s without STARTTLS or a valid "
		                  "certificate",
		                  nbad, f->n, what, f->n == 1 || f->implicit ? "" : "s", dom);
		finding_set_detail(fd, "%s%s%s.", bad.s, nunknown ? "; not checked: " : "",
		                   nunknown ? unknown.s : "");
		finding_set_remedy(
		    fd,
		    "Give every MX host of %s STARTTLS with a certificate from a public CA for the "
		    "host's own name, as MTA-STS (RFC 8461) requires; bounces and DMARC reports "
		    "reach %s through them.",
		    dom, dom);
	} else if (nunknown) {
		fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_ERROR,
		                  "Could not check STARTTLS on %zu of %zu %s%s of "
		                  "%s",
		                  nunknown, f->n, what, f->n == 1 || f->implicit ? "" : "s", dom);
		finding_set_detail(fd, "%s.", unknown.s);
		finding_set_remedy(
		    fd,
		    "Check that this host can connect to port %d of the MX hosts (many cloud and "
		    "home networks block outgoing port 25); then run the audit again.",
		    f->port);
	} else if (good) {
		fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_PASS,
		                  "%s %s%s of %s: STARTTLS with a valid "
		                  "certificate",
		                  good == 1 ? "the" : "all", f->implicit ? "implicit MX" : "MX host",
		                  good == 1 ? "" : "s", dom);
	} else {
		fd = findings_add(out, "smtp.mx_tls", NULL, STATUS_SKIP,
		                  "no MX host of %s has an address to probe (see "
		                  "mx.bounces)",
		                  dom);
	}
	if (f->skipped && fd->status != STATUS_SKIP)
		finding_set_detail(fd, "%s%s%zu more MX host%s not probed (at most %d).",
		                   fd->detail ? fd->detail : "", fd->detail ? " " : "", f->skipped,
		                   f->skipped == 1 ? "" : "s", MX_PROBE_MAX);
	JSON_STR(fd->data, "domain", dom);
	JSON_NUM(fd->data, "port", f->port);
	JSON_BOOL(fd->data, "implicit_mx", f->implicit);
	JSON_NUM(fd->data, "not_probed", (double)f->skipped);
	JSON_ITEM(fd->data, "hosts", arr);
	sb_free(&bad);
	sb_free(&unknown);
}

static const struct check checks[] = {
    {.id = "smtp.banner",
     .title = "the SMTP greeting names the PTR name (or the HELO name)",
     .refs = {"RFC 5321 4.2", "RFC 5321 4.1.1.1"},
     .needs = NEED(IN_SMTP_PROBE) | NEED(IN_PTR),
     .run = banner_run,
     .file = __FILE__},
    {.id = "smtp.starttls",
     .title = "STARTTLS offered, TLS 1.2 or later, a valid certificate for the server's name",
     .refs = {"RFC 3207", "RFC 8996"},
     .needs = NEED(IN_SMTP_PROBE) | NEED(IN_PTR),
     .run = starttls_run,
     .file = __FILE__},
    {.id = "smtp.relay",
     .title = "relaying to a foreign domain is refused (no open relay)",
     .refs = {"RFC 5321 3.6", "RFC 5321 7.1", "1&1 postmaster: secure the server"},
     .needs = NEED(IN_SMTP_PROBE),
     .run = relay_run,
     .file = __FILE__},
    {.id = "smtp.auth",
     .title = "no AUTH PLAIN/LOGIN before STARTTLS",
     .refs = {"RFC 4954 4", "RFC 4954 14", "1&1 postmaster: secure the server"},
     .needs = NEED(IN_SMTP_PROBE),
     .run = auth_run,
     .file = __FILE__},
    {.id = "smtp.mx_tls",
     .title = "the MX hosts (at most 5) offer STARTTLS with a valid certificate",
     .refs = {"RFC 3207", "RFC 8461"},
     .needs = NEED(IN_SMTP_MX),
     .run = mx_tls_run,
     .file = __FILE__},
};
FAMILY_OF(smtp, checks);
