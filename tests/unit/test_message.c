/* SPDX-License-Identifier: ISC */
/* Unit tests for lib/message/rfc5322: reading a message (line endings,
 * folding, malformed and 8-bit fields, limits), mailboxes, dates,
 * Message-ID, List-Unsubscribe URI lists, tag lists, MIME boundaries and the
 * Received/Return-Path hints. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/message/rfc5322.h"
#include "unit.h"

static void parse_str(const char *s, struct message *m)
{
	msg_parse(s, strlen(s), m);
}

static void t_fields(struct unit_ctx *t)
{
	struct message m;
	parse_str("From: a@example.com\nSubject: one\n two\nX-E: \nsubject: again\n\nbody\n", &m);
	UNIT_CHECK(t, m.lf_converted && m.separator);
	UNIT_EQ_INT(t, m.nf, 4);
	UNIT_EQ_STR(t, msg_get(&m, "SUBJECT", 0)->value, "one two");
	UNIT_EQ_STR(t, msg_get(&m, "x-e", 0)->value, "");
	UNIT_EQ_INT(t, msg_count(&m, "Subject"), 2);
	UNIT_EQ_INT(t, msg_get(&m, "Subject", 1)->line, 5);
	UNIT_EQ_STR(t, m.data + m.body_off, "body\r\n");
	/* raw keeps the folding, without the final CRLF */
	const struct msg_field *s = msg_get(&m, "Subject", 0);
	UNIT_CHECK(t, s->raw_len == strlen("Subject: one\r\n two") &&
	                  memcmp(s->raw, "Subject: one\r\n two", s->raw_len) == 0);
	msg_free(&m);
	/* CRLF is kept as it is; a line without a colon is malformed */
	parse_str("From: a@b.example\r\nno colon here\r\n\r\nx", &m);
	UNIT_CHECK(t, !m.lf_converted);
	UNIT_EQ_INT(t, m.malformed, 1);
	UNIT_EQ_INT(t, m.first_malformed, 2);
	msg_free(&m);
	/* NUL, long lines, 8-bit headers, no body */
	char buf[1200];
	memset(buf, 'x', sizeof buf);
	memcpy(buf, "X-L: ", 5);
	buf[1100] = '\n';
	memcpy(buf + 1101, "S: caf\xc3\xa9\nT: caf\xe9\n", 17);
	msg_parse(buf, 1118, &m);
	UNIT_EQ_INT(t, m.long_lines, 1);
	UNIT_EQ_INT(t, m.longest, 1100);
	UNIT_EQ_INT(t, m.utf8_fields, 1);
	UNIT_EQ_INT(t, m.bad_8bit, 1);
	UNIT_CHECK(t, !m.separator && m.body_off == m.len);
	msg_free(&m);
	msg_parse("A: b\0c\n\nd\0", 10, &m);
	UNIT_EQ_INT(t, m.nuls, 2);
	UNIT_EQ_INT(t, m.first_nul, 1);
	UNIT_EQ_STR(t, msg_get(&m, "A", 0)->value, "bc");
	msg_free(&m);
	/* an mbox From_ line is skipped */
	parse_str("From someone Mon Dec  1 10:00:00 2025\nFrom: a@b.example\n\n", &m);
	UNIT_CHECK(t, m.mbox_from && m.nf == 1 && m.malformed == 0);
	msg_free(&m);
}

static void t_many_fields(struct unit_ctx *t)
{
	size_t n = MSG_MAX_FIELDS + 10;
	char *buf = malloc(n * 6 + 1), *p = buf;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, "A: b\n", 5);
		p += 5;
	}
	struct message m;
	msg_parse(buf, (size_t)(p - buf), &m);
	UNIT_EQ_INT(t, m.nf, MSG_MAX_FIELDS);
	UNIT_CHECK(t, m.fields_cut);
	msg_free(&m);
	free(buf);
}

