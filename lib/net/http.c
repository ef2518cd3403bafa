/* SPDX-License-Identifier: ISC */
/* http: every HTTP request of an audit (see http.h), over libcurl's multi
 * interface: concurrent GETs with a connect timeout and a total budget, a
 * body cap, redirects followed here hop by hop (each host resolved by the
 * caller's resolver), one Retry-After honoured, and the per-server limits of
 * a struct http_gate. */
#include "http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "../proc/workpool.h"
#include "../util/clock.h"
#include "httpgate.h"
#include "resolver.h"
#include "../util/xalloc.h"

#define MAX_REDIRS 5
/* A Retry-After longer than this is not waited for: the audit would stall. */
#define MAX_RETRY_AFTER_S 10
/* A 429 without Retry-After still holds the server's later requests back
 * this long (the gate's back-off). */
#define DEFAULT_BACKOFF_S 1
/* How often requests queued for the gate look for a free slot: the gate
 * never blocks, and another audit's struct http cannot wake this one. */
#define QUEUE_POLL_MS 20

struct req {
	struct http_resp r;
	CURL *e;
	char *cur_url;               /* this hop's URL (redirects followed here) */
	struct curl_slist *resolved; /* CURLOPT_RESOLVE for this hop's host */
	int64_t try_deadline;        /* the try's budget ends (redirects included) */
	char errbuf[CURL_ERROR_SIZE];
	size_t cap;
	size_t alloc; /* bytes allocated for r.body */
	bool too_big;
	int64_t retry_at; /* monotonic ms when a Retry-After wait ends; 0 = none */
	bool finished;    /* transfer over, not yet returned */
	bool returned;
	/* The gate (http_opts.gate): the server's key, whether this request
	 * waits for or holds one of its slots, and this try's deadline. */
	char gate_key[280]; /* "" = not gated */
	bool queued;
	uint64_t ticket; /* place in the server's queue while queued */
	bool holds;
	int64_t queued_at, deadline;
	long waited_ms; /* queued before this try started */
	struct req *next;
};

struct http {
	struct http_opts o;
	CURLM *m;
	struct curl_slist *hdrs;
	struct req *reqs;
};

struct http *http_new(const struct http_opts *o)
{
	http_curl_init();
	struct http *h = xcalloc(1, sizeof *h);
	h->o = *o;
	/* an earlier audit's multi handle: its connections are still open */
	h->m = o->gate ? http_gate_multi_take(o->gate) : NULL;
	if (!h->m) {
		h->m = curl_multi_init();
		if (!h->m) {
			free(h);
			return NULL;
		}
		/* Registries rate-limit per client: few connections per host. */
		curl_multi_setopt(h->m, CURLMOPT_MAX_HOST_CONNECTIONS, 2L);
	}
	if (o->accept) {
		char *a = xasprintf("Accept: %s", o->accept);
		h->hdrs = curl_slist_append(NULL, a);
		free(a);
	}
	return h;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	for (struct req *q = h->reqs, *n; q; q = n) {
		n = q->next;
		if (q->holds)
			http_gate_release(h->o.gate, q->gate_key, 0);
		if (q->queued)
			http_gate_cancel(h->o.gate, q->gate_key, &q->ticket);
		if (q->e) {
			curl_multi_remove_handle(h->m, q->e);
			curl_easy_cleanup(q->e);
		}
		curl_slist_free_all(q->resolved);
		free(q->cur_url);
		free(q->r.body);
		free(q->r.url);
		free(q->r.effective_url);
		free(q->r.content_type);
		free(q);
	}
	if (h->o.gate)
		http_gate_multi_give(h->o.gate, h->m);
	else
		curl_multi_cleanup(h->m);
	curl_slist_free_all(h->hdrs);
	free(h);
}

