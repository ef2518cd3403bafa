/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/net/dnswire against ldns, which built lib/dns's queries
 * before: the same octets (the ID aside) for every name both accept, and
 * the same names refused, over hand-picked and random names. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/dnswire.h"
#include "unit.h"

/* ldns's query, as lib/dns built it: its length, or -1. */
static int ldns_query(const struct dnswire_query *q, uint8_t *out, size_t cap)
{
	ldns_rdf *dn = NULL;
	if (ldns_str2rdf_dname(&dn, q->name) != LDNS_STATUS_OK)
		return -1;
	ldns_pkt *p = ldns_pkt_query_new(dn, (ldns_rr_type)q->type, LDNS_RR_CLASS_IN, LDNS_RD);
	if (!p)
		return -1;
	if (q->edns_udp)
		ldns_pkt_set_edns_udp_size(p, q->edns_udp);
	if (q->edns_udp && q->dnssec_ok)
		ldns_pkt_set_edns_do(p, true);
	if (q->cd)
		ldns_pkt_set_cd(p, true);
	uint8_t *w = NULL;
	size_t n = 0;
	int r = ldns_pkt2wire(&w, p, &n) == LDNS_STATUS_OK && n <= cap ? (int)n : -1;
	if (r > 0)
		memcpy(out, w, n);
	free(w);
	ldns_pkt_free(p);
	return r;
}

/* Whether both agree on name under every flag combination; says how not. */
static bool same(struct unit_ctx *t, const char *name)
{
	for (int k = 0; k < 8; k++) {
		struct dnswire_query q = {.name = name,
		                          .type = k == 3 ? 65535 : 16,
		                          .cd = (k & 1) != 0,
		                          .edns_udp = (k & 2) ? 1232 : 0,
		                          .dnssec_ok = (k & 4) != 0};
		uint8_t a[DNSWIRE_QUERY_MAX], b[1024];
		int na = dnswire_query(&q, a, sizeof a), nb = ldns_query(&q, b, sizeof b);
		if ((na < 0) != (nb < 0) ||
		    (na > 2 && (na != nb || memcmp(a + 2, b + 2, (size_t)na - 2) != 0))) {
			char msg[400];
			snprintf(msg, sizeof msg, "'%.300s' flags %d: dnswire %d octets, ldns %d", name, k,
			         na, nb);
			UNIT_CHECK(t, !msg[0]);
			fprintf(stderr, "  %s\n", msg);
			return false;
		}
	}
	return true;
}

static void t_picked(struct unit_ctx *t)
{
	char l63[64], l64[65], long_ok[300], long_bad[300];
	memset(l63, 'a', 63);
	l63[63] = 0;
	memset(l64, 'b', 64);
	l64[64] = 0;
	/* 3 labels of 63 and one of 61: 253 characters, 255 octets on the wire */
	snprintf(long_ok, sizeof long_ok, "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(long_bad, sizeof long_bad, "%s.%s.%s.%.62s", l63, l63, l63, l63);
	const char *names[] = {".",
	                       "example",
	                       "a.example",
	                       "a.example.",
	                       "WWW.Example.Test",
	                       "_dmarc.x.test",
	                       "10.2.0.192.in-addr.arpa",
	                       "a\\.b.test",
	                       "a\\046b.test",
	                       "a\\255.test",
	                       "a\\256.test",
	                       "a\\1.test",
	                       "a\\",
	                       "a..b",
	                       ".a",
	                       "",
	                       "..",
	                       l63,
	                       l64,
	                       long_ok,
	                       long_bad,
	                       "xn--bcher-kva.test",
	                       "a b.test",
	                       "\\\\.test"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		same(t, names[i]);
	uint8_t out[DNSWIRE_QUERY_MAX];
	struct dnswire_query q = {"a.test", 1, false, 1232, true};
	UNIT_CHECK(t, dnswire_query(&q, out, 10) == -1);
	UNIT_EQ_INT(t, dnswire_query(&q, out, sizeof out), 12 + 8 + 4 + 11);
	UNIT_CHECK(t, dnswire_query(&(struct dnswire_query){long_ok, 1, true, 1232, true}, out, sizeof out) ==
	                  DNSWIRE_QUERY_MAX);
}

/* Random names from an alphabet of dots, escapes, digits and high octets. */
static void t_random(struct unit_ctx *t)
{
	static const char alpha[] = "..\\\\0123456789abcXYZ-_ \x80\xff";
	unsigned seed = 12345;
	int bad = 0;
	for (int i = 0; i < 20000 && bad < 5; i++) {
		char name[300];
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % (i % 10 == 0 ? 290 : 24);
		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			name[j] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		name[len] = 0;
		bad += !same(t, name);
	}
	UNIT_EQ_INT(t, bad, 0);
}

static const struct unit_case cases[] = {
    {"picked names", t_picked},
    {"random names", t_random},
};
UNIT_MAIN(cases)
