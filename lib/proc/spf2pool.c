/* SPDX-License-Identifier: ISC */
/* spf2pool: libspf2 in worker processes, asking their DNS questions of
 * the audit over a socket (see spf2pool.h).
 *
 * A worker: libspf2 with a DNS layer whose lookup() sends "type, name" to
 * the parent and reads the graded answer back; it evaluates one request
 * after another. The parent: answers through the audit's resolver (the same
 * cache and timeouts), until the worker writes its result, dies, or runs
 * out of time (then it is killed and replaced). Workers are forked when the
 * pool is made, before the process has threads; only a replacement is
 * forked later. */
#include "spf2pool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* spf2/spf.h is not self-contained */
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "workpool.h"
#include "../util/clock.h"
#include "../util/json.h"
#include "../util/strbuf.h"
#include "../util/xalloc.h"

/* Wire messages (host byte order: both ends are this process image).
 * parent -> worker: 'E', then ip, sender, helo as (u16 len, bytes), then
 *                   u16 n, n x (u16 type, u16 len, name, answer): answers
 *                   known before it asks
 * worker -> parent: 'Q' u16 type, u16 len, name | 'R' u16 len, result
 * parent -> worker (answer): u8 herrno class, u16 count, count x (u16 len, bytes) */
#define MAX_MSG 70000
/* Known answers go with a request up to this size (and MAX_KNOWN of
 * them); the rest are asked as before. */
#define KNOWN_BYTES 48000
#define MAX_KNOWN   64
/* libspf2 asks at most a few dozen questions for any record it accepts. */
#define MAX_QUESTIONS 200
/* How long a job waiting for its worker lets others run before it sleeps. */
#define YIELD_MS 2

static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		/* a child that died must not kill the audit with SIGPIPE */
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

/* A message goes out whole, in one write (msg_*), and comes in through a
 * buffer (inbuf): a question and its answer cost a write and a read at
 * each end, not a system call (and a wake-up of the other end) per field.
 * Both ends alternate strictly, so a buffer never holds the start of the
 * next message. */
static void msg_u16(struct strbuf *m, uint16_t v)
{
	sb_putn(m, (const char *)&v, 2);
}

/* (u16 length, bytes); longer strings are cut (the reader's limits are
 * far below). */
static void msg_str(struct strbuf *m, const char *s, size_t len)
{
	uint16_t l = (uint16_t)(len > 65000 ? 65000 : len);
	msg_u16(m, l);
	sb_putn(m, s, l);
}

static bool msg_send(int fd, struct strbuf *m)
{
	bool ok = write_all(fd, m->s, m->len);
	m->len = 0;
	return ok;
}

struct inbuf {
	int fd;
	size_t pos, len;
	char buf[8192];
};

/* Whether there is something to read by the deadline. */
static bool wait_readable(int fd, int64_t deadline);

static bool in_wait(struct inbuf *in, int64_t deadline)
{
	return in->pos < in->len || wait_readable(in->fd, deadline);
}

