/* SPDX-License-Identifier: ISC */
/* target: what one audit looks at, as the command line (or a --batch line)
 * gave it. Read by the checks and by the reports. */
#ifndef SA_TARGET_H
#define SA_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/names.h"

/* What `senderaudit receive` saw on the wire: facts of the SMTP session a
 * message came in, as the client sent them (not normalized). */
struct target_wire {
	int client_port;                      /* the client's address is the target's ip */
	const char *helo;                     /* the EHLO/HELO argument */
	bool esmtp;                           /* EHLO, not HELO */
	bool starttls;                        /* the message came after STARTTLS */
	const char *tls_version, *tls_cipher; /* NULL without STARTTLS */
	const char *mail_from;                /* the reverse-path without <> ("" for the null sender) */
	size_t rcpt_count;
	size_t size;             /* bytes of the message */
	const char *received_at; /* RFC 3339 UTC */
};

/* Where an input of the audit came from. */
enum target_source {
	SRC_ARGUMENT, /* the command line (IP DOMAIN, --helo, --mail-from) */
	SRC_DEFAULT,  /* not given: the default (MAIL FROM is DOMAIN) */
	SRC_HEADER,   /* the --message's headers: a hint, since they can be forged */
	SRC_SMTP,     /* receive: the SMTP session the message came in (a fact) */
};

/* The audited sender. All names are A-labels, lower-case, no trailing dot. */
struct target {
	struct ipaddr ip;
	char *domain;    /* the From: domain */
	char *helo;      /* HELO/EHLO name, or NULL when not given */
	char *mail_from; /* envelope domain: --mail-from, else domain */
	bool mail_from_given;
	bool shared;      /* ESP pool rather than dedicated IP */
	char **selectors; /* DKIM selectors given with --selector */
	size_t selector_count;

	/* --message, or a message receive got: audited beside the DNS
	 * (message == NULL without) */
	char *message; /* its bytes (at most TARGET_MESSAGE_MAX) */
	size_t message_len;
	const char *message_file; /* as given ("-": standard input) */
	char *message_from;       /* the domain of its From: mailbox (A-label), or NULL */
	bool bulk;                /* --bulk: judge it as bulk mail */
	enum target_source ip_src, domain_src, helo_src, mail_from_src;
	size_t received_line;  /* the Received field the IP and HELO came from, or 0 */
	bool null_return_path; /* Return-Path: <> (a bounce: MAIL FROM is empty) */

	/* receive only (NULL otherwise), borrowed from the server's record;
	 * message is then its DATA (dot-unstuffed, line ends as sent) */
	const struct target_wire *wire;
};

/* --message reads at most this much (a message's size limit at the big
 * mailbox providers is 25 to 50 MB). */
#define TARGET_MESSAGE_MAX ((size_t)64 << 20)

/* "argument", "default", "header", "smtp". */
const char *target_source_name(enum target_source s);

#endif
