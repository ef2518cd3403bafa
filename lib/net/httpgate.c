/* SPDX-License-Identifier: ISC */
/* httpgate: per-server request limits shared by every struct http of a run
 * (see httpgate.h): slots handed out first come, first served, and one
 * server's back-off holding back all its later requests; and the run's
 * shared libcurl state (a share handle for TLS sessions, idle multi
 * handles with their kept-alive connections). */
#include "httpgate.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/xalloc.h"

struct host {
	char *key;
	int inflight;
	int64_t backoff_until; /* monotonic ms; 0 = none */
	uint64_t *queue;       /* tickets waiting, oldest first */
	size_t nq, capq;
};

/* Idle multi handles kept beyond this are cleaned up: a run never has more
 * audits fetching at once than its --jobs times its HTTP inputs. */
#define IDLE_MULTI_MAX 64

/* A run meets a handful of servers (bootstrap, RIRs, registries,
 * registrars): a linear search under one mutex is enough. */
struct http_gate {
	pthread_mutex_t mu;
	int per_host;
	uint64_t last_ticket;
	struct host *v;
	size_t n, cap;
	/* libcurl's: one lock per kind of shared data, as its docs require */
	CURLSH *share;
	bool share_failed;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
	CURLM **idle;
	size_t nidle, capidle;
};

struct http_gate *http_gate_new(int per_host)
{
	struct http_gate *g = xcalloc(1, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&g->locks[i], NULL);
	g->per_host = per_host > 0 ? per_host : 1;
	return g;
}

void http_gate_free(struct http_gate *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].key);
		free(g->v[i].queue);
	}
	free(g->v);
	/* connections first: they may hold the share's TLS sessions */
	for (size_t i = 0; i < g->nidle; i++)
		curl_multi_cleanup(g->idle[i]);
	free(g->idle);
	if (g->share)
		curl_share_cleanup(g->share);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&g->locks[i]);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

int http_gate_key(const char *url, char *buf, size_t len)
{
	const char *sep = strstr(url, "://");
	if (!sep || sep == url)
		return -1;
	size_t slen = (size_t)(sep - url);
	const char *auth = sep + 3;
	size_t alen = strcspn(auth, "/?#");
	/* user info ends at the last '@' of the authority */
	const char *host = auth;
	for (const char *p = auth; p < auth + alen; p++)
		if (*p == '@')
			host = p + 1;
	const char *end = auth + alen, *port = NULL;
	if (*host == '[') {
		const char *rb = memchr(host, ']', (size_t)(end - host));
		if (!rb)
			return -1;
		if (rb + 1 < end && rb[1] == ':')
			port = rb + 2;
		end = port ? rb + 1 : end;
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));
		if (colon) {
			port = colon + 1;
			end = colon;
		}
	}
	size_t hlen = (size_t)(end - host);
	if (hlen == 0)
		return -1;
	size_t plen = port ? (size_t)(auth + alen - port) : 0;
	const char *dflt = NULL;
	if (slen == 4 && strncasecmp(url, "http", 4) == 0)
		dflt = "80";
	else if (slen == 5 && strncasecmp(url, "https", 5) == 0)
		dflt = "443";
	if (plen == 0 && dflt) {
		port = dflt;
		plen = strlen(dflt);
	}
	int n = snprintf(buf, len, "%.*s://%.*s%s%.*s", (int)slen, url, (int)hlen, host, plen ? ":" : "",
	                 (int)plen, port ? port : "");
	if (n < 0 || (size_t)n >= len)
		return -1;
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* Called with g->mu held. */
static struct host *host_get(struct http_gate *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].key, key) == 0)
			return &g->v[i];
	xgrow(&g->v, &g->cap, g->n + 1, sizeof *g->v);
	struct host *h = &g->v[g->n++];
	memset(h, 0, sizeof *h);
	h->key = xstrdup(key);
	return h;
}

/* The ticket's place in h's queue; h->nq when it is not there. */
static size_t queue_find(const struct host *h, uint64_t ticket)
{
	size_t i = 0;
	while (i < h->nq && h->queue[i] != ticket)
		i++;
	return i;
}

