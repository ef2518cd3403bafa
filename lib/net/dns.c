/* dns: a stub resolver with many queries in flight.
 *
 * Why not libunbound or a blocking ldns resolver per thread: the checks
 * must grade answers precisely (REFUSED, FORMERR, truncation with TCP
 * refused, wrong ID or question are all different reasons to tell a user),
 * every lookup must finish within --timeout whatever the server does, and a
 * batch must not inherit one server hiccup for the rest of the run (ldns
 * marks a server dead forever after one timeout; unbound's infra cache does
 * the same for minutes and folds every upstream failure into SERVFAIL).
 * So: ldns for the wire format, and one event-loop thread of our own that
 * owns every socket. See README "Design notes" for the measurements. */
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../util/names.h"
#include "../util/text.h"
#include "../util/xalloc.h"

#define MAX_SERVERS 3
#define MAX_TRIES 6
#define MAX_CNAME_HOPS 8
#define EDNS_SIZE 1232
#define TCP_MAX 65535
#define MAX_ZONE_LIMITS 64
#define DNS_MAX_EXPECT 64

struct server {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80];
};

enum entry_state { ST_QUEUED, ST_ACTIVE, ST_DONE };

struct entry {
	char *name;
	uint16_t type;
	unsigned flags;       /* DNS_Q_*: part of the cache key */
	struct entry *hnext;  /* hash chain */
	struct entry *qnext;  /* submission queue */
	int zone;             /* index of its zone limit, or -1 */
	enum entry_state state;
	pthread_cond_t *done_cv;    /* created by the first waiter (under mu):
	                               only its waiters wake when it is done */
	struct dns_answer ans;      /* what the server said about name */
	struct dns_answer *chased;  /* after following CNAMEs (NULL: not yet) */
	struct dns_answer *untrusted; /* the negative answer, made UNTRUSTED by
	                                 a canary (NULL: not needed yet) */

	/* Loop-thread state while active. */
	uint8_t *wire;
	size_t wire_len;
	bool no_edns;
	int tries;                  /* UDP tries started */
	int fds[MAX_TRIES];
	uint16_t ids[MAX_TRIES];
	int srv[MAX_TRIES];
	int64_t start_ms, next_ms, deadline_ms;
	int net_errors;             /* tries that failed at the socket level */
	char last_err[160];         /* most telling reason so far */
	int tcp_fd;
	int tcp_srv;
	uint16_t tcp_id;
	uint8_t *tcp_buf;           /* outgoing, then incoming */
	size_t tcp_len, tcp_off;
	bool tcp_sending;
	bool tcp_tried;
};

struct dns {
	struct server servers[MAX_SERVERS];
	int server_count;
	char servers_text[200];
	int timeout_ms;
	int tries;
	size_t max_inflight;

	pthread_mutex_t mu;
	struct entry **buckets;
	size_t bucket_count, entry_count;
	struct entry *queue_head, *queue_tail;
	struct {
		char *zone;
		int max, inflight;
	} limits[MAX_ZONE_LIMITS];
	int limit_count;
	struct dns_stats stats;
	bool canaries;              /* vet negative answers (dns_config) */
	char *expect[DNS_MAX_EXPECT]; /* TLDs known to exist (dns_expect_tld) */
	size_t expect_count;
	bool stop;

	pthread_t loop;
	int wake[2];
	bool wake_pending;          /* a byte is in the pipe (under mu) */
	/* loop thread only */
	struct entry **active;
	size_t active_count;
};

static const char *const status_names[] = {"OK",      "NXDOMAIN",  "NODATA",  "SERVFAIL", "REFUSED",
                                           "TIMEOUT", "MALFORMED", "NETWORK", "UNTRUSTED"};

const char *dns_status_name(enum dns_status s)
{
	return (unsigned)s < sizeof status_names / sizeof *status_names ? status_names[s] : "?";
}

bool dns_status_answered(enum dns_status s)
{
	return s == DNS_OK || s == DNS_NXDOMAIN || s == DNS_NODATA;
}

const char *dns_type_name(uint16_t type, char *buf, size_t len)
{
	switch (type) {
	case DNS_T_A: return "A";
	case DNS_T_NS: return "NS";
	case DNS_T_CNAME: return "CNAME";
	case DNS_T_PTR: return "PTR";
	case DNS_T_MX: return "MX";
	case DNS_T_TXT: return "TXT";
	case DNS_T_AAAA: return "AAAA";
	case DNS_T_SOA: return "SOA";
	case DNS_T_DS: return "DS";
	case DNS_T_RRSIG: return "RRSIG";
	case DNS_T_DNSKEY: return "DNSKEY";
	case DNS_T_TLSA: return "TLSA";
	}
	snprintf(buf, len, "TYPE%u", type);
	return buf;
}

const char *dns_answer_why(const struct dns_answer *a)
{
	return a->why ? a->why : dns_status_name(a->status);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- answers ---- */

static void rrs_free(struct dns_rr *rrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rrs[i].name);
		free(rrs[i].txt);
		free(rrs[i].rdata);
	}
	free(rrs);
}

static void answer_clear(struct dns_answer *a)
{
	rrs_free(a->rrs, a->rr_count);
	rrs_free(a->sigs, a->sig_count);
	for (size_t i = 0; i < a->cname_count; i++)
		free(a->cnames[i]);
	free(a->cnames);
	free(a->qname);
	free(a->why);
	memset(a, 0, sizeof *a);
}

static void answer_add_cname(struct dns_answer *a, const char *name)
{
	a->cnames = xrealloc(a->cnames, (a->cname_count + 1) * sizeof *a->cnames);
	a->cnames[a->cname_count++] = xstrdup(name);
}

static struct dns_rr *rrs_copy(const struct dns_rr *src, size_t n)
{
	struct dns_rr *dst = xcalloc(n ? n : 1, sizeof *dst);
	for (size_t i = 0; i < n; i++) {
		dst[i] = src[i];
		dst[i].name = src[i].name ? xstrdup(src[i].name) : NULL;
		if (src[i].txt) {
			dst[i].txt = xmalloc(src[i].txt_len + 1);
			memcpy(dst[i].txt, src[i].txt, src[i].txt_len + 1);
		}
		if (src[i].rdata) {
			dst[i].rdata = xmalloc(src[i].rdata_len ? src[i].rdata_len : 1);
			memcpy(dst[i].rdata, src[i].rdata, src[i].rdata_len);
		}
	}
	return dst;
}

