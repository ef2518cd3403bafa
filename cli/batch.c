/* SPDX-License-Identifier: ISC */
/* batch: --batch FILE. Senders are read as they are needed, audited --jobs
 * at a time over one DNS layer (one cache for the whole batch: a name
 * shared by 500 senders is asked once), and reported in input order (or, with
 * --order completion, as each is done); a sender's data is freed once its
 * report is written, so memory depends on --jobs, not on the batch's size.
 * --resume skips the senders an earlier run's JSON Lines already hold;
 * SIGINT or SIGTERM stops the batch with what is done written. Also the path
 * every finished audit takes to the report, batch or not: its DNS questions
 * counted, its problems marked against --baseline, the run's worst status
 * added up. */
#include "batch.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../checks/audit.h"
#include "../lib/proc/workpool.h"
#include "../lib/util/clock.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/strmap.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "../report/baseline.h"
#include "rundns.h"

/* Senders read ahead of the one written: enough that one slow audit (a
 * stalled server) does not starve the workers in input order. */
#define WINDOW_PER_JOB 16
#define WINDOW_MIN     64

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_RUNNING, SLOT_DONE, SLOT_WRITING };

struct slot {
	enum slot_state st;
	uint64_t seq; /* the sender's place among those audited */
	struct target t;
	struct findings fs;
	char started[32];
	long ms;
	unsigned long lookups;
	/* When the format can (reporter.sender_text): the report, made by the
	 * worker, which freed fs; and what it adds to the run's worst. */
	struct strbuf text;
	bool has_text;
	enum status worst, worst_failing;
};

struct batch {
	const struct cli *c;
	const struct run_dns *dns;
	const struct audit *a0;
	struct run_out *out;
	struct slot *v;
	size_t cap, used;
	uint64_t next_read, next_write;
	bool eof;  /* the reader is done (end of file, or a read error) */
	int signo; /* SIGINT or SIGTERM received, else 0 */
	/* the reader's findings, read by the writer once eof is set */
	size_t malformed, resumed;
	int read_errno; /* a read error, or 0 */
	FILE *in;
	const char *in_name;
	struct strmap *done_before; /* --resume: sender key -> count */
	pthread_mutex_t mu;
	/* The workers are jobs of the run's pool when it has one (their waits
	 * then hold no thread); the reader and the writer are threads. */
	struct waitq work, done; /* a sender to audit; an audit done */
	pthread_cond_t space;    /* room in the window, for the reader */
	size_t workers_ended;
	struct waitq workers; /* batch_run waits here for jobs of the pool */
};

/* ------------------------------------------------------------ --resume */

/* "ip domain helo mail_from": how a sender is told apart in a report. */
static char *sender_key_new(const char *ip, const char *domain, const char *helo, const char *mail_from)
{
	return xasprintf("%s %s %s %s", ip, domain, helo ? helo : "-", mail_from ? mail_from : "-");
}

static const char *json_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The key of one JSON Lines report, or NULL when the line is not one. */
static char *report_key_new(const char *line)
{
	cJSON *r = cJSON_Parse(line);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "target");
	const char *ip = json_str(t, "ip"), *dom = json_str(t, "domain");
	char *k =
	    ip && dom ? sender_key_new(ip, dom, json_str(t, "helo"), json_str(t, "mail_from_domain")) : NULL;
	cJSON_Delete(r);
	return k;
}

static void count_add(struct strmap *m, const char *key, intptr_t d)
{
	intptr_t n = (intptr_t)strmap_get(m, key) + d;
	/* a count of 0 is stored as the key's absence, never as NULL */
	strmap_put(m, key, (void *)(n > 0 ? n : -1));
}

