/* SPDX-License-Identifier: ISC */
/* options: the command line, parsed and validated before any lookup. */
#ifndef SA_OPTIONS_H
#define SA_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "../checks/audit.h"

#define CLI_MAX_RESOLVERS 3

enum cli_cmd { CMD_AUDIT, CMD_HELP, CMD_VERSION, CMD_LIST_CHECKS, CMD_SPF, CMD_RECEIVE };
/* In the order of report_format_names (report/report.h). */
enum cli_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_NAGIOS, FORMAT_JUNIT, FORMAT_PROMETHEUS, FORMAT_HTML };
enum cli_color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum cli_order { ORDER_INPUT, ORDER_COMPLETION };

struct cli {
	enum cli_cmd cmd;
	struct target t;
	struct audit_opts ao;
	char *resolvers[CLI_MAX_RESOLVERS];
	size_t resolver_count;
	int retries;
	enum cli_format format;
	enum status fail_on;    /* STATUS_WARN or STATUS_FAIL */
	bool fail_on_new;       /* --fail-on new: only problems absent from --baseline */
	const char *baseline;   /* --baseline FILE, or NULL */
	const char *save_dns;   /* --save-dns FILE, or NULL */
	const char *replay_dns; /* --replay-dns FILE, or NULL */
	bool help_spf;          /* `senderaudit spf --help` */
	const char *hint;       /* for a usage error: what the message points to
	                           ("--list-checks"); NULL: "--help" */
	enum cli_color color;
	int verbosity;        /* -1 quiet, 0, 1 verbose */
	bool *enabled;        /* per catalogue index */
	const char *batch;    /* --batch FILE ("-" = stdin), or NULL */
	int jobs;             /* --jobs: senders audited at once in a batch */
	enum cli_order order; /* --order: which report of a batch comes first */
	bool order_given;
	const char *resume; /* --resume FILE: skip the senders it reports */
	char *spf_sender;   /* `spf` subcommand: the MAIL FROM address or domain
	                       as given ("" = the HELO identity) */
	/* `receive` subcommand */
	struct ipaddr listen; /* --listen ADDR:PORT, default 127.0.0.1:2525 */
	int listen_port;
	int count;                      /* --count: messages to receive */
	int wait_ms;                    /* receive's --timeout: how long to wait for them */
	const char *tls_cert, *tls_key; /* --tls-cert, --tls-key, or NULL: self-signed */
	const char *save;               /* --save FILE, or NULL: keep nothing */
};
#define RECEIVE_PORT_DEFAULT   2525
#define RECEIVE_WAIT_DEFAULT_S 600

/* Parses argv into c. Returns 0, or -1 with a one-line reason in err (a
 * usage error: exit 64). c must be released with cli_free either way. */
int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen);
void cli_free(struct cli *c);

struct message;
/* The domain of a message's first From: mailbox, as an A-label, or NULL
 * (--message and receive take DOMAIN from it). */
char *cli_from_domain_new(const struct message *m);

/* Parses one --batch line ("IP DOMAIN [HELO]") into t, with the other
 * options of c applying. Returns 1 for a sender, 0 for a blank or comment
 * line, -1 with a reason in err for a malformed line. t must be released
 * with target_free when 1 is returned. */
int cli_parse_batch_line(const struct cli *c, const char *line, struct target *t, char *err, size_t errlen);
void target_free(struct target *t);

/* A HELO name as --helo takes it (ASCII lower-cased as given: its syntax is
 * helo.syntax's verdict; Unicode to A-labels), or NULL with a reason in why
 * when it is empty, longer than 255, holds spaces or control characters. */
char *cli_helo_new(const char *arg, char *why, size_t whylen);
/* The domain of --mail-from (a domain, or an address's domain), or NULL
 * with a reason in why. */
char *cli_mail_from_new(const char *arg, char *why, size_t whylen);

/* The --help text, and the spf subcommand's (`senderaudit spf --help`). */
void cli_usage(FILE *out);
void cli_usage_spf(FILE *out);

#endif
