/* SPDX-License-Identifier: ISC */
/* batch: --batch FILE. Senders are audited --jobs at a time over one DNS
 * layer (one cache for the whole batch: a name shared by 500 senders is asked
 * once), and reported in input order as soon as each is done. Also the path
 * every finished audit takes to the report, batch or not: its DNS questions
 * counted, its problems marked against --baseline, the run's worst status
 * added up. */
#include "batch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checks/audit.h"
#include "../lib/util/clock.h"
#include "../report/baseline.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "rundns.h"

struct sender {
	struct target t;
	size_t line;
	struct findings fs;
	char started[32];
	long ms;
	unsigned long lookups;
	bool done;
};

struct batch {
	const struct cli *c;
	const struct run_dns *dns;
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
		struct audit_dns ad;
		audit_dns_open(&ad, b->dns);
		struct audit a = {.t = &s->t, .o = &b->c->ao, .dns = &ad.res, .psl = b->psl, .enabled = b->c->enabled,
		                  .spf2 = b->spf2, .http_gate = b->gate, .pool = b->pool};
		clock_rfc3339(s->started, sizeof s->started);
		int64_t t0 = clock_mono_ms();
		struct findings fs;
		findings_init(&fs);
		audit_run(&a, &fs);
		unsigned long lookups = audit_dns_close(&ad);
		pthread_mutex_lock(&b->mu);
		s->fs = fs;
		s->lookups = lookups;
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

void run_out_sender(struct run_out *o, struct report_info *ri, const struct findings *fs)
{
	struct report_diff *d = o->baseline ? report_diff_new(o->baseline, ri->t, fs) : NULL;
	ri->diff = d;
	o->rep->sender(o->st, ri, fs);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		if (status_rank(f->status) > status_rank(o->worst))
			o->worst = f->status;
		if (report_fails_run(f, d ? d->marks[i] : MARK_NONE, o->ro) &&
		    status_rank(f->status) > status_rank(o->worst_failing))
			o->worst_failing = f->status;
	}
	ri->diff = NULL;
	report_diff_free(d);
}

void run_one(const struct audit *a0, const struct run_dns *d, struct run_out *o)
{
	struct audit_dns ad;
	audit_dns_open(&ad, d);
	struct audit a = *a0;
	a.dns = &ad.res;
	char started[32];
	clock_rfc3339(started, sizeof started);
	int64_t t0 = clock_mono_ms();
	struct findings fs;
	findings_init(&fs);
	audit_run(&a, &fs);
	struct report_info ri = {.t = a.t, .started_at = started, .duration_ms = (long)(clock_mono_ms() - t0),
	                         .lookups = audit_dns_close(&ad)};
	run_out_sender(o, &ri, &fs);
	findings_free(&fs);
}

void batch_run(const struct cli *c, const struct run_dns *dns, const struct psl *psl, struct spf2_pool *spf2,
               struct http_gate *gate, struct workpool *pool, struct run_out *o, int *failed_lines)
{
	struct batch b = {.c = c, .dns = dns, .psl = psl, .spf2 = spf2, .gate = gate, .pool = pool};
	size_t malformed = 0;
	*failed_lines = 0;
	const char *file = strcmp(c->batch, "-") == 0 ? "standard input" : c->batch;
	if (read_senders(c, &b, &malformed) < 0) {
		fprintf(stderr, "senderaudit: cannot read ");
		text_put_safe(stderr, file);
		fprintf(stderr, ": %s\n", strerror(errno));
		free_senders(&b);
		*failed_lines = 1;
		return;
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
		return;
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
	for (size_t i = 0; i < b.n; i++) {
		struct sender *s = &b.v[i];
		pthread_mutex_lock(&b.mu);
		while (!s->done)
			pthread_cond_wait(&b.cv, &b.mu);
		pthread_mutex_unlock(&b.mu);
		struct report_info ri = {.t = &s->t, .started_at = s->started, .duration_ms = s->ms,
		                         .lookups = s->lookups};
		run_out_sender(o, &ri, &s->fs);
		fflush(o->out); /* JSON Lines and text blocks as each sender is done */
		findings_free(&s->fs);
		if (show_progress)
			progress(i + 1, b.n, t0);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	free_senders(&b);
	pthread_mutex_destroy(&b.mu);
	pthread_cond_destroy(&b.cv);
}
