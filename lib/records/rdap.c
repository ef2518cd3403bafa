/* SPDX-License-Identifier: ISC */
/* rdap: RDAP answers (RFC 9083) parsed with cJSON into the facts the
 * checks judge: a network's holder and abuse contacts (entities walked
 * recursively), a domain's status, events, registrant and redactions
 * (RFC 9537); see rdap.h. */
#include "rdap.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/xalloc.h"

/* Hostile answers: nesting and fan-out limits for the entity walk. */
#define MAX_DEPTH    8
#define MAX_ENTITIES 500

void strv_add_unique(struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->v[i], str) == 0)
			return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = xstrdup(str);
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static const char *str_item(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* ------------------------------------------------------------ jCard */

/* The property array of a jCard ["vcard", [[name, params, type, value], ...]]. */
static const cJSON *vcard_props(const cJSON *entity)
{
	const cJSON *va = cJSON_GetObjectItemCaseSensitive(entity, "vcardArray");
	if (!cJSON_IsArray(va) || cJSON_GetArraySize(va) < 2)
		return NULL;
	const cJSON *props = cJSON_GetArrayItem(va, 1);
	return cJSON_IsArray(props) ? props : NULL;
}

/* The first non-blank text value of property name (fn, org, kind), or NULL.
 * org's value may be an array of units: the first is the name. */
static const char *vcard_text(const cJSON *entity, const char *name)
{
	const cJSON *props = vcard_props(entity), *p;
	cJSON_ArrayForEach(p, props)
	{
		if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) < 4)
			continue;
		const cJSON *n = cJSON_GetArrayItem(p, 0), *v = cJSON_GetArrayItem(p, 3);
		if (!cJSON_IsString(n) || strcasecmp(n->valuestring, name) != 0)
			continue;
		if (cJSON_IsArray(v))
			v = cJSON_GetArrayItem(v, 0);
		if (cJSON_IsString(v) && !blank(v->valuestring))
			return v->valuestring;
	}
	return NULL;
}

/* Appends the first e-mail address found in text (a jCard value, a remark). */
static bool email_in_text(const char *text, struct strv *out)
{
	/* Text with terminal control bytes is hostile or garbled: an address
	 * cut out of "abuse\x1b[31m@example.net" would be one nobody published. */
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		if ((*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') || *c == 0x7f)
			return false;
	for (const char *at = strchr(text, '@'); at; at = strchr(at + 1, '@')) {
		const char *b = at, *e = at + 1;
		while (b > text && (isalnum((unsigned char)b[-1]) || strchr("._%+-'", b[-1])))
			b--;
		while (*e && (isalnum((unsigned char)*e) || *e == '.' || *e == '-'))
			e++;
		while (e > at + 1 && e[-1] == '.')
			e--;
		if (b == at || !memchr(at + 1, '.', (size_t)(e - at - 1)) || e - b > 254)
			continue;
		char *addr = xstrndup(b, (size_t)(e - b));
		/* the domain part is a DNS name: lower-case it */
		for (char *p = strchr(addr, '@'); *p; p++)
			*p = (char)tolower((unsigned char)*p);
		strv_add_unique(out, addr);
		free(addr);
		return true;
	}
	return false;
}

static void vcard_emails(const cJSON *entity, struct strv *out)
{
	const cJSON *props = vcard_props(entity), *p;
	cJSON_ArrayForEach(p, props)
	{
		if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) < 4)
			continue;
		const cJSON *n = cJSON_GetArrayItem(p, 0), *v = cJSON_GetArrayItem(p, 3);
		if (cJSON_IsString(n) && strcasecmp(n->valuestring, "email") == 0 && cJSON_IsString(v))
			email_in_text(v->valuestring, out);
	}
}

static bool has_role(const cJSON *entity, const char *role)
{
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(entity, "roles"), *r;
	cJSON_ArrayForEach(r, roles)
	{
		/* Some registrars capitalise roles ("Registrant"). */
		if (cJSON_IsString(r) && strcasecmp(r->valuestring, role) == 0)
			return true;
	}
	return false;
}

