/* SPDX-License-Identifier: ISC */
/* senderaudit: audit the infrastructure an organisation sends mail from.
 * Only this file decides the exit status and exits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checks/audit.h"
#include "../checks/registry.h"
#include "../lib/util/clock.h"
#include "../lib/net/httpgate.h"
#include "../lib/proc/spf2pool.h"
#include "../lib/proc/workpool.h"
#include "../lib/util/timeouts.h"
#include "../report/report.h"
#include "batch.h"
#include "options.h"
#include "receive.h"
#include "spfcmd.h"

#define EXIT_USAGE 64
/* Inputs an audit computes at once (checks/check.h has 16; rarely all). */
#define INPUTS_PER_AUDIT 8
/* Nothing determined: a check's error, or a report that could not be
 * written (a gate must not read silence as success). */
#define EXIT_UNKNOWN 3

static int exit_status(enum status worst, enum status fail_on)
{
	switch (worst) {
	case STATUS_FAIL: return 2;
	case STATUS_ERROR: return EXIT_UNKNOWN;
	case STATUS_WARN: return fail_on == STATUS_WARN ? 1 : 0;
	default: return 0;
	}
}

static bool want_color(enum cli_color c)
{
	if (c != COLOR_AUTO)
		return c == COLOR_ALWAYS;
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
}

static void list_checks(void)
{
	size_t n = registry_count();
	for (size_t i = 0; i < n; i++) {
		const struct check *d = registry_check(i);
		size_t cl = strcspn(d->id, ".");
		printf("%-18s %-7.*s %s\n", d->id, (int)cl, d->id, d->title);
	}
}

/* A closed standard descriptor would be taken by the next socket or file,
 * and the report written into it: point it at /dev/null, and say whether
 * it was closed. */
static bool fd_was_closed(int fd)
{
	if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
		return false;
	int n = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
	if (n >= 0 && n != fd) {
		dup2(n, fd);
		close(n);
	}
	return true;
}

/* rc, or EXIT_UNKNOWN when what was written to stdout did not arrive. */
static int output_status(int rc, bool stdout_closed)
{
	errno = 0;
	bool failed = stdout_closed || fflush(stdout) != 0 || ferror(stdout);
	if (!failed)
		return rc;
	fprintf(stderr, "senderaudit: cannot write to standard output: %s\n",
	        stdout_closed ? "it is closed" : errno ? strerror(errno) : "write error");
	return EXIT_UNKNOWN;
}

/* One sender's audit and its report; returns its worst status. */
static enum status audit_one(const struct cli *c, const struct target *t, struct dns *dns,
                             const struct psl *psl, struct spf2_pool *spf2, struct http_gate *gate,
                             struct workpool *pool, const struct report_opts *ro)
{
	char started[32];
	clock_rfc3339(started, sizeof started);
	int64_t t0 = clock_mono_ms();
	struct dns_view *view = dns_view_new(dns);
	struct resolver res = dns_view_resolver(view);
	struct audit a = {.t = t, .o = &c->ao, .dns = &res, .psl = psl, .enabled = c->enabled, .spf2 = spf2,
	                  .http_gate = gate, .pool = pool};
	struct findings fs;
	findings_init(&fs);
	audit_run(&a, &fs);
	struct report_info ri = {.t = t, .started_at = started, .duration_ms = (long)(clock_mono_ms() - t0)};
	if (c->format == FORMAT_JSON)
		report_json(stdout, &ri, &fs, ro);
	else
		report_text(stdout, &ri, &fs, ro);
	enum status worst = findings_worst(&fs);
	findings_free(&fs);
	dns_view_free(view);
	return worst;
}

/* `receive`: the messages that arrive, each audited as its sender. A
 * message whose sender cannot be told counts as an error. Returns false
 * when nothing could be audited (no listener, no message). */
static bool receive_audits(const struct cli *c, struct dns *dns, const struct psl *psl,
                           struct spf2_pool *spf2, struct http_gate *gate, struct workpool *pool,
                           struct report_opts *ro, enum status *worst)
{
	struct smtpd_msg *msgs = NULL;
	char why[400];
	long n = receive_messages(c, stderr, &msgs, why, sizeof why);
	if (n < 0) {
		fprintf(stderr, "senderaudit: receive: %s\n", why);
		return false;
	}
	if (n == 0)
		fprintf(stderr, "senderaudit: receive: no message received within %d s\n", c->wait_ms / 1000);
	/* several reports: JSON Lines, as --batch prints them */
	ro->compact = n > 1;
	*worst = STATUS_SKIP;
	for (long i = 0; i < n; i++) {
		enum status st = STATUS_ERROR;
		if (c->save && receive_save(c->save, (size_t)i, &msgs[i], why, sizeof why) < 0)
			fprintf(stderr, "senderaudit: receive: %s\n", why);
		struct target t;
		struct target_wire w;
		if (receive_target(c, &msgs[i], &t, &w, why, sizeof why) < 0) {
			fprintf(stderr, "senderaudit: receive: message %ld: cannot audit: %s\n", i + 1, why);
		} else {
			st = audit_one(c, &t, dns, psl, spf2, gate, pool, ro);
			t.selectors = NULL; /* the command line's */
			target_free(&t);
		}
		if (status_rank(st) > status_rank(*worst))
			*worst = st;
	}
	receive_free(msgs, (size_t)n);
	return n > 0;
}