static bool in_read(struct inbuf *in, void *p, size_t n)
{
	char *c = p;
	while (n) {
		if (in->pos == in->len) {
			ssize_t r = read(in->fd, in->buf, sizeof in->buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return false;
			in->pos = 0;
			in->len = (size_t)r;
		}
		size_t k = in->len - in->pos < n ? in->len - in->pos : n;
		memcpy(c, in->buf + in->pos, k);
		in->pos += k;
		c += k;
		n -= k;
	}
	return true;
}

static bool read_str(struct inbuf *in, char *buf, size_t cap)
{
	uint16_t l;
	if (!in_read(in, &l, 2) || l >= cap || !in_read(in, buf, l))
		return false;
	buf[l] = '\0';
	return true;
}

/* ------------------------------------------------------------ the child */

enum { ANS_OK, ANS_NXDOMAIN, ANS_NODATA, ANS_TRYAGAIN };

/* The worker's end of the socket. */
struct child_io {
	struct inbuf in;
	struct strbuf out;
	SPF_dns_rr_t *known[MAX_KNOWN]; /* the answers the request came with */
	size_t known_count;
};

/* An answer as it comes in (class, count, records), read into a record
 * set of libspf2's; NULL when the message is cut. */
static SPF_dns_rr_t *read_rr(SPF_dns_server_t *srv, struct inbuf *in, const char *domain, ns_type type)
{
	uint8_t cls;
	uint16_t count;
	if (!in_read(in, &cls, 1) || !in_read(in, &count, 2))
		return NULL;
	static const int herr[] = {NETDB_SUCCESS, HOST_NOT_FOUND, NO_DATA, TRY_AGAIN};
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(srv, domain, type, 0, herr[cls & 3]);
	if (!rr)
		return NULL;
	int n = 0;
	for (uint16_t i = 0; i < count; i++) {
		uint16_t l;
		char *buf = NULL;
		if (!in_read(in, &l, 2) || !(buf = malloc((size_t)l + 1)) || !in_read(in, buf, l)) {
			free(buf);
			SPF_dns_rr_free(rr);
			return NULL;
		}
		buf[l] = '\0';
		size_t need = type == ns_t_a      ? sizeof(struct in_addr)
		              : type == ns_t_aaaa ? sizeof(struct in6_addr)
		                                  : (size_t)l + 1;
		if (SPF_dns_rr_buf_realloc(rr, n, need) == SPF_E_SUCCESS) {
			if (type == ns_t_a && l == 4)
				memcpy(&rr->rr[n]->a, buf, 4);
			else if (type == ns_t_aaaa && l == 16)
				memcpy(&rr->rr[n]->aaaa, buf, 16);
			else if (type == ns_t_mx || type == ns_t_ptr || type == ns_t_txt)
				memcpy(rr->rr[n], buf, (size_t)l + 1);
			else {
				free(buf);
				continue;
			}
			n++;
		}
		free(buf);
	}
	rr->num_rr = n;
	if (n == 0 && rr->herrno == NETDB_SUCCESS)
		rr->herrno = NO_DATA;
	return rr;
}

static SPF_dns_rr_t *child_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type, int should_cache)
{
	(void)should_cache;
	struct child_io *io = srv->hook;
	/* RFC 7208 dropped type SPF: never ask for it. */
	if (type == ns_t_spf)
		return SPF_dns_rr_new_init(srv, domain, type, 0, NO_DATA);
	for (size_t i = 0; i < io->known_count; i++) {
		SPF_dns_rr_t *k = io->known[i];
		SPF_dns_rr_t *copy = NULL;
		if (k->rr_type == type && name_same(k->domain, domain)) {
			if (SPF_dns_rr_dup(&copy, k) != SPF_E_SUCCESS)
				_exit(3);
			return copy;
		}
	}
	sb_putn(&io->out, "Q", 1);
	msg_u16(&io->out, (uint16_t)type);
	msg_str(&io->out, domain, strnlen(domain, 1024));
	SPF_dns_rr_t *rr = msg_send(io->in.fd, &io->out) ? read_rr(srv, &io->in, domain, type) : NULL;
	if (!rr)
		_exit(3);
	return rr;
}

/* The answers a request came with (after its helo). */
static bool read_known(SPF_dns_server_t *srv, struct child_io *io)
{
	uint16_t n;
	if (!in_read(&io->in, &n, 2) || n > MAX_KNOWN)
		return false;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t type;
		char name[1025];
		if (!in_read(&io->in, &type, 2) || !read_str(&io->in, name, sizeof name))
			return false;
		SPF_dns_rr_t *rr = read_rr(srv, &io->in, name, (ns_type)type);
		if (!rr)
			return false;
		io->known[io->known_count++] = rr;
	}
	return true;
}

static void known_clear(struct child_io *io)
{
	for (size_t i = 0; i < io->known_count; i++)
		SPF_dns_rr_free(io->known[i]);
	io->known_count = 0;
}

/* libspf2's INVALID covers both permanent and temporary trouble. */
static const char *child_result(SPF_response_t *resp, SPF_errcode_t err)
{
	SPF_result_t r = SPF_response_result(resp);
	if (r == SPF_RESULT_INVALID)
		return err == SPF_E_DNS_ERROR ? "temperror" : "permerror";
	return SPF_strresult(r);
}

static void child_quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