static void queue_remove(struct host *h, size_t i)
{
	if (i < h->nq) {
		memmove(&h->queue[i], &h->queue[i + 1], (h->nq - i - 1) * sizeof *h->queue);
		h->nq--;
	}
}

bool http_gate_try(struct http_gate *g, const char *key, uint64_t *ticket, int64_t now_ms,
                   int64_t *backoff_until)
{
	*backoff_until = 0;
	pthread_mutex_lock(&g->mu);
	struct host *h = host_get(g, key);
	size_t pos = *ticket ? queue_find(h, *ticket) : h->nq;
	if (pos == h->nq) {
		/* new (or unknown): at the back of the queue */
		xgrow(&h->queue, &h->capq, h->nq + 1, sizeof *h->queue);
		*ticket = ++g->last_ticket;
		h->queue[h->nq++] = *ticket;
	}
	bool ok = false;
	if (h->backoff_until > now_ms) {
		*backoff_until = h->backoff_until;
	} else if (h->inflight < g->per_host && pos < (size_t)(g->per_host - h->inflight)) {
		/* among the first as many waiters as there are free slots */
		queue_remove(h, pos);
		*ticket = 0;
		h->inflight++;
		ok = true;
	}
	pthread_mutex_unlock(&g->mu);
	return ok;
}

void http_gate_cancel(struct http_gate *g, const char *key, uint64_t *ticket)
{
	if (!*ticket)
		return;
	pthread_mutex_lock(&g->mu);
	struct host *h = host_get(g, key);
	queue_remove(h, queue_find(h, *ticket));
	*ticket = 0;
	pthread_mutex_unlock(&g->mu);
}

void http_gate_release(struct http_gate *g, const char *key, int64_t backoff_until)
{
	pthread_mutex_lock(&g->mu);
	struct host *h = host_get(g, key);
	if (h->inflight > 0)
		h->inflight--;
	if (backoff_until > h->backoff_until)
		h->backoff_until = backoff_until;
	pthread_mutex_unlock(&g->mu);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_curl_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

static void share_lock(CURL *e, curl_lock_data data, curl_lock_access access, void *arg)
{
	(void)e;
	(void)access;
	struct http_gate *g = arg;
	pthread_mutex_lock(&g->locks[data < CURL_LOCK_DATA_LAST ? data : 0]);
}

static void share_unlock(CURL *e, curl_lock_data data, void *arg)
{
	(void)e;
	struct http_gate *g = arg;
	pthread_mutex_unlock(&g->locks[data < CURL_LOCK_DATA_LAST ? data : 0]);
}

CURLSH *http_gate_share(struct http_gate *g)
{
	pthread_mutex_lock(&g->mu);
	if (!g->share && !g->share_failed) {
		http_curl_init();
		CURLSH *sh = curl_share_init();
		if (sh && curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock) == CURLSHE_OK &&
		    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock) == CURLSHE_OK &&
		    curl_share_setopt(sh, CURLSHOPT_USERDATA, g) == CURLSHE_OK &&
		    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK) {
			g->share = sh;
		} else {
			if (sh)
				curl_share_cleanup(sh);
			g->share_failed = true;
		}
	}
	CURLSH *sh = g->share;
	pthread_mutex_unlock(&g->mu);
	return sh;
}

CURLM *http_gate_multi_take(struct http_gate *g)
{
	pthread_mutex_lock(&g->mu);
	CURLM *m = g->nidle ? g->idle[--g->nidle] : NULL;
	pthread_mutex_unlock(&g->mu);
	return m;
}

void http_gate_multi_give(struct http_gate *g, CURLM *m)
{
	pthread_mutex_lock(&g->mu);
	if (g->nidle < IDLE_MULTI_MAX) {
		xgrow(&g->idle, &g->capidle, g->nidle + 1, sizeof *g->idle);
		g->idle[g->nidle++] = m;
		m = NULL;
	}
	pthread_mutex_unlock(&g->mu);
	if (m)
		curl_multi_cleanup(m);
}
