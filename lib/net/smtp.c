/* SPDX-License-Identifier: ISC */
/* smtp: the SMTP wire (see smtp.h). The reply parser decides on whole
 * lines only and never allocates before a reply is complete, so it can be
 * fed a growing buffer again and again; the connection keeps one fixed
 * buffer of SMTP_REPLY_MAX_BYTES, which bounds what a server can make us
 * hold. The probe follows RFC 5321's order and stops at the first step
 * that fails, recording where and why: the checks tell "nothing
 * listening" from "it stopped answering". */
#include "smtp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../proc/workpool.h"
#include "../util/clock.h"
#include "../util/xalloc.h"
#include "tcp.h"

/* ------------------------------------------------------------ parser */

void smtp_reply_clear(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof *r);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *r, size_t *used, char *why,
                     size_t whylen)
{
	memset(r, 0, sizeof *r);
	size_t pos = 0, lines = 0;
	int code = 0;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		if (ll > SMTP_LINE_MAX) {
			snprintf(why, whylen, "a reply line longer than %d bytes", SMTP_LINE_MAX);
			return SMTP_PARSE_BAD;
		}
		if (pos + ll > SMTP_REPLY_MAX_BYTES) {
			snprintf(why, whylen, "a reply longer than %d bytes", SMTP_REPLY_MAX_BYTES);
			return SMTP_PARSE_BAD;
		}
		const char *l = buf + pos;
		/* A partial line is judged as far as it goes: garbage is
		 * garbage before its end arrives. */
		size_t have = ll < 4 ? ll : 4;
		for (size_t i = 0; i < have && i < 3; i++)
			if (!is_digit(l[i]) || (i == 0 && (l[0] < '2' || l[0] > '5'))) {
				snprintf(why, whylen, "not an SMTP reply (a line starts with \"%.*s\")",
				         (int)have, l);
				return SMTP_PARSE_BAD;
			}
		if (!nl)
			return SMTP_PARSE_MORE;
		if (ll && l[ll - 1] == '\r')
			ll--;
		if (ll < 3 || (ll > 3 && l[3] != '-' && l[3] != ' ')) {
			snprintf(why, whylen, "not an SMTP reply (a line reads \"%.*s\")",
			         (int)(ll < 20 ? ll : 20), l);
			return SMTP_PARSE_BAD;
		}
		if (memchr(l, '\0', ll)) {
			snprintf(why, whylen, "a NUL byte in a reply");
			return SMTP_PARSE_BAD;
		}
		int c = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		if (lines && c != code) {
			snprintf(why, whylen, "the lines of one reply have different codes (%d, then %d)",
			         code, c);
			return SMTP_PARSE_BAD;
		}
		code = c;
		if (++lines > SMTP_REPLY_MAX_LINES) {
			snprintf(why, whylen, "a reply of more than %d lines", SMTP_REPLY_MAX_LINES);
			return SMTP_PARSE_BAD;
		}
		pos = (size_t)(nl - buf) + 1;
		if (ll == 3 || l[3] == ' ')
			break;
	}
	/* A whole reply: copy its lines out. */
	r->code = code;
	r->lines = xcalloc(lines, sizeof *r->lines);
	for (size_t p = 0; r->n < lines;) {
		const char *nl = memchr(buf + p, '\n', pos - p);
		size_t ll = (size_t)(nl - (buf + p));
		size_t tl = ll && buf[p + ll - 1] == '\r' ? ll - 1 : ll;
		r->lines[r->n++] = tl > 4 ? xstrndup(buf + p + 4, tl - 4) : xstrdup("");
		p += ll + 1;
	}
	*used = pos;
	return SMTP_PARSE_DONE;
}

/* ------------------------------------------------------------ connection */

struct smtp_conn {
	int fd;
	SSL *ssl;
	size_t len;
	char buf[SMTP_REPLY_MAX_BYTES + 1];
};

struct smtp_conn *smtp_conn_new(int fd)
{
	struct smtp_conn *c = xmalloc(sizeof *c);
	c->fd = fd;
	c->ssl = NULL;
	c->len = 0;
	return c;
}

