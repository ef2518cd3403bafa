/* SPDX-License-Identifier: ISC */
/* memdns.h: an in-memory DNS for unit tests and fuzz harnesses (a struct
 * resolver over a zone written as text). Header-only, so both build it
 * without a library of test code. Thread-safe: the audit asks from the
 * threads of its inputs.
 *
 * Zone text: one record per line, "name TYPE data":
 *   A 192.0.2.1 | AAAA 2001:db8::1 | MX 10 host | PTR host | TXT text to the
 *   end of the line | FAIL (every question for the name is SERVFAIL)
 * A name with no record of the asked type is NODATA; an absent name is
 * NXDOMAIN. Names are compared without case. */
#ifndef SA_MEMDNS_H
#define SA_MEMDNS_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/net/resolver.h"

struct memdns_rec {
	char *name;
	uint16_t type; /* 0: FAIL */
	char *data;
};

struct memdns {
	struct memdns_rec *recs;
	size_t n;
	struct dns_answer **answers; /* handed out, freed by memdns_free */
	size_t nans;
	unsigned queries;
	pthread_mutex_t mu;
};

static inline void memdns_load(struct memdns *m, const char *text, size_t len)
{
	memset(m, 0, sizeof *m);
	pthread_mutex_init(&m->mu, NULL);
	size_t i = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		char *line = strndup(text + i, e - i);
		i = e + 1;
		char *sp = strchr(line, ' ');
		if (sp) {
			*sp = '\0';
			char *t = sp + 1, *d = strchr(t, ' ');
			if (d)
				*d++ = '\0';
			uint16_t type = strcmp(t, "A") == 0      ? DNS_T_A
			                : strcmp(t, "AAAA") == 0 ? DNS_T_AAAA
			                : strcmp(t, "MX") == 0   ? DNS_T_MX
			                : strcmp(t, "PTR") == 0  ? DNS_T_PTR
			                : strcmp(t, "TXT") == 0  ? DNS_T_TXT
			                : strcmp(t, "FAIL") == 0 ? 0
			                                         : 0xffff;
			if (type != 0xffff && (d || type == 0)) {
				m->recs = realloc(m->recs, (m->n + 1) * sizeof *m->recs);
				m->recs[m->n++] = (struct memdns_rec){strdup(line), type, strdup(d ? d : "")};
			}
		}
		free(line);
	}
}

static inline const struct dns_answer *memdns_query(void *ctx, const char *name, uint16_t type)
{
	struct memdns *m = ctx;
	struct dns_answer *a = calloc(1, sizeof *a);
	a->qname = strdup(name);
	a->qtype = type;
	a->status = DNS_NXDOMAIN;
	for (size_t i = 0; i < m->n; i++) {
		struct memdns_rec *r = &m->recs[i];
		if (strcasecmp(r->name, name) != 0)
			continue;
		if (r->type == 0) {
			a->status = DNS_SERVFAIL;
			a->why = strdup("SERVFAIL from memdns");
			break;
		}
		if (a->status == DNS_NXDOMAIN)
			a->status = DNS_NODATA;
		if (r->type != type)
			continue;
		struct dns_rr rr = {0};
		rr.type = type;
		if (type == DNS_T_A && inet_pton(AF_INET, r->data, rr.addr) != 1)
			continue;
		if (type == DNS_T_AAAA && inet_pton(AF_INET6, r->data, rr.addr) != 1)
			continue;
		if (type == DNS_T_MX) {
			char *sp = strchr(r->data, ' ');
			rr.pref = (uint16_t)atoi(r->data);
			rr.name = strdup(sp ? sp + 1 : "");
		}
		if (type == DNS_T_PTR)
			rr.name = strdup(r->data);
		if (type == DNS_T_TXT) {
			rr.txt = strdup(r->data);
			rr.txt_len = strlen(r->data);
		}
		a->rrs = realloc(a->rrs, (a->rr_count + 1) * sizeof *a->rrs);
		a->rrs[a->rr_count++] = rr;
		a->status = DNS_OK;
	}
	pthread_mutex_lock(&m->mu);
	m->queries++;
	m->answers = realloc(m->answers, (m->nans + 1) * sizeof *m->answers);
	m->answers[m->nans++] = a;
	pthread_mutex_unlock(&m->mu);
	return a;
}

static inline const char *memdns_servers(void *ctx)
{
	(void)ctx;
	return "memdns";
}

static inline struct resolver memdns_resolver(struct memdns *m)
{
	return (struct resolver){.ctx = m, .query = memdns_query, .servers = memdns_servers};
}

static inline void memdns_free(struct memdns *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->recs[i].name);
		free(m->recs[i].data);
	}
	free(m->recs);
	for (size_t i = 0; i < m->nans; i++) {
		dns_answer_clear(m->answers[i]);
		free(m->answers[i]);
	}
	free(m->answers);
	pthread_mutex_destroy(&m->mu);
}

#endif
