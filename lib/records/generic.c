/* SPDX-License-Identifier: ISC */
/* generic: is a PTR name a generic / dynamic (end-user) name for its IP?
 *
 * Only the name below its registrable domain (the "host part") is inspected:
 * the domain is the owner's choice, not a description of the host, and its
 * digits ("126.com") are not octets. The host part is cut into labels ('.'),
 * parts (alphanumeric runs) and tokens (digit runs and letter runs, so
 * "dhcp024" is "dhcp" + "024"). Then:
 *  - octets: IPv4 octet values found as numeric tokens, or the whole address
 *    as 8 hex digits, 12 zero-padded digits or one decimal number; IPv6 groups
 *    found as hex parts, or the interface id / address as one hex run;
 *  - keywords: whole tokens, or tokens made only of long keywords
 *    ("modemcable"); a keyword inside a longer word ("dynamics") is not one;
 *  - when neither decides, a few shapes ISPs give end-user names.
 * Status (checks.md): fail = the IP (or two octets) and a keyword, or a
 * numbered dynamic pool; warn = the IP without a keyword, or a keyword
 * without the IP; pass = the rest. */
#include "generic.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* A host name has at most 253 bytes; longer input is hostile and its first
 * HOST_MAX bytes (where the host label is) say all there is to say. */
#define HOST_MAX     512
#define PART_MAX     128
#define TOK_MAX      256
#define COMPOUND_MAX 40

struct part {
	size_t off, len;
	int label;
	bool hexy;    /* a long hex id: its digits are not octets, its letters not words */
	bool v6group; /* taken as a group of the IPv6 address */
};

struct tok {
	size_t off, len;
	size_t part;
	int label;
	bool digit;
};

struct scan {
	char h[HOST_MAX + 1]; /* the host part, lower-cased */
	size_t n;
	struct part parts[PART_MAX];
	size_t nparts;
	struct tok toks[TOK_MAX];
	size_t ntoks;
};

struct span {
	size_t off, len;
};

enum {
	KW_STRONG = 1, /* end-user or dynamic assignment: counts in any label */
	KW_WEAK = 2,   /* access technology: also names ISP zones that hold business
	                * hosts (net.cable.rogers.com), so counts only in the host
	                * label and the two zone labels above it */
	KW_POOL = 4,   /* names a dynamic range */
	KW_SHORT = 8,  /* whole token only, never part of a compound ("ip", "pc") */
};

struct keyword {
	const char *word;
	unsigned flags;
};

static const struct keyword keywords[] = {
    {"dyn", KW_STRONG | KW_POOL},
    {"dynamic", KW_STRONG | KW_POOL},
    {"dynip", KW_STRONG | KW_POOL},
    {"dhcp", KW_STRONG | KW_POOL},
    {"ddns", KW_STRONG | KW_POOL},
    {"pool", KW_STRONG | KW_POOL},
    {"cpe", KW_STRONG},
    {"ppp", KW_STRONG},
    {"pppoe", KW_STRONG},
    {"pptp", KW_STRONG},
    {"dial", KW_STRONG},
    {"dialup", KW_STRONG},
    {"dialin", KW_STRONG},
    {"dip", KW_STRONG | KW_SHORT},
    {"cust", KW_STRONG},
    {"customer", KW_STRONG},
    {"client", KW_STRONG},
    {"user", KW_STRONG | KW_SHORT},
    {"subscriber", KW_STRONG},
    {"res", KW_STRONG | KW_SHORT},
    {"resnet", KW_STRONG},
    {"residential", KW_STRONG},
    {"home", KW_STRONG},
    {"unassigned", KW_STRONG},
    {"unknown", KW_STRONG},
    {"generic", KW_STRONG},
    {"host", KW_STRONG | KW_SHORT},
    {"ip", KW_STRONG | KW_SHORT},
    {"pc", KW_STRONG | KW_SHORT},
    {"dsl", KW_WEAK},
    {"adsl", KW_WEAK},
    {"vdsl", KW_WEAK},
    {"xdsl", KW_WEAK},
    {"sdsl", KW_WEAK},
    {"cable", KW_WEAK},
    {"catv", KW_WEAK},
    {"docsis", KW_WEAK},
    {"modem", KW_WEAK},
    {"isdn", KW_WEAK},
    {"broadband", KW_WEAK},
    {"bb", KW_WEAK | KW_SHORT},
    {"wireless", KW_WEAK},
    {"wlan", KW_WEAK},
    {"mobile", KW_WEAK},
    {"lte", KW_WEAK},
    {"ftth", KW_WEAK},
    {"fttx", KW_WEAK},
    {"fttb", KW_WEAK},
    {"fttp", KW_WEAK},
    {"fiber", KW_WEAK},
    {"fibre", KW_WEAK},
    {"cm", KW_WEAK | KW_SHORT},
    {"node", KW_WEAK | KW_SHORT},
    {"nat", KW_WEAK | KW_SHORT},
    {"rev", KW_WEAK | KW_SHORT},
    {"reverse", KW_WEAK},
};