/* Calls fn for every entity under obj (depth-first, parents first), with
 * the entity's depth and its nearest ancestor entity having role `under`. */
struct walk {
	void (*fn)(struct walk *w, const cJSON *entity, int depth, bool in_registrar);
	void *ctx;
	int count;
};

static void walk_entities(struct walk *w, const cJSON *obj, int depth, bool in_registrar)
{
	if (depth > MAX_DEPTH)
		return;
	const cJSON *ents = cJSON_GetObjectItemCaseSensitive(obj, "entities"), *e;
	cJSON_ArrayForEach(e, ents)
	{
		if (!cJSON_IsObject(e) || ++w->count > MAX_ENTITIES)
			continue;
		w->fn(w, e, depth, in_registrar);
		walk_entities(w, e, depth + 1, in_registrar || has_role(e, "registrar"));
	}
}

/* Remarks (of the object or an entity) that mention abuse and carry an
 * address: AFRINIC and some APNIC members publish the abuse mailbox so. */
static void remark_abuse(const cJSON *obj, struct strv *out)
{
	const cJSON *rems = cJSON_GetObjectItemCaseSensitive(obj, "remarks"), *r;
	cJSON_ArrayForEach(r, rems)
	{
		const cJSON *desc = cJSON_GetObjectItemCaseSensitive(r, "description"), *d;
		cJSON_ArrayForEach(d, desc)
		{
			if (!cJSON_IsString(d))
				continue;
			const char *s = d->valuestring;
			const char *a = strcasestr(s, "abuse");
			if (a && !email_in_text(a, out))
				email_in_text(s, out);
		}
	}
}

/* An RDAP error object ({"errorCode": 404, "title": ...}) or a wrong class. */
static int check_object(const cJSON *root, const char *cls, char *why, size_t whylen)
{
	if (!cJSON_IsObject(root)) {
		snprintf(why, whylen, "the answer is not a JSON object");
		return -1;
	}
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(root, "errorCode");
	if (cJSON_IsNumber(ec)) {
		const char *t = str_item(root, "title");
		/* A hostile errorCode may be any double: print it, never cast it. */
		snprintf(why, whylen, "the server answered with RDAP error %.0f%s%.100s", ec->valuedouble,
		         t ? ": " : "", t ? t : "");
		return -1;
	}
	const char *oc = str_item(root, "objectClassName");
	/* Old RIPE answers carry no objectClassName; accept them. */
	if (oc && strcasecmp(oc, cls) != 0) {
		snprintf(why, whylen, "the answer is a \"%.40s\" object, not \"%s\"", oc, cls);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ IP networks */

/* Parses an address as registries write them: ARIN's zero-padded
 * "074.125.000.000", RIPE's "62.239.237.0/32". */
static int parse_addr(const char *s, int *af, unsigned char *b)
{
	char buf[64];
	size_t l = strcspn(s, "/");
	if (l >= sizeof buf)
		return -1;
	memcpy(buf, s, l);
	buf[l] = '\0';
	if (strchr(buf, ':')) {
		*af = AF_INET6;
		return inet_pton(AF_INET6, buf, b) == 1 ? 0 : -1;
	}
	const char *p = buf;
	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*p) && digits < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (v > 255 || (i < 3 && *p++ != '.'))
			return -1;
		b[i] = (unsigned char)v;
	}
	*af = AF_INET;
	return *p ? -1 : 0;
}

struct ip_walk {
	struct rdap_ipnet *n;
	int holder_depth;
};

static void ip_entity(struct walk *w, const cJSON *e, int depth, bool in_registrar)
{
	(void)in_registrar;
	struct ip_walk *iw = w->ctx;
	struct rdap_ipnet *n = iw->n;
	vcard_emails(e, &n->emails);
	if (has_role(e, "abuse")) {
		n->abuse_entity = true;
		size_t before = n->abuse_emails.n;
		vcard_emails(e, &n->abuse_emails);
		if (!n->abuse_handle || (before == 0 && n->abuse_emails.n > 0)) {
			free(n->abuse_handle);
			n->abuse_handle = dup_or_null(str_item(e, "handle"));
		}
	}
	/* The holder: the shallowest registrant with a name (RIPE's registrant
	 * "entities" are often bare maintainer handles). */
	if (has_role(e, "registrant") && (!n->holder || depth < iw->holder_depth)) {
		const char *name = vcard_text(e, "org");
		if (!name)
			name = vcard_text(e, "fn");
		if (name) {
			free(n->holder);
			free(n->holder_handle);
			n->holder = xstrdup(name);
			n->holder_handle = dup_or_null(str_item(e, "handle"));
			iw->holder_depth = depth;
		}
	}
}

