/* SPDX-License-Identifier: ISC */
/* test_httpgate: the per-server limits shared by a run's struct http
 * (lib/net/httpgate.c): server keys, slots, back-off, and many threads at once. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "../../lib/net/httpgate.h"
#include "unit.h"

static void t_key(struct unit_ctx *t)
{
	static const struct {
		const char *url, *key;
	} v[] = {
	    {"https://rdap.arin.net/registry/ip/1.2.3.4", "https://rdap.arin.net:443"},
	    {"HTTPS://RDAP.Arin.NET/registry/", "https://rdap.arin.net:443"},
	    {"http://127.0.0.1:8080/boot/ipv4.json", "http://127.0.0.1:8080"},
	    {"http://127.0.0.1/x", "http://127.0.0.1:80"},
	    {"http://127.0.0.1:/x", "http://127.0.0.1:80"},
	    {"https://user:pw@rdap.example:8443?q=1", "https://rdap.example:8443"},
	    {"https://rdap.example#frag", "https://rdap.example:443"},
	    {"http://[::1]:9000/rir/", "http://[::1]:9000"},
	    {"https://[2001:DB8::1]/", "https://[2001:db8::1]:443"},
	    {"ftp://files.example/x", "ftp://files.example"},
	};
	char buf[300];
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		UNIT_EQ_INT(t, http_gate_key(v[i].url, buf, sizeof buf), 0);
		UNIT_EQ_STR(t, buf, v[i].key);
	}
	UNIT_EQ_INT(t, http_gate_key("no scheme", buf, sizeof buf), -1);
	UNIT_EQ_INT(t, http_gate_key("://host/", buf, sizeof buf), -1);
	UNIT_EQ_INT(t, http_gate_key("https:///path", buf, sizeof buf), -1);
	UNIT_EQ_INT(t, http_gate_key("http://[::1/", buf, sizeof buf), -1);
	UNIT_EQ_INT(t, http_gate_key("https://rdap.arin.net/", buf, 10), -1); /* does not fit */
}

/* try: one new request's attempt (its own ticket, given up when it fails). */
static bool try_once(struct http_gate *g, const char *key, int64_t now, int64_t *until)
{
	uint64_t tk = 0;
	bool ok = http_gate_try(g, key, &tk, now, until);
	http_gate_cancel(g, key, &tk);
	return ok;
}

static void t_slots(struct unit_ctx *t)
{
	struct http_gate *g = http_gate_new(2);
	int64_t until = -1;
	const char *a = "https://a.example:443", *b = "https://b.example:443";
	UNIT_CHECK(t, try_once(g, a, 1000, &until));
	UNIT_CHECK(t, try_once(g, a, 1000, &until));
	UNIT_CHECK(t, !try_once(g, a, 1000, &until));
	UNIT_EQ_INT(t, until, 0);                    /* busy, not backing off */
	UNIT_CHECK(t, try_once(g, b, 1000, &until)); /* another server is free */
	http_gate_release(g, a, 0);
	UNIT_CHECK(t, try_once(g, a, 1001, &until));
	UNIT_CHECK(t, !try_once(g, a, 1001, &until));
	http_gate_release(g, a, 0);
	http_gate_release(g, a, 0);
	http_gate_release(g, b, 0);
	http_gate_release(g, b, 0); /* one too many: no negative count */
	UNIT_CHECK(t, try_once(g, b, 1002, &until));
	UNIT_CHECK(t, try_once(g, b, 1002, &until));
	UNIT_CHECK(t, !try_once(g, b, 1002, &until));
	http_gate_free(g);
	http_gate_free(NULL);
	g = http_gate_new(0); /* at least one */
	UNIT_CHECK(t, try_once(g, a, 0, &until));
	UNIT_CHECK(t, !try_once(g, a, 0, &until));
	http_gate_free(g);
}