/* Appends up to the cap, then refuses (curl ends with CURLE_WRITE_ERROR). */
static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct req *q = arg;
	size_t len = size * n;
	struct http_resp *r = &q->r;
	if (len > q->cap || r->len > q->cap - len) {
		q->too_big = true;
		return 0;
	}
	/* Grow geometrically: one realloc per curl write copies the body
	 * quadratically (a chunked or gzipped answer arrives in 16 KiB pieces). */
	if (r->len + len + 1 > q->alloc) {
		size_t want = q->alloc ? q->alloc : 16384;
		while (want < r->len + len + 1)
			want = want <= q->cap / 2 ? want * 2 : q->cap + 1;
		r->body = xrealloc(r->body, want);
		q->alloc = want;
	}
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static void set_err(struct req *q, enum http_err err, const char *fmt, const char *arg);

/* The host and port of url, for CURLOPT_RESOLVE. host gets no brackets. */
static int url_host_port(const char *url, char *host, size_t hlen, long *port)
{
	CURLU *u = curl_url();
	char *hs = NULL, *ps = NULL;
	int rc = -1;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &hs, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &ps, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		snprintf(host, hlen, "%s", hs);
		*port = strtol(ps, NULL, 10);
		rc = 0;
	}
	curl_free(hs);
	curl_free(ps);
	curl_url_cleanup(u);
	return rc;
}

/* Resolves the hop's host with the caller's resolver (lib/dns) and pins
 * the answer for libcurl, which then never resolves a name itself. Returns
 * false (the request failed) when the name cannot be resolved. */
static bool pin_host(struct http *h, struct req *q)
{
	curl_slist_free_all(q->resolved);
	q->resolved = NULL;
	if (!h->o.resolver)
		return true;
	char host[256], why[200];
	long port = 0;
	if (url_host_port(q->cur_url, host, sizeof host, &port) < 0)
		return true; /* libcurl reports the malformed URL */
	struct ipaddr addrs[RESOLVE_MAX_ADDRS];
	int n = resolver_host_addrs(h->o.resolver, host, addrs, RESOLVE_MAX_ADDRS, why, sizeof why);
	if (n < 0) {
		set_err(q, HTTP_E_CONNECT, "cannot connect: %.180s", why);
		return false;
	}
	if (n == 1 && strcmp(addrs[0].text, host) == 0)
		return true; /* an address literal */
	char line[256 + 16 + RESOLVE_MAX_ADDRS * 50];
	size_t off = (size_t)snprintf(line, sizeof line, "%s:%ld:", host, port);
	for (int i = 0; i < n && off < sizeof line; i++)
		off += (size_t)snprintf(line + off, sizeof line - off,
		                        addrs[i].af == AF_INET6 ? "%s[%s]" : "%s%s", i ? "," : "",
		                        addrs[i].text);
	q->resolved = curl_slist_append(NULL, line);
	return true;
}

/* Ends a request that failed before its transfer could start. */
static void fail_now(struct http *h, struct req *q)
{
	free(q->r.effective_url);
	q->r.effective_url = xstrdup(q->cur_url ? q->cur_url : q->r.url);
	q->r.status = 0;
	if (q->holds) {
		http_gate_release(h->o.gate, q->gate_key, 0);
		q->holds = false;
	}
	q->finished = true;
}

/* Starts a hop of the transfer with timeout_ms left of the try's budget. */
static void start(struct http *h, struct req *q, long timeout_ms)
{
	free(q->r.body);
	q->r.body = NULL;
	q->r.len = 0;
	q->alloc = 0;
	q->too_big = false;
	q->errbuf[0] = '\0';
	q->cap = h->o.max_body;
	CURL *e = pin_host(h, q) ? curl_easy_init() : NULL;
	if (!e) {
		if (q->r.err == HTTP_E_NONE)
			set_err(q, HTTP_E_OTHER, "%s", "libcurl could not start a transfer (out of memory?)");
		fail_now(h, q);
		return;
	}
	q->e = e;
	const char *protos = h->o.allow_http ? "http,https" : "https";
	curl_easy_setopt(e, CURLOPT_URL, q->cur_url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protos);
	/* Redirects are followed here, one hop at a time, so that every host
	 * is resolved by the caller's resolver (pin_host). */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (q->resolved)
		curl_easy_setopt(e, CURLOPT_RESOLVE, q->resolved);
	long ctmo = h->o.connect_timeout_ms < timeout_ms ? h->o.connect_timeout_ms : timeout_ms;
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ctmo);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "senderaudit/" SA_VERSION);
	/* Loopback never goes through a proxy from the environment. */
	curl_easy_setopt(e, CURLOPT_NOPROXY, "127.0.0.1,::1,localhost");
	if (h->hdrs)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	CURLSH *sh = h->o.gate ? http_gate_share(h->o.gate) : NULL;
	if (sh)
		curl_easy_setopt(e, CURLOPT_SHARE, sh);
	curl_multi_add_handle(h->m, e);
}