static const char *const static_words[] = {"static", "staticip", "fix", "fixed", "fixip"};

/* Words that say what a server does; they shield a name from the shape
 * heuristics (ESP names such as mail-ed1-f51 or a27-18.smtp-out carry octets
 * and serials by design). Tokens starting with "mail" or "smtp" count too. */
static const char *const role_words[] = {
    "mx",   "mta",      "out",  "outbound", "outgoing", "relay", "send",  "sender", "bounce", "bounces",
    "post", "exchange", "ns",   "dns",      "www",      "web",   "srv",   "server", "gw",     "gateway",
    "vps",  "ftp",      "imap", "pop",      "api",      "proxy", "email", "esmtp",  "mailer",
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_lower(c);
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static bool span_eq(const char *p, size_t len, const char *w)
{
	return strlen(w) == len && memcmp(p, w, len) == 0;
}

static bool contains(const char *p, size_t len, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; i + nl <= len; i++)
		if (memcmp(p + i, needle, nl) == 0)
			return true;
	return false;
}

static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends to a NUL-terminated buffer; silently truncates. */
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/* Length of the host part: name minus ".registrable"; with the domain unknown
 * (or not a suffix of name), name minus its last two labels. */
static size_t host_length(const char *name, size_t len, const char *reg)
{
	if (reg && *reg) {
		size_t rl = strlen(reg);
		if (rl > 0 && reg[rl - 1] == '.')
			rl--;
		if (rl == len && strncasecmp(name, reg, len) == 0)
			return 0;
		if (rl > 0 && rl < len && name[len - rl - 1] == '.' &&
		    strncasecmp(name + len - rl, reg, rl) == 0)
			return len - rl - 1;
	}
	int dots = 0;
	for (size_t i = len; i > 0; i--)
		if (name[i - 1] == '.' && ++dots == 2)
			return i - 1;
	return 0;
}

/* "0x" or one non-hex letter, then at least 8 hex digits with letters among
 * the digits (not "ba199058073", a word and a number). */
static bool part_hexy(const char *p, size_t len)
{
	size_t k = 0;
	bool ox = false;
	if (len > 2 && p[0] == '0' && p[1] == 'x') {
		k = 2;
		ox = true;
	} else if (len > 1 && !is_hex(p[0])) {
		k = 1;
	}
	if (len - k < 8)
		return false;
	bool seen_digit = false, mixed = false;
	for (size_t i = k; i < len; i++) {
		if (!is_hex(p[i]))
			return false;
		if (is_digit(p[i]))
			seen_digit = true;
		else if (seen_digit)
			mixed = true;
	}
	return ox || mixed;
}