static void set_range(struct rdap_ipnet *n, const char *start, const char *end)
{
	int af1, af2;
	unsigned char lo[16], hi[16];
	if (!start || !end || parse_addr(start, &af1, lo) < 0 || parse_addr(end, &af2, hi) < 0 || af1 != af2)
		return;
	size_t len = af1 == AF_INET ? 4 : 16;
	if (memcmp(lo, hi, len) > 0)
		return;
	n->af = af1;
	memcpy(n->lo, lo, len);
	memcpy(n->hi, hi, len);
	char t1[INET6_ADDRSTRLEN], t2[INET6_ADDRSTRLEN];
	inet_ntop(af1, lo, t1, sizeof t1);
	inet_ntop(af1, hi, t2, sizeof t2);
	n->start = xstrdup(t1);
	n->end = xstrdup(t2);
	/* host bits: the bits after the common prefix of start and end */
	int bits = (int)len * 8, common = 0;
	while (common < bits) {
		int m = 0x80 >> (common % 8);
		if ((lo[common / 8] & m) != (hi[common / 8] & m))
			break;
		common++;
	}
	n->host_bits = bits - common;
	/* an exact CIDR when start is aligned and end fills the block */
	bool exact = true;
	for (int i = common; i < bits && exact; i++) {
		int m = 0x80 >> (i % 8);
		exact = !(lo[i / 8] & m) && (hi[i / 8] & m);
	}
	n->cidr = exact ? xasprintf("%s/%d", t1, common) : xasprintf("%s - %s", t1, t2);
}

int rdap_ipnet_parse(const char *json, size_t len, struct rdap_ipnet *n, char *why, size_t whylen)
{
	memset(n, 0, sizeof *n);
	n->host_bits = -1;
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root) {
		snprintf(why, whylen, "the answer is not valid JSON");
		return -1;
	}
	if (check_object(root, "ip network", why, whylen) < 0) {
		cJSON_Delete(root);
		return -1;
	}
	const char *start = str_item(root, "startAddress"), *end = str_item(root, "endAddress");
	if (!start && !end && !str_item(root, "handle")) {
		snprintf(why, whylen, "the answer has no handle and no address range: not an IP network");
		cJSON_Delete(root);
		return -1;
	}
	n->handle = dup_or_null(str_item(root, "handle"));
	n->name = dup_or_null(str_item(root, "name"));
	n->type = dup_or_null(str_item(root, "type"));
	n->country = dup_or_null(str_item(root, "country"));
	set_range(n, start, end);
	/* The cidr0 extension lists the CIDRs of a range that is not one block. */
	const cJSON *cidrs = cJSON_GetObjectItemCaseSensitive(root, "cidr0_cidrs"), *c;
	if (cJSON_IsArray(cidrs) && cJSON_GetArraySize(cidrs) > 0 && n->cidr && strchr(n->cidr, ' ')) {
		char *joined = NULL;
		cJSON_ArrayForEach(c, cidrs)
		{
			const char *p = str_item(c, "v4prefix");
			if (!p)
				p = str_item(c, "v6prefix");
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, "length");
			if (!p || !cJSON_IsNumber(l) || !(l->valuedouble >= 0 && l->valuedouble <= 128))
				continue;
			char *s = joined ? xasprintf("%s, %s/%d", joined, p, (int)l->valuedouble)
			                 : xasprintf("%s/%d", p, (int)l->valuedouble);
			free(joined);
			joined = s;
		}
		if (joined) {
			free(n->cidr);
			n->cidr = joined;
		}
	}
	struct ip_walk iw = {n, 0};
	struct walk w = {ip_entity, &iw, 0};
	walk_entities(&w, root, 0, false);
	if (n->abuse_emails.n == 0) {
		remark_abuse(root, &n->abuse_emails);
		const cJSON *ents = cJSON_GetObjectItemCaseSensitive(root, "entities"), *e;
		cJSON_ArrayForEach(e, ents)
		{
			if (n->abuse_emails.n == 0)
				remark_abuse(e, &n->abuse_emails);
		}
		n->abuse_from_remark = n->abuse_emails.n > 0;
	}
	cJSON_Delete(root);
	return 0;
}