static void set_err(struct req *q, enum http_err err, const char *fmt, const char *arg)
{
	q->r.err = err;
	snprintf(q->r.why, sizeof q->r.why, fmt, arg);
}

/* Ends a queued request that cannot start within its budget: a time-out,
 * as if the server had been slow (which, from here, it is). */
static void give_up(struct http *h, struct req *q, int64_t now, int64_t backoff_until)
{
	struct http_resp *r = &q->r;
	http_gate_cancel(h->o.gate, q->gate_key, &q->ticket);
	free(r->body);
	r->body = NULL;
	r->len = 0;
	free(r->effective_url);
	r->effective_url = xstrdup(r->url);
	r->status = 0;
	r->redirects = 0;
	r->err = HTTP_E_TIMEOUT;
	if (backoff_until > now)
		snprintf(r->why, sizeof r->why,
		         "%.100s asked to slow down (rate limited); its back-off ends in %ld ms, too late "
		         "for this request",
		         q->gate_key, (long)(backoff_until - now));
	else
		snprintf(r->why, sizeof r->why, "waited %ld ms for a free connection to %.100s",
		         (long)(now - q->queued_at), q->gate_key);
	q->queued = false;
	q->finished = true;
}

/* Starts a queued request if the gate has a slot for its server. A
 * back-off that would leave the request less than a connect timeout of its
 * budget ends it at once: waiting could not lead to an answer. */
static void admit(struct http *h, struct req *q, int64_t now)
{
	int64_t until = 0;
	if (now >= q->deadline) {
		give_up(h, q, now, 0);
	} else if (http_gate_try(h->o.gate, q->gate_key, &q->ticket, now, &until)) {
		q->queued = false;
		q->holds = true;
		q->waited_ms = (long)(now - q->queued_at);
		start(h, q, (long)(q->deadline - now));
	} else if (until && until + h->o.connect_timeout_ms > q->deadline) {
		give_up(h, q, now, until);
	}
}

/* Begins a try: at once without a gate, else through its queue, the
 * try's budget running from now. */
static void submit(struct http *h, struct req *q, int64_t now)
{
	/* a try (the first, or a Retry-After's) starts at the requested URL */
	free(q->cur_url);
	q->cur_url = xstrdup(q->r.url);
	q->r.redirects = 0;
	q->try_deadline = now + h->o.total_timeout_ms;
	if (!q->gate_key[0]) {
		start(h, q, h->o.total_timeout_ms);
		return;
	}
	q->queued = true;
	q->queued_at = now;
	q->deadline = now + h->o.total_timeout_ms;
	q->waited_ms = 0;
	admit(h, q, now);
}

struct http_resp *http_get(struct http *h, const char *url, void *user)
{
	struct req *q = xcalloc(1, sizeof *q);
	q->r.url = xstrdup(url);
	q->r.user = user;
	q->r.retry_after = -1;
	q->next = h->reqs;
	h->reqs = q;
	/* Redirects count against the first server only: simple, and the
	 * RIRs' redirects lead to one another, all of them limited. */
	if (h->o.gate && http_gate_key(url, q->gate_key, sizeof q->gate_key) < 0)
		q->gate_key[0] = '\0';
	submit(h, q, clock_mono_ms());
	return &q->r;
}

