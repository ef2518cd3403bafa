/* SPDX-License-Identifier: ISC */
/* receive: the receive subcommand's set-up and what it makes of a message
 * (see receive.h). The server offers STARTTLS with the given certificate
 * or one made for the run; messages live in memory and are written only
 * to --save. */
#include "receive.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../lib/message/rfc5322.h"
#include "../lib/util/clock.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"

static void log_line(void *ctx, const char *line)
{
	FILE *log = ctx;
	fputs("senderaudit: receive: ", log);
	text_put_safe(log, line);
	fputc('\n', log);
	fflush(log);
}

long receive_messages(const struct cli *c, FILE *log, struct smtpd_msg **msgs, char *why, size_t whylen)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) != 0 || !host[0])
		snprintf(host, sizeof host, "senderaudit.invalid");
	SSL_CTX *tls = tls_server_ctx_new(c->tls_cert, c->tls_key, host, why, whylen);
	if (!tls)
		return -1;
	struct smtpd_limits lim;
	smtpd_limits_default(&lim);
	struct smtpd *s = smtpd_new(&c->listen, c->listen_port, tls, host, &lim, why, whylen);
	if (!s) {
		SSL_CTX_free(tls);
		return -1;
	}
	const char *v6 = c->listen.af == AF_INET6 ? "[" : "";
	fprintf(log,
	        "senderaudit: receive: listening on %s%s%s:%d for %d message%s (at most %d s); STARTTLS with "
	        "%s\n",
	        v6, c->listen.text, *v6 ? "]" : "", smtpd_port(s), c->count, c->count == 1 ? "" : "s",
	        c->wait_ms / 1000, c->tls_cert ? c->tls_cert : "a self-signed certificate");
	fflush(log);
	size_t n = smtpd_serve(s, (size_t)c->count, clock_mono_ms() + c->wait_ms, msgs, log_line, log);
	smtpd_free(s);
	SSL_CTX_free(tls);
	return (long)n;
}

void receive_free(struct smtpd_msg *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		smtpd_msg_clear(&msgs[i]);
	free(msgs);
}

int receive_save(const char *file, size_t i, const struct smtpd_msg *m, char *why, size_t whylen)
{
	char *name = i ? xasprintf("%s.%zu", file, i + 1) : xstrdup(file);
	FILE *f = fopen(name, "wb");
	bool ok = f && fwrite(m->data, 1, m->len, f) == m->len;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		snprintf(why, whylen, "--save: cannot write '%s': %s", TEXT_SHOW(name), strerror(errno));
	free(name);
	return ok ? 0 : -1;
}

/* ------------------------------------------------------------ the target */

char *receive_from_domain_new(const char *msg, size_t len)
{
	struct message pm;
	msg_parse(msg, len, &pm);
	char *d = cli_from_domain_new(&pm);
	msg_free(&pm);
	return d;
}

int receive_target(const struct cli *c, const struct smtpd_msg *m, struct target *t, struct target_wire *w,
                   char *why, size_t whylen)
{
	memset(t, 0, sizeof *t);
	t->ip = m->client;
	t->shared = c->t.shared;
	t->selectors = c->t.selectors;
	t->selector_count = c->t.selector_count;
	char w1[200];
	t->helo = m->helo ? cli_helo_new(m->helo, w1, sizeof w1) : NULL;
	/* the null sender (bounces) has no domain */
	char *envelope = strchr(m->mail_from, '@') ? cli_mail_from_new(m->mail_from, w1, sizeof w1) : NULL;
	/* the message is audited as --message audits one: its From: domain
	 * is the DOMAIN (MAIL FROM's when it has none) */
	t->message_from = receive_from_domain_new(m->data, m->len);
	t->domain = t->message_from ? xstrdup(t->message_from) : envelope ? xstrdup(envelope) : NULL;
	if (!t->domain) {
		snprintf(why, whylen, "neither the From: header nor MAIL FROM <%s> names a domain",
		         TEXT_SHOW(m->mail_from));
		free(envelope);
		target_free(t);
		return -1;
	}
	t->mail_from_given = envelope != NULL;
	t->mail_from = envelope ? envelope : xstrdup(t->domain);
	t->message = xmalloc(m->len + 1); /* NUL-ended, as --message's */
	memcpy(t->message, m->data, m->len);
	t->message[m->len] = '\0';
	t->message_len = m->len;
	t->message_file = RECEIVE_MESSAGE_NAME;
	t->bulk = c->t.bulk;
	t->null_return_path = m->mail_from[0] == '\0';
	/* what the session showed is a fact of the wire, not a hint */
	t->ip_src = SRC_SMTP;
	t->helo_src = SRC_SMTP;
	t->mail_from_src = envelope ? SRC_SMTP : SRC_DEFAULT;
	t->domain_src = t->message_from ? SRC_HEADER : SRC_SMTP;
	*w = (struct target_wire){.client_port = m->client_port,
	                          .helo = m->helo,
	                          .esmtp = m->esmtp,
	                          .starttls = m->tls,
	                          .tls_version = m->tls ? m->tls_version : NULL,
	                          .tls_cipher = m->tls ? m->tls_cipher : NULL,
	                          .mail_from = m->mail_from,
	                          .rcpt_count = m->rcpt_count,
	                          .size = m->len,
	                          .received_at = m->received_at};
	t->wire = w;
	return 0;
}
