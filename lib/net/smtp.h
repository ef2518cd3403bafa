/* SPDX-License-Identifier: ISC */
/* smtp: the SMTP wire (RFC 5321), client side and what the receive server
 * shares with it: the reply parser (a pure function, fuzzed), a connection
 * that reads and writes within deadlines, plain or after STARTTLS (RFC
 * 3207), and the probe, the scripted conversation of `--smtp`: greeting,
 * EHLO, STARTTLS, EHLO, a relay test (MAIL FROM, RCPT TO a foreign
 * domain), QUIT. Never DATA. Every reply is capped in lines and bytes, so
 * a server that talks forever costs a bounded amount of memory. */
#ifndef SA_SMTP_H
#define SA_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/names.h"
#include "tls.h"

#define SMTP_LINE_MAX        2048        /* one reply line (RFC 5321 says 512) */
#define SMTP_REPLY_MAX_LINES 200         /* lines of one reply */
#define SMTP_REPLY_MAX_BYTES (64 * 1024) /* bytes of one reply */

/* One reply: its code and the text of each line (after "250-"). */
struct smtp_reply {
	int code;
	char **lines;
	size_t n;
};
void smtp_reply_clear(struct smtp_reply *r);

enum { SMTP_PARSE_BAD = -1, SMTP_PARSE_MORE = 0, SMTP_PARSE_DONE = 1 };
/* Parses the reply at the start of buf[0..len). DONE: r is filled (free
 * it with smtp_reply_clear) and *used says how many bytes it took. MORE:
 * no whole reply yet, and what there is stays within the caps. BAD: this
 * is no SMTP reply (not three digits, codes that differ between lines, a
 * NUL byte, a line or the reply beyond the caps); why says which. Bare LF
 * ends a line as CRLF does. */
int smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *r, size_t *used, char *why,
                     size_t whylen);

/* The first word of a greeting's first line, where RFC 5321 4.3.1 puts
 * the server's name, into buf; NULL when there is none or it does not fit. */
const char *smtp_greeting_name(const struct smtp_reply *greeting, char *buf, size_t len);

/* ------------------------------------------------------------ connection */

enum smtp_err {
	SMTP_OK,
	SMTP_ETIMEOUT,  /* the deadline passed */
	SMTP_ECLOSED,   /* the peer closed the connection */
	SMTP_EBADREPLY, /* not an SMTP reply, or beyond the caps */
	SMTP_EIO,       /* a socket error */
	SMTP_ETLS,      /* the TLS handshake failed */
	SMTP_EREJECTED, /* a reply refused what the step needs */
};

struct smtp_conn; /* a socket, its TLS state and its read buffer */

/* Takes over connected non-blocking socket fd (closed by smtp_conn_free). */
struct smtp_conn *smtp_conn_new(int fd);
void smtp_conn_free(struct smtp_conn *c);

/* Reads one reply within deadline. */
enum smtp_err smtp_read_reply(struct smtp_conn *c, int64_t deadline, struct smtp_reply *r, char *why,
                              size_t whylen);
/* Sends n bytes within deadline. */
enum smtp_err smtp_send(struct smtp_conn *c, const char *s, size_t n, int64_t deadline);
/* Reads more bytes into the buffer within deadline: SMTP_OK when some
 * came, SMTP_EBADREPLY when the buffer is full. */
enum smtp_err smtp_fill(struct smtp_conn *c, int64_t deadline);
/* The buffered bytes not consumed yet, and consuming n of them. */
const char *smtp_buffered(const struct smtp_conn *c, size_t *len);
void smtp_consume(struct smtp_conn *c, size_t n);

/* Starts TLS on c (after the 220 to STARTTLS). Bytes already buffered were
 * sent before the handshake and are dropped (RFC 3207 5: a command
 * injected in clear must not run under TLS); *dropped says how many.
 * SMTP_ETIMEOUT or SMTP_ETLS with why on failure. */
enum smtp_err smtp_starttls(struct smtp_conn *c, SSL_CTX *ctx, bool server, const char *sni, int64_t deadline,
                            struct tls_facts *facts, size_t *dropped, char *why, size_t whylen);

/* ------------------------------------------------------------ probe */

/* How far a conversation got. */
enum smtp_stage {
	SMTP_STAGE_CONNECT,
	SMTP_STAGE_GREETING,
	SMTP_STAGE_EHLO,
	SMTP_STAGE_STARTTLS,
	SMTP_STAGE_HANDSHAKE,
	SMTP_STAGE_EHLO_TLS,
	SMTP_STAGE_MAIL,
	SMTP_STAGE_RCPT,
	SMTP_STAGE_DONE,
};
const char *smtp_stage_name(enum smtp_stage s);

enum smtp_connect { SMTP_CONN_OK, SMTP_CONN_REFUSED, SMTP_CONN_TIMEOUT, SMTP_CONN_ERROR };

struct smtp_probe_req {
	struct ipaddr ip;
	int port;
	int connect_ms;                    /* nothing listening within it: SMTP_CONN_TIMEOUT */
	int step_ms;                       /* each step after that: a reply, the handshake */
	int total_ms;                      /* the whole probe, both connections (0: no cap) */
	SSL_CTX *tls;                      /* a tls_client_ctx_new context; NULL: no STARTTLS */
	const char *sni;                   /* server name for TLS; NULL: the greeting's name */
	const char *relay_from, *relay_to; /* the relay test's addresses, or NULL: no relay test */
};

#define SMTP_MAX_EXT 40

struct smtp_ehlo {
	bool done;  /* EHLO (or HELO) was accepted */
	bool esmtp; /* EHLO, not the HELO fallback */
	int code;
	char *ext[SMTP_MAX_EXT]; /* the keywords with their parameters ("AUTH PLAIN LOGIN") */
	size_t n;
};
/* The extension line of keyword (case-insensitive), or NULL. */
const char *smtp_ehlo_ext(const struct smtp_ehlo *e, const char *keyword);

struct smtp_probe {
	enum smtp_connect connect;
	char connect_why[200];
	/* where the conversation stopped (SMTP_STAGE_DONE: it ran to QUIT), and why */
	enum smtp_stage stopped;
	enum smtp_err err;
	char why[300];
	int greet_code; /* 0: no greeting */
	struct smtp_reply greeting;
	struct smtp_ehlo ehlo, ehlo_tls; /* before and after STARTTLS */
	int starttls_code;               /* the reply to STARTTLS, 0 when not sent */
	char *starttls_text;
	bool tls; /* the handshake succeeded */
	bool tls_timed_out;
	char tls_why[300];  /* why the handshake failed */
	size_t tls_dropped; /* bytes the server sent before the handshake */
	struct tls_facts tls_facts;
	bool relay_tested;        /* MAIL was sent */
	bool relay_plain;         /* on a second connection, without TLS (the handshake had failed) */
	int mail_code, rcpt_code; /* 0 when not sent or not answered */
	char *mail_text, *rcpt_text;
	char **transcript; /* "C: EHLO ...", "S: 250 ..." */
	size_t transcript_n;
	long ms;
};

/* Runs the conversation with rq->ip, rq->port and records everything in p
 * (free it with smtp_probe_clear). It connects only there, QUITs, and
 * never sends DATA. */
void smtp_probe_run(const struct smtp_probe_req *rq, struct smtp_probe *p);
void smtp_probe_clear(struct smtp_probe *p);

#endif