static void worker_main(int fd)
{
	/* A crash is the parent's to report, in every build (sanitizers
	 * would otherwise catch it here and exit with a status). */
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		signal(fatal[i], SIG_DFL);
	signal(SIGINT, SIG_IGN); /* the parent ends us when it is done */
	prctl(PR_SET_NAME, "sa-libspf2");
	/* libspf2 prints warnings to stderr; the report says what matters */
	SPF_warning_handler = child_quiet;
	SPF_info_handler = child_quiet;
	SPF_debug_handler = child_quiet;
	struct child_io io = {.in.fd = fd};
	SPF_dns_server_t *d = xcalloc(1, sizeof *d);
	d->lookup = child_lookup;
	d->name = "senderaudit";
	d->hook = &io;
	SPF_server_t *srv = SPF_server_new_dns(d, 0);
	if (!srv)
		_exit(4);
	for (;;) {
		char tag, ip[64], sender[1100], helo[300];
		if (!in_read(&io.in, &tag, 1) || tag != 'E' || !read_str(&io.in, ip, sizeof ip) ||
		    !read_str(&io.in, sender, sizeof sender) || !read_str(&io.in, helo, sizeof helo) ||
		    !read_known(d, &io))
			_exit(0); /* the parent is gone or done */
		SPF_request_t *req = SPF_request_new(srv);
		if (!req)
			_exit(4);
		if (strchr(ip, ':'))
			SPF_request_set_ipv6_str(req, ip);
		else
			SPF_request_set_ipv4_str(req, ip);
		if (*helo)
			SPF_request_set_helo_dom(req, helo);
		SPF_request_set_env_from(req, sender);
		SPF_response_t *resp = NULL;
		SPF_errcode_t err = SPF_request_query_mailfrom(req, &resp);
		const char *res = resp ? child_result(resp, err) : "permerror";
		sb_putn(&io.out, "R", 1);
		msg_str(&io.out, res, strlen(res));
		if (!msg_send(fd, &io.out))
			_exit(0);
		if (resp)
			SPF_response_free(resp);
		SPF_request_free(req);
		known_clear(&io);
	}
}

/* ------------------------------------------------------------ the parent */

/* Appends an answer as the worker reads it (read_rr). */
static void put_answer(struct strbuf *m, const struct dns_answer *a, uint16_t type)
{
	uint8_t cls = a->status == DNS_OK         ? ANS_OK
	              : a->status == DNS_NXDOMAIN ? ANS_NXDOMAIN
	              : a->status == DNS_NODATA   ? ANS_NODATA
	                                          : ANS_TRYAGAIN;
	uint16_t count = 0;
	for (size_t i = 0; cls == ANS_OK && i < a->rr_count && count < 1000; i++)
		count += a->rrs[i].type == type;
	sb_putn(m, (const char *)&cls, 1);
	msg_u16(m, count);
	uint16_t sent = 0;
	for (size_t i = 0; sent < count && i < a->rr_count; i++) {
		const struct dns_rr *rr = &a->rrs[i];
		if (rr->type != type)
			continue;
		const void *p;
		size_t l;
		if (type == DNS_T_A || type == DNS_T_AAAA) {
			p = rr->addr;
			l = type == DNS_T_A ? 4 : 16;
		} else if (type == DNS_T_TXT) {
			p = rr->txt ? rr->txt : "";
			l = rr->txt ? rr->txt_len : 0;
		} else {
			p = rr->name ? rr->name : "";
			l = strlen(p);
		}
		msg_str(m, p, l);
		sent++;
	}
}

static bool send_answer(int fd, const struct dns_answer *a, uint16_t type)
{
	struct strbuf m = {0};
	put_answer(&m, a, type);
	bool ok = msg_send(fd, &m);
	sb_free(&m);
	return ok;
}

/* The answers to known's questions, after a request's helo: all from the
 * audit's memo (its own evaluation asked them), so the worker needs a
 * round trip over the socket only for a question the evaluation did not
 * ask. Only the types the worker reads. */
static void put_known(struct strbuf *m, const struct resolver *d, const struct resolver_log *known)
{
	size_t at = m->len;
	uint16_t n = 0;
	msg_u16(m, 0);
	for (size_t i = 0; known && i < known->n && n < MAX_KNOWN && m->len < KNOWN_BYTES; i++) {
		uint16_t type = known->q[i].type;
		const char *name = known->q[i].name;
		if ((type != DNS_T_A && type != DNS_T_AAAA && type != DNS_T_MX && type != DNS_T_PTR &&
		     type != DNS_T_TXT) ||
		    strlen(name) > 1024)
			continue;
		msg_u16(m, type);
		msg_str(m, name, strlen(name));
		put_answer(m, resolver_query(d, name, type), type);
		n++;
	}
	memcpy(m->s + at, &n, 2);
}

