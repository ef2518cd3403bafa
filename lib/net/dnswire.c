/* SPDX-License-Identifier: ISC */
/* dnswire: a query's wire form (see dnswire.h). */
#include "dnswire.h"

#include <string.h>

#define T_OPT 41

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The name's labels into out (at most 255 octets); the length, or -1. */
static int put_name(const char *s, uint8_t *out)
{
	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	size_t w = 0;
	while (*s) {
		size_t len_at = w++, len = 0;
		while (*s && *s != '.') {
			unsigned c = (unsigned char)*s;
			if (c == '\\' && is_digit(s[1])) {
				/* \DDD: exactly three digits, at most 255 */
				if (!is_digit(s[2]) || !is_digit(s[3]))
					return -1;
				c = (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 +
				    (unsigned)(s[3] - '0');
				if (c > 255)
					return -1;
				s += 4;
			} else if (c == '\\') {
				if (!s[1])
					return -1;
				c = (unsigned char)s[1];
				s += 2;
			} else {
				s++;
			}
			/* the root's 0 octet must fit after this one too */
			if (len == 63 || w + 1 >= 255)
				return -1;
			out[w++] = (uint8_t)c;
			len++;
		}
		if (len == 0)
			return -1; /* "a..b", ".a", "" */
		out[len_at] = (uint8_t)len;
		if (*s == '.')
			s++;
	}
	if (w == 0)
		return -1;
	out[w++] = 0;
	return (int)w;
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

int dnswire_query(const struct dnswire_query *q, uint8_t *out, size_t cap)
{
	uint8_t buf[DNSWIRE_QUERY_MAX];
	uint8_t *p = buf;
	p = put16(p, 0);                   /* ID: the sender's */
	*p++ = 0x01;                       /* QR 0, QUERY, RD */
	*p++ = q->cd ? 0x10 : 0x00;        /* RA, Z, AD 0; CD; RCODE 0 */
	p = put16(p, 1);                   /* QDCOUNT */
	p = put16(p, 0);                   /* ANCOUNT */
	p = put16(p, 0);                   /* NSCOUNT */
	p = put16(p, q->edns_udp ? 1 : 0); /* ARCOUNT */
	int n = put_name(q->name, p);
	if (n < 0)
		return -1;
	p += n;
	p = put16(p, q->type);
	p = put16(p, 1); /* IN */
	if (q->edns_udp) {
		*p++ = 0; /* the root */
		p = put16(p, T_OPT);
		p = put16(p, q->edns_udp);
		p = put16(p, 0); /* extended RCODE, version 0 */
		p = put16(p, q->dnssec_ok ? 0x8000 : 0);
		p = put16(p, 0); /* no options */
	}
	size_t len = (size_t)(p - buf);
	if (len > cap)
		return -1;
	memcpy(out, buf, len);
	return (int)len;
}