static void answer_copy_rrs(struct dns_answer *dst, const struct dns_answer *src)
{
	dst->rrs = rrs_copy(src->rrs, src->rr_count);
	dst->rr_count = src->rr_count;
	dst->sigs = rrs_copy(src->sigs, src->sig_count);
	dst->sig_count = src->sig_count;
}

/* Text of a domain-name rdf, normalized; the root is ".". */
static char *rdf_name_new(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	if (!s)
		return xstrdup("");
	char *r = name_normalize_new(s);
	free(s);
	return r;
}

static void fill_rr(struct dns_rr *out, const ldns_rr *rr)
{
	memset(out, 0, sizeof *out);
	out->type = (uint16_t)ldns_rr_get_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	const ldns_rdf *r0 = ldns_rr_rd_count(rr) > 0 ? ldns_rr_rdf(rr, 0) : NULL;
	switch (out->type) {
	case DNS_T_A:
	case DNS_T_AAAA: {
		size_t want = out->type == DNS_T_A ? 4 : 16;
		if (r0 && ldns_rdf_size(r0) == want)
			memcpy(out->addr, ldns_rdf_data(r0), want);
		break;
	}
	case DNS_T_MX:
		if (r0 && ldns_rdf_size(r0) == 2)
			out->pref = ldns_rdf2native_int16(r0);
		if (ldns_rr_rd_count(rr) > 1)
			out->name = rdf_name_new(ldns_rr_rdf(rr, 1));
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		if (r0)
			out->name = rdf_name_new(r0);
		break;
	case DNS_T_TXT: {
		size_t total = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			size_t sz = ldns_rdf_size(ldns_rr_rdf(rr, i));
			total += sz ? sz - 1 : 0;
		}
		out->txt = xmalloc(total + 1);
		size_t o = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			const ldns_rdf *r = ldns_rr_rdf(rr, i);
			const uint8_t *d = ldns_rdf_data(r);
			size_t sz = ldns_rdf_size(r);
			if (sz == 0)
				continue;
			size_t l = d[0] < sz - 1 ? d[0] : sz - 1;
			memcpy(out->txt + o, d + 1, l);
			o += l;
		}
		out->txt[o] = '\0';
		out->txt_len = o;
		break;
	}
	default: {
		/* The wire rdata: ldns keeps names in rdata uncompressed. */
		size_t total = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
			total += ldns_rdf_size(ldns_rr_rdf(rr, i));
		out->rdata = xmalloc(total ? total : 1);
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			const ldns_rdf *r = ldns_rr_rdf(rr, i);
			memcpy(out->rdata + out->rdata_len, ldns_rdf_data(r), ldns_rdf_size(r));
			out->rdata_len += ldns_rdf_size(r);
		}
		break;
	}
	}
}

/* True when rr is an RRSIG over type at owner. */
static bool is_sig_over(const ldns_rr *rr, const ldns_rdf *owner, uint16_t type)
{
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG || ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
		return false;
	const ldns_rdf *covered = ldns_rr_rrsig_typecovered(rr);
	return covered && ldns_rdf_size(covered) == 2 && ldns_rdf2native_int16(covered) == type;
}

/* Grades a reply whose ID and question matched into e->ans. */
static void grade_packet(struct entry *e, ldns_pkt *p, const char *srv)
{
	struct dns_answer *a = &e->ans;
	a->rcode = ldns_pkt_get_rcode(p);
	ldns_rdf *cur = ldns_rdf_clone(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	ldns_rr_list *an = ldns_pkt_answer(p);
	size_t n = ldns_rr_list_rr_count(an);

	/* Follow the CNAME chain inside this packet. */
	for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
		const ldns_rr *next = NULL;
		for (size_t i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && e->type != DNS_T_CNAME &&
			    ldns_dname_compare(ldns_rr_owner(rr), cur) == 0 && ldns_rr_rd_count(rr) == 1) {
				next = rr;
				break;
			}
		}
		if (!next)
			break;
		if (hop == MAX_CNAME_HOPS) {
			a->status = DNS_MALFORMED;
			a->why = xasprintf("CNAME chain longer than %d or looping at %s", MAX_CNAME_HOPS, e->name);
			ldns_rdf_deep_free(cur);
			return;
		}
		char *t = rdf_name_new(ldns_rr_rdf(next, 0));
		for (size_t k = 0; k < a->cname_count; k++)
			if (strcmp(a->cnames[k], t) == 0 || strcmp(t, e->name) == 0) {
				a->status = DNS_MALFORMED;
				a->why = xasprintf("CNAME loop at %s", t);
				free(t);
				ldns_rdf_deep_free(cur);
				return;
			}
		answer_add_cname(a, t);
		free(t);
		ldns_rdf_deep_free(cur);
		cur = ldns_rdf_clone(ldns_rr_rdf(next, 0));
	}

	size_t cnt = 0, sigs = 0;
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == e->type && ldns_dname_compare(ldns_rr_owner(rr), cur) == 0)
			cnt++;
		else if (is_sig_over(rr, cur, e->type))
			sigs++;
	}
	if (cnt) {
		a->rrs = xcalloc(cnt, sizeof *a->rrs);
		for (size_t i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == e->type && ldns_dname_compare(ldns_rr_owner(rr), cur) == 0)
				fill_rr(&a->rrs[a->rr_count++], rr);
		}
	}
	/* Signatures only where asked for (DO): a plain answer carries none. */
	if (sigs && (e->flags & DNS_Q_DO)) {
		a->sigs = xcalloc(sigs, sizeof *a->sigs);
		for (size_t i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (is_sig_over(rr, cur, e->type))
				fill_rr(&a->sigs[a->sig_count++], rr);
		}
	}
	a->ad = ldns_pkt_ad(p);
	ldns_rdf_deep_free(cur);

	switch (a->rcode) {
	case LDNS_RCODE_NOERROR:
		a->status = a->rr_count ? DNS_OK : DNS_NODATA;
		break;
	case LDNS_RCODE_NXDOMAIN:
		a->status = DNS_NXDOMAIN;
		break;
	case LDNS_RCODE_REFUSED:
		a->status = DNS_REFUSED;
		a->why = xasprintf("%s refused the query for %s", srv, e->name);
		break;
	default: {
		const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)a->rcode);
		a->status = DNS_SERVFAIL;
		a->why = xasprintf("%s answered %s for %s", srv, lt ? lt->name : "an unknown rcode", e->name);
		break;
	}
	}
}

