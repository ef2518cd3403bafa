/* SPDX-License-Identifier: ISC */
/* smtpd: the small SMTP server of `senderaudit receive`. It accepts
 * messages to audit and records what only the wire shows (the client's
 * address, its HELO name, STARTTLS and the TLS version and cipher, MAIL
 * FROM); it never relays and never delivers: a message stays in memory,
 * for its caller. Every client is held to hard limits (command line,
 * recipients, message size, errors, idle time, session time), so a
 * hostile one costs bounded time and memory and ends with a reason. */
#ifndef SA_SMTPD_H
#define SA_SMTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/names.h"
#include "tls.h"

struct smtpd_limits {
	size_t cmd_max;   /* one command line, CRLF included */
	size_t rcpt_max;  /* recipients of one message */
	size_t msg_max;   /* bytes of one message */
	int errors_max;   /* refused commands before the session ends */
	int idle_ms;      /* waiting for the client's next bytes */
	int session_ms;   /* one client's whole session */
	int sessions_max; /* clients served at once */
};
/* RFC 5321's minimums where it has them (4.5.3.1: 512-byte command lines,
 * taken as 1000; 100 recipients), 10 MiB messages, 20 errors, a minute
 * idle, five minutes a session, 8 clients at once. */
void smtpd_limits_default(struct smtpd_limits *l);

/* One message and the session it came in. */
struct smtpd_msg {
	struct ipaddr client;
	int client_port;
	char *helo; /* the EHLO/HELO argument as sent */
	bool esmtp; /* EHLO, not HELO */
	bool tls;   /* sent after STARTTLS */
	char tls_version[16], tls_cipher[64];
	char *mail_from; /* the reverse-path without <> ("" for the null sender) */
	char **rcpts;
	size_t rcpt_count;
	char *data; /* the message: dot-unstuffed, line ends as sent */
	size_t len;
	char received_at[32]; /* RFC 3339 UTC */
};
void smtpd_msg_clear(struct smtpd_msg *m);

struct smtpd;

/* Listens on addr:port. tls (a tls_server_ctx_new context, owned by the
 * caller, may be NULL) makes it offer STARTTLS. NULL with a reason in why
 * when the socket cannot be bound. */
struct smtpd *smtpd_new(const struct ipaddr *addr, int port, SSL_CTX *tls, const char *hostname,
                        const struct smtpd_limits *lim, char *why, size_t whylen);
/* The port bound (for port 0). */
int smtpd_port(const struct smtpd *s);

/* Serves clients until count messages were received or deadline (a
 * clock_mono_ms() time) passes; sessions still open then are closed with
 * 421. log(ctx, line) gets one line per session outcome (from several
 * threads, never at once). Returns the messages received (at most count)
 * in *msgs, which the caller frees (smtpd_msg_clear each, then free). */
size_t smtpd_serve(struct smtpd *s, size_t count, int64_t deadline, struct smtpd_msg **msgs,
                   void (*log)(void *ctx, const char *line), void *ctx);
void smtpd_free(struct smtpd *s);

#endif
