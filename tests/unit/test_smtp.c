/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/net/smtp's reply parser (multi-line replies, partial
 * input, garbage, the caps) and receive's From: domain. */
#include <stdlib.h>

#include "../../cli/receive.h"
#include "../../lib/net/smtp.h"
#include "unit.h"

static int parse(const char *s, struct smtp_reply *r, size_t *used)
{
	char why[200];
	return smtp_reply_parse(s, strlen(s), r, used, why, sizeof why);
}

static void t_replies(struct unit_ctx *t)
{
	struct smtp_reply r;
	size_t used = 0;
	UNIT_EQ_INT(t, parse("220 mx.example.com ESMTP\r\n", &r, &used), SMTP_PARSE_DONE);
	UNIT_EQ_INT(t, r.code, 220);
	UNIT_EQ_INT(t, r.n, 1);
	UNIT_EQ_STR(t, r.lines[0], "mx.example.com ESMTP");
	UNIT_EQ_INT(t, used, 26);
	smtp_reply_clear(&r);
	/* multi-line, bare LF, a bare code, what follows left alone */
	const char *m = "250-mx.example.com\n250-STARTTLS\r\n250\r\n221 bye\r\n";
	UNIT_EQ_INT(t, parse(m, &r, &used), SMTP_PARSE_DONE);
	UNIT_EQ_INT(t, r.n, 3);
	UNIT_EQ_STR(t, r.lines[1], "STARTTLS");
	UNIT_EQ_STR(t, r.lines[2], "");
	UNIT_EQ_STR(t, m + used, "221 bye\r\n");
	smtp_reply_clear(&r);
	/* not yet complete */
	UNIT_EQ_INT(t, parse("250-a\r\n250-b\r\n", &r, &used), SMTP_PARSE_MORE);
	UNIT_EQ_INT(t, parse("25", &r, &used), SMTP_PARSE_MORE);
	UNIT_EQ_INT(t, parse("", &r, &used), SMTP_PARSE_MORE);
}

static void t_garbage(struct unit_ctx *t)
{
	struct smtp_reply r;
	size_t used;
	UNIT_EQ_INT(t, parse("HTTP/1.1 400 Bad Request\r\n", &r, &used), SMTP_PARSE_BAD);
	UNIT_EQ_INT(t, parse("HT", &r, &used), SMTP_PARSE_BAD); /* garbage before its line ends */
	UNIT_EQ_INT(t, parse("120 hello\r\n", &r, &used), SMTP_PARSE_BAD);
	UNIT_EQ_INT(t, parse("250-a\r\n251 b\r\n", &r, &used), SMTP_PARSE_BAD);
	UNIT_EQ_INT(t, parse("250x\r\n", &r, &used), SMTP_PARSE_BAD);
	UNIT_EQ_INT(t, smtp_reply_parse("220 a\0b\r\n", 9, &r, &used, (char[80]){0}, 80), SMTP_PARSE_BAD);
}

static void t_caps(struct unit_ctx *t)
{
	struct smtp_reply r;
	size_t used;
	/* 201 continuation lines: too many, long before 10 MB */
	size_t n = (SMTP_REPLY_MAX_LINES + 1) * 8;
	char *s = malloc(n + 1);
	for (size_t i = 0; i < n; i += 8)
		memcpy(s + i, "250-abc\n", 8);
	s[n] = '\0';
	UNIT_EQ_INT(t, parse(s, &r, &used), SMTP_PARSE_BAD);
	free(s);
	/* one line over the cap, before its end arrives */
	s = malloc(SMTP_LINE_MAX + 10);
	memset(s, 'x', SMTP_LINE_MAX + 9);
	memcpy(s, "220 ", 4);
	s[SMTP_LINE_MAX + 9] = '\0';
	UNIT_EQ_INT(t, parse(s, &r, &used), SMTP_PARSE_BAD);
	free(s);
}

static void t_from_domain(struct unit_ctx *t)
{
	const char *m = "Received: x\r\nFrom: \"Alice, Inc.\" <alice@Mail.Example.COM>\r\nTo: "
	                "b@c.d\r\n\r\nFrom: body@wrong.test\r\n";
	char *d = receive_from_domain_new(m, strlen(m));
	UNIT_EQ_STR(t, d, "mail.example.com");
	free(d);
	m = "From:\r\n bob@folded.test\r\n\r\n";
	d = receive_from_domain_new(m, strlen(m));
	UNIT_EQ_STR(t, d, "folded.test");
	free(d);
	m = "Subject: x\r\n\r\nFrom: body@wrong.test\r\n";
	UNIT_CHECK(t, receive_from_domain_new(m, strlen(m)) == NULL);
	m = "From: no address at all\r\n\r\n";
	UNIT_CHECK(t, receive_from_domain_new(m, strlen(m)) == NULL);
}

static const struct unit_case cases[] = {
    {"replies", t_replies},
    {"garbage", t_garbage},
    {"caps", t_caps},
    {"From: domain of a received message", t_from_domain},
};
UNIT_MAIN(cases)
