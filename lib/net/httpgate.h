/* SPDX-License-Identifier: ISC */
/* httpgate: limits shared by every struct http of one run (a batch runs
 * --jobs audits, each with its own struct http). Per server (scheme, host
 * and port of a URL) at most N requests are in flight at once, and a 429
 * (or a 503 with Retry-After) makes every later request to that server wait
 * for the back-off: RDAP servers rate-limit per client, not per audit.
 * Slots go first come, first served: a request that could not have one joins
 * its server's queue (a ticket) and gets a slot when it is at the head.
 * Thread-safe; nothing here blocks, so a caller never waits for a slot while
 * holding one (two audits cannot wait on each other). A caller holding a
 * ticket must keep asking (http_gate_try) or give it up (http_gate_cancel):
 * the requests behind it wait for it.
 *
 * The gate also keeps the libcurl state a run shares across audits: a share
 * handle for TLS sessions (resumed, not renegotiated, by the next audit) and
 * the connection caches of finished audits. libcurl does not support one
 * connection cache used by concurrent threads, so each struct http borrows a
 * whole multi handle (with the kept-alive connections in it) and gives it
 * back when freed: an audit reuses the connections of the one before it. */
#ifndef SA_HTTPGATE_H
#define SA_HTTPGATE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_gate;

/* per_host: requests in flight at once per server (at least 1). */
struct http_gate *http_gate_new(int per_host);
void http_gate_free(struct http_gate *g);

/* The server a URL goes to, as "scheme://host:port" in lower case (the
 * default port written out, user info dropped). -1 when url has no
 * scheme://host. */
int http_gate_key(const char *url, char *buf, size_t len);

/* Takes a slot for server key at monotonic time now_ms, without waiting.
 * *ticket is the caller's place in the queue: 0 the first time (it is then
 * queued if no slot is free), and 0 again once the slot is taken. On false,
 * *backoff_until is the end of the server's back-off (monotonic ms), or 0
 * when it is only busy. */
bool http_gate_try(struct http_gate *g, const char *key, uint64_t *ticket, int64_t now_ms,
                   int64_t *backoff_until);

/* Leaves the queue without a slot (a request that gave up); *ticket becomes
 * 0. Nothing happens for a ticket of 0. */
void http_gate_cancel(struct http_gate *g, const char *key, uint64_t *ticket);

/* Gives back a slot taken by http_gate_try. backoff_until > 0 (monotonic ms)
 * also holds back every later request to the server until then; in one step,
 * so the slot is never handed out before the back-off is in place. */
void http_gate_release(struct http_gate *g, const char *key, int64_t backoff_until);

/* curl_global_init, once per process (thread-safe). */
void http_curl_init(void);

/* The run's share handle (TLS sessions), created on first use; NULL when
 * libcurl cannot make one (the requests then go without it). */
CURLSH *http_gate_share(struct http_gate *g);

/* A multi handle some earlier struct http gave back (with its connection
 * cache), or NULL when none is idle. */
CURLM *http_gate_multi_take(struct http_gate *g);

/* Keeps m, which has no transfers left, for the next taker (or cleans it
 * up when enough are idle already). */
void http_gate_multi_give(struct http_gate *g, CURLM *m);

#endif