/* ---- the cache ---- */

static size_t hash_key(const char *name, uint16_t type, unsigned flags, size_t buckets)
{
	uint64_t h = 1469598103934665603ULL ^ type ^ ((uint64_t)flags << 16);
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (size_t)(h % buckets);
}

static void cache_grow(struct dns *d)
{
	size_t nb = d->bucket_count * 4;
	struct entry **b = xcalloc(nb, sizeof *b);
	for (size_t i = 0; i < d->bucket_count; i++) {
		struct entry *e = d->buckets[i];
		while (e) {
			struct entry *next = e->hnext;
			size_t k = hash_key(e->name, e->type, e->flags, nb);
			e->hnext = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(d->buckets);
	d->buckets = b;
	d->bucket_count = nb;
}

/* Wakes the event loop (d->mu held), once until it next drains the pipe:
 * a batch submits tens of thousands of lookups. */
static void wake_loop(struct dns *d)
{
	if (d->wake_pending)
		return;
	d->wake_pending = true;
	char c = 1;
	ssize_t r = write(d->wake[1], &c, 1);
	(void)r; /* a full pipe already means "wake up" */
}

/* Finds or creates the entry (with d->mu held). */
static struct entry *cache_get_ex(struct dns *d, const char *name, uint16_t type, unsigned flags)
{
	/* the root is asked as "." (the canary's NS question) */
	char *norm = strcmp(name, ".") == 0 ? xstrdup(".") : name_normalize_new(name);
	size_t k = hash_key(norm, type, flags, d->bucket_count);
	d->stats.lookups++;
	for (struct entry *e = d->buckets[k]; e; e = e->hnext)
		if (e->type == type && e->flags == flags && strcmp(e->name, norm) == 0) {
			free(norm);
			d->stats.cache_hits++;
			return e;
		}
	struct entry *e = xcalloc(1, sizeof *e);
	e->name = norm;
	e->type = type;
	e->flags = flags;
	e->tcp_fd = -1;
	e->ans.qname = xstrdup(norm);
	e->ans.qtype = type;
	e->zone = -1;
	size_t best = 0;
	for (int z = 0; z < d->limit_count; z++)
		if (name_is_under(norm, d->limits[z].zone) && strlen(d->limits[z].zone) > best) {
			best = strlen(d->limits[z].zone);
			e->zone = z;
		}
	e->hnext = d->buckets[k];
	d->buckets[k] = e;
	if (++d->entry_count > d->bucket_count * 2)
		cache_grow(d);

	ldns_rdf *dn = NULL;
	if (!*norm || (strcmp(name, ".") != 0 && strcmp(norm, ".") == 0) ||
	    ldns_str2rdf_dname(&dn, norm) != LDNS_STATUS_OK) {
		e->state = ST_DONE;
		e->ans.status = DNS_MALFORMED;
		e->ans.why = xasprintf("'%.80s' is not a valid DNS name (label or length limits)", norm);
		return e;
	}
	ldns_rdf_deep_free(dn);
	e->state = ST_QUEUED;
	if (d->queue_tail)
		d->queue_tail->qnext = e;
	else
		d->queue_head = e;
	d->queue_tail = e;
	wake_loop(d);
	return e;
}

static struct entry *cache_get(struct dns *d, const char *name, uint16_t type)
{
	return cache_get_ex(d, name, type, 0);
}

/* ---- the event loop (owns all sockets) ---- */

static int build_wire(struct entry *e)
{
	free(e->wire);
	e->wire = NULL;
	ldns_rdf *dn = NULL;
	if (ldns_str2rdf_dname(&dn, e->name) != LDNS_STATUS_OK)
		return -1;
	ldns_pkt *q = ldns_pkt_query_new(dn, (ldns_rr_type)e->type, LDNS_RR_CLASS_IN, LDNS_RD);
	if (!q)
		return -1;
	if (!e->no_edns)
		ldns_pkt_set_edns_udp_size(q, EDNS_SIZE);
	if (!e->no_edns && (e->flags & DNS_Q_DO))
		ldns_pkt_set_edns_do(q, true);
	if (e->flags & DNS_Q_CD)
		ldns_pkt_set_cd(q, true);
	ldns_status st = ldns_pkt2wire(&e->wire, q, &e->wire_len);
	ldns_pkt_free(q);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

static void close_sockets(struct entry *e)
{
	for (int i = 0; i < e->tries; i++)
		if (e->fds[i] >= 0) {
			close(e->fds[i]);
			e->fds[i] = -1;
		}
	if (e->tcp_fd >= 0) {
		close(e->tcp_fd);
		e->tcp_fd = -1;
	}
	free(e->tcp_buf);
	e->tcp_buf = NULL;
	free(e->wire);
	e->wire = NULL;
}

/* Marks e done (loop thread). */
static void finish(struct dns *d, struct entry *e, enum dns_status st, const char *why)
{
	close_sockets(e);
	if (st != DNS_OK && st != DNS_NXDOMAIN && st != DNS_NODATA) {
		/* A failure replaces whatever partial data a reply had. */
		struct dns_answer *a = &e->ans;
		if (a->status != st || !a->why) {
			free(a->why);
			a->why = why ? xstrdup(why) : NULL;
		}
		a->status = st;
	}
	pthread_mutex_lock(&d->mu);
	if (st == DNS_TIMEOUT)
		d->stats.timeouts++;
	if (e->zone >= 0 && e->state == ST_ACTIVE)
		d->limits[e->zone].inflight--;
	e->state = ST_DONE;
	if (e->done_cv)
		pthread_cond_broadcast(e->done_cv);
	pthread_mutex_unlock(&d->mu);
}

static void note_err(struct entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_err(struct entry *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->last_err, sizeof e->last_err, fmt, ap);
	va_end(ap);
}

static void send_try(struct dns *d, struct entry *e, int64_t now)
{
	int k = e->tries++;
	int si = k % d->server_count;
	const struct server *s = &d->servers[si];
	e->srv[k] = si;
	e->fds[k] = -1;
	e->next_ms = now + (e->deadline_ms - e->start_ms) / d->tries;
	if (e->next_ms > e->deadline_ms)
		e->next_ms = e->deadline_ms;

	uint16_t id = (uint16_t)arc4random_uniform(65536);
	e->ids[k] = id;
	e->wire[0] = (uint8_t)(id >> 8);
	e->wire[1] = (uint8_t)id;
	int fd = socket(s->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e->net_errors++;
		note_err(e, "cannot open a socket: %s", strerror(errno));
		e->next_ms = now;
		return;
	}
	/* connect() makes the kernel drop datagrams from other sources and
	 * report ICMP port-unreachable as ECONNREFUSED. */
	if (connect(fd, (const struct sockaddr *)&s->ss, s->len) < 0 || send(fd, e->wire, e->wire_len, 0) < 0) {
		e->net_errors++;
		note_err(e, "cannot send to %s: %s", s->text, strerror(errno));
		close(fd);
		e->next_ms = now; /* move on to the next try at once */
		return;
	}
	e->fds[k] = fd;
	pthread_mutex_lock(&d->mu);
	d->stats.sent++;
	pthread_mutex_unlock(&d->mu);
}

static void start_tcp(struct dns *d, struct entry *e, int si)
{
	const struct server *s = &d->servers[si];
	e->tcp_tried = true;
	e->tcp_srv = si;
	int fd = socket(s->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		note_err(e, "answer truncated; cannot open a TCP socket: %s", strerror(errno));
		return;
	}
	if (connect(fd, (const struct sockaddr *)&s->ss, s->len) < 0 && errno != EINPROGRESS) {
		note_err(e, "answer truncated and TCP to %s failed: %s", s->text, strerror(errno));
		close(fd);
		return;
	}
	e->tcp_fd = fd;
	e->tcp_id = (uint16_t)arc4random_uniform(65536);
	e->tcp_buf = xmalloc(e->wire_len + 2);
	e->tcp_buf[0] = (uint8_t)(e->wire_len >> 8);
	e->tcp_buf[1] = (uint8_t)e->wire_len;
	memcpy(e->tcp_buf + 2, e->wire, e->wire_len);
	e->tcp_buf[2] = (uint8_t)(e->tcp_id >> 8);
	e->tcp_buf[3] = (uint8_t)e->tcp_id;
	e->tcp_len = e->wire_len + 2;
	e->tcp_off = 0;
	e->tcp_sending = true;
	pthread_mutex_lock(&d->mu);
	d->stats.sent++;
	d->stats.tcp++;
	pthread_mutex_unlock(&d->mu);
}

static void tcp_fail(struct entry *e, const char *what)
{
	note_err(e, "answer truncated and TCP failed: %s", what);
	close(e->tcp_fd);
	e->tcp_fd = -1;
}

/* Handles one reply datagram or TCP message. Returns true when e is done. */
static bool handle_reply(struct dns *d, struct entry *e, const uint8_t *buf, size_t n, uint16_t id, int si,
                         bool via_tcp)
{
	const char *srv = d->servers[si].text;
	if (n < 12) {
		note_err(e, "a reply from %s shorter than a DNS header", srv);
		return false;
	}
	if (((buf[0] << 8) | buf[1]) != id) {
		note_err(e, "only replies with a wrong ID came from %s", srv);
		return false;
	}
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, buf, n) != LDNS_STATUS_OK || !p) {
		char why[200];
		snprintf(why, sizeof why, "unparseable reply from %s for %s", srv, e->name);
		finish(d, e, DNS_MALFORMED, why);
		return true;
	}
	ldns_rr_list *qs = ldns_pkt_question(p);
	const ldns_rr *q = ldns_rr_list_rr_count(qs) == 1 ? ldns_rr_list_rr(qs, 0) : NULL;
	ldns_rdf *want = NULL;
	ldns_str2rdf_dname(&want, e->name);
	bool same = q && want && ldns_pkt_qr(p) && ldns_rr_get_type(q) == e->type &&
	            ldns_rr_get_class(q) == LDNS_RR_CLASS_IN && ldns_dname_compare(ldns_rr_owner(q), want) == 0;
	ldns_rdf_deep_free(want);
	if (!same) {
		note_err(e, "only replies for another question came from %s", srv);
		ldns_pkt_free(p);
		return false;
	}
	if (ldns_pkt_tc(p) && !via_tcp) {
		ldns_pkt_free(p);
		if (!e->tcp_tried)
			start_tcp(d, e, si);
		return false;
	}
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(p);
	if (rc == LDNS_RCODE_FORMERR && !e->no_edns && e->tries < d->tries) {
		/* Some servers reject EDNS: ask once more without it. */
		ldns_pkt_free(p);
		e->no_edns = true;
		if (build_wire(e) == 0)
			e->next_ms = 0;
		return false;
	}
	if ((rc == LDNS_RCODE_SERVFAIL || rc == LDNS_RCODE_REFUSED) && d->server_count > 1 && e->tries < d->tries) {
		/* Like the system stub: another server may do better. */
		note_err(e, "%s answered %s for %s", srv, rc == LDNS_RCODE_REFUSED ? "REFUSED" : "SERVFAIL",
		         e->name);
		ldns_pkt_free(p);
		e->next_ms = 0;
		return false;
	}
	grade_packet(e, p, srv);
	ldns_pkt_free(p);
	finish(d, e, e->ans.status, e->ans.why);
	return true;
}

static bool handle_tcp(struct dns *d, struct entry *e, short revents)
{
	if (revents & (POLLERR | POLLNVAL)) {
		int err = 0;
		socklen_t l = sizeof err;
		getsockopt(e->tcp_fd, SOL_SOCKET, SO_ERROR, &err, &l);
		tcp_fail(e, err ? strerror(err) : "socket error");
		return false;
	}
	if (e->tcp_sending) {
		if (!(revents & POLLOUT))
			return false;
		ssize_t w = send(e->tcp_fd, e->tcp_buf + e->tcp_off, e->tcp_len - e->tcp_off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN)
				tcp_fail(e, strerror(errno));
			return false;
		}
		e->tcp_off += (size_t)w;
		if (e->tcp_off == e->tcp_len) {
			e->tcp_sending = false;
			free(e->tcp_buf);
			e->tcp_buf = xmalloc(TCP_MAX + 2);
			e->tcp_len = 2;
			e->tcp_off = 0;
		}
		return false;
	}
	if (!(revents & (POLLIN | POLLHUP)))
		return false;
	ssize_t r = recv(e->tcp_fd, e->tcp_buf + e->tcp_off, e->tcp_len - e->tcp_off, 0);
	if (r < 0) {
		if (errno != EAGAIN)
			tcp_fail(e, strerror(errno));
		return false;
	}
	if (r == 0) {
		tcp_fail(e, "connection closed before a full reply");
		return false;
	}
	e->tcp_off += (size_t)r;
	if (e->tcp_off < e->tcp_len)
		return false;
	if (e->tcp_len == 2) {
		e->tcp_len = 2 + (((size_t)e->tcp_buf[0] << 8) | e->tcp_buf[1]);
		if (e->tcp_len == 2) {
			tcp_fail(e, "empty reply");
			return false;
		}
		return false;
	}
	return handle_reply(d, e, e->tcp_buf + 2, e->tcp_len - 2, e->tcp_id, e->tcp_srv, true);
}

