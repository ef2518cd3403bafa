/* SPDX-License-Identifier: ISC */
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
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../proc/workpool.h"
#include "../util/names.h"
#include "../util/text.h"
#include "../util/xalloc.h"
#include "dnswire.h"

#define MAX_SERVERS     3
#define MAX_TRIES       6
#define MAX_CNAME_HOPS  8
#define EDNS_SIZE       1232
#define TCP_MAX         65535
#define MAX_ZONE_LIMITS 64
#define DNS_MAX_EXPECT  64
/* The cache: entries kept at most this long, failures this long (a batch
 * must not hammer a broken zone, nor remember it for minutes), and this
 * many entries by default before the least recently used idle ones go. A
 * batch reuses few (the lists' test points, shared SPF includes: each in
 * use by some audit most of the time); with 20,000 it walked and
 * allocated in 20 MB of cold memory, a twentieth slower than with 5,000
 * for the same queries sent. */
#define TTL_MAX_S         86400
#define FAIL_TTL_S        5
#define CACHE_MAX_DEFAULT 5000
/* UDP sockets: a pool per server, each connect()ed to it (the kernel drops
 * datagrams from other sources and reports a closed port), answers told
 * apart by socket and ID, then by question. A socket's port serves
 * SOCK_USES queries and is then replaced, so ports stay unpredictable. */
#define POOL_PER_SERVER 8
#define SOCK_USES       256
/* Datagrams read at once from a socket, each up to the largest UDP payload
 * (a server may send more than EDNS_SIZE: it is graded, not cut). */
#define RECV_BATCH 16
#define RECV_SIZE  65536
/* Query IDs drawn from the kernel's generator at once. */
#define ID_POOL 256

struct server {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80];
};

enum entry_state { ST_QUEUED, ST_ACTIVE, ST_DONE };

struct entry {
	char *name;
	uint64_t hash; /* of the key: name, type, flags */
	uint16_t type;
	unsigned flags;      /* DNS_Q_*: part of the cache key */
	struct entry *hnext; /* hash chain */
	struct entry *qnext; /* submission queue */
	int zone;            /* index of its zone limit, or -1 */
	enum entry_state state;
	struct waitq done;            /* only its waiters wake when it is done */
	struct dns_answer ans;        /* what the server said about name */
	struct dns_answer *chased;    /* after following CNAMEs (NULL: not yet) */
	struct dns_answer *untrusted; /* the negative answer, made UNTRUSTED by
	                                 a canary (NULL: not needed yet) */

	/* The cache's bookkeeping (under mu). */
	uint32_t ttl_s;                    /* how long the answer may be kept */
	int64_t expires_ms;                /* set when done */
	unsigned refs;                     /* views holding it (a pin counts one) */
	bool in_table;                     /* reachable by name; else an orphan */
	struct entry *lru_prev, *lru_next; /* idle (done, no refs, in table) */

	/* Loop-thread state while active. */
	bool finishing;      /* finished, waiting in d->finished to be published */
	bool timed_out;      /* ... with DNS_TIMEOUT */
	struct entry *fnext; /* d->finished */
	uint8_t *wire;
	size_t wire_len;
	bool no_edns;
	int tries;            /* UDP tries started */
	int socks[MAX_TRIES]; /* pool socket of each try, or -1 */
	uint16_t ids[MAX_TRIES];
	int srv[MAX_TRIES];
	int64_t start_ms, next_ms, deadline_ms;
	int net_errors;     /* tries that failed at the socket level */
	char last_err[160]; /* most telling reason so far */
	int tcp_fd;
	int tcp_srv;
	uint16_t tcp_id;
	uint8_t *tcp_buf; /* outgoing, then incoming */
	size_t tcp_len, tcp_off;
	bool tcp_sending;
	bool tcp_tried;
};

struct dns {
	int64_t root_checked_ms; /* the root canary was last looked at */
	struct server servers[MAX_SERVERS];
	int server_count;
	char servers_text[200];
	int timeout_ms;
	int tries;
	size_t max_inflight;

	pthread_mutex_t mu;
	struct entry **buckets;
	size_t bucket_count, entry_count;
	size_t cache_max;
	struct entry *lru_head, *lru_tail; /* idle entries, oldest first */
	struct entry *orphans;             /* expired but still held (by hnext) */
	struct entry *dead;                /* unlinked, unheld: freed by unlock() */
	struct entry *queue_head, *queue_tail;
	struct {
		char *zone;
		int max, inflight;
		int bucket;                  /* its rate's bucket in rates[], or -1 */
		struct entry *qhead, *qtail; /* its lookups waiting their turn */
	} limits[MAX_ZONE_LIMITS];
	int limit_count;
	struct {
		char *key;  /* the operator the zones of the bucket belong to */
		double qps; /* refill per second, and the burst */
		double tokens;
		int64_t last_ms;
	} rates[MAX_ZONE_LIMITS];
	int rate_count;
	int64_t rate_wake_ms; /* when a query held back by its rate may go (loop thread) */
	struct dns_stats stats;
	bool canaries;                /* vet negative answers (dns_config) */
	char *expect[DNS_MAX_EXPECT]; /* TLDs known to exist (dns_expect_tld) */
	size_t expect_count;
	/* The canaries' entries, held (canary_entry): the root's, then each
	 * expected TLD's. */
	struct entry *canary[1 + DNS_MAX_EXPECT];
	bool stop;

	pthread_t loop;
	int wake;
	bool wake_pending; /* the eventfd was written to (under mu) */
	/* loop thread only */
	struct entry *finished; /* finished this round, published under one lock */
	struct qsend {
		struct entry *e;
		int k;
	} * sendq; /* tries registered this round, sent together (flush_sends) */
	size_t sendq_n, sendq_cap;
	struct entry **active;
	size_t active_count;
	struct psock *socks; /* the UDP pool, draining sockets included */
	size_t nsocks;
	int slot[MAX_SERVERS][POOL_PER_SERVER]; /* socks serving new queries, or -1 */
	unsigned rr;                            /* round robin over a server's slots */
	struct outq *out;                       /* tries in flight by (socket, ID) */
	size_t out_cap, out_used;
	uint8_t *rbuf;             /* RECV_BATCH datagrams of up to 64 KB (handle_sock) */
	uint16_t id_pool[ID_POOL]; /* query IDs drawn ahead (random_id) */
	size_t ids_left;
};

/* A pooled UDP socket. */
struct psock {
	int fd; /* connected to servers[si]; -1: free */
	int si;
	unsigned uses;    /* queries sent from its port */
	unsigned pending; /* tries in flight on it */
	bool draining;    /* used up: closed when its last try is over */
};

/* A try in flight: answers on socket sock with this ID are e's try k. */
struct outq {
	uint32_t key; /* sock << 16 | id, OUT_EMPTY when free */
	struct entry *e;
	int k;
};
#define OUT_EMPTY UINT32_MAX

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

/* How long an answer may be kept: the smallest TTL of the answer section;
 * for a negative answer (no record) its SOA's, the smaller of the record's
 * TTL and the SOA minimum (RFC 2308 5), or nothing without one. */