static void scan_host(struct scan *s, const char *host, size_t len)
{
	if (len > HOST_MAX)
		len = HOST_MAX;
	for (size_t i = 0; i < len; i++) {
		char c = host[i];
		s->h[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	s->h[len] = '\0';
	s->n = len;
	s->nparts = s->ntoks = 0;

	int label = 0;
	size_t i = 0;
	while (i < len && s->nparts < PART_MAX) {
		if (!is_alnum(s->h[i])) {
			if (s->h[i] == '.' && label < 1000)
				label++;
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && is_alnum(s->h[i]))
			i++;
		struct part *p = &s->parts[s->nparts];
		p->off = start;
		p->len = i - start;
		p->label = label;
		p->hexy = part_hexy(s->h + start, p->len);
		p->v6group = false;
		for (size_t j = start; j < i && s->ntoks < TOK_MAX;) {
			bool d = is_digit(s->h[j]);
			size_t k = j;
			while (k < i && is_digit(s->h[k]) == d)
				k++;
			s->toks[s->ntoks++] = (struct tok){j, k - j, s->nparts, label, d};
			j = k;
		}
		s->nparts++;
	}
}

/* Value of a numeric token that may be an octet (1-3 digits), else -1. */
static int tok_octet(const struct scan *s, size_t i)
{
	const struct tok *t = &s->toks[i];
	if (!t->digit || t->len > 3 || s->parts[t->part].hexy)
		return -1;
	int v = 0;
	for (size_t k = 0; k < t->len; k++)
		v = v * 10 + (s->h[t->off + k] - '0');
	return v <= 255 ? v : -1;
}

/* True when only one or two separator bytes lie between end and start
 * ("-", ".", "--" for a compressed IPv6 address), or the letter 'x'
 * ("113x35x70x11"). */
static bool close_gap(const struct scan *s, size_t end, size_t start)
{
	if (start == end + 1)
		return !is_alnum(s->h[end]) || s->h[end] == 'x';
	if (start == end + 2)
		return !is_alnum(s->h[end]) && s->h[end + 1] == s->h[end];
	return false;
}

static const char *sep_name(char sep)
{
	switch (sep) {
	case '.': return "dotted";
	case '-': return "dashed";
	case '_': return "underscored";
	case 'x': return "x-separated";
	default: return "separated";
	}
}

/* How the units (octets or groups) are written; sp lists the found ones in
 * address order. */
static void order_encoding(const struct scan *s, const struct span *sp, size_t n, bool padded, char *enc,
                           size_t size)
{
	bool inc = true, dec = true, adjacent = true, same = true, dot = false;
	char sep = 0;
	if (n < 2) {
		enc[0] = '\0';
		return;
	}
	for (size_t i = 1; i < n; i++) {
		const struct span *a = &sp[i - 1], *b = &sp[i];
		if (b->off <= a->off)
			inc = false;
		if (b->off >= a->off)
			dec = false;
		const struct span *lo = a->off < b->off ? a : b, *hi = a->off < b->off ? b : a;
		size_t end = lo->off + lo->len;
		if (hi->off <= end || !close_gap(s, end, hi->off)) {
			adjacent = false;
			continue;
		}
		char c = s->h[end];
		if (c == '.')
			dot = true;
		if (!sep)
			sep = c;
		else if (sep != c)
			same = false;
	}
	const char *w;
	if (padded)
		w = "zero-padded";
	else if (dec)
		w = "reversed";
	else if (inc && adjacent && same)
		w = sep_name(sep);
	else if (inc && (dot || !adjacent))
		w = "split";
	else if (inc)
		w = "mixed separators";
	else
		w = "out of order";
	snprintf(enc, size, "%s", w);
}

/* The whole IPv4 address in one token: 8 hex digits (either byte order, after
 * an optional letter or "0x"), 12 zero-padded digits, or one decimal number. */
static bool v4_whole(const struct scan *s, const unsigned char *b, char *enc, size_t size)
{
	char fwd[16], rev[16], pad[24], rpad[24], dec[24], rdec[24];
	snprintf(fwd, sizeof(fwd), "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
	snprintf(rev, sizeof(rev), "%02x%02x%02x%02x", b[3], b[2], b[1], b[0]);
	snprintf(pad, sizeof(pad), "%03u%03u%03u%03u", b[0], b[1], b[2], b[3]);
	snprintf(rpad, sizeof(rpad), "%03u%03u%03u%03u", b[3], b[2], b[1], b[0]);
	uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	uint32_t rv = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	/* A small number ("7" for 0.0.0.7) is no address. */
	snprintf(dec, sizeof(dec), "%lu", (unsigned long)v);
	snprintf(rdec, sizeof(rdec), "%lu", (unsigned long)rv);

	for (size_t i = 0; i < s->nparts; i++) {
		const struct part *p = &s->parts[i];
		if (contains(s->h + p->off, p->len, fwd) || contains(s->h + p->off, p->len, rev)) {
			snprintf(enc, size, "hex");
			return true;
		}
	}
	for (size_t i = 0; i < s->ntoks; i++) {
		const struct tok *t = &s->toks[i];
		const char *p = s->h + t->off;
		if (!t->digit || s->parts[t->part].hexy)
			continue;
		if (span_eq(p, t->len, pad) || span_eq(p, t->len, rpad)) {
			snprintf(enc, size, "zero-padded");
			return true;
		}
		if ((v >= 1u << 24 && span_eq(p, t->len, dec)) ||
		    (rv >= 1u << 24 && span_eq(p, t->len, rdec))) {
			snprintf(enc, size, "decimal");
			return true;
		}
	}
	return false;
}

/* IPv4 octets found as numeric tokens. A position counts when its value is
 * found; distinct tokens are preferred so that order can be judged. */
static int v4_tokens(const struct scan *s, const unsigned char *b, int idx[4])
{
	bool used[TOK_MAX] = {false};
	int n = 0;
	for (int p = 0; p < 4; p++) {
		int reuse = -1;
		idx[p] = -1;
		for (size_t i = 0; i < s->ntoks; i++) {
			if (tok_octet(s, i) != b[p])
				continue;
			if (!used[i]) {
				idx[p] = (int)i;
				used[i] = true;
				break;
			}
			if (reuse < 0)
				reuse = (int)i;
		}
		if (idx[p] < 0)
			idx[p] = reuse;
		if (idx[p] >= 0)
			n++;
	}
	return n;
}

static void v4_encoding(const struct scan *s, const int idx[4], char *enc, size_t size)
{
	struct span sp[4];
	size_t n = 0;
	bool all3 = true, zero = false;
	for (int p = 0; p < 4; p++) {
		if (idx[p] < 0)
			continue;
		const struct tok *t = &s->toks[idx[p]];
		sp[n++] = (struct span){t->off, t->len};
		if (t->len != 3)
			all3 = false;
		else if (s->h[t->off] == '0')
			zero = true;
	}
	order_encoding(s, sp, n, all3 && zero, enc, size);
}

static bool part_is_hex(const struct scan *s, const struct part *p, unsigned *val)
{
	if (p->len < 1 || p->len > 4)
		return false;
	unsigned v = 0;
	for (size_t k = 0; k < p->len; k++) {
		char c = s->h[p->off + k];
		if (!is_hex(c))
			return false;
		v = v * 16 + (unsigned)(is_digit(c) ? c - '0' : c - 'a' + 10);
	}
	*val = v;
	return true;
}

/* IPv6: the address (32 hex digits) or interface id (16) in one run, or its
 * groups as hex parts. Zero groups count only when a non-zero group is found
 * too: a bare "0" says nothing. Marks the parts taken so that they are not
 * read as words. */
static int v6_groups(struct scan *s, const unsigned char *b, bool found[8], char *enc, size_t size)
{
	char full[40], iid[24];
	for (int i = 0; i < 16; i++)
		snprintf(full + 2 * i, sizeof(full) - 2 * (size_t)i, "%02x", b[i]);
	memcpy(iid, full + 16, 16);
	iid[16] = '\0';
	for (size_t i = 0; i < s->nparts; i++) {
		struct part *p = &s->parts[i];
		if (p->len < 16)
			continue;
		bool all = contains(s->h + p->off, p->len, full);
		if (all || contains(s->h + p->off, p->len, iid)) {
			for (int g = 0; g < 8; g++)
				found[g] = all || g >= 4;
			p->v6group = true;
			snprintf(enc, size, "hex");
			return all ? 8 : 4;
		}
	}

	bool used[PART_MAX] = {false};
	struct span sp[8];
	size_t nsp = 0;
	int n = 0, nonzero = 0;
	bool all4 = true, lead0 = false;
	for (int g = 0; g < 8; g++) {
		unsigned want = (unsigned)b[2 * g] << 8 | b[2 * g + 1], v;
		int pick = -1;
		found[g] = false;
		for (size_t i = 0; i < s->nparts; i++) {
			if (!part_is_hex(s, &s->parts[i], &v) || v != want)
				continue;
			if (!used[i]) {
				pick = (int)i;
				break;
			}
			if (pick < 0)
				pick = (int)i;
		}
		if (pick < 0)
			continue;
		used[pick] = true;
		found[g] = true;
		n++;
		if (want)
			nonzero++;
	}
	if (!nonzero) {
		memset(found, 0, 8 * sizeof(found[0]));
		enc[0] = '\0';
		return 0;
	}
	/* Spans in address order, for the encoding; reuse the first free part. */
	bool taken[PART_MAX] = {false};
	for (int g = 0; g < 8; g++) {
		unsigned want = (unsigned)b[2 * g] << 8 | b[2 * g + 1], v;
		if (!found[g])
			continue;
		for (size_t i = 0; i < s->nparts; i++) {
			if (taken[i] || !part_is_hex(s, &s->parts[i], &v) || v != want)
				continue;
			taken[i] = true;
			s->parts[i].v6group = true;
			sp[nsp++] = (struct span){s->parts[i].off, s->parts[i].len};
			if (s->parts[i].len != 4)
				all4 = false;
			else if (s->h[s->parts[i].off] == '0')
				lead0 = true;
			break;
		}
	}
	order_encoding(s, sp, nsp, all4 && lead0, enc, size);
	return n;
}

/* An address-like sequence, whatever the IP: four numbers of 1-3 digits up to
 * 255, each one separator apart; 12 digits in groups up to 255; "0x" and 8
 * hex digits. */
static bool addr_like(const struct scan *s, unsigned v[4], char *enc, size_t size)
{
	size_t run[4], rn = 0;
	for (size_t i = 0; i < s->ntoks; i++) {
		if (!s->toks[i].digit)
			continue;
		if (tok_octet(s, i) < 0) {
			rn = 0;
			continue;
		}
		if (rn > 0) {
			const struct tok *a = &s->toks[run[rn - 1]];
			if (!close_gap(s, a->off + a->len, s->toks[i].off) ||
			    s->toks[i].off != a->off + a->len + 1)
				rn = 0;
		}
		run[rn++] = i;
		if (rn == 4) {
			struct span sp[4];
			bool all3 = true, zero = false;
			for (int k = 0; k < 4; k++) {
				const struct tok *t = &s->toks[run[k]];
				v[k] = (unsigned)tok_octet(s, run[k]);
				sp[k] = (struct span){t->off, t->len};
				if (t->len != 3)
					all3 = false;
				else if (s->h[t->off] == '0')
					zero = true;
			}
			order_encoding(s, sp, 4, all3 && zero, enc, size);
			return true;
		}
	}
	/* A numbered host label above three numbers ("118.red-80-35-201"). */
	if (s->ntoks > 3 && s->toks[0].digit && tok_octet(s, 0) >= 0 && s->toks[1].label == 1) {
		rn = 0;
		for (size_t i = 1; i < s->ntoks && s->toks[i].label == 1 && rn < 3; i++) {
			const struct tok *t = &s->toks[i], *a = rn > 0 ? &s->toks[run[rn - 1]] : NULL;
			if (!t->digit)
				continue;
			if (tok_octet(s, i) < 0) {
				rn = 0;
				continue;
			}
			if (a && !close_gap(s, a->off + a->len, t->off))
				rn = 0;
			run[rn++] = i;
		}
		if (rn == 3) {
			v[0] = (unsigned)tok_octet(s, 0);
			for (int k = 0; k < 3; k++)
				v[k + 1] = (unsigned)tok_octet(s, run[k]);
			snprintf(enc, size, "split");
			return true;
		}
	}
	for (size_t i = 0; i < s->ntoks; i++) {
		const struct tok *t = &s->toks[i];
		const char *p = s->h + t->off;
		if (!t->digit || t->len != 12 || s->parts[t->part].hexy)
			continue;
		bool ok = true;
		for (int k = 0; k < 4; k++) {
			v[k] = (unsigned)((p[3 * k] - '0') * 100 + (p[3 * k + 1] - '0') * 10 +
			                  (p[3 * k + 2] - '0'));
			if (v[k] > 255)
				ok = false;
		}
		if (ok) {
			snprintf(enc, size, "zero-padded");
			return true;
		}
	}
	for (size_t i = 0; i < s->nparts; i++) {
		const struct part *p = &s->parts[i];
		const char *q = s->h + p->off;
		if (p->len != 10 || q[0] != '0' || q[1] != 'x')
			continue;
		bool ok = true;
		for (int k = 2; k < 10; k++)
			ok = ok && is_hex(q[k]);
		if (!ok)
			continue;
		for (int k = 0; k < 4; k++) {
			char hi = q[2 + 2 * k], lo = q[3 + 2 * k];
			v[k] = (unsigned)((is_digit(hi) ? hi - '0' : hi - 'a' + 10) * 16 +
			                  (is_digit(lo) ? lo - '0' : lo - 'a' + 10));
		}
		snprintf(enc, size, "hex");
		return true;
	}
	return false;
}

/* Flags of the keyword a token is, or of the long keywords it is made of
 * ("modemcable", "adsldhcp"); 0 when none ("dynamics", "customerservice"). */
static unsigned kw_flags(const char *w, size_t len)
{
	size_t nk = sizeof(keywords) / sizeof(keywords[0]);
	for (size_t k = 0; k < nk; k++)
		if (span_eq(w, len, keywords[k].word))
			return keywords[k].flags;
	if (len > COMPOUND_MAX)
		return 0;
	bool can[COMPOUND_MAX + 1] = {true};
	unsigned acc[COMPOUND_MAX + 1] = {0};
	for (size_t i = 0; i < len; i++) {
		if (!can[i])
			continue;
		for (size_t k = 0; k < nk; k++) {
			size_t kl = strlen(keywords[k].word);
			if ((keywords[k].flags & KW_SHORT) || kl < 3 || i + kl > len ||
			    memcmp(w + i, keywords[k].word, kl) != 0)
				continue;
			can[i + kl] = true;
			acc[i + kl] |= acc[i] | keywords[k].flags;
		}
	}
	return can[len] ? acc[len] : 0;
}

static bool tok_is_word_slot(const struct scan *s, size_t i)
{
	const struct tok *t = &s->toks[i];
	return !t->digit && !s->parts[t->part].hexy && !s->parts[t->part].v6group;
}

/* A letter run that reads as a word rather than a hex fragment or an
 * abbreviation: "service", "vina", but not "e", "eba", "ne". */
static bool is_word(const char *w, size_t len)
{
	if (len >= 5)
		return true;
	if (len < 3)
		return false;
	for (size_t k = 0; k < len; k++)
		if (!is_hex(w[k]))
			return true;
	return false;
}

/* Without octets, a keyword only counts when nothing else in its label is a
 * word: "customer.example.net", "cust173", "node-c-8b22" count,
 * "customer-service" does not. */
static bool standalone(const struct scan *s, size_t ti)
{
	for (size_t i = 0; i < s->ntoks; i++) {
		const struct tok *t = &s->toks[i];
		if (i == ti || t->label != s->toks[ti].label || !tok_is_word_slot(s, i))
			continue;
		if (kw_flags(s->h + t->off, t->len))
			continue;
		if (is_word(s->h + t->off, t->len))
			return false;
	}
	return true;
}

static bool in_list(const char *w, size_t len, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (span_eq(w, len, list[k]))
			return true;
	return false;
}

/* Finds the first counting keyword into kw and the first counting pool
 * keyword into pool (both of size bytes); returns kw's flags (0 = none). */
static unsigned find_keyword(const struct scan *s, bool numeric, char *pool, char *kw, size_t size)
{
	unsigned first = 0;
	for (size_t i = 0; i < s->ntoks; i++) {
		const struct tok *t = &s->toks[i];
		const char *w = s->h + t->off;
		if (!tok_is_word_slot(s, i))
			continue;
		unsigned f = kw_flags(w, t->len);
		if (!f)
			continue;
		/* "ip4", "ip6" name a protocol, not an address holder. */
		if (span_eq(w, t->len, "ip") && i + 1 < s->ntoks && s->toks[i + 1].part == t->part &&
		    (span_eq(s->h + s->toks[i + 1].off, s->toks[i + 1].len, "4") ||
		     span_eq(s->h + s->toks[i + 1].off, s->toks[i + 1].len, "6")))
			continue;
		if (!(f & KW_STRONG) && t->label > 2)
			continue;
		if (!numeric && !standalone(s, i))
			continue;
		if (!first) {
			first = f;
			copy_text(kw, size, w, t->len);
		}
		if ((f & KW_POOL) && !pool[0])
			copy_text(pool, size, w, t->len);
	}
	return first;
}

static bool find_role(const struct scan *s)
{
	for (size_t i = 0; i < s->ntoks; i++) {
		const struct tok *t = &s->toks[i];
		const char *w = s->h + t->off;
		if (!tok_is_word_slot(s, i))
			continue;
		if (in_list(w, t->len, role_words, sizeof(role_words) / sizeof(role_words[0])))
			return true;
		if (t->len >= 4 && (memcmp(w, "mail", 4) == 0 || memcmp(w, "smtp", 4) == 0))
			return true;
	}
	return false;
}

static bool find_static(const struct scan *s)
{
	for (size_t i = 0; i < s->ntoks; i++)
		if (tok_is_word_slot(s, i) && in_list(s->h + s->toks[i].off, s->toks[i].len, static_words,
		                                      sizeof(static_words) / sizeof(static_words[0])))
			return true;
	return false;
}

/* Shapes ISPs give end-user names, for names with neither the IP nor a
 * keyword: a subscriber serial of 5+ digits in the host label ("pcp04024417pcs",
 * "wiley-170-10231"); the host label numbered by the IP's last octet
 * ("ky-richmond2a-123" for .123, "h234n2fls..." for .234); a label that
 * alternates letters and digits 4+ times ("98x9x3p5siouq"). */
static const char *find_shape(const struct scan *s, int last_tok, char *shape, size_t size, char *what,
                              size_t wsize)
{
	for (size_t i = 0; i < s->ntoks; i++) {
		const struct tok *t = &s->toks[i];
		if (t->label == 0 && t->digit && t->len >= 5 && !s->parts[t->part].hexy) {
			snprintf(shape, size, "serial number");
			copy_text(what, wsize, s->h + t->off, t->len);
			return "carries a subscriber-style serial number";
		}
	}
	/* Only in a label with more to it than the number: "o27" or "alpha-42"
	 * may well be a server's own numbering. */
	if (last_tok >= 0 && s->toks[last_tok].label == 0 && s->toks[last_tok].len >= 2) {
		int firstd = -1, lastd = -1, others = -1;
		for (size_t i = 0; i < s->ntoks && s->toks[i].label == 0; i++) {
			others++;
			if (!s->toks[i].digit)
				continue;
			if (firstd < 0)
				firstd = (int)i;
			lastd = (int)i;
		}
		if ((last_tok == firstd || last_tok == lastd) && others >= 3) {
			snprintf(shape, size, "numbered by last octet");
			copy_text(what, wsize, s->h + s->toks[last_tok].off, s->toks[last_tok].len);
			return "is numbered by the IP's last octet";
		}
	}
	for (size_t i = 0; i < s->nparts; i++) {
		const struct part *p = &s->parts[i];
		size_t runs = 0;
		if (p->label != 0)
			continue;
		for (size_t j = 0; j < s->ntoks; j++)
			if (s->toks[j].part == i)
				runs++;
		if (runs >= 5) {
			snprintf(shape, size, "machine-generated label");
			copy_text(what, wsize, s->h + p->off, p->len);
			return "has a machine-generated label";
		}
	}
	return NULL;
}

static bool host_has_digit(const struct scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (is_digit(s->h[i]))
			return true;
	return false;
}

/* "[192.0.2.1]" or "192.0.2.1" given as a name. */
static bool address_literal(const char *name, size_t len, unsigned char *bytes, int *af)
{
	char buf[64];
	if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
		name++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, bytes) == 1) {
		*af = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, bytes) == 1) {
		*af = AF_INET6;
		return true;
	}
	return false;
}