struct strmap *batch_resume_load(const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r+");
	if (!f && errno == ENOENT)
		return strmap_new(); /* a first run: nothing is done yet */
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", TEXT_SHOW(file), strerror(errno));
		return NULL;
	}
	struct strmap *m = strmap_new();
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	off_t good_end = 0; /* after the last whole report */
	ssize_t n;
	bool ok = true;
	while (ok && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		bool whole = n > 0 && line[n - 1] == '\n';
		char *k = report_key_new(line);
		if (k && whole) {
			count_add(m, k, 1);
			good_end = ftello(f);
		} else if (!whole) {
			/* cut short by a crash: the run that appends goes on from the
			 * last whole report, so the file stays JSON Lines */
			if (ftruncate(fileno(f), good_end) < 0) {
				snprintf(err, errlen, "'%s': cannot drop its unfinished last line: %s",
				         TEXT_SHOW(file), strerror(errno));
				ok = false;
			} else {
				fprintf(stderr,
				        "senderaudit: --resume: '%s' line %zu was cut short; removed\n",
				        TEXT_SHOW(file), lineno);
			}
		} else if (line[strspn(line, " \t\r\n")] != '\0') {
			snprintf(err, errlen, "'%s' line %zu is not a senderaudit JSON report",
			         TEXT_SHOW(file), lineno);
			ok = false;
		}
		free(k);
	}
	free(line);
	if (ok && ferror(f)) {
		snprintf(err, errlen, "cannot read '%s': %s", TEXT_SHOW(file), strerror(errno));
		ok = false;
	}
	fclose(f);
	if (!ok) {
		strmap_free(m);
		return NULL;
	}
	return m;
}

/* True (and one fewer left) when an earlier run reported this sender. */
static bool resume_take(struct strmap *m, const struct target *t)
{
	if (!m)
		return false;
	char *k = sender_key_new(t->ip.text, t->domain, t->helo, t->mail_from);
	bool had = (intptr_t)strmap_get(m, k) > 0;
	if (had)
		count_add(m, k, -1);
	free(k);
	return had;
}

/* ------------------------------------------------------------ the reader */

/* The next sender to audit into *t; false at the end of the input. Lines
 * that are malformed are reported on stderr and skipped. */
static bool read_sender(struct batch *b, char **line, size_t *cap, size_t *lineno, struct target *t)
{
	errno = 0;
	while (getline(line, cap, b->in) >= 0) {
		++*lineno;
		char err[1024];
		int r = cli_parse_batch_line(b->c, *line, t, err, sizeof err);
		if (r < 0) {
			fprintf(stderr, "senderaudit: %s:%zu: ", b->in_name, *lineno);
			text_put_safe(stderr, err);
			fputs("; line skipped\n", stderr);
			pthread_mutex_lock(&b->mu);
			b->malformed++;
			pthread_mutex_unlock(&b->mu);
			continue;
		}
		if (r == 0)
			continue;
		if (resume_take(b->done_before, t)) {
			t->selectors = NULL; /* the command line's */
			target_free(t);
			pthread_mutex_lock(&b->mu);
			b->resumed++;
			pthread_mutex_unlock(&b->mu);
			continue;
		}
		return true;
	}
	if (ferror(b->in)) {
		pthread_mutex_lock(&b->mu);
		b->read_errno = errno ? errno : EIO;
		pthread_mutex_unlock(&b->mu);
	}
	return false;
}

static struct slot *free_slot(struct batch *b)
{
	for (size_t i = 0; i < b->cap; i++)
		if (b->v[i].st == SLOT_FREE)
			return &b->v[i];
	return NULL;
}

/* Reads the senders as the window has room for them: a batch of a million
 * lines holds no more than the window in memory. */
static void *reader(void *arg)
{
	struct batch *b = arg;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	struct target t;
	while (read_sender(b, &line, &cap, &lineno, &t)) {
		pthread_mutex_lock(&b->mu);
		struct slot *s;
		while (!(s = free_slot(b)) && !b->signo)
			pthread_cond_wait(&b->space, &b->mu);
		if (b->signo) {
			pthread_mutex_unlock(&b->mu);
			t.selectors = NULL;
			target_free(&t);
			break;
		}
		s->t = t;
		s->seq = b->next_read++;
		s->st = SLOT_READY;
		b->used++;
		struct waiter *w = waitq_take_one(&b->work);
		pthread_mutex_unlock(&b->mu);
		waitq_wake(w);
	}
	free(line);
	pthread_mutex_lock(&b->mu);
	b->eof = true;
	struct waiter *w = waitq_take_onto(&b->done, waitq_take(&b->work));
	pthread_mutex_unlock(&b->mu);
	waitq_wake(w);
	return NULL;
}

/* ------------------------------------------------------------ reports */

static void raise_to(enum status *worst, enum status s)
{
	if (status_rank(s) > status_rank(*worst))
		*worst = s;
}

/* Adds a sender's worst statuses to the run's. */
static void tally(struct run_out *o, enum status worst, enum status worst_failing)
{
	raise_to(&o->worst, worst);
	raise_to(&o->worst_failing, worst_failing);
}

/* Marks fs against the baseline and raises worst and worst_failing to
 * its findings'; with text, appends the report to it (the reporter's
 * sender_text: no state of o is touched, any thread may call it), else
 * hands it to the reporter. */
