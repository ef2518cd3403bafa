/* SPDX-License-Identifier: ISC */
/* smtpd: the receive server (see smtpd.h). The listener polls in short
 * slices and hands each client to a thread of its own, up to
 * sessions_max at once (more are told 421 and closed), so a client that
 * sends one byte a second holds up no one. A session reads lines through
 * the same buffered connection as the probe (lib/net/smtp), which caps
 * what it holds; DATA is stored up to msg_max and then only scanned for
 * its end. Once enough messages are in, open sessions end with 421. */
#include "smtpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../util/clock.h"
#include "../util/xalloc.h"
#include "smtp.h"
#include "tcp.h"

/* How often a waiting session looks whether the server is stopping. */
#define SLICE_MS 200
/* How long open sessions may go on once enough messages are in. */
#define GRACE_MS 2000

void smtpd_limits_default(struct smtpd_limits *l)
{
	l->cmd_max = 1000;
	l->rcpt_max = 100;
	l->msg_max = 10 * 1024 * 1024;
	l->errors_max = 20;
	l->idle_ms = 60 * 1000;
	l->session_ms = 300 * 1000;
	l->sessions_max = 8;
}

void smtpd_msg_clear(struct smtpd_msg *m)
{
	free(m->helo);
	free(m->mail_from);
	for (size_t i = 0; i < m->rcpt_count; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	free(m->data);
	memset(m, 0, sizeof *m);
}

struct session;

struct smtpd {
	int fd;
	int port;
	SSL_CTX *tls;
	char *hostname;
	struct smtpd_limits lim;
	/* while serving */
	pthread_mutex_t mu;
	atomic_bool stop;
	size_t want;
	struct smtpd_msg *msgs;
	size_t n;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	int64_t deadline;
};

struct session {
	struct smtpd *s;
	struct smtp_conn *c;
	pthread_t th;
	atomic_bool done; /* the thread has finished */
	bool used;
	struct ipaddr client;
	int client_port;
	char who[80]; /* "127.0.0.1 port 41234", for the log */
	int64_t end;  /* the session's own deadline */
	int errors;
	bool closed;       /* a 421 (or the client's QUIT) ended it */
	char outcome[400]; /* why it ended, when not by QUIT */
	/* the envelope so far */
	char *helo;
	bool esmtp;
	bool tls;
	char tls_version[16], tls_cipher[64];
	char *mail_from; /* NULL: no MAIL yet */
	char **rcpts;
	size_t rcpt_count;
	size_t received; /* messages of this session */
};

static void slog(struct smtpd *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void slog(struct smtpd *s, const char *fmt, ...)
{
	if (!s->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->mu);
	s->log(s->log_ctx, line);
	pthread_mutex_unlock(&s->mu);
	free(line);
}

struct smtpd *smtpd_new(const struct ipaddr *addr, int port, SSL_CTX *tls, const char *hostname,
                        const struct smtpd_limits *lim, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len = tcp_sockaddr(addr, port, &ss);
	int fd = socket(addr->af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (addr->af == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		snprintf(why, whylen, "cannot listen on %s%s%s port %d: %s%s",
		         addr->af == AF_INET6 ? "[" : "", addr->text, addr->af == AF_INET6 ? "]" : "", port,
		         strerror(e),
		         e == EACCES && port < 1024 ? " (ports under 1024 need root or CAP_NET_BIND_SERVICE)"
		                                    : "");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct smtpd *s = xcalloc(1, sizeof *s);
	s->fd = fd;
	s->port = port;
	if (port == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
		                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
	s->tls = tls;
	s->hostname = xstrdup(hostname);
	s->lim = *lim;
	pthread_mutex_init(&s->mu, NULL);
	return s;
}

int smtpd_port(const struct smtpd *s)
{
	return s->port;
}

void smtpd_free(struct smtpd *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->hostname);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* ------------------------------------------------------------ session */

static void reset_envelope(struct session *se)
{
	free(se->mail_from);
	se->mail_from = NULL;
	for (size_t i = 0; i < se->rcpt_count; i++)
		free(se->rcpts[i]);
	free(se->rcpts);
	se->rcpts = NULL;
	se->rcpt_count = 0;
}

static bool reply(struct session *se, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool reply(struct session *se, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *r = xvasprintf(fmt, ap);
	va_end(ap);
	int64_t now = clock_mono_ms();
	int64_t dl = now + se->s->lim.idle_ms < se->end ? now + se->s->lim.idle_ms : se->end;
	bool ok = smtp_send(se->c, r, strlen(r), dl) == SMTP_OK;
	free(r);
	if (!ok && !se->outcome[0])
		snprintf(se->outcome, sizeof se->outcome, "the client stopped reading");
	return ok;
}

/* Ends the session with a 421 and the reason. */
static void close_with(struct session *se, const char *code, const char *why)
{
	reply(se, "421 %s %s: closing the connection\r\n", code, why);
	snprintf(se->outcome, sizeof se->outcome, "%s", why);
	se->closed = true;
}

/* Waits for more bytes: false (the session is over, outcome set) when the
 * client closed, went idle, or a deadline came. */
static bool more(struct session *se)
{
	int64_t idle_end = clock_mono_ms() + se->s->lim.idle_ms;
	for (;;) {
		if (atomic_load(&se->s->stop)) {
			pthread_mutex_lock(&se->s->mu);
			bool enough = se->s->n >= se->s->want;
			pthread_mutex_unlock(&se->s->mu);
			close_with(se, "4.3.2",
			           enough ? "enough messages received" : "the receive time is over");
			return false;
		}
		int64_t now = clock_mono_ms();
		if (now >= se->end) {
			close_with(se, "4.4.2",
			           se->end == se->s->deadline ? "the receive time is over"
			                                      : "session too long");
			return false;
		}
		if (now >= idle_end) {
			close_with(se, "4.4.2", "idle too long");
			return false;
		}
		int64_t dl = now + SLICE_MS;
		enum smtp_err e = smtp_fill(se->c, dl);
		if (e == SMTP_OK)
			return true;
		if (e == SMTP_ETIMEOUT)
			continue;
		snprintf(se->outcome, sizeof se->outcome, "%s",
		         e == SMTP_ECLOSED ? "the client closed the connection" : "a network error");
		se->closed = true;
		return false;
	}
}

/* The next command line without its line end, into line; false when the
 * session is over. */
static bool read_line(struct session *se, char *line, size_t cap)
{
	for (;;) {
		size_t len;
		const char *b = smtp_buffered(se->c, &len);
		const char *nl = memchr(b, '\n', len < se->s->lim.cmd_max ? len : se->s->lim.cmd_max);
		if (nl) {
			size_t ll = (size_t)(nl - b);
			size_t tl = ll && b[ll - 1] == '\r' ? ll - 1 : ll;
			if (tl >= cap)
				tl = cap - 1;
			memcpy(line, b, tl);
			line[tl] = '\0';
			bool nul = memchr(b, '\0', ll) != NULL;
			smtp_consume(se->c, ll + 1);
			if (nul)
				line[0] = '\x01'; /* not a command: a NUL byte in it */
			return true;
		}
		if (len >= se->s->lim.cmd_max) {
			char why[80];
			snprintf(why, sizeof why, "a command line longer than %zu bytes", se->s->lim.cmd_max);
			reply(se, "500 5.5.2 Line too long\r\n");
			close_with(se, "4.7.0", why);
			return false;
		}
		if (!more(se))
			return false;
	}
}

/* A refused command: counted, and the session ends past errors_max. */
static bool refuse(struct session *se, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool refuse(struct session *se, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *r = xvasprintf(fmt, ap);
	va_end(ap);
	bool ok = reply(se, "%s\r\n", r);
	free(r);
	if (++se->errors > se->s->lim.errors_max) {
		close_with(se, "4.7.0", "too many errors");
		return false;
	}
	return ok;
}

/* The address inside "<...>" after FROM: or TO:, or NULL when malformed. */
static char *path_new(const char *arg)
{
	while (*arg == ' ')
		arg++;
	if (*arg != '<')
		return NULL;
	const char *end = strchr(arg, '>');
	if (!end || end - arg - 1 > 256)
		return NULL;
	return xstrndup(arg + 1, (size_t)(end - arg - 1));
}

static bool verb(const char *line, const char *v, const char **arg)
{
	size_t n = strlen(v);
	if (strncasecmp(line, v, n) != 0 || (line[n] && line[n] != ' '))
		return false;
	*arg = line + n;
	while (**arg == ' ')
		(*arg)++;
	return true;
}

static void store(struct session *se, char *data, size_t len)
{
	struct smtpd *s = se->s;
	struct smtpd_msg m = {0};
	m.client = se->client;
	m.client_port = se->client_port;
	m.helo = xstrdup(se->helo);
	m.esmtp = se->esmtp;
	m.tls = se->tls;
	memcpy(m.tls_version, se->tls_version, sizeof m.tls_version);
	memcpy(m.tls_cipher, se->tls_cipher, sizeof m.tls_cipher);
	m.mail_from = se->mail_from;
	m.rcpts = se->rcpts;
	m.rcpt_count = se->rcpt_count;
	se->mail_from = NULL;
	se->rcpts = NULL;
	se->rcpt_count = 0;
	m.data = data;
	m.len = len;
	clock_rfc3339(m.received_at, sizeof m.received_at);
	s->msgs[s->n++] = m;
}

/* The message being received: stored up to msg_max, counted beyond. */
struct body {
	char *v;
	size_t len, cap, max;
	bool too_big;
};

static void put(struct body *b, char ch)
{
	if (b->too_big || b->len >= b->max) {
		b->too_big = true;
		return;
	}
	if (b->len == b->cap) {
		b->cap = b->cap * 2 < b->max ? b->cap * 2 : b->max;
		b->v = xrealloc(b->v, b->cap);
	}
	b->v[b->len++] = ch;
}

/* DATA: the message up to its lone dot, unstuffed (RFC 5321 4.5.2); true
 * when the session goes on. A bare LF ends a line as CRLF does. */
static bool data(struct session *se)
{
	struct smtpd *s = se->s;
	if (!reply(se, "354 End data with <CR><LF>.<CR><LF>\r\n"))
		return false;
	struct body b = {NULL, 0, 0, s->lim.msg_max, false};
	b.cap = s->lim.msg_max < 64 * 1024 ? s->lim.msg_max : 64 * 1024;
	b.v = xmalloc(b.cap ? b.cap : 1);
	bool bol = true, done = false;
	/* after a dot at a line's start: 1, after ".\r": 2 */
	int dot = 0;
	while (!done) {
		size_t n;
		const char *buf = smtp_buffered(se->c, &n);
		size_t i = 0;
		for (; i < n && !done; i++) {
			char ch = buf[i];
			if (dot) {
				if (ch == '\n') {
					done = true;
					continue;
				}
				if (ch == '\r' && dot == 1) {
					dot = 2;
					continue;
				}
				/* a stuffed dot: it goes, what followed it stays */
				if (dot == 2)
					put(&b, '\r');
				dot = 0;
			} else if (bol && ch == '.') {
				dot = 1;
				bol = false;
				continue;
			}
			bol = ch == '\n';
			put(&b, ch);
		}
		smtp_consume(se->c, i);
		if (!done && !more(se)) {
			free(b.v);
			size_t ol = strlen(se->outcome);
			snprintf(se->outcome + ol, sizeof se->outcome - ol, " (in DATA, after %zu bytes)",
			         b.len);
			return false;
		}
	}
	char *msg = b.v;
	size_t len = b.len;
	bool too_big = b.too_big;
	bool stored = false;
	if (too_big) {
		refuse(se, "552 5.3.4 Message larger than %zu bytes", s->lim.msg_max);
	} else {
		pthread_mutex_lock(&s->mu);
		if (s->n < s->want && !atomic_load(&s->stop)) {
			se->received++;
			store(se, msg, len);
			stored = true;
		}
		pthread_mutex_unlock(&s->mu);
		if (stored) {
			msg = NULL;
			reply(se, "250 2.0.0 Accepted for the audit, not delivered\r\n");
		} else {
			reply(se, "451 4.3.2 Enough messages received\r\n");
		}
	}
	free(msg);
	reset_envelope(se);
	if (stored)
		slog(s, "%s: message received (%zu bytes)", se->who, len);
	return true;
}

static bool starttls(struct session *se, const char *arg)
{
	if (!se->s->tls)
		return refuse(se, "502 5.5.1 STARTTLS not offered");
	if (se->tls)
		return refuse(se, "503 5.5.1 TLS already active");
	if (*arg)
		return refuse(se, "501 5.5.4 No parameters allowed");
	if (!reply(se, "220 2.0.0 Ready to start TLS\r\n"))
		return false;
	struct tls_facts f = {0};
	size_t dropped;
	char why[300];
	int64_t now = clock_mono_ms();
	int64_t dl = now + se->s->lim.idle_ms < se->end ? now + se->s->lim.idle_ms : se->end;
	enum smtp_err e = smtp_starttls(se->c, se->s->tls, true, NULL, dl, &f, &dropped, why, sizeof why);
	if (e != SMTP_OK) {
		snprintf(se->outcome, sizeof se->outcome, "%s", why);
		se->closed = true;
		tls_facts_clear(&f);
		return false;
	}
	se->tls = true;
	memcpy(se->tls_version, f.version, sizeof se->tls_version);
	memcpy(se->tls_cipher, f.cipher, sizeof se->tls_cipher);
	tls_facts_clear(&f);
	/* RFC 3207 4.2: the client starts over */
	free(se->helo);
	se->helo = NULL;
	reset_envelope(se);
	return true;
}

static bool ehlo(struct session *se, const char *arg, bool extended)
{
	struct smtpd *s = se->s;
	if (!*arg || strlen(arg) > 255)
		return refuse(se, "501 5.5.4 %s needs the client's name", extended ? "EHLO" : "HELO");
	free(se->helo);
	se->helo = xstrndup(arg, strcspn(arg, " "));
	se->esmtp = extended;
	reset_envelope(se);
	if (!extended)
		return reply(se, "250 %s\r\n", s->hostname);
	return reply(
	    se, "250-%s\r\n250-PIPELINING\r\n250-SIZE %zu\r\n250-8BITMIME\r\n%s250 ENHANCEDSTATUSCODES\r\n",
	    s->hostname, s->lim.msg_max, s->tls && !se->tls ? "250-STARTTLS\r\n" : "");
}

static bool mail(struct session *se, const char *arg)
{
	if (!se->helo)
		return refuse(se, "503 5.5.1 Say EHLO first");
	if (se->mail_from)
		return refuse(se, "503 5.5.1 MAIL already given");
	if (strncasecmp(arg, "FROM:", 5) != 0)
		return refuse(se, "501 5.5.4 Syntax: MAIL FROM:<address>");
	char *p = path_new(arg + 5);
	if (!p)
		return refuse(se, "501 5.1.7 Bad sender address syntax");
	const char *size = strcasestr(arg, " SIZE=");
	if (size && strtoull(size + 6, NULL, 10) > se->s->lim.msg_max) {
		free(p);
		return refuse(se, "552 5.3.4 Message larger than %zu bytes", se->s->lim.msg_max);
	}
	se->mail_from = p;
	return reply(se, "250 2.1.0 Ok\r\n");
}

static bool rcpt(struct session *se, const char *arg)
{
	if (!se->mail_from)
		return refuse(se, "503 5.5.1 Need MAIL first");
	if (strncasecmp(arg, "TO:", 3) != 0)
		return refuse(se, "501 5.5.4 Syntax: RCPT TO:<address>");
	char *p = path_new(arg + 3);
	if (!p || !*p) {
		free(p);
		return refuse(se, "501 5.1.3 Bad recipient address syntax");
	}
	if (se->rcpt_count >= se->s->lim.rcpt_max) {
		free(p);
		return refuse(se, "452 4.5.3 Too many recipients");
	}
	se->rcpts = xrealloc(se->rcpts, (se->rcpt_count + 1) * sizeof *se->rcpts);
	se->rcpts[se->rcpt_count++] = p;
	/* a sink, not a relay: accepted here, delivered nowhere */
	return reply(se, "250 2.1.5 Ok (audited, not delivered)\r\n");
}

static bool command(struct session *se, const char *line)
{
	const char *arg;
	if (verb(line, "EHLO", &arg))
		return ehlo(se, arg, true);
	if (verb(line, "HELO", &arg))
		return ehlo(se, arg, false);
	if (verb(line, "STARTTLS", &arg))
		return starttls(se, arg);
	if (verb(line, "MAIL", &arg))
		return mail(se, arg);
	if (verb(line, "RCPT", &arg))
		return rcpt(se, arg);
	if (verb(line, "DATA", &arg)) {
		if (!se->rcpt_count)
			return refuse(se, "503 5.5.1 Need RCPT first");
		return data(se);
	}
	if (verb(line, "RSET", &arg)) {
		reset_envelope(se);
		return reply(se, "250 2.0.0 Ok\r\n");
	}
	if (verb(line, "NOOP", &arg))
		return reply(se, "250 2.0.0 Ok\r\n");
	if (verb(line, "VRFY", &arg))
		return reply(se, "252 2.1.5 Cannot verify, send some mail\r\n");
	if (verb(line, "QUIT", &arg)) {
		reply(se, "221 2.0.0 Bye\r\n");
		se->closed = true;
		return false;
	}
	return refuse(se, "500 5.5.2 Command not recognized");
}

static void *session_main(void *arg)
{
	struct session *se = arg;
	struct smtpd *s = se->s;
	if (reply(se, "220 %s ESMTP senderaudit receive: messages are audited, never relayed\r\n",
	          s->hostname)) {
		char line[1024];
		while (read_line(se, line, sizeof line) && command(se, line))
			;
	}
	if (!se->outcome[0])
		snprintf(se->outcome, sizeof se->outcome, "%s", se->closed ? "QUIT" : "closed");
	if (strcmp(se->outcome, "QUIT") != 0 || !se->received)
		slog(s, "%s: session ended: %s (%zu message%s, %d refused command%s)", se->who, se->outcome,
		     se->received, se->received == 1 ? "" : "s", se->errors, se->errors == 1 ? "" : "s");
	smtp_conn_free(se->c);
	se->c = NULL;
	free(se->helo);
	se->helo = NULL;
	reset_envelope(se);
	atomic_store(&se->done, true);
	return NULL;
}

/* ------------------------------------------------------------ listener */

static void peer(const struct sockaddr_storage *ss, struct session *se)
{
	char text[INET6_ADDRSTRLEN] = "?", why[80];
	const void *raw = ss->ss_family == AF_INET6
	                      ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
	                      : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	inet_ntop(ss->ss_family, raw, text, sizeof text);
	ip_parse(text, &se->client, why, sizeof why);
	se->client_port = ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
	                                                  : ((const struct sockaddr_in *)ss)->sin_port);
	snprintf(se->who, sizeof se->who, "%s port %d", se->client.text, se->client_port);
}

size_t smtpd_serve(struct smtpd *s, size_t count, int64_t deadline, struct smtpd_msg **msgs,
                   void (*log)(void *ctx, const char *line), void *ctx)
{
	s->want = count;
	s->msgs = xcalloc(count ? count : 1, sizeof *s->msgs);
	s->n = 0;
	s->log = log;
	s->log_ctx = ctx;
	s->deadline = deadline;
	atomic_store(&s->stop, false);
	size_t nslots = (size_t)(s->lim.sessions_max > 0 ? s->lim.sessions_max : 1);
	struct session *slots = xcalloc(nslots, sizeof *slots);
	for (;;) {
		pthread_mutex_lock(&s->mu);
		bool enough = s->n >= s->want;
		pthread_mutex_unlock(&s->mu);
		if (enough || clock_mono_ms() >= deadline)
			break;
		for (size_t i = 0; i < nslots; i++)
			if (slots[i].used && atomic_load(&slots[i].done)) {
				pthread_join(slots[i].th, NULL);
				slots[i].used = false;
			}
		struct pollfd p = {s->fd, POLLIN, 0};
		int wait = tcp_remaining(deadline);
		if (poll(&p, 1, wait < SLICE_MS ? wait : SLICE_MS) != 1)
			continue;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(s->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct session *se = NULL;
		for (size_t i = 0; i < nslots && !se; i++)
			if (!slots[i].used)
				se = &slots[i];
		if (!se) {
			static const char busy[] = "421 4.3.2 Too many connections, try again later\r\n";
			if (send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0; /* the client is gone: nothing to tell */
			close(fd);
			continue;
		}
		memset(se, 0, sizeof *se);
		se->s = s;
		se->c = smtp_conn_new(fd);
		peer(&ss, se);
		int64_t now = clock_mono_ms();
		se->end = now + s->lim.session_ms < deadline ? now + s->lim.session_ms : deadline;
		se->used = true;
		if (pthread_create(&se->th, NULL, session_main, se) != 0) {
			smtp_conn_free(se->c);
			se->used = false;
		}
	}
	/* Sessions get a moment to end on their own (the last client's QUIT)
	 * before they are closed. */
	int64_t grace = clock_mono_ms() + GRACE_MS;
	for (bool open = true; open && clock_mono_ms() < grace;) {
		open = false;
		for (size_t i = 0; i < nslots; i++)
			open |= slots[i].used && !atomic_load(&slots[i].done);
		if (open)
			poll(NULL, 0, 20);
	}
	atomic_store(&s->stop, true);
	for (size_t i = 0; i < nslots; i++)
		if (slots[i].used)
			pthread_join(slots[i].th, NULL);
	free(slots);
	*msgs = s->msgs;
	size_t n = s->n;
	s->msgs = NULL;
	s->n = 0;
	return n;
}