static void finish_static(struct generic_verdict *out)
{
	if (!out->static_token)
		return;
	if (out->status == STATUS_PASS)
		append(out->reason, sizeof(out->reason), "; says 'static'");
	else
		append(out->reason, sizeof(out->reason),
		       "; it says 'static', but receivers still treat IP-derived names as generic");
}

/* An address written as a name is no host name at all: true (out filled)
 * when name[0..len) is one. */
static bool judge_literal(const char *name, size_t len, const struct ipaddr *ip, struct generic_verdict *out)
{
	unsigned char lit[16];
	int litaf = 0;
	if (!address_literal(name, len, lit, &litaf))
		return false;
	bool same = !ip || (ip->af == litaf && memcmp(ip->b, lit, litaf == AF_INET ? 4 : 16) == 0);
	out->status = STATUS_WARN;
	out->octets = same ? (litaf == AF_INET ? 4 : 8) : 0;
	for (int k = 0; same && k < out->octets; k++) {
		const char *sep = k ? ", " : "";
		if (litaf == AF_INET)
			append(out->octets_text, sizeof(out->octets_text), "%s%u", sep, lit[k]);
		else
			append(out->octets_text, sizeof(out->octets_text), "%s%x", sep,
			       (unsigned)lit[2 * k] << 8 | lit[2 * k + 1]);
	}
	snprintf(out->encoding, sizeof(out->encoding), "%s", same ? "literal" : "");
	snprintf(out->shape, sizeof(out->shape), "address literal");
	snprintf(out->reason, sizeof(out->reason), "is an IP address literal, not a host name");
	return true;
}