static void out_mark(const struct run_out *o, struct report_info *ri, const struct findings *fs,
                     struct strbuf *text, enum status *worst, enum status *worst_failing, void *st)
{
	struct report_diff *d = o->baseline ? report_diff_new(o->baseline, ri->t, fs) : NULL;
	ri->diff = d;
	if (text)
		o->rep->sender_text(o->ro, ri, fs, text);
	else
		o->rep->sender(st, ri, fs);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		raise_to(worst, f->status);
		if (report_fails_run(f, d ? d->marks[i] : MARK_NONE, o->ro))
			raise_to(worst_failing, f->status);
	}
	ri->diff = NULL;
	report_diff_free(d);
}

void run_out_sender(struct run_out *o, struct report_info *ri, const struct findings *fs)
{
	out_mark(o, ri, fs, NULL, &o->worst, &o->worst_failing, o->st);
}

/* ------------------------------------------------------------ the workers */

/* The ready sender read first (b->mu held), or NULL. */
static struct slot *ready_slot(struct batch *b)
{
	struct slot *best = NULL;
	for (size_t i = 0; i < b->cap; i++)
		if (b->v[i].st == SLOT_READY && (!best || b->v[i].seq < best->seq))
			best = &b->v[i];
	return best;
}

static void *worker(void *arg)
{
	struct batch *b = arg;
	for (;;) {
		pthread_mutex_lock(&b->mu);
		struct slot *s;
		while (!(s = ready_slot(b)) && !b->eof && !b->signo)
			waitq_wait(&b->work, &b->mu);
		if (!s || b->signo) {
			pthread_mutex_unlock(&b->mu);
			return NULL;
		}
		s->st = SLOT_RUNNING;
		pthread_mutex_unlock(&b->mu);
		/* the sender's answers are held until its audit is over */
		struct audit_dns ad;
		audit_dns_open(&ad, b->dns);
		struct audit a = *b->a0;
		a.t = &s->t;
		a.dns = &ad.res;
		clock_rfc3339(s->started, sizeof s->started);
		int64_t t0 = clock_mono_ms();
		struct findings fs;
		findings_init(&fs);
		audit_run(&a, &fs);
		unsigned long lookups = audit_dns_close(&ad);
		long ms = (long)(clock_mono_ms() - t0);
		s->lookups = lookups;
		s->ms = ms;
		if (b->out->rep->sender_text) {
			/* the report made here, in parallel, from memory this
			 * thread allocated; the writer only writes it */
			struct report_info ri = {
			    .t = &s->t, .started_at = s->started, .duration_ms = ms, .lookups = lookups};
			s->worst = s->worst_failing = STATUS_SKIP;
			sb_clear(&s->text);
			out_mark(b->out, &ri, &fs, &s->text, &s->worst, &s->worst_failing, NULL);
			s->has_text = true;
			findings_free(&fs);
			findings_init(&fs);
		}
		pthread_mutex_lock(&b->mu);
		s->fs = fs;
		s->st = SLOT_DONE;
		/* the writer (done's only waiter) is woken when it can write: in
		 * input order, for the sender it waits for, not for each of the
		 * others done first */
		struct waiter *w =
		    s->seq == b->next_write || b->c->order == ORDER_COMPLETION ? waitq_take(&b->done) : NULL;
		pthread_mutex_unlock(&b->mu);
		waitq_wake(w);
	}
}

/* worker, as a job of the pool. */
static void worker_job(void *arg)
{
	struct batch *b = arg;
	worker(b);
	pthread_mutex_lock(&b->mu);
	b->workers_ended++;
	struct waiter *w = waitq_take(&b->workers);
	pthread_mutex_unlock(&b->mu);
	waitq_wake(w);
}

/* ------------------------------------------------------------ signals */

/* SIGINT and SIGTERM are blocked in every thread (batch_block_signals)
 * and taken here, so the batch can stop between two reports. */
static void *signal_waiter(void *arg)
{
	struct batch *b = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	pthread_mutex_lock(&b->mu);
	b->signo = sig;
	pthread_cond_broadcast(&b->space);
	struct waiter *w = waitq_take_onto(&b->done, waitq_take(&b->work));
	pthread_mutex_unlock(&b->mu);
	waitq_wake(w);
	return NULL;
}

void batch_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* ------------------------------------------------------------ the writer */

