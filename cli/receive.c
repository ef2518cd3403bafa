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

/* The end of the header section: the first empty line, or len. */
static size_t header_end(const char *msg, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (msg[i] == '\n' && i + 1 < len &&
		    (msg[i + 1] == '\n' || (msg[i + 1] == '\r' && i + 2 < len && msg[i + 2] == '\n')))
			return i + 1;
	return len;
}

char *receive_from_domain_new(const char *msg, size_t len)
{
	size_t end = header_end(msg, len);
	/* the From: field, unfolded (RFC 5322 2.2.3) */
	char *v = NULL;
	for (size_t i = 0; i < end && !v;) {
		size_t ll = 0;
		while (i + ll < end && msg[i + ll] != '\n')
			ll++;
		if (ll >= 5 && strncasecmp(msg + i, "From:", 5) == 0) {
			size_t vs = i + 5, ve = i + ll;
			while (ve < end && ve + 1 < end && (msg[ve + 1] == ' ' || msg[ve + 1] == '\t')) {
				ve++;
				while (ve < end && msg[ve] != '\n')
					ve++;
			}
			v = xstrndup(msg + vs, ve - vs);
			for (char *p = v; *p; p++)
				if (*p == '\r' || *p == '\n' || *p == '\t')
					*p = ' ';
		}
		i += ll + 1;
	}
	if (!v)
		return NULL;
	/* the address: inside the last <...>, else the whole value; its
	 * domain: after the last @, up to the end of the address */
	char *addr = v;
	char *lt = strrchr(v, '<');
	if (lt) {
		addr = lt + 1;
		addr[strcspn(addr, ">")] = '\0';
	}
	char *at = strrchr(addr, '@');
	char *dom = NULL;
	if (at) {
		at++;
		at[strcspn(at, " >,;()\"")] = '\0';
		if (*at && strlen(at) <= 253) {
			char why[200];
			dom = name_from_user_new(at, why, sizeof why);
		}
	}
	free(v);
	return dom;
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
	t->domain = receive_from_domain_new(m->data, m->len);
	if (!t->domain && envelope)
		t->domain = xstrdup(envelope);
	if (!t->domain) {
		snprintf(why, whylen, "neither the From: header nor MAIL FROM <%s> names a domain",
		         TEXT_SHOW(m->mail_from));
		free(envelope);
		free(t->helo);
		t->helo = NULL;
		return -1;
	}
	t->mail_from_given = envelope != NULL;
	t->mail_from = envelope ? envelope : xstrdup(t->domain);
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
	t->received_message = m->data;
	t->received_message_len = m->len;
	return 0;
}