/* How many of the IP's octets (IPv6: groups) the host part carries, into
 * out (octets, octets_text, encoding); idx gets each IPv4 octet's token.
 * Returns true when the whole address is there as one token. */
static bool find_octets(struct scan *s, const struct ipaddr *ip, struct generic_verdict *out, int idx[4])
{
	bool whole = false;
	if (ip && ip->af == AF_INET) {
		if (v4_whole(s, ip->b, out->encoding, sizeof(out->encoding))) {
			whole = true;
			out->octets = 4;
		} else {
			out->octets = v4_tokens(s, ip->b, idx);
			if (out->octets >= 2)
				v4_encoding(s, idx, out->encoding, sizeof(out->encoding));
		}
		for (int p = 0; p < 4; p++)
			if (whole || idx[p] >= 0)
				append(out->octets_text, sizeof(out->octets_text), "%s%u",
				       out->octets_text[0] ? ", " : "", ip->b[p]);
	} else if (ip) {
		bool found[8];
		out->octets = v6_groups(s, ip->b, found, out->encoding, sizeof(out->encoding));
		for (int g = 0; g < 8; g++)
			if (found[g])
				append(out->octets_text, sizeof(out->octets_text), "%s%x",
				       out->octets_text[0] ? ", " : "",
				       (unsigned)ip->b[2 * g] << 8 | ip->b[2 * g + 1]);
	}
	return whole;
}