void rdap_ipnet_free(struct rdap_ipnet *n)
{
	free(n->handle);
	free(n->name);
	free(n->type);
	free(n->country);
	free(n->start);
	free(n->end);
	free(n->cidr);
	free(n->holder);
	free(n->holder_handle);
	free(n->abuse_handle);
	strv_free(&n->abuse_emails);
	strv_free(&n->emails);
	memset(n, 0, sizeof *n);
}

bool rdap_ipnet_contains(const struct rdap_ipnet *n, const struct ipaddr *ip)
{
	if (!n->af || n->af != ip->af)
		return false;
	size_t len = ip->af == AF_INET ? 4 : 16;
	return memcmp(n->lo, ip->b, len) <= 0 && memcmp(ip->b, n->hi, len) <= 0;
}

/* ------------------------------------------------------------ domains */

/* Privacy/proxy services that register domains in their own name for a
 * hidden customer (M3AAWG 3.1 asks for none). Substrings, case-insensitive,
 * matched against registrant name, organisation and e-mail. Keep sorted by
 * service; add new ones with the form they take in RDAP/WHOIS. */
static const char *const proxy_services[] = {
    "Domains By Proxy",
    "DomainsByProxy", /* GoDaddy */
    "WhoisGuard",     /* Namecheap (old) */
    "Withheld for Privacy",
    "withheldforprivacy", /* Namecheap */
    "Contact Privacy Inc",
    "contactprivacy.com", /* Tucows */
    "PrivacyProtect.org",
    "Privacy Protect, LLC",
    "Perfect Privacy, LLC",       /* Network Solutions / Web.com */
    "Super Privacy Service",      /* Dynadot */
    "PrivacyGuardian.org",        /* NameSilo */
    "Private by Design",          /* Porkbun */
    "Domain Protection Services", /* Name.com */
    "Whois Privacy Protection Service",
    "WhoisPrivacyProtect",
    "Identity Protection Service", /* Amazon Registrar, 123-reg */
    "Proxy Protection LLC",
    "Njalla",
    "1337 Services",
    "Whois Privacy Service",
    "Whois Privacy Corp",
    "WhoisProxy",
    "Privacy service provided by",
    "Registration Private", /* Domains By Proxy's fn */
};

const char *rdap_proxy_service(const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < sizeof proxy_services / sizeof *proxy_services; i++)
		if (strcasestr(s, proxy_services[i]))
			return proxy_services[i];
	return NULL;
}

/* Placeholders registries and registrars put where policy withholds data. */
static bool redaction_text(const char *s)
{
	static const char *const marks[] = {"redacted",      "data protected", "statutory masking",
	                                    "not disclosed", "non-public",     "gdpr",
	                                    "withheld"};
	for (size_t i = 0; s && i < sizeof marks / sizeof *marks; i++)
		if (strcasestr(s, marks[i]))
			return true;
	return false;
}

static bool remarks_redacted(const cJSON *e)
{
	const cJSON *rems = cJSON_GetObjectItemCaseSensitive(e, "remarks"), *r;
	cJSON_ArrayForEach(r, rems)
	{
		const char *t = str_item(r, "title");
		if (t && strcasestr(t, "redacted"))
			return true;
		const cJSON *d;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(r, "description"))
		{
			if (cJSON_IsString(d) && strcasestr(d->valuestring, "redacted for privacy"))
				return true;
		}
	}
	return false;
}