/* Waits for fd to be readable until the deadline; false on timeout. */
static bool wait_readable(int fd, int64_t deadline)
{
	/* The worker answers in well under a millisecond: the carrier runs
	 * the jobs that can go on meanwhile, looking again after them, rather
	 * than sleep in poll with every job it could run */
	int64_t until = clock_mono_ms() + YIELD_MS;
	if (until > deadline)
		until = deadline;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, 0);
		if (r > 0 || (r < 0 && errno != EINTR))
			return true;
		if (clock_mono_ms() >= until || !workpool_yield())
			break;
	}
	for (;;) {
		int64_t left = deadline - clock_mono_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {fd, POLLIN, 0};
		int r = workpool_poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return true; /* let the read report it */
	}
}

static void set_why(struct spf_second *out, const char *why)
{
	free(out->why);
	out->why = xstrdup(why);
}

/* Serves the child's questions about one request; returns when it
 * answered, failed or timed out. in is the worker's, kept from one request
 * of a message to the next (its buffer may hold the next one's answer). */
static void serve(const struct resolver *d, struct inbuf *in, int64_t deadline, struct spf_second *out)
{
	for (int q = 0; q <= MAX_QUESTIONS; q++) {
		char tag;
		if (!in_wait(in, deadline)) {
			set_why(out, "libspf2 did not finish in time (killed)");
			return;
		}
		if (!in_read(in, &tag, 1))
			return; /* it died: waitpid says how */
		if (tag == 'R') {
			char res[64];
			if (read_str(in, res, sizeof res))
				out->result = xstrdup(res);
			return;
		}
		uint16_t type;
		char name[1025];
		if (tag != 'Q' || !in_read(in, &type, 2) || !read_str(in, name, sizeof name))
			return;
		out->asked++;
		const struct dns_answer *a = resolver_query(d, name, type);
		if (!send_answer(in->fd, a, type))
			return;
	}
	set_why(out, "libspf2 asked too many questions (killed)");
}

struct worker {
	pid_t pid; /* 0: none (could not be started) */
	int fd;
	bool busy;
};

struct spf2_pool {
	pthread_mutex_t mu;
	struct waitq freed; /* a worker went back to the pool */
	struct worker *w;
	size_t n;
};