static void t_mailboxes(struct unit_ctx *t)
{
	static const struct {
		const char *in;
		long n;
		const char *first_domain;
	} cases[] = {
	    {"a@example.com", 1, "example.com"},
	    {"\"Joe, Q.\" <joe@example.com>", 1, "example.com"},
	    {"Joe (the boss) <joe@sub.example.com> (comment)", 1, "sub.example.com"},
	    {"a@x.example, B <b@y.example>", 2, "x.example"},
	    {"undisclosed-recipients:;", 0, NULL},
	    {"friends: a@x.example, b@y.example;", 2, "x.example"},
	    {"\"quoted local\"@example.com", 1, "example.com"},
	    {"user@[192.0.2.1]", 1, "[192.0.2.1]"},
	    {"no-at-sign", -1, NULL},
	    {"<a@example.com", -1, NULL},
	    {"", -1, NULL},
	    {"a@", -1, NULL},
	    {"a@b.example junk", -1, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct msg_mailbox *v;
		char why[100];
		long n = msg_mailboxes(cases[i].in, &v, why, sizeof why);
		if (!UNIT_CHECK(t, n == cases[i].n))
			printf("     %s: got %ld\n", cases[i].in, n);
		if (n > 0 && cases[i].first_domain)
			UNIT_EQ_STR(t, v[0].domain, cases[i].first_domain);
		if (n >= 0)
			msg_mailboxes_free(v, (size_t)n);
	}
}

static void t_dates(struct unit_ctx *t)
{
	time_t when;
	bool obs;
	char why[100];
	UNIT_EQ_INT(t, msg_date("Fri, 11 Jul 2003 21:00:37 -0700 (PDT)", &when, &obs, why, sizeof why), 0);
	UNIT_EQ_INT(t, when, 1057982437);
	UNIT_CHECK(t, !obs);
	UNIT_EQ_INT(t, msg_date("1 Jan 2025 00:00 +0000", &when, &obs, why, sizeof why), 0);
	UNIT_EQ_INT(t, when, 1735689600);
	UNIT_EQ_INT(t, msg_date("Wed, 1 Jan 25 00:00:00 GMT", &when, &obs, why, sizeof why), 0);
	UNIT_CHECK(t, obs && when == 1735689600);
	UNIT_EQ_INT(t, msg_date("Wed, 1 Jan 2025 01:00:00 EDT", &when, &obs, why, sizeof why), 0);
	UNIT_EQ_INT(t, when, 1735689600 + 5 * 3600);
	const char *bad[] = {"",
	                     "yesterday",
	                     "Foo, 1 Jan 2025 00:00 +0000",
	                     "31 Feb 2025 00:00 +0000",
	                     "1 Jan 2025 24:00 +0000",
	                     "1 Jan 2025 00:00",
	                     "1 Jan 2025 00:00 +0000 extra",
	                     "1 Jan 2025 00:00 +99"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (!UNIT_CHECK(t, msg_date(bad[i], &when, &obs, why, sizeof why) < 0))
			printf("     accepted \"%s\"\n", bad[i]);
}

static void t_msgid_uris_tags(struct unit_ctx *t)
{
	char why[100];
	UNIT_CHECK(t, msg_id_valid("<abc.def@example.com>", why, sizeof why));
	UNIT_CHECK(t, msg_id_valid(" <a@[literal]> (c)", why, sizeof why));
	UNIT_CHECK(t, !msg_id_valid("abc@example.com", why, sizeof why));
	UNIT_CHECK(t, !msg_id_valid("<abc>", why, sizeof why));
	UNIT_CHECK(t, !msg_id_valid("<a@b> <c@d>", why, sizeof why));
	UNIT_CHECK(t, !msg_id_valid("<a@b", why, sizeof why));
	char **u;
	long n = msg_uri_list("<https://example.com/u/1>, <mailto:u@example.com?subject=x>", &u);
	UNIT_EQ_INT(t, n, 2);
	if (n == 2) {
		UNIT_EQ_STR(t, u[0], "https://example.com/u/1");
		UNIT_EQ_STR(t, u[1], "mailto:u@example.com?subject=x");
		msg_strings_free(u, 2);
	}
	UNIT_EQ_INT(t, msg_uri_list("https://example.com/", &u), -1);
	UNIT_EQ_INT(t, msg_uri_list("<https://x", &u), -1);
	UNIT_EQ_INT(t, msg_uri_list("", &u), -1);
	char *v = msg_tag_new("v=1; a=rsa-sha256; d=example.com;\r\n s=sel; h=From : To;b=ab\r\n cd", "h");
	UNIT_EQ_STR(t, v, "From:To");
	UNIT_CHECK(t, msg_list_has(v, "from") && msg_list_has(v, "TO") && !msg_list_has(v, "subject"));
	free(v);
	v = msg_tag_new("v=1; d=example.com", "s");
	UNIT_CHECK(t, v == NULL);
	v = msg_tag_new("bh=x; b=y", "b");
	UNIT_EQ_STR(t, v, "y");
	free(v);
}

static void t_mime(struct unit_ctx *t)
{
	struct message m;
	char why[200];
	parse_str("Content-Type: multipart/mixed; boundary=\"b 1\"\n\npre\n--b 1\n\nx\n--b 1--\n", &m);
	UNIT_EQ_INT(t, msg_mime_check(&m, why, sizeof why), MSG_MIME_OK);
	msg_free(&m);
	parse_str("Content-Type: multipart/mixed; boundary=b1\n\n--b1\n\nx\n", &m);
	UNIT_EQ_INT(t, msg_mime_check(&m, why, sizeof why), MSG_MIME_BROKEN);
	msg_free(&m);
	parse_str("Content-Type: multipart/mixed\n\nx\n", &m);
	UNIT_EQ_INT(t, msg_mime_check(&m, why, sizeof why), MSG_MIME_BROKEN);
	msg_free(&m);
	parse_str("Content-Type: text/plain\n\nx\n", &m);
	UNIT_EQ_INT(t, msg_mime_check(&m, why, sizeof why), MSG_MIME_NONE);
	msg_free(&m);
}

static void t_hints(struct unit_ctx *t)
{
	struct message m;
	struct msg_hints h;
	parse_str("Return-Path: <bounce+x@bounces.example.com>\n"
	          "Received: from localhost (localhost [127.0.0.1]) by mx2.example.net; Mon, 1 Dec 2025 "
	          "10:00:02 +0000\n"
	          "Received: from mail.example.com (mail.example.com [IPv6:2001:db8::25])\n by "
	          "mx.example.net with ESMTPS\n"
	          "Received: from evil (evil [198.51.100.1]) by mail.example.com\n"
	          "From: a@example.com\n\n",
	          &m);
	msg_hints(&m, &h);
	UNIT_CHECK(t, h.has_ip);
	UNIT_EQ_STR(t, h.ip.text, "2001:db8::25");
	UNIT_EQ_STR(t, h.helo, "mail.example.com");
	UNIT_EQ_INT(t, h.received_line, 3);
	UNIT_EQ_STR(t, h.return_domain, "bounces.example.com");
	UNIT_CHECK(t, !h.null_return_path);
	msg_hints_free(&h);
	msg_free(&m);
	parse_str("Return-Path: <>\nReceived: by mx.example.net; Mon, 1 Dec 2025\n\n", &m);
	msg_hints(&m, &h);
	UNIT_CHECK(t, !h.has_ip && h.null_return_path && !h.return_domain);
	msg_hints_free(&h);
	msg_free(&m);
}

static const struct unit_case cases[] = {
    {"fields, folding, line endings, limits", t_fields},
    {"at most MSG_MAX_FIELDS fields", t_many_fields},
    {"mailboxes", t_mailboxes},
    {"dates", t_dates},
    {"Message-ID, URI lists, tag lists", t_msgid_uris_tags},
    {"MIME boundaries", t_mime},
    {"Received and Return-Path hints", t_hints},
};
UNIT_MAIN(cases)