static bool handle_udp(struct dns *d, struct entry *e, int k)
{
	uint8_t buf[65536];
	for (;;) {
		ssize_t n = recv(e->fds[k], buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return false;
			e->net_errors++;
			if (errno == ECONNREFUSED)
				note_err(e, "%s refused the connection (nothing listens on that port)",
				         d->servers[e->srv[k]].text);
			else
				note_err(e, "error from %s: %s", d->servers[e->srv[k]].text, strerror(errno));
			close(e->fds[k]);
			e->fds[k] = -1;
			e->next_ms = 0; /* this try is over: next one now */
			return false;
		}
		if (handle_reply(d, e, buf, (size_t)n, e->ids[k], e->srv[k], false))
			return true;
	}
}

/* Moves queued entries to the active set, up to max_inflight in all and
 * up to each zone's limit; entries of a zone at its limit wait their turn. */
static void admit(struct dns *d, int64_t now)
{
	pthread_mutex_lock(&d->mu);
	struct entry *prev = NULL, *e = d->queue_head;
	while (e && d->active_count < d->max_inflight) {
		struct entry *next = e->qnext;
		if (e->zone >= 0 && d->limits[e->zone].inflight >= d->limits[e->zone].max) {
			prev = e;
			e = next;
			continue;
		}
		if (prev)
			prev->qnext = next;
		else
			d->queue_head = next;
		if (d->queue_tail == e)
			d->queue_tail = prev;
		e->qnext = NULL;
		e->state = ST_ACTIVE;
		if (e->zone >= 0)
			d->limits[e->zone].inflight++;
		d->active[d->active_count++] = e;
		if (d->active_count > d->stats.max_inflight)
			d->stats.max_inflight = d->active_count;
		e->start_ms = now;
		e->deadline_ms = now + d->timeout_ms;
		e->next_ms = 0;
		e = next;
	}
	pthread_mutex_unlock(&d->mu);
}

