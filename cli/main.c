/* SPDX-License-Identifier: ISC */
/* senderaudit: audit the infrastructure an organisation sends mail from.
 * Only this file decides the exit status and exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checks/audit.h"
#include "../checks/registry.h"
#include "../lib/util/clock.h"
#include "../lib/util/strmap.h"
#include "../lib/net/httpgate.h"
#include "../lib/proc/spf2pool.h"
#include "../lib/proc/workpool.h"
#include "../lib/util/text.h"
#include "../lib/util/timeouts.h"
#include "../lib/util/xalloc.h"
#include "../report/baseline.h"
#include "../report/report.h"
#include "batch.h"
#include "options.h"
#include "receive.h"
#include "rundns.h"
#include "spfcmd.h"

#define EXIT_USAGE 64
/* Threads of the pool, per job of a batch (a single audit: INPUT_COUNT).
 * Inputs waiting for lookups hold none (they are fibers, and as many run
 * at once as there are CPUs); the others are for inputs blocked in a
 * system call (HTTP, WHOIS, SMTP, libspf2), so that those never make the
 * rest wait. */
#define INPUTS_PER_AUDIT 8
/* The release build's jemalloc reads this before main (its MALLOC_CONF
 * variable still overrides it): an arena per CPU instead of four. A batch
 * of 100,000 senders with 32 jobs peaked at 94 MB with four, 66 MB with
 * one per CPU, pages freed by one arena no longer kept apart from the
 * others' (BENCHMARKS.md). Other allocators ignore it. */
const char *malloc_conf = "percpu_arena:percpu";

/* Nothing determined: a check's error, or a report that could not be
 * written (a gate must not read silence as success). */
#define EXIT_UNKNOWN 3

/* The exit status of the worst finding that fails the run (see
 * report_fails_run: --fail-on decides which do). */
static int exit_status(enum status worst_failing)
{
	switch (worst_failing) {
	case STATUS_FAIL: return 2;
	case STATUS_ERROR: return EXIT_UNKNOWN;
	case STATUS_WARN: return 1;
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
	size_t n = registry_count(), w = 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(registry_check(i)->id) > w)
			w = strlen(registry_check(i)->id);
	for (size_t i = 0; i < n; i++) {
		const struct check *d = registry_check(i);
		size_t cl = strcspn(d->id, ".");
		printf("%-*s %-7.*s %s\n", (int)w, d->id, (int)cl, d->id, d->title);
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
	        stdout_closed ? "it is closed"
	        : errno       ? strerror(errno)
	                      : "write error");
	return EXIT_UNKNOWN;
}

/* `receive`: the messages that arrive, each audited as its sender and
 * handed to o. A message whose sender cannot be told counts as an error. */
static void receive_audits(const struct cli *c, struct smtpd_msg *msgs, long n, const struct audit *a0,
                           const struct run_dns *d, struct run_out *o)
{
	char why[400];
	for (long i = 0; i < n; i++) {
		if (c->save && receive_save(c->save, (size_t)i, &msgs[i], why, sizeof why) < 0)
			fprintf(stderr, "senderaudit: receive: %s\n", why);
		struct target t;
		struct target_wire w;
		if (receive_target(c, &msgs[i], &t, &w, why, sizeof why) < 0) {
			fprintf(stderr, "senderaudit: receive: message %ld: cannot audit: %s\n", i + 1, why);
			if (status_rank(o->worst_failing) < status_rank(STATUS_ERROR))
				o->worst_failing = STATUS_ERROR;
			continue;
		}
		struct audit a = *a0;
		a.t = &t;
		run_one(&a, d, o);
		t.selectors = NULL; /* the command line's */
		target_free(&t);
	}
}

/* The audit of the sender on the command line, of a --batch file, or of
 * what `receive` receives, reported in c's format. Returns the exit status
 * (3 when nothing was audited). */