/* Follows a redirect to url within the try's budget (the gate slot is kept:
 * redirects count against the first server). Returns true when the next hop
 * is under way, false with the request's error set when it may not go. */
static bool follow(struct http *h, struct req *q, const char *url, int64_t now)
{
	bool https = strncasecmp(url, "https://", 8) == 0;
	bool http = strncasecmp(url, "http://", 7) == 0;
	if (++q->r.redirects > MAX_REDIRS) {
		set_err(q, HTTP_E_REDIRECT, "more than 5 redirects (the last to %.150s)", url);
		return false;
	}
	if (!https && !(http && h->o.allow_http)) {
		set_err(q, HTTP_E_REDIRECT, "a redirect to a scheme other than https was refused (%.150s)",
		        url);
		return false;
	}
	if (now >= q->try_deadline) {
		char ms[32];
		snprintf(ms, sizeof ms, "%ld", h->o.total_timeout_ms);
		set_err(q, HTTP_E_TIMEOUT, "no complete answer within %.180s ms", ms);
		return false;
	}
	free(q->cur_url);
	q->cur_url = xstrdup(url);
	q->r.err = HTTP_E_NONE;
	start(h, q, (long)(q->try_deadline - now));
	return !q->finished; /* the next host could not be resolved */
}

/* Records the outcome of a finished transfer; returns true when it is not
 * over: retried (Retry-After honoured once) or redirected. */
static bool finish(struct http *h, struct req *q, CURLcode rc)
{
	CURL *e = q->e;
	long status = 0;
	char *eff = NULL, *loc = NULL, *ctype = NULL;
	curl_off_t ra = -1;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
	curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra);
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype);
	free(q->r.content_type);
	q->r.content_type = ctype ? xstrdup(ctype) : NULL;
	free(q->r.effective_url);
	q->r.effective_url = xstrdup(eff ? eff : q->cur_url);
	q->r.status = status;
	q->r.retry_after = ra > 0 ? (long)ra : -1;
	q->r.err = HTTP_E_NONE;
	q->r.why[0] = '\0';
	const char *detail = q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc);
	char ms[32];
	switch (rc) {
	case CURLE_OK: break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(ms, sizeof ms, "%ld", h->o.total_timeout_ms);
		set_err(q, HTTP_E_TIMEOUT, "no complete answer within %.180s ms", ms);
		if (q->waited_ms > 0)
			snprintf(q->r.why, sizeof q->r.why,
			         "no complete answer within %ld ms (%ld ms of them waiting for a free "
			         "connection to %.100s)",
			         h->o.total_timeout_ms, q->waited_ms, q->gate_key);
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: set_err(q, HTTP_E_CONNECT, "cannot connect: %.180s", detail); break;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		snprintf(ms, sizeof ms, "%zu", h->o.max_body);
		set_err(q, HTTP_E_TOO_BIG, "the answer is larger than %.180s bytes", ms);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		set_err(q, HTTP_E_REDIRECT, "more than 5 redirects (%.180s)", detail);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		set_err(q, HTTP_E_REDIRECT, "a redirect to a scheme other than https was refused (%.180s)",
		        detail);
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		set_err(q, HTTP_E_TRUNCATED, "the connection closed before the whole answer came (%.180s)",
		        detail);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM: set_err(q, HTTP_E_TLS, "TLS failed: %.180s", detail); break;
	default: set_err(q, HTTP_E_OTHER, "%.180s", detail); break;
	}
	if (q->too_big) {
		snprintf(ms, sizeof ms, "%zu", h->o.max_body);
		set_err(q, HTTP_E_TOO_BIG, "the answer is larger than %.180s bytes", ms);
	}
	bool redirect = rc == CURLE_OK && status >= 300 && status < 400 && loc && *loc && !h->o.no_redirects;
	char *next = redirect ? xstrdup(loc) : NULL;
	curl_multi_remove_handle(h->m, e);
	curl_easy_cleanup(e);
	q->e = NULL;
	int64_t now = clock_mono_ms();
	if (redirect && follow(h, q, next, now)) {
		free(next);
		return true;
	}
	free(next);
	if (q->holds) {
		/* A rate-limited server holds back every later request to it,
		 * from every audit, not only this one's retry. */
		int64_t backoff = 0;
		if (rc == CURLE_OK && (status == 429 || (status == 503 && q->r.retry_after >= 0))) {
			long s = q->r.retry_after >= 0 ? q->r.retry_after : DEFAULT_BACKOFF_S;
			backoff = now + (s < MAX_RETRY_AFTER_S ? s : MAX_RETRY_AFTER_S) * 1000;
		}
		http_gate_release(h->o.gate, q->gate_key, backoff);
		q->holds = false;
	}
	if (rc == CURLE_OK && (status == 429 || status == 503) && !q->r.retried && q->r.retry_after >= 0 &&
	    q->r.retry_after <= MAX_RETRY_AFTER_S && q->r.retry_after * 1000 < h->o.total_timeout_ms * 2) {
		q->r.retried = true;
		q->retry_at = now + q->r.retry_after * 1000;
		return true;
	}
	return false;
}