void dns_limit_zone(struct dns *d, const char *zone, int max_inflight)
{
	char *z = name_normalize_new(zone);
	pthread_mutex_lock(&d->mu);
	int i = 0;
	while (i < d->limit_count && strcmp(d->limits[i].zone, z) != 0)
		i++;
	if (i == d->limit_count && d->limit_count < MAX_ZONE_LIMITS) {
		d->limits[i].zone = z;
		d->limits[i].inflight = 0;
		d->limit_count++;
		z = NULL;
	}
	if (i < d->limit_count)
		d->limits[i].max = max_inflight > 0 ? max_inflight : 1;
	pthread_mutex_unlock(&d->mu);
	free(z);
}

/* Sends due tries, times out what is over. Returns true when e is done. */
static bool advance(struct dns *d, struct entry *e, int64_t now)
{
	if (!e->wire && build_wire(e) < 0) {
		finish(d, e, DNS_MALFORMED, "cannot encode the query");
		return true;
	}
	bool tcp_live = e->tcp_fd >= 0;
	if (now >= e->deadline_ms) {
		char why[600];
		if (e->net_errors >= e->tries && e->tries > 0 && !tcp_live) {
			snprintf(why, sizeof why, "%s", e->last_err);
			finish(d, e, DNS_NETWORK, why);
		} else {
			snprintf(why, sizeof why, "no answer for %s within %.1f s (%d %s to %s)%s%s", e->name,
			         d->timeout_ms / 1000.0, e->tries, e->tries == 1 ? "try" : "tries", d->servers_text,
			         e->last_err[0] ? "; " : "", e->last_err);
			finish(d, e, DNS_TIMEOUT, why);
		}
		return true;
	}
	if (now >= e->next_ms && !tcp_live && !e->tcp_tried) {
		if (e->tries < d->tries) {
			send_try(d, e, now);
		} else if (e->net_errors >= e->tries) {
			/* Every try failed at once (port closed, no route): no point
			 * in waiting for the deadline. */
			finish(d, e, DNS_NETWORK, e->last_err);
			return true;
		} else {
			e->next_ms = e->deadline_ms;
		}
	}
	if (e->tcp_tried && !tcp_live && e->tries >= 1) {
		/* Truncated and TCP failed: the data cannot be had. */
		finish(d, e, DNS_NETWORK, e->last_err);
		return true;
	}
	return false;
}

/* The descriptors the loop waits on: the wake pipe, then every socket of
 * every active entry (who says whose, and which try; -1: its TCP one). */
struct pollset {
	struct pollfd *pfd;
	struct {
		struct entry *e;
		int k;
	} *who;
	size_t n, cap;
};

/* Advances every active entry and drops the finished ones; returns when
 * the loop must look again at the latest (a retry or a deadline). */
static int64_t advance_all(struct dns *d, int64_t now)
{
	size_t w = 0;
	int64_t wake_at = now + 1000;
	for (size_t i = 0; i < d->active_count; i++) {
		struct entry *e = d->active[i];
		if (advance(d, e, now))
			continue;
		d->active[w++] = e;
		if (e->next_ms < wake_at && !e->tcp_tried)
			wake_at = e->next_ms;
		if (e->deadline_ms < wake_at)
			wake_at = e->deadline_ms;
	}
	d->active_count = w;
	return wake_at;
}

static void pollset_add(struct pollset *ps, int fd, short events, struct entry *e, int k)
{
	ps->pfd[ps->n] = (struct pollfd){fd, events, 0};
	ps->who[ps->n].e = e;
	ps->who[ps->n].k = k;
	ps->n++;
}