static int run_audits(const struct cli *c, const struct run_dns *d, struct spf2_pool *spf2,
                      const struct baseline *bl, struct strmap *done_before)
{
	/* `receive` first takes its messages: how many decides whether the
	 * report is one sender's or a batch's */
	struct smtpd_msg *msgs = NULL;
	long n_msgs = 0;
	if (c->cmd == CMD_RECEIVE) {
		char why[400];
		n_msgs = receive_messages(c, stderr, &msgs, why, sizeof why);
		if (n_msgs < 0) {
			fprintf(stderr, "senderaudit: receive: %s\n", why);
			return EXIT_UNKNOWN;
		}
		if (n_msgs == 0) {
			fprintf(stderr, "senderaudit: receive: no message received within %d s\n",
			        c->wait_ms / 1000);
			receive_free(msgs, 0);
			return EXIT_UNKNOWN;
		}
	}
	struct psl *psl = psl_open();
	/* Per RDAP server, 2 requests at once for the whole run, however many
	 * audits run side by side (registries rate-limit per client). */
	struct http_gate *gate = http_gate_new(2);
	/* The pool that runs the audits' inputs (and a batch's workers),
	 * started once for the run: a batch would otherwise start and end a
	 * thread for every input of every sender. */
	struct workpool *pool =
	    workpool_new(c->batch ? (size_t)c->jobs * INPUTS_PER_AUDIT : (size_t)INPUT_COUNT);
	struct report_opts ro = {.color = want_color(c->color),
	                         .verbosity = c->verbosity,
	                         .batch = c->batch != NULL || n_msgs > 1,
	                         .warn_ok = c->fail_on == STATUS_FAIL,
	                         .new_only = c->fail_on_new};
	const struct reporter *rep = reporter_find(report_format_names[c->format]);
	struct run_out o = {.rep = rep,
	                    .ro = &ro,
	                    .out = stdout,
	                    .baseline = bl,
	                    .worst = STATUS_SKIP,
	                    .worst_failing = STATUS_SKIP};
	if (c->batch) {
		/* The writer flushes when it waits (batch.c): a buffer that holds
		 * several reports lets those ready together go in one write
		 * instead of one each (a pipe's 4 KiB let none wait). Lives as
		 * long as stdout. */
		enum { OUT_BUF = 1 << 18 };
		setvbuf(stdout, xmalloc(OUT_BUF), _IOFBF, OUT_BUF);
	}
	o.st = rep->begin(stdout, &ro);
	struct batch_result br = {0};
	struct audit a = {.t = &c->t,
	                  .o = &c->ao,
	                  .psl = psl,
	                  .enabled = c->enabled,
	                  .spf2 = spf2,
	                  .http_gate = gate,
	                  .pool = pool};
	if (c->cmd == CMD_RECEIVE)
		receive_audits(c, msgs, n_msgs, &a, d, &o);
	else if (c->batch)
		batch_run(c, d, &a, done_before, &o, &br);
	else
		run_one(&a, d, &o);
	/* A sender that could not be read is a sender not checked. */
	if (br.failed_lines && status_rank(o.worst_failing) < status_rank(STATUS_ERROR))
		o.worst_failing = STATUS_ERROR;
	int rc = br.signo ? 128 + br.signo : exit_status(o.worst_failing);
	rep->end(o.st, rc);
	if (br.signo) {
		/* What was done is written and the report ended; the audits in
		 * flight are abandoned, their threads with the process. */
		fflush(stdout);
		fprintf(stderr, "senderaudit: %s: stopped after %zu sender%s; the rest were not audited\n",
		        br.signo == SIGINT ? "interrupted" : "terminated", br.written,
		        br.written == 1 ? "" : "s");
		_exit(ferror(stdout) ? EXIT_UNKNOWN : rc);
	}
	receive_free(msgs, (size_t)n_msgs);
	workpool_free(pool);
	psl_close(psl);
	http_gate_free(gate);
	return rc;
}

static void print_dns_stats(struct dns *dns)
{
	struct dns_stats st;
	dns_get_stats(dns, &st);
	fprintf(stderr,
	        "senderaudit: dns: %lu lookup%s (%lu from cache or merged), %lu packet%s sent, %lu over TCP, "
	        "%lu timed out, at most %lu in flight; resolver %s\n",
	        st.lookups, st.lookups == 1 ? "" : "s", st.cache_hits, st.sent, st.sent == 1 ? "" : "s",
	        st.tcp, st.timeouts, st.max_inflight, dns_servers_text(dns));
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
	struct baseline *bl = NULL;
	struct strmap *done_before = NULL;
	struct run_dns d;
	memset(&d, 0, sizeof d);
	if (cli_parse(&c, argc, argv, err, sizeof err) < 0) {
		fprintf(stderr, "senderaudit: %s (see senderaudit %s)\n", err, c.hint ? c.hint : "--help");
		rc = EXIT_USAGE;
		goto out;
	}
	switch (c.cmd) {
	case CMD_HELP:
		if (c.help_spf)
			cli_usage_spf(stdout);
		else
			cli_usage(stdout);
		goto written;
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
	if (c.baseline) {
		bl = baseline_load(c.baseline, err, sizeof err);
		if (!bl) {
			fprintf(stderr, "senderaudit: --baseline: ");
			text_put_safe(stderr, err);
			fprintf(stderr, " (see senderaudit --help)\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}

	if (c.resume) {
		done_before = batch_resume_load(c.resume, err, sizeof err);
		if (!done_before) {
			fprintf(stderr, "senderaudit: --resume: ");
			text_put_safe(stderr, err);
			fprintf(stderr, " (see senderaudit --help)\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}

	/* libspf2's workers are forked now, before any thread exists, when
	 * an enabled check shows libspf2's verdict. */
	bool spf = c.cmd == CMD_SPF ||
	           (registry_needs(c.enabled) & (NEED(IN_SPF_SECOND) | NEED(IN_HELO_SPF_SECOND)));
	spf2 = spf ? spf2_pool_new(c.cmd == CMD_SPF ? 1 : c.batch ? 4 : 2) : NULL;

	/* before the run's first thread: a batch takes SIGINT and SIGTERM
	 * itself, to stop between two reports */
	if (c.batch)
		batch_block_signals();
	rc = run_dns_open(&d, &c);
	if (rc)
		goto out;
	if (c.cmd == CMD_SPF) {
		struct dns_tap *tap = dns_tap_new(&d.whole, d.rec);
		struct resolver res = dns_tap_resolver(tap);
		rc = spf_command(&c, &res, spf2, stdout);
		dns_tap_free(tap);
	} else {
		rc = run_audits(&c, &d, spf2, bl, done_before);
	}
	if (c.verbosity > 0 && d.dns)
		print_dns_stats(d.dns);
	rc = run_dns_save(&d, &c, rc);
written:
	rc = output_status(rc, stdout_closed);
out:
	run_dns_close(&d);
	spf2_pool_free(spf2);
	baseline_free(bl);
	strmap_free(done_before);
	cli_free(&c);
	return rc;
}