int rdap_time_parse(const char *s, time_t *out)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	const char *p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 8)
			return -1;
		p += 1 + m;
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om, m = 0;
		p++;
		if (sscanf(p, "%2d:%2d%n", &oh, &om, &m) == 2 && m == 5)
			p += 5;
		else if (sscanf(p, "%2d%2d%n", &oh, &om, &m) == 2 && m == 4)
			p += 4;
		else
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600L + om * 60L);
	}
	while (*p == ' ')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t - off;
	return 0;
}

void rdap_status_key(const char *s, char *buf, size_t len)
{
	size_t w = 0;
	for (; *s && w + 1 < len; s++)
		if (*s != ' ' && *s != '_' && *s != '-')
			buf[w++] = (char)tolower((unsigned char)*s);
	if (len)
		buf[w] = '\0';
}

struct dom_walk {
	struct rdap_domain *d;
	const cJSON *registrant;
	bool proxy_role;
	struct strv top_abuse;
};

static void dom_entity(struct walk *w, const cJSON *e, int depth, bool in_registrar)
{
	struct dom_walk *dw = w->ctx;
	struct rdap_domain *d = dw->d;
	if (has_role(e, "proxy"))
		dw->proxy_role = true;
	if (has_role(e, "registrar") && !d->registrar_present) {
		d->registrar_present = true;
		const char *name = vcard_text(e, "fn");
		if (!name)
			name = vcard_text(e, "org");
		d->registrar = dup_or_null(name);
	}
	if (has_role(e, "abuse")) {
		if (in_registrar)
			vcard_emails(e, &d->registrar_abuse);
		else if (depth == 0)
			vcard_emails(e, &dw->top_abuse);
	}
	if (has_role(e, "registrant") && !in_registrar && !dw->registrant)
		dw->registrant = e;
}

static void classify_registrant(struct rdap_domain *d, const cJSON *e, bool proxy_role)
{
	if (proxy_role) {
		d->reg = RDAP_REG_PROXY;
		d->why_reg =
		    xstrdup("an entity has the RDAP role \"proxy\" (it stands in for the registrant)");
	}
	const char *org = e ? vcard_text(e, "org") : NULL, *fn = e ? vcard_text(e, "fn") : NULL;
	struct strv mails = {0};
	if (e)
		vcard_emails(e, &mails);
	const char *probe[3] = {org, fn, mails.n ? mails.v[0] : NULL};
	for (int i = 0; i < 3 && d->reg != RDAP_REG_PROXY; i++) {
		const char *svc = rdap_proxy_service(probe[i]);
		if (svc) {
			d->reg = RDAP_REG_PROXY;
			d->why_reg =
			    xasprintf("the registrant \"%.100s\" matches the privacy/proxy service \"%s\"",
			              probe[i], svc);
		}
	}
	const char *name = !blank(org) && !redaction_text(org) ? org
	                   : !blank(fn) && !redaction_text(fn) ? fn
	                                                       : NULL;
	if (d->reg == RDAP_REG_PROXY) {
		d->registrant = dup_or_null(org ? org : fn);
	} else if (name) {
		d->reg = RDAP_REG_IDENTIFIED;
		d->registrant = xstrdup(name);
	} else {
		bool rfc9537 = false;
		for (size_t i = 0; i < d->redacted.n; i++)
			if (strcasestr(d->redacted.v[i], "registrant"))
				rfc9537 = true;
		if (rfc9537) {
			d->reg = RDAP_REG_REDACTED;
			d->why_reg = xstrdup("RFC 9537 redaction of the registrant's fields");
		} else if (e && (remarks_redacted(e) || redaction_text(org) || redaction_text(fn))) {
			d->reg = RDAP_REG_REDACTED;
			d->why_reg = xstrdup("the registrant is marked \"REDACTED FOR PRIVACY\"");
		} else if (e) {
			d->reg = RDAP_REG_REDACTED;
			d->why_reg = xstrdup("the registrant entity carries no name or organisation");
		}
	}
	strv_free(&mails);
}