static void progress(size_t done, size_t total, int64_t t0)
{
	double secs = (double)(clock_mono_ms() - t0) / 1000.0;
	double rate = secs > 0 ? (double)done / secs : 0;
	if (total) {
		double eta = rate > 0 && total > done ? (double)(total - done) / rate : 0;
		fprintf(stderr, "\r\033[K%zu/%zu senders, %.1f/s, ETA %.0f s", done, total, rate, eta);
	} else {
		fprintf(stderr, "\r\033[K%zu senders, %.1f/s", done, rate);
	}
}

/* The next report to write (b->mu held), or NULL: in input order the
 * sender read next, in completion order any that is done. */
static struct slot *writable(struct batch *b, bool completion)
{
	struct slot *best = NULL;
	for (size_t i = 0; i < b->cap; i++) {
		struct slot *s = &b->v[i];
		if (s->st != SLOT_DONE)
			continue;
		if (completion || b->signo) {
			if (!best || s->seq < best->seq)
				best = s;
		} else if (s->seq == b->next_write) {
			return s;
		}
	}
	return best;
}

static void write_slot(struct run_out *o, struct slot *s)
{
	if (s->has_text) {
		fwrite(sb_str(&s->text), 1, s->text.len, o->out);
		tally(o, s->worst, s->worst_failing);
		s->has_text = false;
	} else {
		struct report_info ri = {
		    .t = &s->t, .started_at = s->started, .duration_ms = s->ms, .lookups = s->lookups};
		run_out_sender(o, &ri, &s->fs);
	}
	findings_free(&s->fs);
	s->t.selectors = NULL; /* the command line's */
	target_free(&s->t);
}

/* Writes the reports as they become writable, until every sender read is
 * written, or a signal came (then what is done is written, and no more).
 * Returns how many were written. */
static size_t write_all(struct batch *b, struct run_out *o, size_t total)
{
	bool completion = b->c->order == ORDER_COMPLETION;
	size_t refill = b->cap / 4 ? b->cap / 4 : 1;
	bool show_progress = isatty(STDERR_FILENO);
	int64_t t0 = clock_mono_ms();
	size_t written = 0;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		struct slot *s = writable(b, completion);
		if (s) {
			s->st = SLOT_WRITING;
			if (s->seq == b->next_write)
				b->next_write++;
			pthread_mutex_unlock(&b->mu);
			write_slot(o, s);
			written++;
			if (show_progress && written > 1)
				progress(written, total, t0);
			pthread_mutex_lock(&b->mu);
			s->st = SLOT_FREE;
			b->used--;
			/* the reader, which waits only with the window full, is
			 * woken for a quarter of it at once, not for every slot */
			if (b->cap - b->used >= refill)
				pthread_cond_signal(&b->space);
			continue;
		}
		if (b->signo || (b->eof && b->used == 0))
			break;
		/* JSON Lines and text blocks out as each sender is done: flushed
		 * before waiting for the next, so reports ready together go in
		 * one write (a reader on a pipe woke once a sender) */
		pthread_mutex_unlock(&b->mu);
		fflush(o->out);
		pthread_mutex_lock(&b->mu);
		if (writable(b, completion) || b->signo || (b->eof && b->used == 0))
			continue;
		waitq_wait(&b->done, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	fflush(o->out);
	if (show_progress && written > 1)
		fputc('\n', stderr);
	return written;
}

/* ------------------------------------------------------------ the run */

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
	struct report_info ri = {.t = a.t,
	                         .started_at = started,
	                         .duration_ms = (long)(clock_mono_ms() - t0),
	                         .lookups = audit_dns_close(&ad)};
	run_out_sender(o, &ri, &fs);
	findings_free(&fs);
}

/* The input's lines, counted ahead for the progress line when it is a
 * regular file (a pipe's total is unknown: 0). */
