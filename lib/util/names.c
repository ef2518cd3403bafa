/* SPDX-License-Identifier: ISC */
/* names: host name syntax, IP address parsing (IPv4-mapped IPv6 taken as
 * IPv4), reverse-DNS names and user domains converted to A-labels with
 * libidn2 (see names.h). Pure: no lookups. */
#include "names.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "text.h"
#include "xalloc.h"

int ip_parse(const char *s, struct ipaddr *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	if (!s || !*s) {
		snprintf(why, whylen, "empty address");
		return -1;
	}
	if (strchr(s, ':')) {
		if (strlen(s) >= sizeof out->text || inet_pton(AF_INET6, s, out->b) != 1) {
			snprintf(why, whylen, "'%s' is not a valid IPv6 address", TEXT_SHOW(s));
			return -1;
		}
		out->af = AF_INET6;
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(out->b, mapped, sizeof mapped) == 0) {
			/* ::ffff:192.0.2.20, as many mail logs print an IPv4
			 * client: the sender is the IPv4 address. */
			memmove(out->b, out->b + 12, 4);
			memset(out->b + 4, 0, 12);
			out->af = AF_INET;
			out->mapped = true;
		}
	} else {
		/* inet_pton accepts only dotted-quad decimal, which is what we
		 * want: no octal, hex or shortened forms. */
		if (strlen(s) >= sizeof out->text || inet_pton(AF_INET, s, out->b) != 1) {
			snprintf(why, whylen, "'%s' is not a valid IPv4 address", TEXT_SHOW(s));
			return -1;
		}
		out->af = AF_INET;
	}
	inet_ntop(out->af, out->b, out->text, sizeof out->text);
	return 0;
}

size_t ip_len(const struct ipaddr *ip)
{
	return ip->af == AF_INET6 ? 16 : 4;
}

bool ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->af == b->af && memcmp(a->b, b->b, ip_len(a)) == 0;
}

/* Decimal digits of v (0-255) at p; returns the end. */
static char *put_octet(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* Written by hand: a batch writes a few dozen a sender (each DNSBL's
 * query and test points), and snprintf was most of their cost. */
void ip_reverse_key(const struct ipaddr *ip, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[64], *o = tmp;
	if (ip->af == AF_INET) {
		for (int i = 3; i >= 0; i--) {
			o = put_octet(o, ip->b[i]);
			*o++ = i ? '.' : '\0';
		}
	} else {
		for (int i = 15; i >= 0; i--) {
			*o++ = hex[ip->b[i] & 0xf];
			*o++ = '.';
			*o++ = hex[ip->b[i] >> 4];
			*o++ = i ? '.' : '\0';
		}
	}
	if (!len)
		return;
	size_t n = (size_t)(o - tmp); /* with the NUL */
	if (n > len) {
		n = len;
		tmp[n - 1] = '\0'; /* cut as snprintf cuts */
	}
	memcpy(buf, tmp, n);
}

void ip_reverse_name(const struct ipaddr *ip, char *buf, size_t len)
{
	char key[64];
	ip_reverse_key(ip, key, sizeof key);
	snprintf(buf, len, "%s.%s", key, ip->af == AF_INET ? "in-addr.arpa" : "ip6.arpa");
}

bool name_normalize_to(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[n] = '\0';
	return true;
}

bool name_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

char *name_normalize_new(const char *s)
{
	char *r = xmalloc(strlen(s) + 1);
	name_normalize_to(r, strlen(s) + 1, s);
	return r;
}

bool name_is_dns(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	size_t lab = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > 63) {
			return false;
		}
	}
	return lab > 0;
}

bool name_is_hostname(const char *s, char *why, size_t whylen)
{
	char dummy[8];
	if (!why) {
		why = dummy;
		whylen = sizeof dummy;
	}
	size_t n = strlen(s);
	if (n == 0) {
		snprintf(why, whylen, "empty name");
		return false;
	}
	if (n > 253) {
		snprintf(why, whylen, "longer than 253 characters");
		return false;
	}
	size_t labels = 0;
	const char *p = s;
	const char *last = s;
	while (*p) {
		const char *e = strchr(p, '.');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 0) {
			snprintf(why, whylen, "empty label");
			return false;
		}
		if (l > 63) {
			snprintf(why, whylen, "a label is longer than 63 characters");
			return false;
		}
		for (size_t i = 0; i < l; i++) {
			unsigned char c = (unsigned char)p[i];
			if (!isalnum(c) && c != '-') {
				if (c == '_')
					snprintf(why, whylen, "label '%.*s' contains '_'",
					         (int)(l > 63 ? 63 : l), p);
				else
					snprintf(
					    why, whylen,
					    "label contains a character other than letters, digits and '-'");
				return false;
			}
		}
		if (p[0] == '-' || p[l - 1] == '-') {
			snprintf(why, whylen, "label '%.*s' starts or ends with '-'", (int)l, p);
			return false;
		}
		labels++;
		last = p;
		if (!e)
			break;
		p = e + 1;
		if (!*p) {
			snprintf(why, whylen, "trailing dot");
			return false;
		}
	}
	if (labels < 2) {
		snprintf(why, whylen, "a single label, not a fully qualified name");
		return false;
	}
	bool numeric = true;
	for (const char *q = last; *q; q++)
		if (!isdigit((unsigned char)*q))
			numeric = false;
	if (numeric) {
		snprintf(why, whylen, "the last label is numeric (an address written as a name?)");
		return false;
	}
	return true;
}

char *name_from_user_new(const char *s, char *why, size_t whylen)
{
	bool ascii = true;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	char *alabel = NULL;
	if (ascii) {
		alabel = name_normalize_new(s);
	} else {
		char *out = NULL;
		int rc = idn2_to_ascii_8z(s, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			snprintf(why, whylen, "'%s' is not a valid internationalised name: %s", TEXT_SHOW(s),
			         idn2_strerror(rc));
			return NULL;
		}
		alabel = name_normalize_new(out);
		idn2_free(out);
	}
	char reason[128];
	if (!name_is_hostname(alabel, reason, sizeof reason)) {
		snprintf(why, whylen, "'%s' is not a host name: %s", TEXT_SHOW(s), reason);
		free(alabel);
		return NULL;
	}
	return alabel;
}

bool name_is_under(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);
	if (n == z)
		return strcmp(name, zone) == 0;
	return n > z && name[n - z - 1] == '.' && strcmp(name + n - z, zone) == 0;
}