static void t_fifo(struct unit_ctx *t)
{
	struct http_gate *g = http_gate_new(2);
	int64_t until;
	const char *a = "https://a.example:443";
	uint64_t t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
	UNIT_CHECK(t, http_gate_try(g, a, &t1, 0, &until));
	UNIT_EQ_INT(t, t1, 0); /* no ticket kept with a slot */
	UNIT_CHECK(t, http_gate_try(g, a, &t2, 0, &until));
	UNIT_CHECK(t, !http_gate_try(g, a, &t3, 0, &until));
	UNIT_CHECK(t, t3 != 0);
	UNIT_CHECK(t, !http_gate_try(g, a, &t4, 0, &until));
	UNIT_CHECK(t, !http_gate_try(g, a, &t5, 0, &until));
	http_gate_release(g, a, 0);
	/* one slot free: the oldest waiter's, not whoever asks first */
	UNIT_CHECK(t, !http_gate_try(g, a, &t4, 1, &until));
	uint64_t late = 0;
	UNIT_CHECK(t, !http_gate_try(g, a, &late, 1, &until));
	UNIT_CHECK(t, http_gate_try(g, a, &t3, 1, &until));
	/* a waiter that gives up lets the next one through */
	http_gate_cancel(g, a, &t4);
	UNIT_EQ_INT(t, t4, 0);
	http_gate_cancel(g, a, &t4); /* again: nothing */
	http_gate_release(g, a, 0);
	UNIT_CHECK(t, !http_gate_try(g, a, &late, 2, &until));
	UNIT_CHECK(t, http_gate_try(g, a, &t5, 2, &until));
	http_gate_release(g, a, 0);
	UNIT_CHECK(t, http_gate_try(g, a, &late, 3, &until));
	http_gate_release(g, a, 0);
	http_gate_release(g, a, 0);
	/* both slots free: the first two waiters both get one */
	uint64_t w[3] = {0};
	UNIT_CHECK(t, http_gate_try(g, a, &w[0], 4, &until));
	UNIT_CHECK(t, http_gate_try(g, a, &w[1], 4, &until));
	UNIT_CHECK(t, !http_gate_try(g, a, &w[2], 4, &until));
	http_gate_cancel(g, a, &w[2]);
	http_gate_free(g); /* with nothing queued; and freeing with a queue is fine too */
	g = http_gate_new(1);
	UNIT_CHECK(t, http_gate_try(g, a, &w[0], 0, &until));
	UNIT_CHECK(t, !http_gate_try(g, a, &w[1], 0, &until));
	http_gate_free(g);
}

static void t_backoff(struct unit_ctx *t)
{
	struct http_gate *g = http_gate_new(2);
	int64_t until = -1;
	const char *a = "https://a.example:443";
	UNIT_CHECK(t, try_once(g, a, 1000, &until));
	UNIT_CHECK(t, try_once(g, a, 1000, &until));
	http_gate_release(g, a, 2000); /* a 429 with Retry-After: 1 */
	/* a slot is free, but the server asked for a pause */
	uint64_t tk = 0;
	UNIT_CHECK(t, !http_gate_try(g, a, &tk, 1500, &until));
	UNIT_EQ_INT(t, until, 2000);
	http_gate_release(g, a, 1200); /* a shorter pause does not shorten it */
	UNIT_CHECK(t, !http_gate_try(g, a, &tk, 1999, &until));
	UNIT_EQ_INT(t, until, 2000);
	UNIT_CHECK(t, http_gate_try(g, a, &tk, 2000, &until)); /* kept its place */
	UNIT_CHECK(t, try_once(g, a, 2000, &until));
	UNIT_CHECK(t, !try_once(g, a, 2000, &until));
	UNIT_EQ_INT(t, until, 0);
	http_gate_release(g, a, 0);
	http_gate_release(g, a, 0);
	http_gate_free(g);
}

struct hammer {
	struct http_gate *g;
	atomic_int inflight, max, taken;
};

/* Every thread keeps asking until it has a slot (as http_next does), holds
 * it a moment, gives it back: no one starves, never more than 2 at once. */
static void *hammer_main(void *arg)
{
	struct hammer *hm = arg;
	int64_t until;
	for (int i = 0; i < 2000; i++) {
		uint64_t tk = 0;
		while (!http_gate_try(hm->g, "http://127.0.0.1:80", &tk, 0, &until))
			sched_yield();
		int n = atomic_fetch_add(&hm->inflight, 1) + 1;
		int m = atomic_load(&hm->max);
		while (n > m && !atomic_compare_exchange_weak(&hm->max, &m, n))
			;
		atomic_fetch_add(&hm->taken, 1);
		atomic_fetch_sub(&hm->inflight, 1);
		http_gate_release(hm->g, "http://127.0.0.1:80", 0);
	}
	return NULL;
}

static void t_threads(struct unit_ctx *t)
{
	struct hammer hm = {.g = http_gate_new(2)};
	pthread_t th[8];
	int started = 0;
	for (int i = 0; i < 8; i++)
		if (pthread_create(&th[i], NULL, hammer_main, &hm) == 0)
			started++;
	UNIT_CHECK(t, started > 1);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	UNIT_CHECK(t, atomic_load(&hm.max) <= 2);
	UNIT_EQ_INT(t, atomic_load(&hm.taken), 2000 * started);
	int64_t until;
	/* every slot came back, no ticket left in the queue */
	UNIT_CHECK(t, try_once(hm.g, "http://127.0.0.1:80", 0, &until));
	UNIT_CHECK(t, try_once(hm.g, "http://127.0.0.1:80", 0, &until));
	UNIT_CHECK(t, !try_once(hm.g, "http://127.0.0.1:80", 0, &until));
	http_gate_free(hm.g);
}

static const struct unit_case cases[] = {
    {"server keys", t_key},  {"slots per server", t_slots}, {"first come, first served", t_fifo},
    {"back-off", t_backoff}, {"many threads", t_threads},
};
UNIT_MAIN(cases)
