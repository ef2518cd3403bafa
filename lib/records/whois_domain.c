/* SPDX-License-Identifier: ISC */
/* whois_domain: WHOIS answers read into the same facts as an RDAP domain
 * (see whois_domain.h): the IANA referral, a registry's fields, and the
 * whole lookup over lib/net/whois's exchanges. */
#include "whois_domain.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../net/whois.h"
#include "../util/xalloc.h"

static void each_field(const char *text, bool (*fn)(const char *k, const char *v, void *ctx), void *ctx)
{
	const char *p = text;
	while (*p) {
		size_t ll = strcspn(p, "\r\n");
		char *line = xstrndup(p, ll);
		p += ll;
		while (*p == '\r' || *p == '\n')
			p++;
		char *colon = strchr(line, ':');
		if (colon && line[0] != '%' && line[0] != '#' && line[0] != '>') {
			*colon = '\0';
			char *k = line, *v = colon + 1;
			while (isspace((unsigned char)*k))
				k++;
			size_t kl = strlen(k);
			while (kl && isspace((unsigned char)k[kl - 1]))
				k[--kl] = '\0';
			while (isspace((unsigned char)*v))
				v++;
			size_t vl = strlen(v);
			while (vl && isspace((unsigned char)v[vl - 1]))
				v[--vl] = '\0';
			if (*k && *v && fn(k, v, ctx)) {
				free(line);
				return;
			}
		}
		free(line);
	}
}

static bool find_refer(const char *k, const char *v, void *ctx)
{
	char **out = ctx;
	if ((strcasecmp(k, "refer") == 0 || strcasecmp(k, "whois") == 0) && !strchr(v, ' ')) {
		*out = xstrdup(v);
		return true;
	}
	return false;
}

char *whois_referral_new(const char *text)
{
	char *out = NULL;
	each_field(text, find_refer, &out);
	return out;
}

static bool key_in(const char *k, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcasecmp(k, *keys) == 0)
			return true;
	return false;
}

struct parse {
	struct rdap_domain *d;
	int fields;
	char *org, *name;
};

static bool take_field(const char *k, const char *v, void *ctx)
{
	static const char *const created[] = {
	    "Creation Date", "created", "Registered on", "Registration Time", "Domain Registration Date",
	    "registered",    NULL};
	static const char *const expiry[] = {"Registry Expiry Date",
	                                     "Expiration Date",
	                                     "Expiry Date",
	                                     "expires",
	                                     "paid-till",
	                                     "Expiration Time",
	                                     "Registrar Registration Expiration Date",
	                                     NULL};
	static const char *const status[] = {"Domain Status", "status", "state", NULL};
	struct parse *ps = ctx;
	struct rdap_domain *d = ps->d;
	time_t t;
	if (key_in(k, created) && !d->registered && rdap_time_parse(v, &t) == 0) {
		d->registered = t;
	} else if (key_in(k, expiry) && !d->expires && rdap_time_parse(v, &t) == 0) {
		d->expires = t;
	} else if (key_in(k, status)) {
		/* "clientHold https://icann.org/epp#clientHold": the code only */
		char *s = xstrndup(v, strcspn(v, " \t("));
		strv_add_unique(&d->status, s);
		free(s);
	} else if (strcasecmp(k, "Registrant Organization") == 0 ||
	           strcasecmp(k, "Registrant Organisation") == 0) {
		if (!ps->org)
			ps->org = xstrdup(v);
	} else if (strcasecmp(k, "Registrant Name") == 0 || strcasecmp(k, "Registrant") == 0) {
		if (!ps->name)
			ps->name = xstrdup(v);
	} else if (strcasecmp(k, "Registrar") == 0 || strcasecmp(k, "Sponsoring Registrar") == 0) {
		if (!d->registrar) {
			d->registrar = xstrdup(v);
			d->registrar_present = true;
		}
	} else if (strcasecmp(k, "Registrar Abuse Contact Email") == 0) {
		strv_add_unique(&d->registrar_abuse, v);
	} else {
		return false;
	}
	ps->fields++;
	return false;
}

int whois_parse_domain(const char *text, const char *domain, struct rdap_domain *d)
{
	memset(d, 0, sizeof *d);
	d->whois = true;
	d->ldh = xstrdup(domain);
	/* Registries say "no such domain" in their own words, at a line start. */
	static const char *const absent[] = {"No match for",     "NOT FOUND",        "No Data Found",
	                                     "No entries found", "No Object Found",  "Domain not found",
	                                     "Status: free",     "Status: AVAILABLE"};
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
			if (strncasecmp(line, absent[i], strlen(absent[i])) == 0)
				return 0;
	}
	struct parse ps = {d, 0, NULL, NULL};
	each_field(text, take_field, &ps);
	if (ps.fields == 0) {
		free(ps.org);
		free(ps.name);
		return -1;
	}
	const char *probe[2] = {ps.org, ps.name};
	for (int i = 0; i < 2 && d->reg == RDAP_REG_NONE; i++) {
		const char *svc = rdap_proxy_service(probe[i]);
		if (svc) {
			d->reg = RDAP_REG_PROXY;
			d->registrant = xstrdup(probe[i]);
			d->why_reg =
			    xasprintf("the registrant \"%.100s\" matches the privacy/proxy service \"%s\"",
			              probe[i], svc);
		}
	}
	for (int i = 0; i < 2 && d->reg == RDAP_REG_NONE; i++) {
		if (!probe[i])
			continue;
		if (strcasestr(probe[i], "redacted") || strcasestr(probe[i], "data protected") ||
		    strcasestr(probe[i], "not disclosed")) {
			d->reg = RDAP_REG_REDACTED;
			d->why_reg = xstrdup("the registrant is marked \"REDACTED FOR PRIVACY\"");
		} else {
			d->reg = RDAP_REG_IDENTIFIED;
			d->registrant = xstrdup(probe[i]);
		}
	}
	free(ps.org);
	free(ps.name);
	return 1;
}

int whois_domain_lookup(const struct resolver *res, const char *iana_host, int port, const char *domain,
                        int timeout_ms, struct rdap_domain *d, char **server, char *why, size_t whylen)
{
	memset(d, 0, sizeof *d);
	*server = NULL;
	const char *tld = strrchr(domain, '.');
	tld = tld ? tld + 1 : domain;
	char *iana = whois_query_new(res, iana_host, port, tld, timeout_ms, why, whylen);
	if (!iana)
		return -1;
	char *ref = whois_referral_new(iana);
	free(iana);
	if (!ref) {
		snprintf(why, whylen, "%s names no WHOIS server for .%s", iana_host, tld);
		return -1;
	}
	*server = ref;
	char *text = whois_query_new(res, ref, port, domain, timeout_ms, why, whylen);
	if (!text)
		return -1;
	int rc = whois_parse_domain(text, domain, d);
	free(text);
	if (rc < 0)
		snprintf(why, whylen, "the answer of WHOIS server %s has no fields senderaudit knows", ref);
	return rc;
}