static uint32_t answer_ttl(const ldns_pkt *p, bool positive)
{
	uint32_t ttl = TTL_MAX_S;
	if (positive) {
		const ldns_rr_list *an = ldns_pkt_answer(p);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
			if (ldns_rr_ttl(ldns_rr_list_rr(an, i)) < ttl)
				ttl = ldns_rr_ttl(ldns_rr_list_rr(an, i));
		return ttl;
	}
	const ldns_rr_list *au = ldns_pkt_authority(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(au); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(au, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7)
			continue;
		uint32_t min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
		return ldns_rr_ttl(rr) < min ? ldns_rr_ttl(rr) : min;
	}
	return 0;
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
			a->why =
			    xasprintf("CNAME chain longer than %d or looping at %s", MAX_CNAME_HOPS, e->name);
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
			if (ldns_rr_get_type(rr) == e->type &&
			    ldns_dname_compare(ldns_rr_owner(rr), cur) == 0)
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

	e->ttl_s = answer_ttl(p, a->rcode == LDNS_RCODE_NOERROR && a->rr_count);
	switch (a->rcode) {
	case LDNS_RCODE_NOERROR: a->status = a->rr_count ? DNS_OK : DNS_NODATA; break;
	case LDNS_RCODE_NXDOMAIN: a->status = DNS_NXDOMAIN; break;
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

/* ---- the cache ----
 * Every answer is kept for its TTL (the smallest of the answer's records;
 * a negative one for its SOA's, RFC 2308; a failure for FAIL_TTL_S). The
 * answers an audit was handed stay valid while its view holds them (a
 * reference); an entry nobody holds is idle, and the oldest idle ones are
 * dropped when the cache has more than cache_max entries. An expired entry
 * that is still held leaves the table (an orphan) and is freed with its
 * last reference. */

/* The key's hash, kept in its entry: a chain is walked comparing hashes
 * first, and neither unlinking nor growing hashes a name again. */
static uint64_t hash_key(const char *name, uint16_t type, unsigned flags)
{
	uint64_t h = 1469598103934665603ULL ^ type ^ ((uint64_t)flags << 16);
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static void cache_grow(struct dns *d)
{
	size_t nb = d->bucket_count * 4;
	struct entry **b = xcalloc(nb, sizeof *b);
	for (size_t i = 0; i < d->bucket_count; i++) {
		struct entry *e = d->buckets[i];
		while (e) {
			struct entry *next = e->hnext;
			size_t k = (size_t)(e->hash % nb);
			e->hnext = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(d->buckets);
	d->buckets = b;
	d->bucket_count = nb;
}

/* Wakes the event loop (d->mu held), once until it next reads its eventfd:
 * a batch submits tens of thousands of lookups. (A pipe's write is a
 * "sync" wake-up, which the scheduler may answer by running the loop on
 * the writer's CPU while the other idles.) */
static void wake_loop(struct dns *d)
{
	if (d->wake_pending)
		return;
	d->wake_pending = true;
	uint64_t one = 1;
	ssize_t r = write(d->wake, &one, sizeof one);
	(void)r; /* a full counter already means "wake up" */
}

static void entry_free(struct entry *e);

/* Lets d->mu go, then frees the entries dropped under it: a dozen blocks
 * of cold memory each, which the loop and every job waited on while the
 * lock was held for them. */
static void unlock(struct dns *d)
{
	struct entry *dead = d->dead;
	d->dead = NULL;
	pthread_mutex_unlock(&d->mu);
	while (dead) {
		struct entry *n = dead->hnext;
		entry_free(dead);
		dead = n;
	}
}

/* d->mu held: e, taken out of everything, is freed once it is let go. */
static void bury(struct dns *d, struct entry *e)
{
	e->hnext = d->dead;
	d->dead = e;
}

/* The idle and orphan lists (d->mu held). */
static void list_remove(struct entry **head, struct entry **tail, struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		*head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else if (tail)
		*tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void list_append(struct entry **head, struct entry **tail, struct entry *e)
{
	e->lru_next = NULL;
	e->lru_prev = *tail;
	if (*tail)
		(*tail)->lru_next = e;
	else
		*head = e;
	*tail = e;
}

static bool is_idle(const struct dns *d, const struct entry *e)
{
	return e->lru_prev || e->lru_next || d->lru_head == e;
}

/* Takes e out of the table (d->mu held): freed now when nobody holds it,
 * else an orphan until its last reference goes. */
static void unlink_entry(struct dns *d, struct entry *e)
{
	size_t k = (size_t)(e->hash % d->bucket_count);
	for (struct entry **pp = &d->buckets[k]; *pp; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	e->hnext = NULL;
	e->in_table = false;
	d->entry_count--;
	if (is_idle(d, e))
		list_remove(&d->lru_head, &d->lru_tail, e);
	if (e->refs) {
		struct entry *tail = NULL;
		for (struct entry *o = d->orphans; o; o = o->lru_next)
			tail = o;
		list_append(&d->orphans, &tail, e);
	} else {
		bury(d, e);
	}
}

/* Drops the least recently used idle entries while the cache is over its
 * size (d->mu held). */
static void evict(struct dns *d)
{
	while (d->entry_count > d->cache_max && d->lru_head) {
		unlink_entry(d, d->lru_head);
		d->stats.evicted++;
	}
}

/* e is done and nobody holds it (d->mu held). */
static void make_idle(struct dns *d, struct entry *e)
{
	if (!e->in_table || e->state != ST_DONE || is_idle(d, e))
		return;
	list_append(&d->lru_head, &d->lru_tail, e);
	evict(d);
}

/* A reference to e (d->mu held): it stays valid until released. */
static void hold(struct dns *d, struct entry *e)
{
	if (!e->refs++ && is_idle(d, e))
		list_remove(&d->lru_head, &d->lru_tail, e);
}

static void release(struct dns *d, struct entry *e)
{
	if (--e->refs)
		return;
	if (e->in_table) {
		make_idle(d, e);
		return;
	}
	list_remove(&d->orphans, NULL, e);
	bury(d, e);
}

/* Whether ldns takes norm as a domain name. Without escapes that is
 * labels of 1 to 63 bytes in at most 253: checked here, as ldns's parse
 * allocates (under d->mu, for every new entry); the rest goes to ldns. */
static bool dname_ok(const char *norm)
{
	if (!strchr(norm, '\\') && name_is_dns(norm))
		return true;
	ldns_rdf *dn = NULL;
	bool ok = ldns_str2rdf_dname(&dn, norm) == LDNS_STATUS_OK;
	ldns_rdf_deep_free(dn);
	return ok;
}

/* Finds or creates the entry (with d->mu held). */
static struct entry *cache_get_ex(struct dns *d, const char *name, uint16_t type, unsigned flags)
{
	/* the root is asked as "." (the canary's NS question), which stays
	 * "."; a hit costs no allocation: the name is normalized on the stack
	 * when it fits */
	char small[256];
	char *norm = name_normalize_to(small, sizeof small, name) ? small : name_normalize_new(name);
	uint64_t h = hash_key(norm, type, flags);
	size_t k = (size_t)(h % d->bucket_count);
	d->stats.lookups++;
	for (struct entry *e = d->buckets[k]; e; e = e->hnext)
		if (e->hash == h && e->type == type && e->flags == flags && strcmp(e->name, norm) == 0) {
			/* Its TTL is over: ask again, unless an audit in progress
			 * holds it (it is of this moment: a TTL of 0 must not
			 * make one audit ask the same question twice). */
			if (e->state == ST_DONE && !e->refs && now_ms() >= e->expires_ms) {
				unlink_entry(d, e);
				d->stats.expired++;
				break;
			}
			if (norm != small)
				free(norm);
			d->stats.cache_hits++;
			return e;
		}
	if (norm == small)
		norm = xstrdup(small);
	struct entry *e = xcalloc(1, sizeof *e);
	e->name = norm;
	e->hash = h;
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
	e->in_table = true;
	/* at most one entry a bucket: a lookup's walk touches cold entries */
	if (++d->entry_count > d->bucket_count)
		cache_grow(d);

	if (!*norm || (strcmp(name, ".") != 0 && strcmp(norm, ".") == 0) || !dname_ok(norm)) {
		e->state = ST_DONE;
		e->expires_ms = INT64_MAX; /* no server will make it valid */
		e->ans.status = DNS_MALFORMED;
		e->ans.why = xasprintf("'%.80s' is not a valid DNS name (label or length limits)", norm);
		return e;
	}
	e->state = ST_QUEUED;
	/* a zone with a limit queues its own lookups: admitting them then
	 * costs nothing for the others */
	struct entry **head = e->zone >= 0 ? &d->limits[e->zone].qhead : &d->queue_head;
	struct entry **tail = e->zone >= 0 ? &d->limits[e->zone].qtail : &d->queue_tail;
	if (*tail)
		(*tail)->qnext = e;
	else
		*head = e;
	*tail = e;
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
	struct dnswire_query q = {.name = e->name,
	                          .type = e->type,
	                          .cd = (e->flags & DNS_Q_CD) != 0,
	                          .edns_udp = e->no_edns ? 0 : EDNS_SIZE,
	                          .dnssec_ok = (e->flags & DNS_Q_DO) != 0};
	uint8_t buf[DNSWIRE_QUERY_MAX];
	int n = dnswire_query(&q, buf, sizeof buf);
	if (n < 0)
		return -1;
	e->wire = xmalloc((size_t)n);
	memcpy(e->wire, buf, (size_t)n);
	e->wire_len = (size_t)n;
	return 0;
}

/* ---- the UDP socket pool (loop thread only) ---- */

static size_t out_slot(const struct dns *d, uint32_t key)
{
	return (size_t)((key * 2654435761u) & (d->out_cap - 1));
}

static struct outq *out_find(struct dns *d, int sock, uint16_t id)
{
	uint32_t key = (uint32_t)sock << 16 | id;
	for (size_t i = out_slot(d, key);; i = (i + 1) & (d->out_cap - 1)) {
		if (d->out[i].key == OUT_EMPTY)
			return NULL;
		if (d->out[i].key == key)
			return &d->out[i];
	}
}

static void out_grow(struct dns *d);

static void out_add(struct dns *d, int sock, uint16_t id, struct entry *e, int k)
{
	if ((d->out_used + 1) * 2 > d->out_cap)
		out_grow(d);
	uint32_t key = (uint32_t)sock << 16 | id;
	size_t i = out_slot(d, key);
	while (d->out[i].key != OUT_EMPTY)
		i = (i + 1) & (d->out_cap - 1);
	d->out[i] = (struct outq){key, e, k};
	d->out_used++;
}

static void out_grow(struct dns *d)
{
	struct outq *old = d->out;
	size_t n = d->out_cap;
	d->out_cap = n ? n * 2 : 1024;
	d->out = xmalloc(d->out_cap * sizeof *d->out);
	for (size_t i = 0; i < d->out_cap; i++)
		d->out[i].key = OUT_EMPTY;
	d->out_used = 0;
	for (size_t i = 0; i < n; i++)
		if (old[i].key != OUT_EMPTY)
			out_add(d, (int)(old[i].key >> 16), (uint16_t)old[i].key, old[i].e, old[i].k);
	free(old);
}

/* Removes an entry, shifting back the ones after it (linear probing). */
static void out_remove(struct dns *d, struct outq *q)
{
	size_t i = (size_t)(q - d->out);
	d->out[i].key = OUT_EMPTY;
	d->out_used--;
	for (size_t j = (i + 1) & (d->out_cap - 1); d->out[j].key != OUT_EMPTY;
	     j = (j + 1) & (d->out_cap - 1)) {
		struct outq moved = d->out[j];
		d->out[j].key = OUT_EMPTY;
		d->out_used--;
		out_add(d, (int)(moved.key >> 16), (uint16_t)moved.key, moved.e, moved.k);
	}
}

/* A fresh socket connected to server si, as pool socket index; -1 with
 * errno set when it cannot be had. */
static int sock_open(struct dns *d, int si)
{
	const struct server *s = &d->servers[si];
	int fd = socket(s->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* connect(): the kernel picks a random port, drops datagrams from
	 * other sources, and reports a closed port (ICMP) as ECONNREFUSED. */
	if (connect(fd, (const struct sockaddr *)&s->ss, s->len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	size_t i = 0;
	while (i < d->nsocks && d->socks[i].fd >= 0)
		i++;
	if (i == d->nsocks) {
		d->socks = xrealloc(d->socks, (d->nsocks + 1) * sizeof *d->socks);
		d->nsocks++;
	}
	d->socks[i] = (struct psock){.fd = fd, .si = si};
	__atomic_add_fetch(&d->stats.sockets, 1, __ATOMIC_RELAXED);
	return (int)i;
}

static void sock_close(struct dns *d, int i)
{
	close(d->socks[i].fd);
	d->socks[i].fd = -1;
	for (int si = 0; si < d->server_count; si++)
		for (int k = 0; k < POOL_PER_SERVER; k++)
			if (d->slot[si][k] == i)
				d->slot[si][k] = -1;
}

/* The pool socket for a query to server si; -1 with errno set. */
static int sock_for(struct dns *d, int si)
{
	int *slot = &d->slot[si][d->rr++ % POOL_PER_SERVER];
	if (*slot >= 0 && d->socks[*slot].uses >= SOCK_USES) {
		/* used up: it drains, a new one takes its place */
		d->socks[*slot].draining = true;
		if (!d->socks[*slot].pending)
			sock_close(d, *slot);
		*slot = -1;
	}
	if (*slot < 0)
		*slot = sock_open(d, si);
	return *slot;
}

/* Try k of e is over: its socket no longer waits for it. */
static void try_done(struct dns *d, struct entry *e, int k)
{
	int i = e->socks[k];
	if (i < 0)
		return;
	struct outq *q = out_find(d, i, e->ids[k]);
	if (q)
		out_remove(d, q);
	e->socks[k] = -1;
	if (--d->socks[i].pending == 0 && d->socks[i].draining)
		sock_close(d, i);
}

static void close_sockets(struct dns *d, struct entry *e)
{
	for (int k = 0; k < e->tries; k++)
		try_done(d, e, k);
	if (e->tcp_fd >= 0) {
		close(e->tcp_fd);
		e->tcp_fd = -1;
	}
	free(e->tcp_buf);
	e->tcp_buf = NULL;
	free(e->wire);
	e->wire = NULL;
}

/* Marks e finished (loop thread); its waiters see it done once the round's
 * finished lookups are published (publish_finished). */
static void finish(struct dns *d, struct entry *e, enum dns_status st, const char *why)
{
	close_sockets(d, e);
	if (st != DNS_OK && st != DNS_NXDOMAIN && st != DNS_NODATA) {
		/* A failure replaces whatever partial data a reply had. */
		struct dns_answer *a = &e->ans;
		if (a->status != st || !a->why) {
			free(a->why);
			a->why = why ? xstrdup(why) : NULL;
		}
		a->status = st;
	}
	e->finishing = true;
	e->timed_out = st == DNS_TIMEOUT;
	e->fnext = d->finished;
	d->finished = e;
}

/* Makes the lookups finished in this round done, under one lock: a batch
 * finishes thousands a second, and the waiting jobs contend for d->mu.
 * Their waiters are taken out under it and woken after it is let go: a
 * thread woken under it only ran into it, and its release then had to wake
 * it again, a quarter of a batch's futex calls. */
static void publish_finished(struct dns *d)
{
	if (!d->finished)
		return;
	int64_t now = now_ms();
	struct waiter *wake = NULL;
	pthread_mutex_lock(&d->mu);
	while (d->finished) {
		struct entry *e = d->finished;
		d->finished = e->fnext;
		e->fnext = NULL;
		if (e->timed_out)
			d->stats.timeouts++;
		if (e->zone >= 0 && e->state == ST_ACTIVE)
			d->limits[e->zone].inflight--;
		e->state = ST_DONE;
		uint32_t ttl = dns_status_answered(e->ans.status) ? e->ttl_s : FAIL_TTL_S;
		e->expires_ms = now + (int64_t)(ttl < TTL_MAX_S ? ttl : TTL_MAX_S) * 1000;
		/* a waiter holds e: it stays while they wake */
		wake = waitq_take_onto(&e->done, wake);
		if (!e->refs)
			make_idle(d, e);
	}
	unlock(d);
	waitq_wake(wake);
}

/* A query ID, unpredictable (arc4random: the kernel's generator), drawn
 * ID_POOL at a time: one getrandom per query was the loop's most frequent
 * system call (loop thread). */
static uint16_t random_id(struct dns *d)
{
	if (!d->ids_left) {
		arc4random_buf(d->id_pool, sizeof d->id_pool);
		d->ids_left = ID_POOL;
	}
	return d->id_pool[--d->ids_left];
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
	e->socks[k] = -1;
	e->next_ms = now + (e->deadline_ms - e->start_ms) / d->tries;
	if (e->next_ms > e->deadline_ms)
		e->next_ms = e->deadline_ms;

	int i = sock_for(d, si);
	if (i < 0) {
		e->net_errors++;
		note_err(e, "cannot open a socket to %s: %s", s->text, strerror(errno));
		e->next_ms = now;
		return;
	}
	/* an ID no other try on this socket has */
	uint16_t id;
	do
		id = random_id(d);
	while (out_find(d, i, id));
	e->ids[k] = id;
	e->wire[0] = (uint8_t)(id >> 8);
	e->wire[1] = (uint8_t)id;
	/* registered now, sent with the round's other tries (flush_sends) */
	e->socks[k] = i;
	d->socks[i].uses++;
	d->socks[i].pending++;
	out_add(d, i, id, e, k);
	xgrow(&d->sendq, &d->sendq_cap, d->sendq_n + 1, sizeof *d->sendq);
	d->sendq[d->sendq_n++] = (struct qsend){e, k};
}

/* Try k of e could not be sent: it is over, the next one goes at once. */
static void send_failed(struct dns *d, struct entry *e, int k, int err, int64_t now)
{
	const char *srv = d->servers[e->srv[k]].text;
	e->net_errors++;
	if (err == ECONNREFUSED)
		note_err(e, "%s refused the connection (nothing listens on that port)", srv);
	else
		note_err(e, "cannot send to %s: %s", srv, strerror(err));
	e->next_ms = now;
	try_done(d, e, k);
}

static int qsend_cmp(const void *x, const void *y)
{
	const struct qsend *a = x, *b = y;
	return (a->e->socks[a->k] > b->e->socks[b->k]) - (a->e->socks[a->k] < b->e->socks[b->k]);
}

/* Sends the round's tries, those of one socket in one sendmmsg: on
 * loopback a send also runs the server's receive path and may hand it the
 * CPU, once per call rather than once per packet. What a call does not
 * take goes one by one, each with its own error. True when one failed:
 * its next try is due at once. */
static bool flush_sends(struct dns *d, int64_t now)
{
	enum { BATCH = 64 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	if (!d->sendq_n)
		return false;
	unsigned long sent = 0;
	bool failed = false;
	qsort(d->sendq, d->sendq_n, sizeof *d->sendq, qsend_cmp);
	for (size_t i = 0; i < d->sendq_n;) {
		int sock = d->sendq[i].e->socks[d->sendq[i].k];
		int fd = d->socks[sock].fd;
		size_t n = 0;
		for (; i + n < d->sendq_n && n < BATCH && d->sendq[i + n].e->socks[d->sendq[i + n].k] == sock;
		     n++) {
			struct entry *e = d->sendq[i + n].e;
			iov[n] = (struct iovec){e->wire, e->wire_len};
			memset(&msgs[n], 0, sizeof msgs[n]);
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
		}
		int r = sendmmsg(fd, msgs, (unsigned)n, 0);
		size_t done = r > 0 ? (size_t)r : 0;
		sent += done;
		for (size_t j = done; j < n; j++) {
			struct qsend *q = &d->sendq[i + j];
			if (send(fd, q->e->wire, q->e->wire_len, 0) < 0) {
				send_failed(d, q->e, q->k, errno, now);
				failed = true;
			} else {
				sent++;
			}
		}
		i += n;
	}
	d->sendq_n = 0;
	/* the loop is the only writer: no lock, dns_get_stats reads it so */
	__atomic_add_fetch(&d->stats.sent, sent, __ATOMIC_RELAXED);
	return failed;
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
	e->tcp_id = random_id(d);
	e->tcp_buf = xmalloc(e->wire_len + 2);
	e->tcp_buf[0] = (uint8_t)(e->wire_len >> 8);
	e->tcp_buf[1] = (uint8_t)e->wire_len;
	memcpy(e->tcp_buf + 2, e->wire, e->wire_len);
	e->tcp_buf[2] = (uint8_t)(e->tcp_id >> 8);
	e->tcp_buf[3] = (uint8_t)e->tcp_id;
	e->tcp_len = e->wire_len + 2;
	e->tcp_off = 0;
	e->tcp_sending = true;
	__atomic_add_fetch(&d->stats.sent, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&d->stats.tcp, 1, __ATOMIC_RELAXED);
}

static void tcp_fail(struct entry *e, const char *what)
{
	note_err(e, "answer truncated and TCP failed: %s", what);
	close(e->tcp_fd);
	e->tcp_fd = -1;
}

/* Skips the domain name at *pos; false when it runs off the message. */
static bool wire_skip_name(const uint8_t *buf, size_t n, size_t *pos)
{
	for (;;) {
		if (*pos >= n)
			return false;
		uint8_t c = buf[*pos];
		if (c == 0) {
			*pos += 1;
			return true;
		}
		if ((c & 0xC0) == 0xC0) {
			*pos += 2;
			return *pos <= n;
		}
		if (c & 0xC0)
			return false;
		*pos += 1 + (size_t)c;
	}
}

/* ldns_wire2pkt behind a screen: ldns 1.8.3 leaks the first of two TSIG
 * records in a reply (the second replaces it unfreed), so a message with
 * more than one TSIG or OPT record, which RFC 8945 and RFC 6891 make a
 * format error, or one whose records run off its end, is refused first. */
static ldns_status wire2pkt(ldns_pkt **p, const uint8_t *buf, size_t n)
{
	*p = NULL;
	if (n < 12)
		return LDNS_STATUS_PACKET_OVERFLOW;
	size_t pos = 12, counts[4];
	for (int i = 0; i < 4; i++)
		counts[i] = dnswire_u16(buf + 4 + 2 * i);
	for (size_t i = 0; i < counts[0]; i++) {
		if (!wire_skip_name(buf, n, &pos) || (pos += 4) > n)
			return LDNS_STATUS_PACKET_OVERFLOW;
	}
	unsigned tsig = 0, opt = 0;
	for (int s = 1; s < 4; s++) {
		for (size_t i = 0; i < counts[s]; i++) {
			if (!wire_skip_name(buf, n, &pos) || pos + 10 > n)
				return LDNS_STATUS_PACKET_OVERFLOW;
			uint16_t type = dnswire_u16(buf + pos);
			tsig += type == LDNS_RR_TYPE_TSIG;
			opt += type == LDNS_RR_TYPE_OPT;
			pos += 10 + dnswire_u16(buf + pos + 8);
			if (pos > n)
				return LDNS_STATUS_PACKET_OVERFLOW;
		}
	}
	if (tsig > 1 || opt > 1)
		return LDNS_STATUS_ERR;
	return ldns_wire2pkt(p, buf, n);
}

/* ------------------------------------------------------------ the common reply, read here */

/* Most replies are plain: the question asked, NOERROR or NXDOMAIN, the
 * records of the asked type at the asked name, an SOA or NS records beside,
 * an OPT record. fast_grade reads those in place (ldns allocated for every
 * name, record and field: a third of a batch's allocations) and declines
 * anything else, which ldns then reads as before: what is malformed stays
 * ldns's to say. tests/unit/test_dnswire.c grades random replies both ways
 * and compares. */

#define FAST_MAX_RRS 64

/* The rdata of a record of type at msg[off..off+len): well-formed as the
 * fast reader takes it (names plain, lengths exact). */
static bool fast_rdata_ok(const uint8_t *msg, size_t n, uint16_t type, size_t off, size_t len)
{
	char name[256];
	size_t p = off;
	switch (type) {
	case DNS_T_A: return len == 4;
	case DNS_T_AAAA: return len == 16;
	case DNS_T_NS:
	case DNS_T_PTR: return dnswire_plain_name(msg, n, &p, name) && p == off + len;
	case DNS_T_MX: p += 2; return len > 2 && dnswire_plain_name(msg, n, &p, name) && p == off + len;
	case DNS_T_SOA:
		return dnswire_plain_name(msg, n, &p, name) && dnswire_plain_name(msg, n, &p, name) &&
		       p + 20 == off + len;
	case DNS_T_TXT:
		if (!len)
			return false;
		while (p < off + len)
			p += 1u + msg[p];
		return p == off + len;
	case DNS_T_TLSA: return len > 3;   /* usage, selector, type, data */
	case DNS_T_DS:                     /* key tag, algorithm, digest type, digest */
	case DNS_T_DNSKEY: return len > 4; /* flags, protocol, algorithm, key */
	default: return false;
	}
}

struct fast_rr {
	uint16_t type;
	uint32_t ttl;
	size_t off, len; /* its rdata */
};

/* Reads a section of count records from *pos; their owner names must be
 * plain (and owner_of, when given); an OPT record only where opt_ok. */
static bool fast_section(const uint8_t *msg, size_t n, size_t *pos, size_t count, struct fast_rr *out,
                         const char *owner_of, bool opt_ok)
{
	char owner[256];
	for (size_t i = 0; i < count; i++) {
		if (!dnswire_plain_name(msg, n, pos, owner) || *pos + 10 > n)
			return false;
		if (owner_of && strcmp(owner, owner_of) != 0)
			return false;
		const uint8_t *h = msg + *pos;
		struct fast_rr r = {dnswire_u16(h), dnswire_u32(h + 4), *pos + 10, dnswire_u16(h + 8)};
		uint16_t cls = dnswire_u16(h + 2);
		*pos += 10 + r.len;
		if (*pos > n)
			return false;
		if (r.type == LDNS_RR_TYPE_OPT) {
			if (!opt_ok || strcmp(owner, ".") != 0)
				return false; /* OPT: the root's, additional section only */
		} else if (cls != LDNS_RR_CLASS_IN || !fast_rdata_ok(msg, n, r.type, r.off, r.len)) {
			return false;
		}
		out[i] = r;
	}
	return true;
}

/* Grades the common reply into e->ans and e->ttl_s; false, with nothing
 * written, for any other. */
static bool fast_grade(struct entry *e, const uint8_t *msg, size_t n)
{
	/* asked with DO, a reply without signatures reads the same (one with
	 * them is declined: RRSIG is none of the types read here) */
	if (n < 12)
		return false;
	uint16_t flags = dnswire_u16(msg + 2);
	unsigned rcode = flags & 0xF;
	size_t qd = dnswire_u16(msg + 4), an = dnswire_u16(msg + 6), ns = dnswire_u16(msg + 8),
	       ar = dnswire_u16(msg + 10);
	bool qr = flags & 0x8000, tc = flags & 0x0200, ad = flags & 0x0020;
	unsigned opcode = (flags >> 11) & 0xF;
	if (!qr || tc || opcode || (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) || qd != 1 ||
	    an > FAST_MAX_RRS || ns > FAST_MAX_RRS || ar > FAST_MAX_RRS ||
	    (rcode == LDNS_RCODE_NXDOMAIN && an))
		return false;
	switch (e->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
	case DNS_T_NS:
	case DNS_T_PTR:
	case DNS_T_MX:
	case DNS_T_TXT:
	case DNS_T_SOA:
	case DNS_T_TLSA:
	case DNS_T_DS:
	case DNS_T_DNSKEY: break;
	default: return false;
	}
	char qname[256];
	size_t pos = 12;
	if (!dnswire_plain_name(msg, n, &pos, qname) || pos + 4 > n || strcmp(qname, e->name) != 0 ||
	    dnswire_u16(msg + pos) != e->type || dnswire_u16(msg + pos + 2) != LDNS_RR_CLASS_IN)
		return false;
	pos += 4;
	struct fast_rr ans[FAST_MAX_RRS], auth[FAST_MAX_RRS], add[FAST_MAX_RRS];
	if (!fast_section(msg, n, &pos, an, ans, qname, false) ||
	    !fast_section(msg, n, &pos, ns, auth, NULL, false) ||
	    !fast_section(msg, n, &pos, ar, add, NULL, true) || pos != n)
		return false;
	for (size_t i = 0; i < an; i++)
		if (ans[i].type != e->type)
			return false; /* CNAMEs, signatures: ldns's */
	size_t opts = 0;
	for (size_t i = 0; i < ar; i++)
		opts += add[i].type == LDNS_RR_TYPE_OPT;
	if (opts > 1)
		return false;

	struct dns_answer *a = &e->ans;
	a->rcode = rcode;
	a->ad = ad;
	if (an)
		a->rrs = xcalloc(an, sizeof *a->rrs);
	uint32_t ttl = TTL_MAX_S;
	for (size_t i = 0; i < an; i++) {
		struct dns_rr *r = &a->rrs[a->rr_count++];
		const uint8_t *d = msg + ans[i].off;
		char name[256];
		size_t p = ans[i].off;
		r->type = ans[i].type;
		r->ttl = ans[i].ttl;
		if (ans[i].ttl < ttl)
			ttl = ans[i].ttl;
		switch (r->type) {
		case DNS_T_A:
		case DNS_T_AAAA: memcpy(r->addr, d, ans[i].len); break;
		case DNS_T_MX:
			r->pref = dnswire_u16(d);
			p += 2;
			dnswire_plain_name(msg, n, &p, name);
			r->name = xstrdup(name);
			break;
		case DNS_T_NS:
		case DNS_T_PTR:
			dnswire_plain_name(msg, n, &p, name);
			r->name = xstrdup(name);
			break;
		case DNS_T_SOA: { /* the wire rdata, as ldns keeps it: names uncompressed */
			uint8_t w[2 * 256 + 20];
			size_t l1 = 0, l2 = 0;
			dnswire_plain_name_wire(msg, n, &p, w, &l1);
			dnswire_plain_name_wire(msg, n, &p, w + l1, &l2);
			memcpy(w + l1 + l2, msg + p, 20);
			r->rdata_len = l1 + l2 + 20;
			r->rdata = xmalloc(r->rdata_len);
			memcpy(r->rdata, w, r->rdata_len);
			break;
		}
		case DNS_T_TLSA:
		case DNS_T_DS:
		case DNS_T_DNSKEY: /* no names: the wire rdata as it came */
			r->rdata = xmalloc(ans[i].len);
			memcpy(r->rdata, d, ans[i].len);
			r->rdata_len = ans[i].len;
			break;
		default: { /* TXT: the character-strings, concatenated */
			r->txt = xmalloc(ans[i].len + 1);
			for (size_t k = 0; k < ans[i].len; k += 1u + d[k]) {
				memcpy(r->txt + r->txt_len, d + k + 1, d[k]);
				r->txt_len += d[k];
			}
			r->txt[r->txt_len] = '\0';
		}
		}
	}
	if (a->rr_count) {
		e->ttl_s = ttl;
	} else {
		/* as answer_ttl: the first SOA's, else none */
		e->ttl_s = 0;
		for (size_t i = 0; i < ns; i++)
			if (auth[i].type == DNS_T_SOA) {
				uint32_t min = dnswire_u32(msg + auth[i].off + auth[i].len - 4);
				e->ttl_s = auth[i].ttl < min ? auth[i].ttl : min;
				break;
			}
	}
	a->status = rcode == LDNS_RCODE_NXDOMAIN ? DNS_NXDOMAIN : a->rr_count ? DNS_OK : DNS_NODATA;
	return true;
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
	if (dnswire_u16(buf) != id) {
		note_err(e, "only replies with a wrong ID came from %s", srv);
		return false;
	}
	if (fast_grade(e, buf, n)) {
		finish(d, e, e->ans.status, e->ans.why);
		return true;
	}
	ldns_pkt *p = NULL;
	if (wire2pkt(&p, buf, n) != LDNS_STATUS_OK || !p) {
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
	            ldns_rr_get_class(q) == LDNS_RR_CLASS_IN &&
	            ldns_dname_compare(ldns_rr_owner(q), want) == 0;
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
	if ((rc == LDNS_RCODE_SERVFAIL || rc == LDNS_RCODE_REFUSED) && d->server_count > 1 &&
	    e->tries < d->tries) {
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
		e->tcp_len = 2 + (size_t)dnswire_u16(e->tcp_buf);
		if (e->tcp_len == 2) {
			tcp_fail(e, "empty reply");
			return false;
		}
		return false;
	}
	return handle_reply(d, e, e->tcp_buf + 2, e->tcp_len - 2, e->tcp_id, e->tcp_srv, true);
}

static void drop_active(struct dns *d, struct entry *e);

/* A datagram whose ID no try of this socket has: if it answers the question
 * of a try in flight on it, that try learns of the wrong ID (the fault
 * matrix's "only replies with a wrong ID came"); otherwise it is a late
 * answer to a finished query, or noise, and dropped. */
static void stray_reply(struct dns *d, int sock, const uint8_t *buf, size_t n)
{
	ldns_pkt *p = NULL;
	if (wire2pkt(&p, buf, n) != LDNS_STATUS_OK || !p)
		return;
	const ldns_rr_list *qs = ldns_pkt_question(p);
	const ldns_rr *q = ldns_rr_list_rr_count(qs) == 1 ? ldns_rr_list_rr(qs, 0) : NULL;
	char *qn = q ? rdf_name_new(ldns_rr_owner(q)) : NULL;
	for (size_t i = 0; qn && i < d->out_cap; i++) {
		struct outq *o = &d->out[i];
		if (o->key != OUT_EMPTY && (int)(o->key >> 16) == sock && o->e->type == ldns_rr_get_type(q) &&
		    strcmp(o->e->name, qn) == 0)
			note_err(o->e, "only replies with a wrong ID came from %s",
			         d->servers[d->socks[sock].si].text);
	}
	free(qn);
	ldns_pkt_free(p);
}

/* A closed port (ICMP): every try in flight on the socket failed. */
static void sock_refused(struct dns *d, int sock, int err)
{
	const char *srv = d->servers[d->socks[sock].si].text;
	struct outq *hit = xcalloc(d->out_used + 1, sizeof *hit);
	size_t n = 0;
	for (size_t i = 0; i < d->out_cap; i++)
		if (d->out[i].key != OUT_EMPTY && (int)(d->out[i].key >> 16) == sock)
			hit[n++] = d->out[i];
	for (size_t i = 0; i < n; i++) {
		struct entry *e = hit[i].e;
		e->net_errors++;
		if (err == ECONNREFUSED)
			note_err(e, "%s refused the connection (nothing listens on that port)", srv);
		else
			note_err(e, "error from %s: %s", srv, strerror(err));
		e->next_ms = 0; /* this try is over: next one now */
		try_done(d, e, hit[i].k);
	}
	free(hit);
}

/* Reads every datagram waiting on pool socket sock. */
/* Reads what came on a pooled socket, RECV_BATCH datagrams a system call
 * (a batch brings a few dozen replies a round: one recv each, and one more
 * to learn that none is left, was most of the loop's system calls). */
static void handle_sock(struct dns *d, int sock)
{
	struct mmsghdr mm[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	for (;;) {
		int fd = d->socks[sock].fd;
		if (fd < 0)
			return;
		for (int i = 0; i < RECV_BATCH; i++) {
			iov[i] = (struct iovec){d->rbuf + (size_t)i * RECV_SIZE, RECV_SIZE};
			mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		int got = recvmmsg(fd, mm, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno != EAGAIN && errno != EINTR)
				sock_refused(d, sock, errno);
			return;
		}
		for (int i = 0; i < got; i++) {
			/* a reply may end the socket's use: what else came on it
			 * is for tries that are over */
			if (d->socks[sock].fd != fd)
				return;
			const uint8_t *buf = iov[i].iov_base;
			size_t n = mm[i].msg_len;
			if (n < 2)
				continue;
			struct outq *q = out_find(d, sock, dnswire_u16(buf));
			if (!q) {
				stray_reply(d, sock, buf, n);
				continue;
			}
			struct entry *e = q->e;
			int k = q->k;
			if (handle_reply(d, e, buf, n, e->ids[k], e->srv[k], false))
				drop_active(d, e);
		}
		if (got < RECV_BATCH)
			return; /* none was left then; later ones wake the poll */
	}
}

/* Moves queued entries to the active set, up to max_inflight in all and
 * up to each zone's limit; entries of a zone at its limit wait their turn. */
/* Whether the rate of e's zone lets it go now (d->mu held); takes its
 * token. When not, d->rate_wake_ms says when one comes. */
static bool rate_allows(struct dns *d, const struct entry *e, int64_t now)
{
	if (e->zone < 0 || d->limits[e->zone].bucket < 0)
		return true;
	int b = d->limits[e->zone].bucket;
	double qps = d->rates[b].qps, t = d->rates[b].tokens;
	t += (double)(now - d->rates[b].last_ms) * qps / 1000.0;
	d->rates[b].tokens = t > qps ? qps : t;
	d->rates[b].last_ms = now;
	if (d->rates[b].tokens >= 1) {
		d->rates[b].tokens -= 1;
		return true;
	}
	int64_t at = now + (int64_t)((1 - d->rates[b].tokens) * 1000.0 / qps) + 1;
	if (!d->rate_wake_ms || at < d->rate_wake_ms)
		d->rate_wake_ms = at;
	return false;
}

/* Makes e active (d->mu held). */
static void activate(struct dns *d, struct entry *e, int64_t now)
{
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
}

/* Moves queued lookups to the active set, up to max_inflight in all and,
 * for a zone with limits, up to its in-flight limit and its rate: the
 * lookups of a zone at its limit wait their turn in its own queue. False
 * when the loop is to stop. */
static bool admit(struct dns *d, int64_t now)
{
	pthread_mutex_lock(&d->mu);
	if (d->stop) {
		unlock(d);
		return false;
	}
	d->rate_wake_ms = 0;
	/* the limited zones first: their limits bound what they take, and
	 * the unlimited lookups must not starve them */
	for (int z = 0; z < d->limit_count; z++)
		while (d->limits[z].qhead && d->active_count < d->max_inflight &&
		       d->limits[z].inflight < d->limits[z].max && rate_allows(d, d->limits[z].qhead, now)) {
			struct entry *e = d->limits[z].qhead;
			d->limits[z].qhead = e->qnext;
			if (!d->limits[z].qhead)
				d->limits[z].qtail = NULL;
			activate(d, e, now);
		}
	while (d->queue_head && d->active_count < d->max_inflight) {
		struct entry *e = d->queue_head;
		d->queue_head = e->qnext;
		if (!d->queue_head)
			d->queue_tail = NULL;
		activate(d, e, now);
	}
	unlock(d);
	return true;
}

/* The limit of zone, created unlimited (d->mu held); -1 when the table is
 * full. */
static int zone_limit(struct dns *d, const char *zone)
{
	char *z = name_normalize_new(zone);
	int i = 0;
	while (i < d->limit_count && strcmp(d->limits[i].zone, z) != 0)
		i++;
	if (i == d->limit_count && d->limit_count < MAX_ZONE_LIMITS) {
		d->limits[i].zone = z;
		d->limits[i].inflight = 0;
		d->limits[i].max = INT32_MAX;
		d->limits[i].bucket = -1;
		d->limit_count++;
		z = NULL;
	}
	free(z);
	return i < d->limit_count ? i : -1;
}

/* dns_limit_zone with d->mu held. */
static void limit_zone(struct dns *d, const char *zone, int max_inflight)
{
	int i = zone_limit(d, zone);
	if (i >= 0)
		d->limits[i].max = max_inflight > 0 ? max_inflight : 1;
}

void dns_limit_zone(struct dns *d, const char *zone, int max_inflight)
{
	pthread_mutex_lock(&d->mu);
	limit_zone(d, zone, max_inflight);
	unlock(d);
}

/* dns_rate_zone with d->mu held. */
static void rate_zone(struct dns *d, const char *zone, const char *key, double qps)
{
	int i = zone_limit(d, zone);
	if (i >= 0 && qps > 0) {
		int b = 0;
		while (b < d->rate_count && strcmp(d->rates[b].key, key) != 0)
			b++;
		if (b == d->rate_count && d->rate_count < MAX_ZONE_LIMITS) {
			d->rates[b].key = xstrdup(key);
			d->rates[b].tokens = qps;
			d->rates[b].last_ms = now_ms();
			d->rate_count++;
		}
		if (b < d->rate_count) {
			d->rates[b].qps = qps;
			d->limits[i].bucket = b;
		}
	} else if (i >= 0) {
		d->limits[i].bucket = -1;
	}
}

void dns_rate_zone(struct dns *d, const char *zone, const char *key, double qps)
{
	pthread_mutex_lock(&d->mu);
	rate_zone(d, zone, key, qps);
	unlock(d);
}

void dns_cap_zones(struct dns *d, const struct dns_zone_cap *caps, size_t n)
{
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < n; i++) {
		limit_zone(d, caps[i].zone, caps[i].max_inflight);
		rate_zone(d, caps[i].zone, caps[i].key, caps[i].qps);
	}
	unlock(d);
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
			         d->timeout_ms / 1000.0, e->tries, e->tries == 1 ? "try" : "tries",
			         d->servers_text, e->last_err[0] ? "; " : "", e->last_err);
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

/* The descriptors the loop waits on: the wake eventfd, then every socket of
 * every active entry (who says whose, and which try; -1: its TCP one). */
struct pollset {
	struct pollfd *pfd;
	struct {
		struct entry *e;
		int k;
	} * who;
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
	size_t need = 1 + d->nsocks + d->active_count;
	if (need > ps->cap) {
		ps->cap = need * 2;
		ps->pfd = xrealloc(ps->pfd, ps->cap * sizeof *ps->pfd);
		ps->who = xrealloc(ps->who, ps->cap * sizeof *ps->who);
	}
	ps->n = 0;
	pollset_add(ps, d->wake, POLLIN, NULL, 0);
	for (size_t i = 0; i < d->nsocks; i++)
		if (d->socks[i].fd >= 0 && d->socks[i].pending)
			pollset_add(ps, d->socks[i].fd, POLLIN, NULL, (int)i);
	for (size_t i = 0; i < d->active_count; i++) {
		struct entry *e = d->active[i];
		if (e->tcp_fd >= 0)
			pollset_add(ps, e->tcp_fd, e->tcp_sending ? POLLOUT : POLLIN, e, -1);
	}
}

/* Takes a finished entry out of the active set at once, so nothing more
 * of it is handled in this round. */
static void drop_active(struct dns *d, struct entry *e)
{
	for (size_t j = 0; j < d->active_count; j++)
		if (d->active[j] == e) {
			d->active[j] = d->active[--d->active_count];
			break;
		}
}

/* Handles what poll reported: the wake eventfd read, replies graded. */
static void dispatch(struct dns *d, const struct pollset *ps)
{
	if (ps->pfd[0].revents) {
		/* drained before the flag is cleared, outside the lock: work
		 * queued before the clear is admitted next anyway, and after it
		 * writes a new wake-up (cleared first, a write drained here left
		 * the flag set over an empty counter: the loop slept to its timer) */
		uint64_t n;
		ssize_t r = read(d->wake, &n, sizeof n);
		(void)r;
		pthread_mutex_lock(&d->mu);
		d->wake_pending = false;
		unlock(d);
	}
	for (size_t i = 1; i < ps->n; i++) {
		if (!ps->pfd[i].revents)
			continue;
		struct entry *e = ps->who[i].e;
		if (!e) {
			handle_sock(d, ps->who[i].k);
			continue;
		}
		if (!e->finishing && handle_tcp(d, e, ps->pfd[i].revents))
			drop_active(d, e);
	}
}

/* The event loop: admit queued lookups, advance them (tries, deadlines),
 * wait for their sockets, grade what came. */
static void *loop_main(void *arg)
{
	struct dns *d = arg;
	struct pollset ps = {0};
	d->rbuf = xmalloc((size_t)RECV_BATCH * RECV_SIZE);
	for (;;) {
		int64_t now = now_ms();
		if (!admit(d, now))
			break; /* stopping */
		int64_t wake_at = advance_all(d, now);
		if (flush_sends(d, now))
			wake_at = now;
		publish_finished(d);
		if (d->rate_wake_ms && d->rate_wake_ms < wake_at)
			wake_at = d->rate_wake_ms;
		pollset_fill(d, &ps);
		int64_t t = wake_at - now_ms();
		int r = poll(ps.pfd, ps.n, t < 0 ? 0 : (int)t);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			dispatch(d, &ps);
		publish_finished(d);
	}
	free(ps.pfd);
	free(ps.who);
	free(d->rbuf);
	d->rbuf = NULL;
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
	d->cache_max = cfg->cache_max ? cfg->cache_max : CACHE_MAX_DEFAULT;
	d->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 5000;
	d->tries = cfg->retries >= 0 ? cfg->retries + 1 : 3;
	if (d->tries > MAX_TRIES)
		d->tries = MAX_TRIES;

	/* UDP goes through the pool (draining sockets included, at most twice
	 * its size); a query in flight may hold a TCP socket of its own. */
	struct rlimit rl;
	size_t fdcap = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fdcap = (size_t)rl.rlim_cur;
	size_t pool = 2 * POOL_PER_SERVER * (size_t)d->server_count;
	size_t by_fds = fdcap > 128 + pool ? fdcap - 64 - pool : 16;
	d->max_inflight = cfg->max_inflight > 0 ? (size_t)cfg->max_inflight : 512;
	if (d->max_inflight > by_fds)
		d->max_inflight = by_fds;
	d->active = xcalloc(d->max_inflight, sizeof *d->active);
	for (int si = 0; si < MAX_SERVERS; si++)
		for (int k = 0; k < POOL_PER_SERVER; k++)
			d->slot[si][k] = -1;
	out_grow(d);

	d->bucket_count = 1024;
	d->buckets = xcalloc(d->bucket_count, sizeof *d->buckets);
	/* held briefly, by the loop and every job: a contender spins a while
	 * before it sleeps (a third of a batch's futex calls were this lock) */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&d->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if ((d->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(d->active);
		free(d->buckets);
		free(d);
		return NULL;
	}
	if (pthread_create(&d->loop, NULL, loop_main, d) == 0) {
		pthread_setname_np(d->loop, "sa-dns"); /* for top and perf */
	} else {
		snprintf(err, errlen, "cannot start the DNS thread");
		close(d->wake);
		free(d->active);
		free(d->buckets);
		free(d);
		return NULL;
	}
	return d;
}

/* Frees an entry that no try of the pool points at (done, or the loop is
 * over): only a TCP socket of its own may be left. */
static void entry_free(struct entry *e)
{
	if (e->tcp_fd >= 0)
		close(e->tcp_fd);
	free(e->tcp_buf);
	free(e->wire);
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
	unlock(d);
	pthread_join(d->loop, NULL);
	for (size_t i = 0; i < d->bucket_count; i++) {
		struct entry *e = d->buckets[i];
		while (e) {
			struct entry *n = e->hnext;
			entry_free(e);
			e = n;
		}
	}
	while (d->orphans) {
		struct entry *o = d->orphans;
		d->orphans = o->lru_next;
		entry_free(o);
	}
	for (size_t i = 0; i < d->nsocks; i++)
		if (d->socks[i].fd >= 0)
			close(d->socks[i].fd);
	free(d->socks);
	free(d->sendq);
	free(d->out);
	free(d->buckets);
	free(d->active);
	for (int i = 0; i < d->limit_count; i++)
		free(d->limits[i].zone);
	for (int i = 0; i < d->rate_count; i++)
		free(d->rates[i].key);
	for (size_t i = 0; i < d->expect_count; i++)
		free(d->expect[i]);
	close(d->wake);
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

/* 1 + the index of tld among those named by dns_expect_tld, or 0 (d->mu
 * held). */
static size_t tld_expected(const struct dns *d, const char *tld)
{
	for (size_t i = 0; tld && i < d->expect_count; i++)
		if (strcmp(d->expect[i], tld) == 0)
			return 1 + i;
	return 0;
}

/* The entry of canary k (0: the root, 1 + i: expect[i]) (d->mu held):
 * held in d->canary until its TTL is over, then asked again. Every
 * negative answer looks at the canaries: looked up by name in the cache,
 * they were a third of a batch's cache lookups. */
static struct entry *canary_entry(struct dns *d, size_t k)
{
	struct entry *e = d->canary[k];
	if (e && !(e->state == ST_DONE && now_ms() >= e->expires_ms))
		return e;
	if (e) {
		/* held, the cache would keep handing it out: out of the
		 * table first, freed with its last reference */
		if (e->in_table)
			unlink_entry(d, e);
		release(d, e);
	}
	e = cache_get(d, k ? d->expect[k - 1] : ".", DNS_T_NS);
	hold(d, e);
	d->canary[k] = e;
	return e;
}

/* Keeps the root canary asked ahead (d->mu held). Looked at once a second,
 * not per lookup: an audit makes hundreds, and a canary a negative answer
 * needs and does not find is asked then (canary_denies). */
static void canaries_start(struct dns *d, const char *name, uint16_t type)
{
	if (!d->canaries || is_canary(name, type))
		return;
	int64_t now = now_ms();
	if (now - d->root_checked_ms < 1000)
		return;
	d->root_checked_ms = now;
	canary_entry(d, 0);
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
		canary_entry(d, d->expect_count);
	}
	canaries_start(d, norm, 0);
	unlock(d);
	free(norm);
}

void dns_prefetch_ex(struct dns *d, const char *name, uint16_t type, unsigned flags)
{
	pthread_mutex_lock(&d->mu);
	canaries_start(d, name, type);
	cache_get_ex(d, name, type, flags);
	unlock(d);
}

void dns_prefetch(struct dns *d, const char *name, uint16_t type)
{
	dns_prefetch_ex(d, name, type, 0);
}

/* Waits for e (d->mu held). */
static void wait_done(struct dns *d, struct entry *e)
{
	while (e->state != ST_DONE)
		waitq_wait(&e->done, &d->mu);
}

/* The canary that makes name's negative answers untrustworthy, with the
 * sentence that says why (in buf), or NULL when they can be trusted: the
 * canaries answered as they must, or could not tell (a failed canary is
 * no evidence either way). */
static const char *canary_denies(struct dns *d, const char *name, char *buf, size_t len)
{
	/* One locked pass (every negative answer of a batch comes here):
	 * both canaries asked at once, waited for only when not done. */
	pthread_mutex_lock(&d->mu);
	size_t tk = tld_expected(d, tld_of(name));
	const char *tld = tk ? tld_of(name) : NULL;
	const char *names[2] = {".", tld};
	struct entry *c[2] = {NULL, NULL};
	enum dns_status status[2] = {DNS_OK, DNS_OK};
	for (size_t i = 0; i < 2 && names[i]; i++) {
		c[i] = canary_entry(d, i ? tk : 0);
		hold(d, c[i]); /* d's may be given up while we wait */
	}
	for (size_t i = 0; i < 2 && c[i]; i++) {
		wait_done(d, c[i]);
		status[i] = c[i]->ans.status;
		release(d, c[i]);
	}
	unlock(d);
	for (size_t i = 0; i < 2 && names[i]; i++) {
		enum dns_status st = status[i];
		/* The root always has NS records; a TLD may be asked by a
		 * server that is not its parent's and answer NODATA. */
		if (st == DNS_NXDOMAIN || (i == 0 && st == DNS_NODATA)) {
			if (i == 0)
				snprintf(buf, len,
				         "the resolver also says the root zone has no name servers (%s)",
				         dns_status_name(st));
			else
				snprintf(buf, len,
				         "the resolver also says the top-level domain %s does not exist",
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
	unlock(d);
	return r;
}

/* What one view (an audit) holds: every entry it was handed an answer of. */
/* The entries a view holds, in blocks under a kilobyte: an array grown
 * by doubling made glibc's malloc consolidate its free lists at every
 * large step, three times an audit. */
#define HELD_BLOCK 120
struct held_block {
	struct entry *e[HELD_BLOCK];
	struct held_block *next;
};

struct dns_view {
	struct dns *d;
	struct held_block *held; /* the newest first */
	size_t n;                /* entries in the newest block */
};

/* d->mu held: v holds e (taken with hold) until freed. */
static void view_hold(struct dns_view *v, struct entry *e)
{
	if (!v->held || v->n == HELD_BLOCK) {
		struct held_block *b = xmalloc(sizeof *b);
		b->next = v->held;
		v->held = b;
		v->n = 0;
	}
	v->held->e[v->n++] = e;
}

struct dns_view *dns_view_new(struct dns *d)
{
	struct dns_view *v = xcalloc(1, sizeof *v);
	v->d = d;
	return v;
}

void dns_view_free(struct dns_view *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->d->mu);
	for (struct held_block *b = v->held; b; b = b->next)
		for (size_t i = 0; i < (b == v->held ? v->n : HELD_BLOCK); i++)
			release(v->d, b->e[i]);
	unlock(v->d);
	while (v->held) {
		struct held_block *b = v->held;
		v->held = b->next;
		free(b);
	}
	free(v);
}

/* The answer for name/type, e held by v (NULL: held for good). */
static const struct dns_answer *query(struct dns *d, struct dns_view *v, const char *name, uint16_t type,
                                      unsigned flags)
{
	pthread_mutex_lock(&d->mu);
	canaries_start(d, name, type);
	struct entry *first = cache_get_ex(d, name, type, flags);
	hold(d, first);
	if (v) {
		view_hold(v, first);
	}
	wait_done(d, first);
	if (first->untrusted) {
		unlock(d);
		return first->untrusted;
	}
	if (first->chased) {
		const struct dns_answer *c = first->chased;
		unlock(d);
		return vet_negative(d, first, c);
	}
	/* Done entries are immutable, and first is held: reading it unlocked
	 * is safe. */
	unlock(d);
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
	struct entry *held = NULL; /* the hop whose answer cur is */
	bool ad = a->ad;           /* authentic only if every link of the chain is */
	for (int hop = 0;; hop++) {
		if (hop == MAX_CNAME_HOPS) {
			c->status = DNS_MALFORMED;
			c->why = xasprintf("CNAME chain from %s longer than %d", a->qname, MAX_CNAME_HOPS);
			break;
		}
		const char *target = cur->cnames[cur->cname_count - 1];
		pthread_mutex_lock(&d->mu);
		struct entry *n = cache_get_ex(d, target, type, flags);
		hold(d, n);
		if (held)
			release(d, held);
		held = n;
		wait_done(d, n);
		unlock(d);
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
	if (held)
		release(d, held);
	if (first->chased) { /* another thread won the race */
		answer_clear(c);
		free(c);
	} else {
		first->chased = c;
	}
	const struct dns_answer *r = first->chased;
	unlock(d);
	return vet_negative(d, first, r);
}

const struct dns_answer *dns_query(struct dns *d, const char *name, uint16_t type)
{
	return query(d, NULL, name, type, 0);
}

const struct dns_answer *dns_query_ex(struct dns *d, const char *name, uint16_t type, unsigned flags)
{
	return query(d, NULL, name, type, flags);
}

const struct dns_answer *dns_view_query(struct dns_view *v, const char *name, uint16_t type)
{
	return query(v->d, v, name, type, 0);
}

const struct dns_answer *dns_view_query_ex(struct dns_view *v, const char *name, uint16_t type,
                                           unsigned flags)
{
	return query(v->d, v, name, type, flags);
}

void dns_view_prefetch(struct dns_view *v, const char *name, uint16_t type)
{
	dns_view_prefetch_ex(v, name, type, 0);
}

/* A prefetch is held too: an answer the audit will read must not be
 * evicted before it does. */
void dns_view_prefetch_ex(struct dns_view *v, const char *name, uint16_t type, unsigned flags)
{
	dns_view_prefetch_many(v, &(struct dns_question){name, type}, 1, flags);
}

void dns_view_prefetch_many(struct dns_view *v, const struct dns_question *q, size_t n, unsigned flags)
{
	struct dns *d = v->d;
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < n; i++) {
		canaries_start(d, q[i].name, q[i].type);
		struct entry *e = cache_get_ex(d, q[i].name, q[i].type, flags);
		hold(d, e);
		view_hold(v, e);
	}
	unlock(d);
}

struct dns *dns_view_dns(const struct dns_view *v)
{
	return v->d;
}

bool dns_grade_wire(const uint8_t *buf, size_t len, const char *name, uint16_t type, struct dns_answer *out)
{
	/* as asked with DO: signatures are kept too */
	return dns_grade_wire_ex(buf, len, name, type, DNS_Q_DO, false, out, NULL);
}

bool dns_grade_wire_ex(const uint8_t *buf, size_t len, const char *name, uint16_t type, unsigned flags,
                       bool ldns_only, struct dns_answer *out, uint32_t *ttl_s)
{
	memset(out, 0, sizeof *out);
	struct entry e;
	memset(&e, 0, sizeof e);
	e.name = name_normalize_new(name);
	e.type = type;
	e.flags = flags;
	e.ans.qname = xstrdup(e.name);
	e.ans.qtype = type;
	bool graded = false;
	ldns_pkt *p = NULL;
	ldns_rdf *want = NULL;
	if (!ldns_only && fast_grade(&e, buf, len)) {
		graded = true;
	} else if (wire2pkt(&p, buf, len) == LDNS_STATUS_OK && p &&
	           ldns_str2rdf_dname(&want, e.name) == LDNS_STATUS_OK) {
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
	if (ttl_s)
		*ttl_s = e.ttl_s;
	return graded;
}

struct dns_answer *dns_answer_copy_new(const struct dns_answer *a)
{
	struct dns_answer *c = xcalloc(1, sizeof *c);
	c->status = a->status;
	c->qname = a->qname ? xstrdup(a->qname) : NULL;
	c->qtype = a->qtype;
	c->why = a->why ? xstrdup(a->why) : NULL;
	c->rcode = a->rcode;
	c->ad = a->ad;
	answer_copy_rrs(c, a);
	for (size_t i = 0; i < a->cname_count; i++)
		answer_add_cname(c, a->cnames[i]);
	return c;
}

void dns_answer_clear(struct dns_answer *a)
{
	answer_clear(a);
}

void dns_get_stats(struct dns *d, struct dns_stats *out)
{
	pthread_mutex_lock(&d->mu);
	*out = d->stats;
	out->sent = __atomic_load_n(&d->stats.sent, __ATOMIC_RELAXED);
	out->tcp = __atomic_load_n(&d->stats.tcp, __ATOMIC_RELAXED);
	out->sockets = __atomic_load_n(&d->stats.sockets, __ATOMIC_RELAXED);
	unlock(d);
}

const char *dns_servers_text(const struct dns *d)
{
	return d->servers_text;
}