static struct req *take_finished(struct http *h)
{
	for (struct req *q = h->reqs; q; q = q->next)
		if (q->finished && !q->returned) {
			q->returned = true;
			return q;
		}
	return NULL;
}

struct http_resp *http_next(struct http *h)
{
	for (;;) {
		struct req *q = take_finished(h);
		if (q)
			return &q->r;
		/* Restart retries whose wait is over; find the next wait. */
		int64_t now = clock_mono_ms(), wake = -1;
		bool busy = false, queued = false, gave_up = false;
		for (q = h->reqs; q; q = q->next) {
			if (q->retry_at && q->retry_at <= now) {
				q->retry_at = 0;
				submit(h, q, now);
			} else if (q->queued) {
				admit(h, q, now);
			}
			if (q->finished && !q->returned)
				gave_up = true;
			if (q->retry_at && (wake < 0 || q->retry_at < wake))
				wake = q->retry_at;
			if (q->e)
				busy = true;
			if (q->queued)
				queued = true;
		}
		if (gave_up)
			continue;
		if (!busy && wake < 0 && !queued)
			return NULL;
		int running = 0;
		curl_multi_perform(h->m, &running);
		CURLMsg *msg;
		int left;
		bool got = false;
		while ((msg = curl_multi_info_read(h->m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURLcode rc = msg->data.result;
			char *priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			struct req *d = (struct req *)priv;
			if (!finish(h, d, rc)) {
				d->finished = true;
				got = true;
			}
		}
		if (got)
			continue;
		int wait = 1000;
		if (wake >= 0 && wake - now < wait)
			wait = wake > now ? (int)(wake - now) : 0;
		if (queued && wait > QUEUE_POLL_MS)
			wait = QUEUE_POLL_MS;
		workpool_block_begin();
		curl_multi_poll(h->m, NULL, 0, wait, NULL);
		workpool_block_end();
	}
}

const char *http_problem(const struct http_resp *r, char *buf, size_t len)
{
	if (r->err != HTTP_E_NONE)
		snprintf(buf, len, "%s", r->why);
	else if (r->status == 429 && r->retried)
		snprintf(buf, len,
		         "HTTP 429 (rate limited) again after waiting the %ld s Retry-After asked for",
		         r->retry_after >= 0 ? r->retry_after : 0);
	else if (r->status == 429 && r->retry_after > MAX_RETRY_AFTER_S)
		snprintf(buf, len, "HTTP 429 (rate limited), asked to retry after %ld s", r->retry_after);
	else if (r->status == 429)
		snprintf(buf, len, "HTTP 429 (rate limited)");
	else
		snprintf(buf, len, "HTTP %ld", r->status);
	return buf;
}