static void spawn(struct spf2_pool *p, struct worker *w)
{
	int sv[2];
	w->pid = 0;
	w->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* the other workers' sockets are not ours: holding them would
		 * keep those workers from seeing their parent go */
		for (size_t i = 0; i < p->n; i++)
			if (&p->w[i] != w && p->w[i].fd >= 0)
				close(p->w[i].fd);
		close(sv[0]);
		worker_main(sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	w->pid = pid;
	w->fd = sv[0];
}

/* Ends a worker and says how it ended (when why is not NULL). */
static void reap(struct worker *w, bool kill_it, struct spf_second *out)
{
	if (w->pid <= 0)
		return;
	if (kill_it)
		kill(w->pid, SIGKILL);
	close(w->fd);
	int st = 0;
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (out && !out->result && !out->why) {
		if (WIFSIGNALED(st))
			out->why = xasprintf("libspf2 crashed (signal %d, %s)", WTERMSIG(st),
			                     strsignal(WTERMSIG(st)));
		else
			out->why =
			    xasprintf("libspf2 ended without a result (exit status %d)", WEXITSTATUS(st));
	}
	w->pid = 0;
	w->fd = -1;
}

void spf_second_clear(struct spf_second *s)
{
	free(s->result);
	free(s->why);
	memset(s, 0, sizeof *s);
}

cJSON *spf_second_json_new(const struct spf_second *s)
{
	cJSON *o = cJSON_CreateObject();
	if (s && s->ran) {
		json_add_str(o, "result", s->result);
		if (s->why)
			cJSON_AddStringToObject(o, "why", s->why);
	} else {
		cJSON_AddStringToObject(o, "why", s && s->why ? s->why : "not run");
	}
	return o;
}

struct spf2_pool *spf2_pool_new(size_t workers)
{
	struct spf2_pool *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	p->n = workers ? workers : 1;
	p->w = xcalloc(p->n, sizeof *p->w);
	for (size_t i = 0; i < p->n; i++)
		p->w[i].fd = -1;
	for (size_t i = 0; i < p->n; i++)
		spawn(p, &p->w[i]);
	return p;
}

void spf2_pool_free(struct spf2_pool *p)
{
	if (!p)
		return;
	/* the workers are idle: nothing of theirs is lost */
	for (size_t i = 0; i < p->n; i++)
		reap(&p->w[i], true, NULL);
	free(p->w);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Why rq is not asked of libspf2, or NULL. */
static const char *not_asked(const struct spf_request *rq, const char *sender)
{
	/* libspf2 lets the local host pass for free: not an opinion. */
	if ((rq->ip.af == AF_INET && rq->ip.b[0] == 127) ||
	    (rq->ip.af == AF_INET6 && memcmp(rq->ip.b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0))
		return "not asked for a loopback address (libspf2 passes it unconditionally)";
	if (strlen(sender) > 1000 || (rq->helo && strlen(rq->helo) > 255))
		return "not asked: the sender or HELO name is too long for it";
	return NULL;
}

static struct worker *worker_take(struct spf2_pool *p)
{
	pthread_mutex_lock(&p->mu);
	struct worker *w = NULL;
	while (!w) {
		for (size_t i = 0; i < p->n && !w; i++)
			if (!p->w[i].busy)
				w = &p->w[i];
		if (!w)
			waitq_wait(&p->freed, &p->mu);
	}
	w->busy = true;
	pthread_mutex_unlock(&p->mu);
	return w;
}

static void worker_give_back(struct spf2_pool *p, struct worker *w)
{
	pthread_mutex_lock(&p->mu);
	w->busy = false;
	struct waiter *wake = waitq_take(&p->freed);
	pthread_mutex_unlock(&p->mu);
	waitq_wake(wake);
}

void spf_second_run(struct spf2_pool *p, const struct resolver *d, const struct spf_request *rq,
                    const struct resolver_log *known, int timeout_ms, struct spf_second *out)
{
	spf_second_run_n(p, d, rq, &known, 1, timeout_ms, out);
}

void spf_second_run_n(struct spf2_pool *p, const struct resolver *d, const struct spf_request *rq,
                      const struct resolver_log *const *known, size_t n, int timeout_ms,
                      struct spf_second *out)
{
	if (n > SPF_SECOND_MAX)
		n = SPF_SECOND_MAX; /* a caller's bug: the rest stay cleared */
	memset(out, 0, n * sizeof *out);
	if (!p) {
		for (size_t i = 0; i < n; i++)
			out[i].why = xstrdup("not run");
		return;
	}
	char *sender[SPF_SECOND_MAX];
	size_t ask[SPF_SECOND_MAX], m = 0; /* the requests asked, in order */
	for (size_t i = 0; i < n; i++) {
		sender[i] = rq[i].sender ? xstrdup(rq[i].sender) : xasprintf("postmaster@%s", rq[i].domain);
		const char *why = not_asked(&rq[i], sender[i]);
		if (why)
			out[i].why = xstrdup(why);
		else
			ask[m++] = i;
	}
	struct worker *w = m ? worker_take(p) : NULL;
	if (w && w->pid <= 0)
		spawn(p, w); /* the last one died; a rare fork with threads around */
	size_t done = 0;
	if (w && w->pid <= 0) {
		for (size_t k = 0; k < m; k++)
			out[ask[k]].why = xstrdup("cannot start libspf2");
		done = m;
	} else if (w) {
		/* one message, one wake-up of the worker for all of them */
		struct strbuf msg = {0};
		for (size_t k = 0; k < m; k++) {
			const struct spf_request *r = &rq[ask[k]];
			const char *helo = r->helo ? r->helo : "";
			sb_putn(&msg, "E", 1);
			msg_str(&msg, r->ip.text, strlen(r->ip.text));
			msg_str(&msg, sender[ask[k]], strlen(sender[ask[k]]));
			msg_str(&msg, helo, strlen(helo));
			put_known(&msg, d, known[ask[k]]);
		}
		bool sent = msg_send(w->fd, &msg);
		sb_free(&msg);
		/* The worker answers them in order, each in its own time. */
		struct inbuf in = {.fd = w->fd};
		for (; done < m; done++) {
			struct spf_second *o = &out[ask[done]];
			o->ran = true;
			if (sent)
				serve(d, &in, clock_mono_ms() + timeout_ms, o);
			if (!o->result) {
				reap(w, true, o); /* dead, hung or confused: replace it */
				done++;
				break;
			}
		}
	}
	if (w)
		worker_give_back(p, w);
	/* after one that failed, the rest were not evaluated: each alone */
	for (size_t k = done; k < m; k++)
		spf_second_run(p, d, &rq[ask[k]], known[ask[k]], timeout_ms, &out[ask[k]]);
	for (size_t i = 0; i < n; i++)
		free(sender[i]);
}