void smtp_conn_free(struct smtp_conn *c)
{
	if (!c)
		return;
	tls_close(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

const char *smtp_buffered(const struct smtp_conn *c, size_t *len)
{
	*len = c->len;
	return c->buf;
}

void smtp_consume(struct smtp_conn *c, size_t n)
{
	if (n > c->len)
		n = c->len;
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

enum smtp_err smtp_fill(struct smtp_conn *c, int64_t deadline)
{
	size_t room = sizeof c->buf - 1 - c->len;
	if (!room)
		return SMTP_EBADREPLY;
	ssize_t n;
	if (c->ssl) {
		n = tls_read(c->ssl, c->fd, c->buf + c->len, room, deadline);
		if (n == -2)
			return SMTP_ETIMEOUT;
	} else {
		for (;;) {
			n = recv(c->fd, c->buf + c->len, room, 0);
			if (n >= 0 || (errno != EAGAIN && errno != EINTR))
				break;
			struct pollfd p = {c->fd, POLLIN, 0};
			int pr = workpool_poll(&p, 1, tcp_remaining(deadline));
			if (pr == 0)
				return SMTP_ETIMEOUT;
			if (pr < 0 && errno != EINTR)
				return SMTP_EIO;
		}
	}
	if (n == 0)
		return SMTP_ECLOSED;
	if (n < 0)
		return errno == ECONNRESET ? SMTP_ECLOSED : SMTP_EIO;
	c->len += (size_t)n;
	return SMTP_OK;
}

enum smtp_err smtp_read_reply(struct smtp_conn *c, int64_t deadline, struct smtp_reply *r, char *why,
                              size_t whylen)
{
	for (;;) {
		size_t used = 0;
		int rc = smtp_reply_parse(c->buf, c->len, r, &used, why, whylen);
		if (rc == SMTP_PARSE_DONE) {
			smtp_consume(c, used);
			return SMTP_OK;
		}
		if (rc == SMTP_PARSE_BAD)
			return SMTP_EBADREPLY;
		enum smtp_err e = smtp_fill(c, deadline);
		if (e == SMTP_EBADREPLY)
			snprintf(why, whylen, "a reply longer than %d bytes", SMTP_REPLY_MAX_BYTES);
		else if (e == SMTP_ETIMEOUT)
			snprintf(why, whylen, "no %sreply before the time limit", c->len ? "complete " : "");
		else if (e == SMTP_ECLOSED)
			snprintf(why, whylen, "the server closed the connection");
		else if (e != SMTP_OK)
			snprintf(why, whylen, "reading from the server: %s", strerror(errno));
		if (e != SMTP_OK)
			return e;
	}
}

enum smtp_err smtp_send(struct smtp_conn *c, const char *s, size_t n, int64_t deadline)
{
	if (c->ssl) {
		int rc = tls_write(c->ssl, c->fd, s, n, deadline);
		return rc == 0 ? SMTP_OK : rc == -2 ? SMTP_ETIMEOUT : SMTP_EIO;
	}
	while (n) {
		ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return errno == EPIPE || errno == ECONNRESET ? SMTP_ECLOSED : SMTP_EIO;
		struct pollfd p = {c->fd, POLLOUT, 0};
		if (workpool_poll(&p, 1, tcp_remaining(deadline)) == 0)
			return SMTP_ETIMEOUT;
	}
	return SMTP_OK;
}

enum smtp_err smtp_starttls(struct smtp_conn *c, SSL_CTX *ctx, bool server, const char *sni, int64_t deadline,
                            struct tls_facts *facts, size_t *dropped, char *why, size_t whylen)
{
	*dropped = c->len;
	c->len = 0;
	bool timed_out;
	c->ssl = tls_handshake(ctx, c->fd, server, sni, deadline, facts, &timed_out, why, whylen);
	if (c->ssl)
		return SMTP_OK;
	return timed_out ? SMTP_ETIMEOUT : SMTP_ETLS;
}

/* ------------------------------------------------------------ probe */

const char *smtp_stage_name(enum smtp_stage s)
{
	static const char *const names[] = {"connect",  "greeting",      "EHLO",
	                                    "STARTTLS", "TLS handshake", "EHLO after STARTTLS",
	                                    "MAIL",     "RCPT",          "done"};
	return s <= SMTP_STAGE_DONE ? names[s] : "?";
}

const char *smtp_ehlo_ext(const struct smtp_ehlo *e, const char *keyword)
{
	size_t kl = strlen(keyword);
	for (size_t i = 0; i < e->n; i++)
		if (strncasecmp(e->ext[i], keyword, kl) == 0 &&
		    (e->ext[i][kl] == '\0' || e->ext[i][kl] == ' ' || e->ext[i][kl] == '='))
			return e->ext[i];
	return NULL;
}

static void ehlo_clear(struct smtp_ehlo *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->ext[i]);
	memset(e, 0, sizeof *e);
}

void smtp_probe_clear(struct smtp_probe *p)
{
	smtp_reply_clear(&p->greeting);
	ehlo_clear(&p->ehlo);
	ehlo_clear(&p->ehlo_tls);
	free(p->starttls_text);
	free(p->mail_text);
	free(p->rcpt_text);
	tls_facts_clear(&p->tls_facts);
	for (size_t i = 0; i < p->transcript_n; i++)
		free(p->transcript[i]);
	free(p->transcript);
	memset(p, 0, sizeof *p);
}

#define TRANSCRIPT_MAX 40

/* One conversation in progress. */
struct talk {
	const struct smtp_probe_req *rq;
	struct smtp_probe *p;
	struct smtp_conn *c;
	char helo[64]; /* our EHLO argument: the address literal we connect from */
	int64_t end;   /* the whole probe's budget ends (monotonic ms), or 0 */
};

static void note(struct smtp_probe *p, const char *dir, const char *text, size_t more)
{
	if (p->transcript_n == TRANSCRIPT_MAX)
		return;
	p->transcript = xrealloc(p->transcript, (p->transcript_n + 1) * sizeof *p->transcript);
	char *t =
	    more ? xasprintf("%s: %.200s (+%zu lines)", dir, text, more) : xasprintf("%s: %.200s", dir, text);
	p->transcript[p->transcript_n++] = t;
}

static void note_reply(struct smtp_probe *p, const struct smtp_reply *r)
{
	char *first = xasprintf("%d %s", r->code, r->n ? r->lines[0] : "");
	note(p, "S", first, r->n > 1 ? r->n - 1 : 0);
	free(first);
}

static void stop(struct talk *t, enum smtp_stage st, enum smtp_err e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void stop(struct talk *t, enum smtp_stage st, enum smtp_err e, const char *fmt, ...)
{
	t->p->stopped = st;
	t->p->err = e;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->p->why, sizeof t->p->why, fmt, ap);
	va_end(ap);
}

/* A step's deadline: its own budget, within the whole probe's (a tarpit
 * that answers each step just in time cannot hold the audit for long). */
static int64_t step_deadline(const struct talk *t)
{
	int64_t dl = clock_mono_ms() + t->rq->step_ms;
	return t->end && t->end < dl ? t->end : dl;
}

/* Sends a command and reads its reply; false (the conversation stops at
 * st) when either fails. */
static bool command(struct talk *t, enum smtp_stage st, const char *cmd, struct smtp_reply *r)
{
	char line[600];
	snprintf(line, sizeof line, "%s\r\n", cmd);
	note(t->p, "C", cmd, 0);
	int64_t dl = step_deadline(t);
	enum smtp_err e = smtp_send(t->c, line, strlen(line), dl);
	char why[200];
	if (e != SMTP_OK) {
		stop(t, st, e, "sending %s: the connection failed", cmd);
		return false;
	}
	e = smtp_read_reply(t->c, dl, r, why, sizeof why);
	if (e != SMTP_OK) {
		stop(t, st, e, "%s", why);
		return false;
	}
	note_reply(t->p, r);
	return true;
}

static void take_ehlo(struct smtp_ehlo *e, const struct smtp_reply *r, bool esmtp)
{
	e->done = true;
	e->esmtp = esmtp;
	e->code = r->code;
	/* the first line is the server's name; the others its extensions */
	for (size_t i = 1; i < r->n && e->n < SMTP_MAX_EXT; i++)
		e->ext[e->n++] = xstrndup(r->lines[i], strnlen(r->lines[i], 200));
}

/* EHLO, or HELO when EHLO is refused (RFC 5321 4.1.4). */
static bool greet(struct talk *t, enum smtp_stage st, struct smtp_ehlo *e)
{
	char cmd[80];
	struct smtp_reply r;
	snprintf(cmd, sizeof cmd, "EHLO %s", t->helo);
	if (!command(t, st, cmd, &r))
		return false;
	if (r.code / 100 == 2) {
		take_ehlo(e, &r, true);
		smtp_reply_clear(&r);
		return true;
	}
	int code = r.code;
	smtp_reply_clear(&r);
	if (code == 421 || st == SMTP_STAGE_EHLO_TLS)
		goto refused;
	snprintf(cmd, sizeof cmd, "HELO %s", t->helo);
	if (!command(t, st, cmd, &r))
		return false;
	code = r.code;
	if (code / 100 == 2)
		take_ehlo(e, &r, false);
	smtp_reply_clear(&r);
	if (code / 100 == 2)
		return true;
refused:
	stop(t, st, SMTP_EREJECTED, "the server refused %s (%d)",
	     st == SMTP_STAGE_EHLO ? "EHLO and HELO" : "EHLO", code);
	return false;
}

static char *reply_text_new(const struct smtp_reply *r)
{
	return xasprintf("%d %s", r->code, r->n ? r->lines[0] : "");
}

/* MAIL FROM and RCPT TO a foreign domain; RSET after. */
static bool relay_test(struct talk *t)
{
	struct smtp_probe *p = t->p;
	char cmd[600];
	struct smtp_reply r;
	p->relay_tested = true;
	snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", t->rq->relay_from);
	if (!command(t, SMTP_STAGE_MAIL, cmd, &r))
		return false;
	p->mail_code = r.code;
	p->mail_text = reply_text_new(&r);
	smtp_reply_clear(&r);
	if (p->mail_code / 100 != 2)
		return true;
	snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", t->rq->relay_to);
	if (!command(t, SMTP_STAGE_RCPT, cmd, &r))
		return false;
	p->rcpt_code = r.code;
	p->rcpt_text = reply_text_new(&r);
	smtp_reply_clear(&r);
	/* whatever RSET says, the test is over */
	int64_t dl = step_deadline(t);
	char why[200];
	note(p, "C", "RSET", 0);
	if (smtp_send(t->c, "RSET\r\n", 6, dl) == SMTP_OK &&
	    smtp_read_reply(t->c, dl, &r, why, sizeof why) == SMTP_OK) {
		note_reply(p, &r);
		smtp_reply_clear(&r);
	}
	return true;
}

/* QUIT, waiting briefly for its 221: the verdicts are in already. */
static void quit(struct talk *t)
{
	int64_t dl = clock_mono_ms() + (t->rq->step_ms < 2000 ? t->rq->step_ms : 2000);
	if (t->end && t->end < dl)
		dl = t->end;
	note(t->p, "C", "QUIT", 0);
	if (smtp_send(t->c, "QUIT\r\n", 6, dl) == SMTP_OK) {
		struct smtp_reply r;
		char why[200];
		if (smtp_read_reply(t->c, dl, &r, why, sizeof why) == SMTP_OK) {
			note_reply(t->p, &r);
			smtp_reply_clear(&r);
		}
	}
}

static bool open_conn(struct talk *t)
{
	const struct smtp_probe_req *rq = t->rq;
	struct smtp_probe *p = t->p;
	int fd = tcp_connect_ip(&rq->ip, rq->port, clock_mono_ms() + rq->connect_ms);
	if (fd < 0) {
		int e = errno;
		p->connect = e == ECONNREFUSED ? SMTP_CONN_REFUSED
		             : e == ETIMEDOUT  ? SMTP_CONN_TIMEOUT
		                               : SMTP_CONN_ERROR;
		if (e == ETIMEDOUT)
			snprintf(p->connect_why, sizeof p->connect_why, "no answer on port %d within %d ms",
			         rq->port, rq->connect_ms);
		else
			snprintf(p->connect_why, sizeof p->connect_why, "port %d: %s", rq->port, strerror(e));
		stop(t, SMTP_STAGE_CONNECT, SMTP_EIO, "%s", p->connect_why);
		return false;
	}
	p->connect = SMTP_CONN_OK;
	t->c = smtp_conn_new(fd);
	/* our EHLO name: the address we connect from, as a literal (RFC 5321
	 * 4.1.3), since this host may have no name of its own in the DNS */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char a[INET6_ADDRSTRLEN] = "127.0.0.1";
	bool v6 = false;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		struct ipaddr ip;
		char w[80];
		v6 = ss.ss_family == AF_INET6;
		const void *raw = v6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
		                     : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
		if (inet_ntop(ss.ss_family, raw, a, sizeof a) && ip_parse(a, &ip, w, sizeof w) == 0) {
			v6 = ip.af == AF_INET6;
			snprintf(a, sizeof a, "%s", ip.text);
		}
	}
	snprintf(t->helo, sizeof t->helo, "[%s%s]", v6 ? "IPv6:" : "", a);
	return true;
}

/* The greeting: true for a 220. */
static bool read_greeting(struct talk *t)
{
	struct smtp_probe *p = t->p;
	char why[200];
	enum smtp_err e = smtp_read_reply(t->c, step_deadline(t), &p->greeting, why, sizeof why);
	if (e != SMTP_OK) {
		stop(t, SMTP_STAGE_GREETING, e, "%s", why);
		return false;
	}
	note_reply(p, &p->greeting);
	p->greet_code = p->greeting.code;
	if (p->greet_code != 220) {
		stop(t, SMTP_STAGE_GREETING, SMTP_EREJECTED, "the server greets with %d, not 220",
		     p->greet_code);
		return false;
	}
	return true;
}

const char *smtp_greeting_name(const struct smtp_reply *greeting, char *buf, size_t len)
{
	if (!greeting->n)
		return NULL;
	const char *s = greeting->lines[0];
	size_t n = strcspn(s, " \t");
	if (!n || n >= len)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* STARTTLS and the EHLO after it. False when the connection is unusable. */
static bool start_tls(struct talk *t)
{
	struct smtp_probe *p = t->p;
	struct smtp_reply r;
	if (!command(t, SMTP_STAGE_STARTTLS, "STARTTLS", &r))
		return false;
	p->starttls_code = r.code;
	p->starttls_text = reply_text_new(&r);
	smtp_reply_clear(&r);
	if (p->starttls_code != 220)
		return true; /* refused: the session goes on in clear */
	char nb[256];
	const char *sni = t->rq->sni ? t->rq->sni : smtp_greeting_name(&p->greeting, nb, sizeof nb);
	char why[300];
	enum smtp_err e = smtp_starttls(t->c, t->rq->tls, false, sni, step_deadline(t), &p->tls_facts,
	                                &p->tls_dropped, why, sizeof why);
	if (e != SMTP_OK) {
		p->tls_timed_out = e == SMTP_ETIMEOUT;
		snprintf(p->tls_why, sizeof p->tls_why, "%s", why);
		note(p, "-", why, 0);
		stop(t, SMTP_STAGE_HANDSHAKE, e, "%s", why);
		return false;
	}
	p->tls = true;
	char *n = xasprintf("TLS: %s %s", p->tls_facts.version, p->tls_facts.cipher);
	note(p, "-", n, 0);
	free(n);
	return greet(t, SMTP_STAGE_EHLO_TLS, &p->ehlo_tls);
}

/* One conversation; with_tls false skips STARTTLS. */
static void converse(struct talk *t, bool with_tls)
{
	struct smtp_probe *p = t->p;
	if (!open_conn(t))
		return;
	if (!read_greeting(t)) {
		if (p->err == SMTP_EREJECTED)
			quit(t);
		return;
	}
	if (!greet(t, SMTP_STAGE_EHLO, &p->ehlo))
		return;
	if (with_tls && t->rq->tls && p->ehlo.esmtp && smtp_ehlo_ext(&p->ehlo, "STARTTLS") && !start_tls(t))
		return;
	if (t->rq->relay_from && t->rq->relay_to && !relay_test(t))
		return;
	quit(t);
	p->stopped = SMTP_STAGE_DONE;
	p->err = SMTP_OK;
	p->why[0] = '\0';
}

void smtp_probe_run(const struct smtp_probe_req *rq, struct smtp_probe *p)
{
	memset(p, 0, sizeof *p);
	int64_t t0 = clock_mono_ms();
	int64_t end = rq->total_ms > 0 ? clock_mono_ms() + rq->total_ms : 0;
	struct talk t = {rq, p, NULL, "", end};
	converse(&t, true);
	smtp_conn_free(t.c);
	if (p->stopped == SMTP_STAGE_HANDSHAKE && p->err == SMTP_ETLS && rq->relay_from) {
		/* The failed handshake left nothing to talk over: the relay
		 * test needs a second connection, in clear. */
		struct smtp_probe again;
		memset(&again, 0, sizeof again);
		struct talk t2 = {rq, &again, NULL, "", end};
		converse(&t2, false);
		smtp_conn_free(t2.c);
		note(p, "-", "a second connection, without STARTTLS, for the relay test", 0);
		for (size_t i = 0; i < again.transcript_n; i++)
			note(p, again.transcript[i][0] == 'C' ? "C" : "S", again.transcript[i] + 3, 0);
		p->relay_plain = true;
		p->relay_tested = again.relay_tested;
		p->mail_code = again.mail_code;
		p->rcpt_code = again.rcpt_code;
		p->mail_text = again.mail_text;
		p->rcpt_text = again.rcpt_text;
		again.mail_text = again.rcpt_text = NULL;
		if (again.stopped != SMTP_STAGE_DONE && again.stopped >= SMTP_STAGE_MAIL) {
			/* the relay test itself stopped: say why */
			p->stopped = again.stopped;
			p->err = again.err;
			snprintf(p->why, sizeof p->why, "%s", again.why);
		}
		smtp_probe_clear(&again);
	}
	p->ms = (long)(clock_mono_ms() - t0);
}
