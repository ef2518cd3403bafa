/* SPDX-License-Identifier: ISC */
/* http: all HTTP traffic (libcurl multi interface). GET requests run
 * concurrently; each has a connect timeout and a total budget, a body size
 * cap, at most 5 redirects (https only unless allow_http; followed hop by
 * hop, each host resolved by the caller's resolver; none with
 * no_redirects), and honours one
 * Retry-After on 429/503. One struct http per thread; a struct http_gate
 * (httpgate.h) shared by all of them limits each server's load. */
#ifndef SA_HTTP_H
#define SA_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct resolver;

struct http_gate;

struct http_opts {
	long connect_timeout_ms;
	long total_timeout_ms; /* one try, redirects included */
	size_t max_body;       /* larger bodies are an error */
	bool allow_http;       /* plain http (and http redirects): only for a
	                        * user-named http URL such as a loopback test server */
	const char *accept;    /* Accept header, or NULL */
	bool no_redirects;     /* a 3xx is the response, not followed (MTA-STS:
	                        * RFC 8461 3.3 forbids following redirects) */
	/* Shared per-server limits, or NULL for none. Time queued for a slot
	 * counts against total_timeout_ms. */
	struct http_gate *gate;
	/* Resolves every host a request goes to, redirects included; NULL:
	 * libcurl resolves by itself (the system's resolver). */
	const struct resolver *resolver;
};

enum http_err {
	HTTP_E_NONE, /* a response came (any HTTP status) */
	HTTP_E_TIMEOUT,
	HTTP_E_CONNECT, /* no connection (refused, unreachable, DNS) */
	HTTP_E_TOO_BIG,
	HTTP_E_REDIRECT,  /* too many redirects, or one to a forbidden scheme */
	HTTP_E_TRUNCATED, /* the connection closed before the whole body */
	HTTP_E_TLS,
	HTTP_E_OTHER,
};

struct http_resp {
	char *url;           /* as requested */
	char *effective_url; /* after redirects */
	long status;         /* HTTP status; 0 when there was no response */
	char *body;          /* NUL-terminated for convenience */
	size_t len;
	char *content_type; /* the Content-Type header of the response, or NULL */
	long redirects;
	bool retried;     /* a Retry-After was honoured */
	long retry_after; /* seconds asked by the last response, -1 if none */
	enum http_err err;
	char why[256]; /* for err != HTTP_E_NONE */
	void *user;
};

struct http;

/* NULL when libcurl cannot start (out of memory). */
struct http *http_new(const struct http_opts *o);
/* Frees h and every response it returned. */
void http_free(struct http *h);

/* Starts a GET of url; the response belongs to h. */
struct http_resp *http_get(struct http *h, const char *url, void *user);

/* Waits for the next finished request and returns it; NULL when nothing
 * is left in flight. */
struct http_resp *http_next(struct http *h);

/* "HTTP 404", "timed out after 2000 ms", ...: why a response is not a 200
 * (a short phrase for reports). buf gets the text. */
const char *http_problem(const struct http_resp *r, char *buf, size_t len);

#endif