static void pollset_fill(struct dns *d, struct pollset *ps)
{
	size_t need = 1;
	for (size_t i = 0; i < d->active_count; i++)
		need += (size_t)d->active[i]->tries + 1;
	if (need > ps->cap) {
		ps->cap = need * 2;
		ps->pfd = xrealloc(ps->pfd, ps->cap * sizeof *ps->pfd);
		ps->who = xrealloc(ps->who, ps->cap * sizeof *ps->who);
	}
	ps->n = 0;
	pollset_add(ps, d->wake[0], POLLIN, NULL, 0);
	for (size_t i = 0; i < d->active_count; i++) {
		struct entry *e = d->active[i];
		for (int k = 0; k < e->tries; k++)
			if (e->fds[k] >= 0)
				pollset_add(ps, e->fds[k], POLLIN, e, k);
		if (e->tcp_fd >= 0)
			pollset_add(ps, e->tcp_fd, e->tcp_sending ? POLLOUT : POLLIN, e, -1);
	}
}

/* Handles what poll reported: the wake pipe drained, replies graded. */
static void dispatch(struct dns *d, const struct pollset *ps)
{
	if (ps->pfd[0].revents) {
		char buf[256];
		pthread_mutex_lock(&d->mu);
		while (read(d->wake[0], buf, sizeof buf) > 0)
			;
		d->wake_pending = false;
		pthread_mutex_unlock(&d->mu);
	}
	for (size_t i = 1; i < ps->n; i++) {
		if (!ps->pfd[i].revents)
			continue;
		struct entry *e = ps->who[i].e;
		if (e->state == ST_DONE)
			continue;
		int k = ps->who[i].k;
		bool done = k < 0 ? handle_tcp(d, e, ps->pfd[i].revents) : handle_udp(d, e, k);
		if (done) {
			/* Drop it from active now so later fds of it are ignored. */
			for (size_t j = 0; j < d->active_count; j++)
				if (d->active[j] == e) {
					d->active[j] = d->active[--d->active_count];
					break;
				}
		}
	}
}

/* The event loop: admit queued lookups, advance them (tries, deadlines),
 * wait for their sockets, grade what came. */
static void *loop_main(void *arg)
{
	struct dns *d = arg;
	struct pollset ps = {0};
	for (;;) {
		int64_t now = now_ms();
		pthread_mutex_lock(&d->mu);
		bool stop = d->stop;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		admit(d, now);
		int64_t wake_at = advance_all(d, now);
		pollset_fill(d, &ps);
		int64_t t = wake_at - now_ms();
		int r = poll(ps.pfd, ps.n, t < 0 ? 0 : (int)t);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			dispatch(d, &ps);
	}
	free(ps.pfd);
	free(ps.who);
	return NULL;
}

/* ---- set-up ---- */

static int parse_server(const char *spec, struct server *out, char *err, size_t errlen)
{
	char addr[64];
	unsigned long port = 53;
	const char *hash = strchr(spec, '#');
	size_t alen = hash ? (size_t)(hash - spec) : strlen(spec);
	if (alen == 0 || alen >= sizeof addr) {
		snprintf(err, errlen, "'%s' is not ADDR[#PORT]", TEXT_SHOW(spec));
		return -1;
	}
	memcpy(addr, spec, alen);
	addr[alen] = '\0';
	if (hash) {
		char *end;
		errno = 0;
		port = strtoul(hash + 1, &end, 10);
		if (errno || *end || end == hash + 1 || port == 0 || port > 65535) {
			snprintf(err, errlen, "'%s': the port must be 1 to 65535", TEXT_SHOW(spec));
			return -1;
		}
	}
	memset(out, 0, sizeof *out);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		out->len = sizeof *s4;
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		out->len = sizeof *s6;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", TEXT_SHOW(addr));
		return -1;
	}
	if (port == 53)
		snprintf(out->text, sizeof out->text, "%s", addr);
	else
		snprintf(out->text, sizeof out->text, "%s#%lu", addr, port);
	return 0;
}

/* The nameservers of /etc/resolv.conf (the system resolver). */
static int read_resolv_conf(struct dns *d, char *err, size_t errlen)
{
	FILE *f = fopen("/etc/resolv.conf", "r");
	if (!f) {
		snprintf(err, errlen, "cannot read /etc/resolv.conf (%s); use --resolver", strerror(errno));
		return -1;
	}
	char line[512];
	while (fgets(line, sizeof line, f) && d->server_count < MAX_SERVERS) {
		char ns[128];
		if (sscanf(line, " nameserver %127s", ns) != 1)
			continue;
		char *pct = strchr(ns, '%'); /* link-local scope: not supported */
		if (pct)
			continue;
		char e2[200];
		if (parse_server(ns, &d->servers[d->server_count], e2, sizeof e2) == 0)
			d->server_count++;
	}
	fclose(f);
	if (d->server_count == 0) {
		snprintf(err, errlen, "no usable nameserver in /etc/resolv.conf; use --resolver");
		return -1;
	}
	return 0;
}

struct dns *dns_new(const struct dns_config *cfg, char *err, size_t errlen)
{
	struct dns *d = xcalloc(1, sizeof *d);
	if (cfg->server_count > MAX_SERVERS) {
		snprintf(err, errlen, "at most %d resolvers", MAX_SERVERS);
		free(d);
		return NULL;
	}
	for (size_t i = 0; i < cfg->server_count; i++)
		if (parse_server(cfg->servers[i], &d->servers[d->server_count++], err, errlen) < 0) {
			free(d);
			return NULL;
		}
	if (d->server_count == 0 && read_resolv_conf(d, err, errlen) < 0) {
		free(d);
		return NULL;
	}
	size_t o = 0;
	for (int i = 0; i < d->server_count && o < sizeof d->servers_text; i++)
		o += (size_t)snprintf(d->servers_text + o, sizeof d->servers_text - o, "%s%s", i ? ", " : "",
		                      d->servers[i].text);
	d->canaries = !cfg->trust_negatives;
	d->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 5000;
	d->tries = cfg->retries >= 0 ? cfg->retries + 1 : 3;
	if (d->tries > MAX_TRIES)
		d->tries = MAX_TRIES;