/* The verdict from what was found; carried says it in words. */
static void decide(const struct scan *s, bool embeds, const char *poolkw, const char *carried, int last_tok,
                   struct generic_verdict *out)
{
	if (out->keyword[0] && (embeds || out->octets >= 2)) {
		out->status = STATUS_FAIL;
		snprintf(out->reason, sizeof(out->reason), "carries %s and the keyword '%s'", carried,
		         out->keyword);
	} else if (out->pool) {
		out->status = STATUS_FAIL;
		snprintf(out->reason, sizeof(out->reason), "names a numbered dynamic pool (keyword '%s')",
		         poolkw);
	} else if (embeds) {
		out->status = STATUS_WARN;
		snprintf(out->reason, sizeof(out->reason), "carries %s with no dynamic keyword", carried);
	} else if (out->keyword[0]) {
		out->status = STATUS_WARN;
		snprintf(out->reason, sizeof(out->reason),
		         "has the dynamic keyword '%s' but does not carry the IP", out->keyword);
	} else {
		char what[48] = "";
		const char *why =
		    out->role ? NULL
		              : find_shape(s, last_tok, out->shape, sizeof(out->shape), what, sizeof(what));
		if (why) {
			out->status = STATUS_WARN;
			snprintf(out->reason, sizeof(out->reason), "has no server role word and %s (%s)", why,
			         what);
		} else if (out->octets > 0) {
			snprintf(out->reason, sizeof(out->reason),
			         "looks like a server name (carries %s, fine for a server)", carried);
		} else {
			snprintf(out->reason, sizeof(out->reason), "looks like a server name");
		}
	}
}