/* The audit of the sender on the command line, of a --batch file, or of
 * what `receive` receives. Returns false when nothing was audited. */
static bool run_audits(const struct cli *c, struct dns *dns, struct spf2_pool *spf2, enum status *worst)
{
	struct psl *psl = psl_open();
	/* Per RDAP server, 2 requests at once for the whole run, however many
	 * audits run side by side (registries rate-limit per client). */
	struct http_gate *gate = http_gate_new(2);
	/* Threads for the audits' inputs, started once for the run: a batch
	 * would otherwise start and end one for every input of every sender. */
	struct workpool *pool = workpool_new((c->batch ? (size_t)c->jobs : 1) * INPUTS_PER_AUDIT);
	struct report_opts ro = {.color = want_color(c->color), .verbosity = c->verbosity};
	bool audited = true;
	if (c->cmd == CMD_RECEIVE) {
		audited = receive_audits(c, dns, psl, spf2, gate, pool, &ro, worst);
	} else if (c->batch) {
		int bad_lines = 0;
		*worst = batch_run(c, dns, psl, spf2, gate, pool, &ro, stdout, &bad_lines);
		/* A sender that could not be read is a sender not checked. */
		if (bad_lines && status_rank(*worst) < status_rank(STATUS_ERROR))
			*worst = STATUS_ERROR;
	} else {
		*worst = audit_one(c, &c->t, dns, psl, spf2, gate, pool, &ro);
	}
	workpool_free(pool);
	psl_close(psl);
	http_gate_free(gate);
	return audited;
}

static void print_dns_stats(struct dns *dns)
{
	struct dns_stats st;
	dns_get_stats(dns, &st);
	fprintf(stderr,
	        "senderaudit: dns: %lu lookups (%lu from cache or merged), %lu packets sent, %lu over TCP, "
	        "%lu timed out, at most %lu in flight; resolver %s\n",
	        st.lookups, st.cache_hits, st.sent, st.tcp, st.timeouts, st.max_inflight, dns_servers_text(dns));
}

int main(int argc, char **argv)
{
	bool stdout_closed = fd_was_closed(STDOUT_FILENO);
	fd_was_closed(STDIN_FILENO);
	fd_was_closed(STDERR_FILENO);

	struct cli c;
	char err[1024];
	int rc = 0;
	struct spf2_pool *spf2 = NULL;
	struct dns *dns = NULL;
	if (cli_parse(&c, argc, argv, err, sizeof err) < 0) {
		fprintf(stderr, "senderaudit: %s (see senderaudit --help)\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	switch (c.cmd) {
	case CMD_HELP: cli_usage(stdout); goto written;
	case CMD_VERSION: printf("senderaudit %s\n", SA_VERSION); goto written;
	case CMD_LIST_CHECKS: list_checks(); goto written;
	case CMD_AUDIT:
	case CMD_SPF:
	case CMD_RECEIVE: break;
	}
	if (stdout_closed) {
		/* no report could reach anyone: do not spend the lookups */
		rc = output_status(0, true);
		goto out;
	}

	/* libspf2's workers are forked now, before any thread exists, when
	 * an enabled check shows libspf2's verdict. */
	bool spf = c.cmd == CMD_SPF ||
	           (registry_needs(c.enabled) & (NEED(IN_SPF_SECOND) | NEED(IN_HELO_SPF_SECOND)));
	spf2 = spf ? spf2_pool_new(c.cmd == CMD_SPF ? 1 : c.batch ? 4 : 2) : NULL;

	struct dns_config dc = {
		.servers = (const char *const *)c.resolvers,
		.server_count = c.resolver_count,
		.timeout_ms = c.ao.timeout_ms,
		.retries = c.retries,
	};
	dns = dns_new(&dc, err, sizeof err);
	if (!dns) {
		/* A malformed --resolver is a usage error; an unusable system
		 * configuration means nothing could be checked. */
		fprintf(stderr, "senderaudit: %s%s%s\n", c.resolver_count ? "--resolver: " : "", err,
		        c.resolver_count ? " (see senderaudit --help)" : "");
		rc = c.resolver_count ? EXIT_USAGE : EXIT_UNKNOWN;
		goto out;
	}

	if (c.cmd == CMD_SPF) {
		struct resolver res = dns_resolver(dns);
		rc = spf_command(&c, &res, spf2, stdout);
	} else {
		enum status worst = STATUS_SKIP;
		bool audited = run_audits(&c, dns, spf2, &worst);
		rc = audited ? exit_status(worst, c.fail_on) : EXIT_UNKNOWN;
	}
	if (c.verbosity > 0)
		print_dns_stats(dns);
written:
	rc = output_status(rc, stdout_closed);
out:
	dns_free(dns);
	spf2_pool_free(spf2);
	cli_free(&c);
	return rc;
}