static size_t lines_ahead(const char *file)
{
	struct stat sb;
	if (strcmp(file, "-") == 0 || stat(file, &sb) < 0 || !S_ISREG(sb.st_mode))
		return 0;
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	size_t n = 0;
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < k; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

void batch_run(const struct cli *c, const struct run_dns *dns, const struct audit *a0,
               struct strmap *done_before, struct run_out *o, struct batch_result *res)
{
	memset(res, 0, sizeof *res);
	const char *file = strcmp(c->batch, "-") == 0 ? "standard input" : c->batch;
	FILE *in = strcmp(c->batch, "-") == 0 ? stdin : fopen(c->batch, "r");
	if (!in) {
		fprintf(stderr, "senderaudit: cannot read ");
		text_put_safe(stderr, file);
		fprintf(stderr, ": %s\n", strerror(errno));
		res->failed_lines = 1;
		return;
	}
	/* On the heap: after a signal, threads still running keep using it
	 * until the process exits. */
	struct batch *b = xcalloc(1, sizeof *b);
	*b = (struct batch){.c = c, .dns = dns, .a0 = a0, .out = o, .done_before = done_before, .in = in};
	b->in_name = strcmp(c->batch, "-") == 0 ? "stdin" : c->batch;
	size_t total = isatty(STDERR_FILENO) ? lines_ahead(c->batch) : 0;
	b->cap = (size_t)c->jobs * WINDOW_PER_JOB;
	if (b->cap < WINDOW_MIN)
		b->cap = WINDOW_MIN;
	b->v = xcalloc(b->cap, sizeof *b->v);
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->space, NULL);

	pthread_t sig_th, rd_th;
	bool sig_ok = pthread_create(&sig_th, NULL, signal_waiter, b) == 0;
	bool rd_ok = pthread_create(&rd_th, NULL, reader, b) == 0;
	if (rd_ok)
		pthread_setname_np(rd_th, "sa-reader");
	pthread_t *th = xcalloc((size_t)c->jobs, sizeof *th);
	size_t started = 0, jobs = 0;
	if (rd_ok && a0->pool) {
		void **args = xcalloc((size_t)c->jobs, sizeof *args);
		for (int i = 0; i < c->jobs; i++)
			args[i] = b;
		jobs = (size_t)c->jobs;
		workpool_submit_all(a0->pool, worker_job, args, jobs);
		free(args);
	}
	for (int i = 0; rd_ok && !jobs && i < c->jobs; i++)
		if (pthread_create(&th[started], NULL, worker, b) == 0)
			started++;
	if (!rd_ok || !(started + jobs)) {
		/* the reader, the workers and the writer need each other */
		fprintf(stderr, "senderaudit: --batch: cannot start threads: %s\n", strerror(errno));
		pthread_mutex_lock(&b->mu);
		b->signo = -1;
		pthread_cond_broadcast(&b->space);
		pthread_mutex_unlock(&b->mu);
	} else {
		res->written = write_all(b, o, total);
	}

	pthread_mutex_lock(&b->mu);
	res->signo = b->signo > 0 ? b->signo : 0;
	res->resumed = b->resumed;
	res->failed_lines = b->signo < 0 ? 1 : (int)b->malformed;
	int read_errno = b->read_errno;
	bool stopped = b->signo != 0;
	pthread_mutex_unlock(&b->mu);
	if (stopped) {
		/* Audits in flight and a reader waiting on a pipe are left as they
		 * are (b with them): the caller ends the report and exits. */
		free(th);
		return;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_lock(&b->mu);
	while (b->workers_ended < jobs)
		waitq_wait(&b->workers, &b->mu);
	pthread_mutex_unlock(&b->mu);
	if (rd_ok)
		pthread_join(rd_th, NULL);
	if (sig_ok) {
		pthread_cancel(sig_th); /* sigwait is a cancellation point */
		pthread_join(sig_th, NULL);
	}
	if (in != stdin)
		fclose(in);
	for (size_t i = 0; i < b->cap; i++)
		sb_free(&b->v[i].text);
	free(b->v);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->space);
	free(b);

	if (read_errno) {
		fprintf(stderr, "senderaudit: cannot read ");
		text_put_safe(stderr, file);
		fprintf(stderr, ": %s\n", strerror(read_errno));
		if (!res->failed_lines)
			res->failed_lines = 1;
	}
	if (res->resumed)
		fprintf(stderr, "senderaudit: --resume: %zu sender%s already reported, skipped\n",
		        res->resumed, res->resumed == 1 ? "" : "s");
	if (res->written == 0 && !read_errno && !res->resumed && !res->failed_lines) {
		/* A gate fed an empty list must not pass. */
		fprintf(stderr, "senderaudit: ");
		text_put_safe(stderr, file);
		fprintf(stderr,
		        " holds no sender to audit (only blank or comment lines): nothing was checked\n");
		res->failed_lines = 1;
	} else if (res->written == 0 && res->failed_lines && !read_errno && !res->resumed) {
		fprintf(stderr, "senderaudit: ");
		text_put_safe(stderr, file);
		fprintf(stderr, " holds no sender to audit (no line could be read): nothing was checked\n");
	}
}