void generic_classify(const char *name, const char *registrable, const struct ipaddr *ip,
                      struct generic_verdict *out)
{
	struct scan s;
	char iptext[INET6_ADDRSTRLEN] = "";
	memset(out, 0, sizeof(*out));
	out->status = STATUS_PASS;
	if (!name)
		name = "";
	if (ip && (ip->af != AF_INET && ip->af != AF_INET6))
		ip = NULL;
	if (ip && !inet_ntop(ip->af, ip->b, iptext, sizeof(iptext)))
		ip = NULL;
	bool v6 = ip && ip->af == AF_INET6;
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (judge_literal(name, len, ip, out))
		return;
	size_t hl = host_length(name, len, registrable);
	if (hl == 0) {
		snprintf(out->reason, sizeof(out->reason),
		         "looks like a server name (nothing below the registrable domain)");
		return;
	}
	scan_host(&s, name, hl);

	int idx[4] = {-1, -1, -1, -1};
	bool whole = find_octets(&s, ip, out, idx);
	bool embeds = whole || (v6 ? out->octets >= 2 : out->octets >= 3);

	/* An address-like sequence: the only address evidence when the IP is
	 * unknown; with the IP known, a sign of an IP-derived name all the same
	 * (stale, or another address of the host). */
	unsigned like[4];
	char like_enc[32] = "", like_text[48] = "";
	bool likely = !embeds && addr_like(&s, like, like_enc, sizeof(like_enc));
	if (likely) {
		snprintf(like_text, sizeof(like_text), "%u.%u.%u.%u", like[0], like[1], like[2], like[3]);
		if (!ip) {
			out->octets = 4;
			snprintf(out->octets_text, sizeof(out->octets_text), "%u, %u, %u, %u", like[0],
			         like[1], like[2], like[3]);
			snprintf(out->encoding, sizeof(out->encoding), "%s", like_enc);
		} else {
			snprintf(out->shape, sizeof(out->shape), "address-like numbers");
		}
		embeds = true;
	}

