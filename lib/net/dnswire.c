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

/* ------------------------------------------------------------ replies */

static bool plain_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '*';
}

/* The name at *pos as text (lower case) into text, or as uncompressed wire
 * octets (case kept) into wire, whichever is given. */
static bool read_plain(const uint8_t *msg, size_t len, size_t *pos, char *text, uint8_t *wire_out,
                       size_t *wire_len)
{
	size_t p = *pos, o = 0, wire = 0, end = 0;
	size_t limit = p; /* a pointer must point before the labels read so far */
	bool jumped = false;
	for (int hops = 0;;) {
		if (p >= len)
			return false;
		uint8_t c = msg[p];
		if (c == 0) {
			if (!jumped)
				end = p + 1;
			break;
		}
		if ((c & 0xC0) == 0xC0) {
			if (p + 1 >= len || ++hops > 32)
				return false;
			size_t target = (size_t)(c & 0x3F) << 8 | msg[p + 1];
			if (target >= limit)
				return false;
			if (!jumped)
				end = p + 2;
			jumped = true;
			limit = target;
			p = target;
			continue;
		}
		if (c & 0xC0)
			return false; /* the obsolete label types */
		if (p + 1 + c > len || wire + 1u + c > 250)
			return false;
		if (wire_out)
			wire_out[wire] = c;
		if (text && o)
			text[o++] = '.';
		for (size_t i = 0; i < c; i++) {
			uint8_t ch = msg[p + 1 + i];
			if (!plain_char(ch))
				return false;
			if (wire_out)
				wire_out[wire + 1 + i] = ch;
			if (text)
				text[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
		}
		wire += 1u + c;
		p += 1u + c;
	}
	if (text) {
		if (!o)
			text[o++] = '.';
		text[o] = '\0';
	}
	if (wire_out) {
		wire_out[wire++] = 0;
		*wire_len = wire;
	}
	*pos = end;
	return true;
}

bool dnswire_plain_name(const uint8_t *msg, size_t len, size_t *pos, char out[256])
{
	return read_plain(msg, len, pos, out, NULL, NULL);
}

bool dnswire_plain_name_wire(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[256], size_t *out_len)
{
	return read_plain(msg, len, pos, NULL, out, out_len);
}

uint16_t dnswire_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t dnswire_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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