int rdap_domain_parse(const char *json, size_t len, struct rdap_domain *d, char *why, size_t whylen)
{
	memset(d, 0, sizeof *d);
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root) {
		snprintf(why, whylen, "the answer is not valid JSON");
		return -1;
	}
	if (check_object(root, "domain", why, whylen) < 0) {
		cJSON_Delete(root);
		return -1;
	}
	const char *ldh = str_item(root, "ldhName");
	if (!ldh) {
		snprintf(why, whylen, "the answer has no ldhName: not a domain object");
		cJSON_Delete(root);
		return -1;
	}
	d->ldh = name_normalize_new(ldh);
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "status"))
	{
		if (cJSON_IsString(v) && v->valuestring[0])
			strv_add_unique(&d->status, v->valuestring);
	}
	time_t reg_exp = 0;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "events"))
	{
		const char *act = str_item(v, "eventAction"), *date = str_item(v, "eventDate");
		time_t t;
		if (!act || !date || rdap_time_parse(date, &t) < 0)
			continue;
		if (strcasecmp(act, "registration") == 0 && !d->registered)
			d->registered = t;
		else if (strcasecmp(act, "expiration") == 0 && !d->expires)
			d->expires = t;
		else if (strcasecmp(act, "registrar expiration") == 0 && !reg_exp)
			reg_exp = t;
	}
	if (!d->expires)
		d->expires = reg_exp;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "redacted"))
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(v, "name");
		const char *s = str_item(nm, "description");
		if (!s)
			s = str_item(nm, "type");
		if (s)
			strv_add_unique(&d->redacted, s);
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "links"))
	{
		const char *rel = str_item(v, "rel"), *href = str_item(v, "href"),
		           *type = str_item(v, "type");
		if (!d->related && rel && href && strcasecmp(rel, "related") == 0 &&
		    (!type || strcasestr(type, "rdap") || strcasestr(type, "json")) &&
		    strstr(href, "/domain/"))
			d->related = xstrdup(href);
	}
	struct dom_walk dw = {d, NULL, false, {0}};
	struct walk w = {dom_entity, &dw, 0};
	walk_entities(&w, root, 0, false);
	/* Registrars that publish the abuse contact beside, not inside, their entity. */
	if (d->registrar_abuse.n == 0)
		for (size_t i = 0; i < dw.top_abuse.n; i++)
			strv_add_unique(&d->registrar_abuse, dw.top_abuse.v[i]);
	strv_free(&dw.top_abuse);
	classify_registrant(d, dw.registrant, dw.proxy_role);
	cJSON_Delete(root);
	return 0;
}

void rdap_domain_free(struct rdap_domain *d)
{
	free(d->ldh);
	strv_free(&d->status);
	free(d->registrar);
	strv_free(&d->registrar_abuse);
	free(d->registrant);
	free(d->why_reg);
	strv_free(&d->redacted);
	free(d->related);
	memset(d, 0, sizeof *d);
}

void rdap_domain_merge(struct rdap_domain *r, const struct rdap_domain *rr)
{
	if (r->reg == RDAP_REG_NONE || rr->reg == RDAP_REG_PROXY) {
		r->reg = rr->reg;
		free(r->registrant);
		free(r->why_reg);
		r->registrant = dup_or_null(rr->registrant);
		r->why_reg = dup_or_null(rr->why_reg);
		for (size_t i = 0; i < rr->redacted.n; i++)
			strv_add_unique(&r->redacted, rr->redacted.v[i]);
	}
	if (r->registrar_abuse.n == 0)
		for (size_t i = 0; i < rr->registrar_abuse.n; i++)
			strv_add_unique(&r->registrar_abuse, rr->registrar_abuse.v[i]);
	if (!r->registrar_present && rr->registrar_present) {
		r->registrar_present = true;
		r->registrar = dup_or_null(rr->registrar);
	}
	if (!r->registered)
		r->registered = rr->registered;
	if (!r->expires)
		r->expires = rr->expires;
	if (r->status.n == 0)
		for (size_t i = 0; i < rr->status.n; i++)
			strv_add_unique(&r->status, rr->status.v[i]);
}