	bool numeric = embeds || out->octets >= 2;
	/* A pool keyword names a pool when the name is numbered ("dyn123",
	 * "dsl.dynamic8510023760"); "dynamic.example.net" alone is one host. */
	char poolkw[sizeof(out->keyword)] = "";
	find_keyword(&s, numeric, poolkw, out->keyword, sizeof(out->keyword));
	out->pool = poolkw[0] && host_has_digit(&s);
	out->static_token = find_static(&s);
	out->role = find_role(&s);

	/* What the name carries, for the reason. */
	char carried[160] = "";
	if (likely && !ip)
		snprintf(carried, sizeof(carried), "the address-like numbers %s (%s)", like_text, like_enc);
	else if (likely)
		snprintf(carried, sizeof(carried), "the address-like numbers %s (not %s)", like_text, iptext);
	else if (out->octets > 0)
		snprintf(carried, sizeof(carried), "%s%d %s of %s%s%s%s", whole ? "all " : "", out->octets,
		         out->octets == 1 ? (v6 ? "group" : "octet") : (v6 ? "groups" : "octets"), iptext,
		         out->encoding[0] ? " (" : "", out->encoding, out->encoding[0] ? ")" : "");
	decide(&s, embeds, poolkw, carried, (ip && !v6 && out->octets == 1) ? idx[3] : -1, out);
	finish_static(out);
}