	/* Each query in flight may hold a socket per try plus one for TCP. */
	struct rlimit rl;
	size_t fdcap = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fdcap = (size_t)rl.rlim_cur;
	size_t by_fds = fdcap > 128 ? (fdcap - 64) / (size_t)(d->tries + 1) : 16;
	d->max_inflight = cfg->max_inflight > 0 ? (size_t)cfg->max_inflight : 512;
	if (d->max_inflight > by_fds)
		d->max_inflight = by_fds;
	d->active = xcalloc(d->max_inflight, sizeof *d->active);

	d->bucket_count = 1024;
	d->buckets = xcalloc(d->bucket_count, sizeof *d->buckets);
	pthread_mutex_init(&d->mu, NULL);
	if (pipe2(d->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(d->active);
		free(d->buckets);
		free(d);
		return NULL;
	}
	if (pthread_create(&d->loop, NULL, loop_main, d) != 0) {
		snprintf(err, errlen, "cannot start the DNS thread");
		close(d->wake[0]);
		close(d->wake[1]);
		free(d->active);
		free(d->buckets);
		free(d);
		return NULL;
	}
	return d;
}

static void entry_free(struct entry *e)
{
	close_sockets(e);
	if (e->done_cv) {
		pthread_cond_destroy(e->done_cv);
		free(e->done_cv);
	}
	answer_clear(&e->ans);
	struct dns_answer *extra[] = {e->chased, e->untrusted};
	for (size_t i = 0; i < 2; i++)
		if (extra[i]) {
			answer_clear(extra[i]);
			free(extra[i]);
		}
	free(e->name);
	free(e);
}

void dns_free(struct dns *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	d->wake_pending = false; /* make sure this wake-up is written */
	wake_loop(d);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->loop, NULL);
	for (size_t i = 0; i < d->bucket_count; i++) {
		struct entry *e = d->buckets[i];
		while (e) {
			struct entry *n = e->hnext;
			entry_free(e);
			e = n;
		}
	}
	free(d->buckets);
	free(d->active);
	for (int i = 0; i < d->limit_count; i++)
		free(d->limits[i].zone);
	for (size_t i = 0; i < d->expect_count; i++)
		free(d->expect[i]);
	close(d->wake[0]);
	close(d->wake[1]);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* ---- canaries ----
 * A resolver that denies names which exist (a captive portal, a filter, a
 * split-horizon resolver that knows only the inside) turns every lookup
 * into a confident "does not exist". Its negative answers are only trusted
 * while it admits that the root zone has name servers (asked once per run,
 * beside the first lookup) and, for names under the TLD of a name the
 * caller knows exists (dns_expect_tld: the audited domain's), that this TLD
 * exists. Other TLDs are not vetted: a name under a TLD that really does
 * not exist (a typo in an SPF include) is a true NXDOMAIN. */

/* The TLD of a normalized name, or NULL for the root and the TLDs
 * themselves (their canary is the root's). */
static const char *tld_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && dot[1] ? dot + 1 : NULL;
}

static bool is_canary(const char *name, uint16_t type)
{
	return type == DNS_T_NS && (strcmp(name, ".") == 0 || !strchr(name, '.'));
}

/* Whether tld was named by dns_expect_tld (d->mu held). */
static bool tld_expected(const struct dns *d, const char *tld)
{
	for (size_t i = 0; tld && i < d->expect_count; i++)
		if (strcmp(d->expect[i], tld) == 0)
			return true;
	return false;
}

/* Starts the root's canary (d->mu held). */
static void canaries_start(struct dns *d, const char *name, uint16_t type)
{
	if (d->canaries && !is_canary(name, type))
		cache_get(d, ".", DNS_T_NS);
}

void dns_expect_tld(struct dns *d, const char *name)
{
	if (!d->canaries)
		return;
	char *norm = name_normalize_new(name);
	const char *tld = tld_of(norm);
	pthread_mutex_lock(&d->mu);
	if (tld && !tld_expected(d, tld) && d->expect_count < DNS_MAX_EXPECT) {
		d->expect[d->expect_count++] = xstrdup(tld);
		cache_get(d, tld, DNS_T_NS);
	}
	cache_get(d, ".", DNS_T_NS);
	pthread_mutex_unlock(&d->mu);
	free(norm);
}

void dns_prefetch_ex(struct dns *d, const char *name, uint16_t type, unsigned flags)
{
	pthread_mutex_lock(&d->mu);
	canaries_start(d, name, type);
	cache_get_ex(d, name, type, flags);
	pthread_mutex_unlock(&d->mu);
}

void dns_prefetch(struct dns *d, const char *name, uint16_t type)
{
	dns_prefetch_ex(d, name, type, 0);
}

/* Waits for e (d->mu held). */
static void wait_done(struct dns *d, struct entry *e)
{
	if (e->state == ST_DONE)
		return;
	if (!e->done_cv) {
		e->done_cv = xmalloc(sizeof *e->done_cv);
		pthread_cond_init(e->done_cv, NULL);
	}
	while (e->state != ST_DONE)
		pthread_cond_wait(e->done_cv, &d->mu);
}

/* The canary that makes name's negative answers untrustworthy, with the
 * sentence that says why (in buf), or NULL when they can be trusted: the
 * canaries answered as they must, or could not tell (a failed canary is
 * no evidence either way). */
static const char *canary_denies(struct dns *d, const char *name, char *buf, size_t len)
{
	pthread_mutex_lock(&d->mu);
	const char *tld = tld_expected(d, tld_of(name)) ? tld_of(name) : NULL;
	pthread_mutex_unlock(&d->mu);
	const char *names[2] = {".", tld};
	for (size_t i = 0; i < 2 && names[i]; i++) {
		pthread_mutex_lock(&d->mu);
		struct entry *c = cache_get(d, names[i], DNS_T_NS);
		wait_done(d, c);
		pthread_mutex_unlock(&d->mu);
		enum dns_status st = c->ans.status;
		/* The root always has NS records; a TLD may be asked by a
		 * server that is not its parent's and answer NODATA. */
		if (st == DNS_NXDOMAIN || (i == 0 && st == DNS_NODATA)) {
			if (i == 0)
				snprintf(buf, len, "the resolver also says the root zone has no name servers (%s)",
				         dns_status_name(st));
			else
				snprintf(buf, len, "the resolver also says the top-level domain %s does not exist",
				         tld);
			return buf;
		}
	}
	return NULL;
}

/* a, a negative answer of entry e, or its UNTRUSTED twin when a canary
 * shows the resolver denies names that exist. */
static const struct dns_answer *vet_negative(struct dns *d, struct entry *e, const struct dns_answer *a)
{
	if (!d->canaries || (a->status != DNS_NXDOMAIN && a->status != DNS_NODATA) ||
	    is_canary(e->name, e->type))
		return a;
	char because[200];
	if (!canary_denies(d, e->name, because, sizeof because))
		return a;
	struct dns_answer *u = xcalloc(1, sizeof *u);
	char tb[16];
	u->qname = xstrdup(a->qname);
	u->qtype = a->qtype;
	u->rcode = a->rcode;
	u->status = DNS_UNTRUSTED;
	u->why = xasprintf("%s for %s/%s from %s, but %s: it denies names that exist (a captive portal, "
	                   "a filtering or a split-horizon resolver?), so its negative answers cannot be "
	                   "trusted",
	                   dns_status_name(a->status), a->qname, dns_type_name(a->qtype, tb, sizeof tb),
	                   d->servers_text, because);
	for (size_t i = 0; i < a->cname_count; i++)
		answer_add_cname(u, a->cnames[i]);
	pthread_mutex_lock(&d->mu);
	if (e->untrusted) { /* another thread won the race */
		answer_clear(u);
		free(u);
	} else {
		e->untrusted = u;
	}
	const struct dns_answer *r = e->untrusted;
	pthread_mutex_unlock(&d->mu);
	return r;
}

const struct dns_answer *dns_query(struct dns *d, const char *name, uint16_t type)
{
	return dns_query_ex(d, name, type, 0);
}

const struct dns_answer *dns_query_ex(struct dns *d, const char *name, uint16_t type, unsigned flags)
{
	pthread_mutex_lock(&d->mu);
	canaries_start(d, name, type);
	struct entry *first = cache_get_ex(d, name, type, flags);
	wait_done(d, first);
	if (first->untrusted) {
		pthread_mutex_unlock(&d->mu);
		return first->untrusted;
	}
	if (first->chased) {
		const struct dns_answer *c = first->chased;
		pthread_mutex_unlock(&d->mu);
		return vet_negative(d, first, c);
	}
	/* Done entries are immutable, so reading them unlocked is safe. */
	pthread_mutex_unlock(&d->mu);
	const struct dns_answer *a = &first->ans;
	bool chase = a->status == DNS_NODATA && a->cname_count > 0;
	if (!chase)
		return vet_negative(d, first, a);

	/* The server stopped at a CNAME (an authoritative server does so for
	 * targets outside its zones): follow it ourselves. */
	struct dns_answer *c = xcalloc(1, sizeof *c);
	c->qname = xstrdup(a->qname);
	c->qtype = type;
	for (size_t i = 0; i < a->cname_count; i++)
		answer_add_cname(c, a->cnames[i]);
	const struct dns_answer *cur = a;
	bool ad = a->ad; /* authentic only if every link of the chain is */
	for (int hop = 0;; hop++) {
		if (hop == MAX_CNAME_HOPS) {
			c->status = DNS_MALFORMED;
			c->why = xasprintf("CNAME chain from %s longer than %d", a->qname, MAX_CNAME_HOPS);
			break;
		}
		const char *target = cur->cnames[cur->cname_count - 1];
		pthread_mutex_lock(&d->mu);
		struct entry *n = cache_get_ex(d, target, type, flags);
		wait_done(d, n);
		pthread_mutex_unlock(&d->mu);
		const struct dns_answer *na = &n->ans;
		bool loop = false;
		for (size_t i = 0; i < na->cname_count; i++) {
			for (size_t j = 0; j < c->cname_count; j++)
				if (strcmp(na->cnames[i], c->cnames[j]) == 0)
					loop = true;
			if (strcmp(na->cnames[i], c->qname) == 0)
				loop = true;
			if (!loop)
				answer_add_cname(c, na->cnames[i]);
		}
		if (loop) {
			c->status = DNS_MALFORMED;
			c->why = xasprintf("CNAME loop starting at %s", a->qname);
			break;
		}
		ad = ad && na->ad;
		if (na->status == DNS_NODATA && na->cname_count > 0) {
			cur = na;
			continue;
		}
		c->status = na->status;
		c->rcode = na->rcode;
		c->ad = ad;
		c->why = na->why ? xstrdup(na->why) : NULL;
		answer_copy_rrs(c, na);
		break;
	}
	pthread_mutex_lock(&d->mu);
	if (first->chased) { /* another thread won the race */
		answer_clear(c);
		free(c);
	} else {
		first->chased = c;
	}
	const struct dns_answer *r = first->chased;
	pthread_mutex_unlock(&d->mu);
	return vet_negative(d, first, r);
}

bool dns_grade_wire(const uint8_t *buf, size_t len, const char *name, uint16_t type, struct dns_answer *out)
{
	memset(out, 0, sizeof *out);
	struct entry e;
	memset(&e, 0, sizeof e);
	e.name = name_normalize_new(name);
	e.type = type;
	e.flags = DNS_Q_DO; /* as asked with DO: signatures are kept too */
	e.ans.qname = xstrdup(e.name);
	e.ans.qtype = type;
	bool graded = false;
	ldns_pkt *p = NULL;
	ldns_rdf *want = NULL;
	if (ldns_wire2pkt(&p, buf, len) == LDNS_STATUS_OK && p && ldns_str2rdf_dname(&want, e.name) == LDNS_STATUS_OK) {
		ldns_rr_list *qs = ldns_pkt_question(p);
		const ldns_rr *q = ldns_rr_list_rr_count(qs) == 1 ? ldns_rr_list_rr(qs, 0) : NULL;
		if (q && ldns_rr_get_type(q) == type && ldns_dname_compare(ldns_rr_owner(q), want) == 0) {
			grade_packet(&e, p, "test");
			graded = true;
		}
	}
	ldns_rdf_deep_free(want);
	ldns_pkt_free(p);
	free(e.name);
	*out = e.ans;
	return graded;
}

void dns_answer_clear(struct dns_answer *a)
{
	answer_clear(a);
}

void dns_get_stats(struct dns *d, struct dns_stats *out)
{
	pthread_mutex_lock(&d->mu);
	*out = d->stats;
	pthread_mutex_unlock(&d->mu);
}

const char *dns_servers_text(const struct dns *d)
{
	return d->servers_text;
}
