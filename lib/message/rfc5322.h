/* SPDX-License-Identifier: ISC */
/* rfc5322: an Internet message (RFC 5322) as a receiver reads it: the
 * header fields, unfolded, and where the body starts; the grammars the
 * message audit judges (mailboxes, dates, Message-ID, RFC 2369 URI lists,
 * DKIM-style tag lists, MIME boundaries); and the hints a message carries
 * about how it arrived (Received, Return-Path). Pure functions; no lookups.
 *
 * Every line ending becomes CRLF (a message saved on a Unix system has bare
 * LF; on the wire it had CRLF, which is what DKIM signed). Hostile input is
 * bounded: at most MSG_MAX_FIELDS header fields are read, and nothing is
 * quadratic in the size of the message. */
#ifndef SA_RFC5322_H
#define SA_RFC5322_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../util/names.h"

/* Header fields read; a message with more is reported, not read further. */
#define MSG_MAX_FIELDS 20000
/* RFC 5321 4.5.3.1.6 / RFC 5322 2.1.1: a line, CRLF not counted. */
#define MSG_MAX_LINE 998

struct msg_field {
	const char *raw; /* the field in msg.data from its name to the end of
	                    its last line, folding kept, final CRLF not */
	size_t raw_len;
	char *name;     /* as written, NUL-terminated; NULL when malformed */
	char *value;    /* unfolded (CRLF of folds removed), leading and
	                   trailing white space trimmed; NUL bytes kept out */
	size_t line;    /* 1-based line where it starts */
	bool eight_bit; /* holds octets over 127 */
	bool utf8;      /* ... and they are valid UTF-8 (RFC 6532) */
	bool malformed; /* no colon, or a name with characters RFC 5322 forbids */
};

struct message {
	char *data; /* the message with CRLF line endings (owned) */
	size_t len;
	struct msg_field *f; /* in message order */
	size_t nf;
	size_t body_off;   /* where the body starts in data (len when none) */
	bool separator;    /* an empty line ends the header section */
	bool mbox_from;    /* a leading "From " line (mbox) was skipped */
	bool lf_converted; /* bare LF line endings were turned into CRLF */
	bool fields_cut;   /* more than MSG_MAX_FIELDS: the rest was not read */
	size_t lines;      /* lines in the message */
	size_t long_lines; /* lines over MSG_MAX_LINE octets */
	size_t longest;    /* octets of the longest line */
	size_t first_long; /* its 1-based line number, 0 when none */
	size_t nuls;       /* NUL octets */
	size_t first_nul;  /* 1-based line of the first, 0 when none */
	size_t bare_cr;    /* CR not followed by LF */
	size_t malformed;  /* malformed header lines */
	size_t first_malformed;
	size_t bad_8bit;    /* header fields with 8-bit octets that are not UTF-8 */
	size_t utf8_fields; /* header fields with valid UTF-8 (need SMTPUTF8) */
};

/* Reads a message of len bytes (any bytes). Always fills out; release it
 * with msg_free. */
void msg_parse(const char *buf, size_t len, struct message *out);
void msg_free(struct message *m);

/* Number of fields named name (case-insensitive). */
size_t msg_count(const struct message *m, const char *name);
/* The nth (0-based) field named name, or NULL. */
const struct msg_field *msg_get(const struct message *m, const char *name, size_t nth);

/* One mailbox of an address list. */
struct msg_mailbox {
	char *local;  /* local-part, quotes kept */
	char *domain; /* as written (no normalisation) */
};

/* Parses an address list (From:, Sender:): mailboxes and groups, with
 * comments and quoted strings. Returns the number of mailboxes (in *out,
 * release with msg_mailboxes_free), or -1 with a reason in why. */
long msg_mailboxes(const char *value, struct msg_mailbox **out, char *why, size_t whylen);
void msg_mailboxes_free(struct msg_mailbox *v, size_t n);

/* Parses an RFC 5322 date-time (3.3), obsolete forms included (two-digit
 * years, zone names, military zones; *obsolete says so). Returns 0 with the
 * time in *out, or -1 with a reason in why. */
int msg_date(const char *value, time_t *out, bool *obsolete, char *why, size_t whylen);

/* True when value is one msg-id (RFC 5322 3.6.4: "<left@right>",
 * surrounding comments and white space allowed); else why says what is
 * wrong. */
bool msg_id_valid(const char *value, char *why, size_t whylen);

/* The URIs of an RFC 2369 list ("<https://...>, <mailto:...>"): returns
 * their count (new strings in *out, release with msg_strings_free), or -1
 * when the value is not such a list. */
long msg_uri_list(const char *value, char ***out);
void msg_strings_free(char **v, size_t n);

/* The value of tag in a tag=value list (DKIM-Signature, ARC-Seal: RFC 6376
 * 3.2), white space removed, as a new string; NULL when absent. */
char *msg_tag_new(const char *value, const char *tag);
/* True when a colon-separated header list (h=) names field (case-
 * insensitive, white space ignored). */
bool msg_list_has(const char *list, const char *field);

/* MIME structure (RFC 2045, 2046) of the top level. */
enum msg_mime {
	MSG_MIME_NONE,   /* no Content-Type, or not multipart */
	MSG_MIME_OK,     /* multipart whose boundary opens and closes */
	MSG_MIME_BROKEN, /* multipart with no boundary, or it is not found */
};
enum msg_mime msg_mime_check(const struct message *m, char *why, size_t whylen);

/* What the message says about how it arrived: hints only, since a sender
 * can write any header. */
struct msg_hints {
	bool has_ip;
	struct ipaddr ip;     /* the client of the first Received field that
	                         names a public address */
	char *helo;           /* the name that client gave ("from NAME"), or NULL */
	size_t received_line; /* the line of that Received field */
	bool has_return_path;
	bool null_return_path; /* Return-Path: <> (a bounce) */
	char *return_path;     /* the address, or NULL */
	char *return_domain;   /* its domain, or NULL */
};
void msg_hints(const struct message *m, struct msg_hints *out);
void msg_hints_free(struct msg_hints *h);

#endif
