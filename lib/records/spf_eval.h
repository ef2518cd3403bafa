/* SPDX-License-Identifier: ISC */
/* spf_eval: RFC 7208 check_host() and a static walk of a domain's SPF
 * include/redirect tree. Both ask DNS through struct resolver, so the audit
 * feeds them lib/dns (shared cache, concurrent lookups) and unit tests and
 * fuzzers feed them answers from memory. */
#ifndef SA_SPF_EVAL_H
#define SA_SPF_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../net/resolver.h"
#include "../util/names.h"

enum spf_result {
	SPF_RES_NONE,
	SPF_RES_NEUTRAL,
	SPF_RES_PASS,
	SPF_RES_FAIL,
	SPF_RES_SOFTFAIL,
	SPF_RES_TEMPERROR,
	SPF_RES_PERMERROR,
};

/* "none", "neutral", "pass", ... (RFC 7208 2.6) */
const char *spf_result_name(enum spf_result r);

/* The inputs of check_host(). */
struct spf_request {
	struct ipaddr ip;   /* the client */
	const char *domain; /* the identity's domain (MAIL FROM's or HELO) */
	const char *sender; /* "local@domain"; NULL means postmaster@domain */
	const char *helo;   /* for %{h}; may be NULL */
};

struct spf_verdict {
	enum spf_result result;
	char *reason;      /* one line: what decided the result */
	char *matched;     /* the matching term as written ("ip4:192.0.2.0/24"), or NULL */
	char *matched_in;  /* the domain whose record held it, or NULL */
	char *explanation; /* for fail: the expanded exp= text, or NULL */
	unsigned lookups;  /* DNS-querying terms evaluated (limit 10) */
	unsigned voids;    /* void lookups (limit 2) */
};

/* RFC 7208 4: evaluates the request; the result is final (limits applied). */
void spf_check_host(const struct resolver *dns, const struct spf_request *rq, struct spf_verdict *out);
void spf_verdict_clear(struct spf_verdict *v);

/* The include/redirect tree as published, walked whatever the client IP,
 * so a user sees what every branch costs. */
enum spf_node_status {
	SPF_NODE_OK,       /* one record, parsed */
	SPF_NODE_NONE,     /* no SPF record (or the name does not exist) */
	SPF_NODE_MULTIPLE, /* more than one SPF record */
	SPF_NODE_SYNTAX,   /* a record that does not parse */
	SPF_NODE_DNSERR,   /* the TXT lookup failed */
	SPF_NODE_LOOP,     /* the domain is already on the path from the root */
	SPF_NODE_INVALID,  /* the target is not a usable domain name */
	SPF_NODE_CUT,      /* not walked: the tree is too large */
};

struct spf_node {
	char *domain;
	const char *via; /* "include", "redirect", or NULL for the root */
	long parent;     /* index into the tree, -1 for the root */
	enum spf_node_status status;
	char *why;    /* for statuses other than OK */
	char *record; /* the record text when one was found */
	size_t record_len;
	unsigned own;    /* DNS-querying terms of this record (4.6.4) */
	unsigned total;  /* own plus the totals of the records it pulls in */
	unsigned macros; /* DNS-querying terms whose target has macros */
	bool ptr;        /* uses the ptr mechanism or the %{p} macro */
	char all;        /* qualifier of its `all`, or 0 when it has none */
	bool redirect;   /* has redirect= (ignored when it also has all) */
	bool after_all;  /* terms after `all` (never evaluated) */
};

struct spf_tree {
	struct spf_node *nodes; /* [0] is the root */
	size_t n;
	unsigned voids;        /* terms whose lookup found nothing */
	unsigned mx_names_max; /* most names behind one `mx` term */
	char *mx_names_domain; /* the domain of that `mx` term */
	bool incomplete;       /* some lookups failed: counts are a lower bound */
	char *incomplete_why;
};

/* Walks the tree of rq->domain; macros are expanded for rq. Every lookup of
 * a level is started before any is waited for. */
void spf_walk(const struct resolver *dns, const struct spf_request *rq, struct spf_tree *out);
void spf_tree_clear(struct spf_tree *t);

/* The effective `all` of the tree: the root's, or through redirect=. 0 when
 * there is none; *where gets the domain holding it (not owned). When the
 * chain ends at a record that could not be read or used, *stop is that node
 * (its status says whether the answer is unknown: SPF_NODE_DNSERR or
 * SPF_NODE_CUT), else NULL. */
char spf_tree_all(const struct spf_tree *t, const char **where, const struct spf_node **stop);

#endif
