/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/net/dnswire against ldns, which built lib/dns's queries
 * before: the same octets (the ID aside) for every name both accept, and
 * the same names refused, over hand-picked and random names. And replies:
 * lib/dns grades the common ones itself, the rest with ldns; random
 * replies (well-formed, odd, mutated) graded both ways come out the same. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/dns.h"
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

/* ------------------------------------------------------------ replies */

struct pkt {
	uint8_t b[1500];
	size_t n;
};

static unsigned long rnd(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static void put8(struct pkt *p, unsigned v)
{
	if (p->n < sizeof p->b)
		p->b[p->n++] = (uint8_t)v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static void put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

/* A name: mostly plain labels in mixed case, sometimes odd bytes, or a
 * pointer to the question's name (offset 12). */
static void put_name(struct pkt *p, unsigned long *s, const char *name, bool may_point)
{
	if (may_point && rnd(s) % 3 == 0) {
		put16(p, 0xC000 | 12);
		return;
	}
	const char *c = name;
	while (*c && strcmp(name, ".") != 0) {
		const char *dot = strchr(c, '.');
		size_t l = dot ? (size_t)(dot - c) : strlen(c);
		put8(p, (unsigned)l);
		for (size_t i = 0; i < l; i++) {
			unsigned ch = (unsigned char)c[i];
			if (rnd(s) % 4 == 0 && ch >= 'a' && ch <= 'z')
				ch -= 32;
			if (rnd(s) % 200 == 0)
				ch = (unsigned)(rnd(s) % 256); /* an odd byte */
			put8(p, ch);
		}
		c += l + (dot ? 1 : 0);
	}
	put8(p, 0);
}

static const char *names[] = {"example.com", "mail.example.com",   "b1.bl.test", "x-y_z.example.org",
                              "*.wild.test", "a.b.c.d.e.f.g.test", "."};

/* Writes a record's rdata for type, with its length first. */
static void put_rdata(struct pkt *p, unsigned long *s, uint16_t type)
{
	size_t at = p->n;
	put16(p, 0);
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA: {
		size_t l = type == DNS_T_A ? 4 : 16;
		if (rnd(s) % 20 == 0)
			l = rnd(s) % 20;
		for (size_t i = 0; i < l; i++)
			put8(p, (unsigned)rnd(s));
		break;
	}
	case DNS_T_MX: put16(p, (unsigned)rnd(s) % 100); /* fall through */
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR: put_name(p, s, names[rnd(s) % 7], true); break;
	case DNS_T_SOA:
		put_name(p, s, names[rnd(s) % 7], true);
		put_name(p, s, names[rnd(s) % 7], true);
		for (int i = 0; i < 5; i++)
			put32(p, (uint32_t)rnd(s) % 100000);
		break;
	case DNS_T_TXT:
		for (unsigned long k = 1 + rnd(s) % 3; k; k--) {
			size_t l = rnd(s) % 40;
			put8(p, (unsigned)l);
			for (size_t i = 0; i < l; i++)
				put8(p, (unsigned)rnd(s));
		}
		break;
	default:
		for (unsigned long k = rnd(s) % 30; k; k--)
			put8(p, (unsigned)rnd(s));
	}
	size_t len = p->n - at - 2;
	if (rnd(s) % 30 == 0)
		len = rnd(s) % 64; /* a wrong length */
	p->b[at] = (uint8_t)(len >> 8);
	p->b[at + 1] = (uint8_t)len;
}

static const uint16_t types[] = {DNS_T_A,     DNS_T_AAAA,  DNS_T_MX,   DNS_T_PTR, DNS_T_TXT,
                                 DNS_T_NS,    DNS_T_SOA,   DNS_T_TLSA, DNS_T_DS,  DNS_T_DNSKEY,
                                 DNS_T_CNAME, DNS_T_RRSIG, 99};
#define NTYPES (sizeof types / sizeof *types)

static void put_rr(struct pkt *p, unsigned long *s, const char *owner, uint16_t type)
{
	put_name(p, s, owner, true);
	put16(p, type);
	put16(p, rnd(s) % 25 ? 1 : 3);
	put32(p, rnd(s) % 10 ? (uint32_t)rnd(s) % 90000 : (uint32_t)rnd(s) << 1);
	put_rdata(p, s, type);
}

static void random_reply(struct pkt *p, unsigned long *s, const char **qname, uint16_t *qtype)
{
	p->n = 0;
	*qname = names[rnd(s) % 6];
	*qtype = types[rnd(s) % 10];
	unsigned rcode = rnd(s) % 10 < 6 ? 0 : rnd(s) % 10 < 8 ? 3 : (unsigned)rnd(s) % 16;
	unsigned flags = (rnd(s) % 20 ? 0x8000 : 0) | (rnd(s) % 40 ? 0 : 0x0800) |
	                 (rnd(s) % 20 ? 0 : 0x0200) | (rnd(s) % 2 ? 0x0020 : 0) | 0x0100 | 0x0080 | rcode;
	size_t an = rnd(s) % 4, ns = rnd(s) % 3, ar = rnd(s) % 5;
	put16(p, 0x1234);
	put16(p, flags);
	put16(p, rnd(s) % 30 ? 1 : 2);
	put16(p, (unsigned)an);
	put16(p, (unsigned)ns);
	put16(p, (unsigned)ar);
	put_name(p, s, *qname, false);
	put16(p, *qtype);
	put16(p, rnd(s) % 30 ? 1 : 3);
	for (size_t i = 0; i < an; i++)
		put_rr(p, s, rnd(s) % 10 ? *qname : names[rnd(s) % 7],
		       rnd(s) % 6 ? *qtype : types[rnd(s) % NTYPES]);
	for (size_t i = 0; i < ns; i++)
		put_rr(p, s, names[rnd(s) % 7], rnd(s) % 3 ? DNS_T_SOA : types[rnd(s) % NTYPES]);
	for (size_t i = 0; i < ar; i++) {
		if (rnd(s) % 2) { /* OPT */
			put8(p, 0);
			put16(p, 41);
			put16(p, 1232);
			put32(p, 0);
			put16(p, 0);
		} else {
			put_rr(p, s, names[rnd(s) % 7], rnd(s) % 2 ? DNS_T_A : DNS_T_AAAA);
		}
	}
	if (rnd(s) % 4 == 0) { /* mutated */
		for (unsigned long k = 1 + rnd(s) % 3; k; k--)
			p->b[rnd(s) % p->n] = (uint8_t)rnd(s);
		if (rnd(s) % 3 == 0)
			p->n = rnd(s) % (p->n + 1);
	}
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_rr(const struct dns_rr *a, const struct dns_rr *b)
{
	return a->type == b->type && a->ttl == b->ttl && a->pref == b->pref &&
	       memcmp(a->addr, b->addr, sizeof a->addr) == 0 && same_str(a->name, b->name) &&
	       a->txt_len == b->txt_len && (!a->txt_len || memcmp(a->txt, b->txt, a->txt_len) == 0) &&
	       !a->txt == !b->txt && a->rdata_len == b->rdata_len &&
	       (!a->rdata_len || memcmp(a->rdata, b->rdata, a->rdata_len) == 0);
}

static bool same_answer(const struct dns_answer *a, const struct dns_answer *b)
{
	if (a->status != b->status || a->rcode != b->rcode || a->ad != b->ad || a->rr_count != b->rr_count ||
	    a->cname_count != b->cname_count || a->sig_count != b->sig_count || !same_str(a->why, b->why) ||
	    !same_str(a->qname, b->qname) || a->qtype != b->qtype)
		return false;
	for (size_t i = 0; i < a->rr_count; i++)
		if (!same_rr(&a->rrs[i], &b->rrs[i]))
			return false;
	for (size_t i = 0; i < a->cname_count; i++)
		if (strcmp(a->cnames[i], b->cnames[i]) != 0)
			return false;
	return true;
}

/* Random replies graded by the reader of common replies (or ldns, when it
 * declines) and by ldns alone: the same answers and cache lifetimes. */
static void t_replies(struct unit_ctx *t)
{
	unsigned long seed = 1;
	int bad = 0;
	for (int i = 0; i < 50000 && bad < 5; i++) {
		struct pkt p;
		const char *qname;
		uint16_t qtype;
		random_reply(&p, &seed, &qname, &qtype);
		const char *asked = rnd(&seed) % 20 ? qname : names[rnd(&seed) % 7];
		struct dns_answer a, b;
		uint32_t ta = 7, tb = 7;
		unsigned flags = rnd(&seed) % 2 ? DNS_Q_DO : 0;
		bool ga = dns_grade_wire_ex(p.b, p.n, asked, qtype, flags, false, &a, &ta);
		bool gb = dns_grade_wire_ex(p.b, p.n, asked, qtype, flags, true, &b, &tb);
		if (!UNIT_CHECK(t, ga == gb && (!ga || (same_answer(&a, &b) && ta == tb)))) {
			printf("     reply %d (%zu octets) for %s/%u: graded %d/%d, status %d/%d, %zu/%zu "
			       "records, "
			       "ttl %u/%u\n",
			       i, p.n, asked, qtype, ga, gb, a.status, b.status, a.rr_count, b.rr_count, ta,
			       tb);
			bad++;
		}
		dns_answer_clear(&a);
		dns_answer_clear(&b);
	}
}

static const struct unit_case cases[] = {
    {"replies, both readers", t_replies},
    {"picked names", t_picked},
    {"random names", t_random},
};
UNIT_MAIN(cases)
