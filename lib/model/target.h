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
	int client_port;      /* the client's address is the target's ip */
	const char *helo;     /* the EHLO/HELO argument */
	bool esmtp;           /* EHLO, not HELO */
	bool starttls;        /* the message came after STARTTLS */
	const char *tls_version, *tls_cipher; /* NULL without STARTTLS */
	const char *mail_from; /* the reverse-path without <> ("" for the null sender) */
	size_t rcpt_count;
	size_t size;          /* bytes of the message */
	const char *received_at; /* RFC 3339 UTC */
};

/* The audited sender. All names are A-labels, lower-case, no trailing dot. */
struct target {
	struct ipaddr ip;
	char *domain;       /* the From: domain */
	char *helo;         /* HELO/EHLO name, or NULL when not given */
	char *mail_from;    /* envelope domain: --mail-from, else domain */
	bool mail_from_given;
	bool shared;        /* ESP pool rather than dedicated IP */
	char **selectors;   /* DKIM selectors given with --selector */
	size_t selector_count;
	/* receive only (NULL otherwise), borrowed from the server's record: */
	const struct target_wire *wire;
	/* the message as received (DATA, dot-unstuffed, line ends as sent):
	 * the bytes the message audit reads, as it reads --message FILE's */
	const char *received_message;
	size_t received_message_len;
};

#endif
