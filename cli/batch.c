/* SPDX-License-Identifier: ISC */
/* batch: --batch FILE. Senders are audited --jobs at a time over one DNS
 * layer (one cache for the whole batch: a name shared by 500 senders is asked
 * once), and reported in input order as soon as each is done. */
#include "batch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checks/audit.h"
#include "../lib/util/clock.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"

struct sender {
	struct target t;
	size_t line;
	struct findings fs;
	char started[32];
	long ms;
	bool done;
	enum status worst;
	long counts[STATUS_COUNT];
};

struct batch {
	const struct cli *c;
	struct dns *dns;
	const struct psl *psl;
	struct spf2_pool *spf2;
	struct http_gate *gate; /* one per-RDAP-server limit for all the senders */
	struct workpool *pool;  /* the threads of every audit's inputs */
	struct sender *v;
	size_t n, next;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *worker(void *arg)
{
	struct batch *b = arg;
	for (;;) {
		pthread_mutex_lock(&b->mu);
		size_t i = b->next++;
		pthread_mutex_unlock(&b->mu);
		if (i >= b->n)
			return NULL;
		struct sender *s = &b->v[i];
		/* the sender's answers are held until its audit is over */
		struct dns_view *view = dns_view_new(b->dns);
		struct resolver res = dns_view_resolver(view);
		struct audit a = {.t = &s->t, .o = &b->c->ao, .dns = &res, .psl = b->psl, .enabled = b->c->enabled,
		                  .spf2 = b->spf2, .http_gate = b->gate, .pool = b->pool};
		clock_rfc3339(s->started, sizeof s->started);
		int64_t t0 = clock_mono_ms();
		struct findings fs;
		findings_init(&fs);
		audit_run(&a, &fs);
		dns_view_free(view);
		pthread_mutex_lock(&b->mu);
		s->fs = fs;
		s->ms = (long)(clock_mono_ms() - t0);
		s->done = true;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
	}
}

static void free_senders(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		b->v[i].t.selectors = NULL; /* shared with the command line */
		target_free(&b->v[i].t);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/* Reads the senders; malformed lines are reported on stderr and skipped. */
static int read_senders(const struct cli *c, struct batch *b, size_t *malformed)
{
	FILE *f = strcmp(c->batch, "-") == 0 ? stdin : fopen(c->batch, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0, cap_v = 0, lineno = 0;
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		struct target t;
		char err[1024];
		int r = cli_parse_batch_line(c, line, &t, err, sizeof err);
		if (r < 0) {
			fprintf(stderr, "senderaudit: %s:%zu: ", strcmp(c->batch, "-") == 0 ? "stdin" : c->batch,
			        lineno);
			text_put_safe(stderr, err);
			fputs("; line skipped\n", stderr);
			(*malformed)++;
			continue;
		}
		if (r == 0)
			continue;
		xgrow(&b->v, &cap_v, b->n + 1, sizeof *b->v);
		memset(&b->v[b->n], 0, sizeof *b->v);
		b->v[b->n].t = t;
		b->v[b->n].line = lineno;
		b->n++;
	}
	free(line);
	int rc = ferror(f) ? -1 : 0;
	int e = errno;
	if (f != stdin)
		fclose(f);
	errno = e;
	return rc;
}

static void progress(size_t done, size_t total, int64_t t0)
{
	double secs = (double)(clock_mono_ms() - t0) / 1000.0;
	double rate = secs > 0 ? (double)done / secs : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	fprintf(stderr, "\r\033[K%zu/%zu senders, %.1f/s, ETA %.0f s", done, total, rate, eta);
	if (done == total)
		fputc('\n', stderr);
}

static void summary_table(FILE *out, const struct batch *b, bool color)
{
	(void)color;
	fprintf(out, "\n%-40s %-6s %5s %5s %5s %5s %5s %5s\n", "sender", "status", "pass", "warn", "fail", "error",
	        "skip", "info");
	for (size_t i = 0; i < b->n; i++) {
		const struct sender *s = &b->v[i];
		char who[300];
		snprintf(who, sizeof who, "%s %s", s->t.ip.text, s->t.domain);
		fprintf(out, "%-40s %-6s %5ld %5ld %5ld %5ld %5ld %5ld\n", who, status_name(s->worst),
		        s->counts[STATUS_PASS], s->counts[STATUS_WARN], s->counts[STATUS_FAIL], s->counts[STATUS_ERROR],
		        s->counts[STATUS_SKIP], s->counts[STATUS_INFO]);
	}
}

enum status batch_run(const struct cli *c, struct dns *dns, const struct psl *psl, struct spf2_pool *spf2,
                      struct http_gate *gate, struct workpool *pool, const struct report_opts *ro, FILE *out,
                      int *failed_lines)
{
	struct batch b = {.c = c, .dns = dns, .psl = psl, .spf2 = spf2, .gate = gate, .pool = pool};
	size_t malformed = 0;
	enum status worst = STATUS_SKIP;
	*failed_lines = 0;
	const char *file = strcmp(c->batch, "-") == 0 ? "standard input" : c->batch;
	if (read_senders(c, &b, &malformed) < 0) {
		fprintf(stderr, "senderaudit: cannot read ");
		text_put_safe(stderr, file);
		fprintf(stderr, ": %s\n", strerror(errno));
		free_senders(&b);
		*failed_lines = 1;
		return STATUS_ERROR;
	}
	*failed_lines = (int)malformed;
	if (b.n == 0) {
		/* A gate fed an empty list must not pass. */
		fprintf(stderr, "senderaudit: ");
		text_put_safe(stderr, file);
		fprintf(stderr, " holds no sender to audit (%s): nothing was checked\n",
		        malformed ? "no line could be read" : "only blank or comment lines");
		if (!*failed_lines)
			*failed_lines = 1;
		return STATUS_ERROR;
	}
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cv, NULL);
	size_t nth = (size_t)c->jobs < b.n ? (size_t)c->jobs : b.n;
	pthread_t *th = xcalloc(nth ? nth : 1, sizeof *th);
	size_t started = 0;
	for (size_t i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &b) == 0)
			started++;
	if (started == 0 && b.n)
		worker(&b); /* no threads to be had: one at a time */

	bool show_progress = isatty(STDERR_FILENO) && b.n > 1;
	int64_t t0 = clock_mono_ms();
	struct report_opts jo = *ro;
	jo.compact = true; /* JSON Lines */
	for (size_t i = 0; i < b.n; i++) {
		struct sender *s = &b.v[i];
		pthread_mutex_lock(&b.mu);
		while (!s->done)
			pthread_cond_wait(&b.cv, &b.mu);
		pthread_mutex_unlock(&b.mu);
		struct report_info ri = {.t = &s->t, .started_at = s->started, .duration_ms = s->ms};
		if (c->format == FORMAT_JSON) {
			report_json(out, &ri, &s->fs, &jo);
		} else {
			if (i)
				fputc('\n', out);
			report_text(out, &ri, &s->fs, ro);
		}
		fflush(out);
		s->worst = findings_worst(&s->fs);
		for (size_t k = 0; k < s->fs.n; k++)
			s->counts[s->fs.v[k].status]++;
		if (status_rank(s->worst) > status_rank(worst))
			worst = s->worst;
		findings_free(&s->fs);
		if (show_progress)
			progress(i + 1, b.n, t0);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	if (c->format == FORMAT_TEXT && b.n)
		summary_table(out, &b, ro->color);
	free_senders(&b);
	pthread_mutex_destroy(&b.mu);
	pthread_cond_destroy(&b.cv);
	return worst;
}
