/* SPDX-License-Identifier: ISC */
/* replay: --save-dns and --replay-dns (see replay.h for the file format):
 * a recorder keeps a copy of each answer a run used and writes them once,
 * sorted; a replay owns the answers it parsed and, while they are asked,
 * those it made up for questions it lacks; a tap counts an audit's
 * questions, feeds the recorder and gives its answers back at the end. */
#include "replay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../util/readall.h"
#include "../util/strmap.h"
#include "../util/xalloc.h"

#define REPLAY_HEADER "# senderaudit DNS answers (--save-dns), format 1: see senderaudit(1), DNS ANSWER FILES"

/* The map key of a question: the name as lib/dns normalizes it ("." stays
 * the root), \001, the type in five digits, \001, the DNS_Q_* flags
 * (each combination is its own question, as in lib/dns's cache). Sorting
 * keys sorts by name, then type, then flags. Made in a buffer on the
 * stack (a tap makes one for each lookup of an audit), in the heap for a
 * longer name; qkey_done frees that. */
struct qkey {
	char *heap;
	char buf[300];
};

static const char *qkey(struct qkey *k, const char *name, uint16_t type, unsigned flags)
{
	size_t cap = strlen(name) + 20; /* \001, 5 digits, \001, 10 digits, NUL */
	char *out = k->buf;
	k->heap = NULL;
	if (cap > sizeof k->buf)
		out = k->heap = xmalloc(cap);
	name_normalize_to(out, cap, name);
	size_t w = strlen(out);
	out[w++] = '\001';
	for (unsigned d = 10000; d; d /= 10)
		out[w++] = (char)('0' + type / d % 10);
	out[w++] = '\001';
	char digits[12];
	size_t nd = 0;
	unsigned f = flags & (DNS_Q_DO | DNS_Q_CD);
	do
		digits[nd++] = (char)('0' + f % 10);
	while (f /= 10);
	while (nd)
		out[w++] = digits[--nd];
	out[w] = '\0';
	return out;
}

static void qkey_done(struct qkey *k)
{
	free(k->heap);
}

static char *key_new(const char *name, uint16_t type, unsigned flags)
{
	struct qkey q;
	char *k = xstrdup(qkey(&q, name, type, flags));
	qkey_done(&q);
	return k;
}

/* The name of a key, in a new string. */
static char *key_name_new(const char *key)
{
	return xstrndup(key, (size_t)(strchr(key, '\001') - key));
}

static uint16_t key_type(const char *key)
{
	return (uint16_t)atoi(strchr(key, '\001') + 1);
}

static unsigned key_flags(const char *key)
{
	return (unsigned)atoi(strrchr(key, '\001') + 1);
}

/* ---- tokens ---- */

static bool bare_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

static void put_token(FILE *out, const char *s, size_t n)
{
	if (bare_ok(s, n)) {
		fwrite(s, 1, n, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03u", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_str(FILE *out, const char *s)
{
	put_token(out, s, strlen(s));
}

/* Reads the next token of *p (bare or quoted) into a new string; its
 * length in *len (a TXT may hold NUL bytes). Returns NULL at the end of
 * the line or on a malformed token (*bad set). */
static char *next_token(const char **p, size_t *len, bool *bad)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	*bad = false;
	if (!*s) {
		*p = s;
		return NULL;
	}
	char *out = xmalloc(strlen(s) + 1);
	size_t n = 0;
	if (*s != '"') {
		while (*s && *s != ' ' && *s != '\t')
			out[n++] = *s++;
	} else {
		s++;
		for (;;) {
			if (!*s) {
				*bad = true;
				free(out);
				return NULL;
			}
			if (*s == '"') {
				s++;
				break;
			}
			if (*s == '\\') {
				if (s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' &&
				    s[3] <= '9') {
					int v = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
					if (v > 255) {
						*bad = true;
						free(out);
						return NULL;
					}
					out[n++] = (char)v;
					s += 4;
				} else if (s[1]) {
					out[n++] = s[1];
					s += 2;
				} else {
					*bad = true;
					free(out);
					return NULL;
				}
				continue;
			}
			out[n++] = *s++;
		}
		if (*s && *s != ' ' && *s != '\t') {
			*bad = true;
			free(out);
			return NULL;
		}
	}
	out[n] = '\0';
	if (len)
		*len = n;
	*p = s;
	return out;
}

/* ---- the recorder ---- */

struct dns_recorder {
	pthread_mutex_t mu;
	struct strmap *answers; /* key -> struct dns_answer *, copies it owns */
};

struct dns_recorder *dns_recorder_new(void)
{
	struct dns_recorder *r = xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	r->answers = strmap_new();
	return r;
}

void dns_recorder_keep(struct dns_recorder *r, const char *name, uint16_t type, unsigned flags,
                       const struct dns_answer *a)
{
	char *k = key_new(name, type, flags);
	pthread_mutex_lock(&r->mu);
	if (!strmap_get(r->answers, k))
		strmap_put(r->answers, k, dns_answer_copy_new(a));
	pthread_mutex_unlock(&r->mu);
	free(k);
}

void dns_recorder_free(struct dns_recorder *r)
{
	if (!r)
		return;
	const char **keys = strmap_keys_sorted_new(r->answers);
	for (size_t i = 0; i < strmap_count(r->answers); i++) {
		struct dns_answer *a = strmap_get(r->answers, keys[i]);
		dns_answer_clear(a);
		free(a);
	}
	free(keys);
	strmap_free(r->answers);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* RFC 3597's generic form: \# LENGTH HEX. */
static void put_rdata(FILE *out, const unsigned char *d, size_t n)
{
	fprintf(out, " \\# %zu ", n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02x", d[i]);
	if (!n)
		fputc('-', out);
}

static void write_rr(FILE *out, const char *kind, uint16_t type, const struct dns_rr *rr)
{
	char ip[INET6_ADDRSTRLEN];
	fprintf(out, "%s %lu", kind, (unsigned long)rr->ttl);
	if (rr->rdata) {
		/* the types lib/dns keeps as wire data (SOA, DS, DNSKEY, RRSIG, TLSA...) */
		put_rdata(out, rr->rdata, rr->rdata_len);
		return;
	}
	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, rr->addr, ip, sizeof ip);
		fprintf(out, " %s", ip);
		break;
	case DNS_T_MX:
		fprintf(out, " %u ", rr->pref);
		put_str(out, rr->name ? rr->name : ".");
		break;
	case DNS_T_PTR:
	case DNS_T_NS:
	case DNS_T_CNAME:
		fputc(' ', out);
		put_str(out, rr->name ? rr->name : ".");
		break;
	case DNS_T_TXT:
		fputc(' ', out);
		/* always quoted: a TXT is a string, even a one-word one */
		if (bare_ok(rr->txt ? rr->txt : "", rr->txt_len))
			fprintf(out, "\"%.*s\"", (int)rr->txt_len, rr->txt);
		else
			put_token(out, rr->txt ? rr->txt : "", rr->txt_len);
		break;
	}
}

/* "NAME TYPE " of a line: the name part of the key, quoted if need be. */
static void put_question(FILE *out, const char *key, size_t name_len, const char *type)
{
	put_token(out, key, name_len);
	fprintf(out, " %s ", type);
}

int dns_recorder_write(struct dns_recorder *r, const char *servers, FILE *out)
{
	pthread_mutex_lock(&r->mu);
	const char **keys = strmap_keys_sorted_new(r->answers);
	size_t n = strmap_count(r->answers);
	fprintf(out, "%s\nservers ", REPLAY_HEADER);
	put_str(out, servers);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		const struct dns_answer *a = strmap_get(r->answers, keys[i]);
		size_t nl = (size_t)(strchr(keys[i], '\001') - keys[i]);
		uint16_t type = key_type(keys[i]);
		unsigned flags = key_flags(keys[i]);
		char tb[12], tn[24];
		snprintf(tn, sizeof tn, "%s%s%s", dns_type_name(type, tb, sizeof tb),
		         flags & DNS_Q_DO ? "+do" : "", flags & DNS_Q_CD ? "+cd" : "");
		put_question(out, keys[i], nl, tn);
		fprintf(out, "status %s %u", dns_status_name(a->status), a->rcode);
		if (a->why) {
			fputc(' ', out);
			put_str(out, a->why);
		}
		fputc('\n', out);
		if (a->ad) {
			put_question(out, keys[i], nl, tn);
			fputs("ad\n", out);
		}
		for (size_t k = 0; k < a->cname_count; k++) {
			put_question(out, keys[i], nl, tn);
			fputs("cname ", out);
			put_str(out, a->cnames[k]);
			fputc('\n', out);
		}
		for (size_t k = 0; k < a->rr_count; k++) {
			put_question(out, keys[i], nl, tn);
			write_rr(out, "rr", type, &a->rrs[k]);
			fputc('\n', out);
		}
		for (size_t k = 0; k < a->sig_count; k++) {
			put_question(out, keys[i], nl, tn);
			write_rr(out, "sig", DNS_T_RRSIG, &a->sigs[k]);
			fputc('\n', out);
		}
	}
	free(keys);
	pthread_mutex_unlock(&r->mu);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- the replay ---- */

struct dns_replay {
	char *name; /* the file, for messages */
	char *servers;
	pthread_mutex_t mu;
	struct strmap *answers;  /* key -> struct dns_answer *, owned */
	struct dns_answer **all; /* every answer parsed, for freeing */
	size_t n_all;
	/* key -> struct made_up *: the answers to questions the file lacks,
	 * kept while an audit holds them (a batch over a file without its
	 * senders' answers would otherwise grow by each sender's questions) */
	struct strmap *made_up;
};

struct made_up {
	struct dns_answer a;
	unsigned long refs;
};

static void made_up_free(struct made_up *m)
{
	dns_answer_clear(&m->a);
	free(m);
}

static struct dns_answer *own_answer(struct dns_replay *r, const char *key, uint16_t type)
{
	struct dns_answer *a = xcalloc(1, sizeof *a);
	a->qname = key_name_new(key);
	a->qtype = type;
	r->all = xrealloc(r->all, (r->n_all + 1) * sizeof *r->all);
	r->all[r->n_all++] = a;
	strmap_put(r->answers, key, a);
	return a;
}

/* TYPE[+do][+cd]: the type and the question's DNS_Q_* flags. */
static int parse_type(const char *s0, uint16_t *out, unsigned *flags)
{
	static const uint16_t known[] = {DNS_T_A,   DNS_T_NS,    DNS_T_CNAME,  DNS_T_SOA,
	                                 DNS_T_PTR, DNS_T_MX,    DNS_T_TXT,    DNS_T_AAAA,
	                                 DNS_T_DS,  DNS_T_RRSIG, DNS_T_DNSKEY, DNS_T_TLSA};
	char s[32], tb[12];
	snprintf(s, sizeof s, "%s", s0);
	*flags = 0;
	for (char *plus; (plus = strrchr(s, '+')) != NULL; *plus = '\0') {
		if (strcmp(plus, "+do") == 0 && !(*flags & DNS_Q_DO))
			*flags |= DNS_Q_DO;
		else if (strcmp(plus, "+cd") == 0 && !(*flags & DNS_Q_CD))
			*flags |= DNS_Q_CD;
		else
			return -1;
	}
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(s, dns_type_name(known[i], tb, sizeof tb)) == 0) {
			*out = known[i];
			return 0;
		}
	char *end;
	if (strncmp(s, "TYPE", 4) == 0) {
		unsigned long v = strtoul(s + 4, &end, 10);
		if (end != s + 4 && !*end && v > 0 && v <= 65535) {
			*out = (uint16_t)v;
			return 0;
		}
	}
	return -1;
}

static int parse_status(const char *s, enum dns_status *out)
{
	for (int i = DNS_OK; i <= DNS_UNTRUSTED; i++)
		if (strcmp(s, dns_status_name((enum dns_status)i)) == 0) {
			*out = (enum dns_status)i;
			return 0;
		}
	return -1;
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* RFC 3597 data after "\#": LENGTH HEX ("-" for none) into rr. */
static const char *parse_rdata(struct dns_rr *rr, const char **p)
{
	bool bad;
	unsigned long n;
	char *len = next_token(p, NULL, &bad), *hex = next_token(p, NULL, &bad);
	const char *why = NULL;
	if (!parse_ulong(len, 65535, &n) || !hex || (n == 0 ? strcmp(hex, "-") != 0 : strlen(hex) != 2 * n))
		why = "record data is \\# LENGTH HEX";
	if (!why) {
		rr->rdata = xmalloc(n ? n : 1);
		rr->rdata_len = n;
		for (size_t i = 0; i < n && !why; i++) {
			int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
			if (hi < 0 || lo < 0)
				why = "record data is \\# LENGTH HEX";
			else
				rr->rdata[i] = (unsigned char)(hi * 16 + lo);
		}
	}
	free(len);
	free(hex);
	return why;
}

/* One record line's data into a new record of a (a signature's into
 * a->sigs). */
static const char *parse_rr(struct dns_answer *a, uint16_t type, const char **p, bool sig)
{
	bool bad;
	size_t len;
	char *ttl = next_token(p, NULL, &bad);
	unsigned long v;
	if (!parse_ulong(ttl, 0xffffffffUL, &v)) {
		free(ttl);
		return "a record's TTL is not a number";
	}
	free(ttl);
	struct dns_rr rr;
	memset(&rr, 0, sizeof rr);
	rr.type = sig ? DNS_T_RRSIG : type;
	rr.ttl = (uint32_t)v;
	const char *why = NULL;
	char *d = next_token(p, &len, &bad);
	if (d && strcmp(d, "\\#") == 0) {
		free(d);
		d = NULL;
		why = parse_rdata(&rr, p);
		type = 0; /* no type-specific data follows */
	} else if (sig) {
		why = "a signature is \\# LENGTH HEX";
	}
	switch (why ? 0 : type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (!d || inet_pton(type == DNS_T_A ? AF_INET : AF_INET6, d, rr.addr) != 1)
			why = "not an address";
		break;
	case DNS_T_MX: {
		char *host = next_token(p, NULL, &bad);
		if (!parse_ulong(d, 65535, &v) || !host) {
			why = "an MX record is PREF HOST";
			free(host);
			break;
		}
		rr.pref = (uint16_t)v;
		rr.name = host;
		break;
	}
	case DNS_T_PTR:
	case DNS_T_NS:
	case DNS_T_CNAME:
		if (!d)
			why = "a record without its host name";
		rr.name = d;
		d = NULL;
		break;
	case DNS_T_TXT:
		if (!d)
			why = "a TXT record without its string";
		rr.txt = d;
		rr.txt_len = len;
		d = NULL;
		break;
	case 0: break;
	default: why = "this type's data is \\# LENGTH HEX";
	}
	free(d);
	if (!why && (d = next_token(p, NULL, &bad)) != NULL) {
		free(d);
		why = "more fields than the record has";
	}
	if (why || bad) {
		free(rr.name);
		free(rr.txt);
		free(rr.rdata);
		return why ? why : "a malformed quoted string";
	}
	if (sig) {
		a->sigs = xrealloc(a->sigs, (a->sig_count + 1) * sizeof *a->sigs);
		a->sigs[a->sig_count++] = rr;
	} else {
		a->rrs = xrealloc(a->rrs, (a->rr_count + 1) * sizeof *a->rrs);
		a->rrs[a->rr_count++] = rr;
	}
	return NULL;
}

/* One line; NULL or what is wrong with it. */
static const char *parse_line(struct dns_replay *r, const char *line)
{
	const char *p = line;
	bool bad;
	char *name = next_token(&p, NULL, &bad);
	if (!name)
		return bad ? "a malformed quoted string" : NULL;
	if (strcmp(name, "servers") == 0) {
		free(name);
		char *s = next_token(&p, NULL, &bad);
		if (!s)
			return "servers without a value";
		free(r->servers);
		r->servers = s;
		return NULL;
	}
	const char *why = NULL;
	char *tn = next_token(&p, NULL, &bad), *kind = next_token(&p, NULL, &bad), *k = NULL;
	uint16_t type;
	unsigned flags;
	if (!tn || !kind) {
		why = "a line is NAME TYPE status|ad|cname|rr|sig ...";
		goto out;
	}
	if (parse_type(tn, &type, &flags) < 0) {
		why = "unknown record type (or flags other than +do, +cd)";
		goto out;
	}
	k = key_new(name, type, flags);
	struct dns_answer *a = strmap_get(r->answers, k);
	if (strcmp(kind, "status") == 0) {
		if (a) {
			why = "a second status line for the same question";
			goto out;
		}
		char *st = next_token(&p, NULL, &bad), *rc = next_token(&p, NULL, &bad);
		enum dns_status s;
		unsigned long rcode;
		if (!st || parse_status(st, &s) < 0 || !parse_ulong(rc, 65535, &rcode)) {
			why = "status STATUS RCODE [WHY], STATUS one of lib/dns's grades";
		} else {
			a = own_answer(r, k, type);
			a->status = s;
			a->rcode = (unsigned)rcode;
			a->why = next_token(&p, NULL, &bad);
			char *extra = bad ? NULL : next_token(&p, NULL, &bad);
			if (extra || bad)
				why = "more fields than a status line has";
			free(extra);
		}
		free(st);
		free(rc);
		goto out;
	}
	if (!a) {
		why = "a record before its question's status line";
		goto out;
	}
	if (strcmp(kind, "ad") == 0) {
		char *extra = next_token(&p, NULL, &bad);
		if (extra || bad)
			why = "ad stands alone";
		free(extra);
		a->ad = true;
	} else if (strcmp(kind, "cname") == 0) {
		char *t = next_token(&p, NULL, &bad);
		if (!t) {
			why = "cname without a target";
			goto out;
		}
		a->cnames = xrealloc(a->cnames, (a->cname_count + 1) * sizeof *a->cnames);
		a->cnames[a->cname_count++] = t;
	} else if (strcmp(kind, "rr") == 0 || strcmp(kind, "sig") == 0) {
		why = parse_rr(a, type, &p, kind[0] == 's');
	} else {
		why = "the third field is status, ad, cname, rr or sig";
	}
out:
	free(name);
	free(tn);
	free(kind);
	free(k);
	return why;
}

struct dns_replay *dns_replay_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct dns_replay *r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	pthread_mutex_init(&r->mu, NULL);
	r->answers = strmap_new();
	r->made_up = strmap_new();
	size_t i = 0, lineno = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		lineno++;
		char *line = xstrndup(text + i, e - i);
		size_t ll = strlen(line);
		const char *why = NULL;
		if (ll != e - i)
			why = "a NUL byte in the line";
		i = e + 1;
		if (ll && line[ll - 1] == '\r')
			line[ll - 1] = '\0';
		if (!why && line[0] != '#')
			why = parse_line(r, line);
		free(line);
		if (why) {
			snprintf(err, errlen, "%.200s:%zu: %s", name, lineno, why);
			dns_replay_free(r);
			return NULL;
		}
	}
	if (!r->servers)
		r->servers = xasprintf("the DNS answers of %s", name);
	return r;
}

struct dns_replay *dns_replay_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %.200s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf;
	size_t len;
	bool failed = !read_all_new(f, &buf, &len);
	fclose(f);
	struct dns_replay *r = NULL;
	if (failed)
		snprintf(err, errlen, "cannot read %.200s", path);
	else
		r = dns_replay_parse(buf, len, path, err, errlen);
	free(buf);
	return r;
}

void dns_replay_free(struct dns_replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_all; i++) {
		dns_answer_clear(r->all[i]);
		free(r->all[i]);
	}
	free(r->all);
	strmap_free(r->answers);
	const char **keys = strmap_keys_sorted_new(r->made_up);
	for (size_t i = 0; i < strmap_count(r->made_up); i++)
		made_up_free(strmap_get(r->made_up, keys[i]));
	free(keys);
	strmap_free(r->made_up);
	pthread_mutex_destroy(&r->mu);
	free(r->servers);
	free(r->name);
	free(r);
}

static const struct dns_answer *replay_query_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	struct dns_replay *r = ctx;
	struct qkey q;
	const char *k = qkey(&q, name, type, flags);
	pthread_mutex_lock(&r->mu);
	struct dns_answer *a = strmap_get(r->answers, k);
	if (!a) {
		struct made_up *m = strmap_get(r->made_up, k);
		if (!m) {
			/* Not "does not exist": the file cannot say. */
			m = xcalloc(1, sizeof *m);
			m->a.qname = key_name_new(k);
			m->a.qtype = type;
			m->a.status = DNS_NETWORK;
			char tb[12];
			m->a.why =
			    xasprintf("%s/%s%s%s is not in the DNS answers of %s (it was not asked when they "
			              "were saved)",
			              m->a.qname, dns_type_name(type, tb, sizeof tb),
			              flags & DNS_Q_DO ? "+do" : "", flags & DNS_Q_CD ? "+cd" : "", r->name);
			strmap_put(r->made_up, k, m);
		}
		m->refs++;
		a = &m->a;
	}
	pthread_mutex_unlock(&r->mu);
	qkey_done(&q);
	return a;
}

size_t dns_replay_made_up(struct dns_replay *r)
{
	pthread_mutex_lock(&r->mu);
	size_t n = strmap_count(r->made_up);
	pthread_mutex_unlock(&r->mu);
	return n;
}

static void replay_release(void *ctx, const char *name, uint16_t type, unsigned flags,
                           const struct dns_answer *a)
{
	struct dns_replay *r = ctx;
	struct qkey q;
	const char *k = qkey(&q, name, type, flags);
	pthread_mutex_lock(&r->mu);
	struct made_up *m = strmap_get(r->made_up, k);
	if (m && &m->a == a && --m->refs == 0)
		made_up_free(strmap_del(r->made_up, k));
	pthread_mutex_unlock(&r->mu);
	qkey_done(&q);
}

static const struct dns_answer *replay_query(void *ctx, const char *name, uint16_t type)
{
	return replay_query_ex(ctx, name, type, 0);
}

static const char *replay_servers(void *ctx)
{
	struct dns_replay *r = ctx;
	return r->servers;
}

struct resolver dns_replay_resolver(struct dns_replay *r)
{
	return (struct resolver){.ctx = r,
	                         .query = replay_query,
	                         .servers = replay_servers,
	                         .query_ex = replay_query_ex,
	                         .release = replay_release};
}

/* ---- the tap ---- */

/* An answer below gave a tap, for the question asked. */
struct given {
	char *name;
	uint16_t type;
	unsigned flags;
	const struct dns_answer *a;
};

struct dns_tap {
	const struct resolver *below;
	struct dns_recorder *rec; /* or NULL */
	pthread_mutex_t mu;
	/* key -> its answer, or the tap itself while it is only prefetched
	 * or being asked. The answers are the audit's memo: the inputs of an
	 * audit ask the same questions (the DMARC record, the PTR, ...) about
	 * three times each, and a memo hit costs no lock of the DNS layer;
	 * below holds each answer for the audit, so it is the one below
	 * would give again. */
	struct strmap *seen;
	struct given *given; /* to give back at the end (when below takes it) */
	size_t n_given, cap_given;
};

struct dns_tap *dns_tap_new(const struct resolver *below, struct dns_recorder *rec)
{
	struct dns_tap *t = xcalloc(1, sizeof *t);
	t->below = below;
	t->rec = rec;
	pthread_mutex_init(&t->mu, NULL);
	/* an audit asks 60 to 100 distinct questions: the map is made for
	 * them at once (each step of its growth was a large allocation), and
	 * no larger (it is zeroed and freed for every sender) */
	t->seen = strmap_new_sized(128);
	return t;
}

void dns_tap_free(struct dns_tap *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_given; i++) {
		struct given *g = &t->given[i];
		t->below->release(t->below->ctx, g->name, g->type, g->flags, g->a);
		free(g->name);
	}
	free(t->given);
	strmap_free(t->seen);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* Counts question k as asked; returns what the tap had for it: its answer,
 * the tap itself (asked, no answer yet), or NULL (new). */
static const void *mark(struct dns_tap *t, const char *k)
{
	pthread_mutex_lock(&t->mu);
	const void *known = strmap_put_new(t->seen, k, t);
	pthread_mutex_unlock(&t->mu);
	return known;
}

/* Counts the questions; passes below, in one call, those the tap has not
 * seen: one it has was already started there (and is held for the audit),
 * and asking again would cost the DNS layer's lock for nothing. The inputs
 * of an audit prefetch what they share. */
static void tap_prefetch_many(void *ctx, const struct dns_question *q, size_t n, unsigned flags)
{
	struct dns_tap *t = ctx;
	struct dns_question stack[64], *fresh = n <= 64 ? stack : xcalloc(n, sizeof *fresh);
	size_t m = 0;
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < n; i++) {
		struct qkey k;
		if (!strmap_put_new(t->seen, qkey(&k, q[i].name, q[i].type, flags), t))
			fresh[m++] = q[i];
		qkey_done(&k);
	}
	pthread_mutex_unlock(&t->mu);
	if (m)
		resolver_prefetch_many(t->below, fresh, m, flags);
	if (fresh != stack)
		free(fresh);
}

static void tap_prefetch_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	tap_prefetch_many(ctx, &(struct dns_question){name, type}, 1, flags);
}

static void tap_prefetch(void *ctx, const char *name, uint16_t type)
{
	tap_prefetch_ex(ctx, name, type, 0);
}

static const struct dns_answer *tap_query_ex(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	struct dns_tap *t = ctx;
	struct qkey q;
	const char *k = qkey(&q, name, type, flags);
	const void *known = mark(t, k);
	if (known && known != t) {
		qkey_done(&q);
		return known;
	}
	const struct dns_answer *a = resolver_query_ex(t->below, name, type, flags);
	if (t->rec)
		dns_recorder_keep(t->rec, name, type, flags, a);
	if (a) {
		pthread_mutex_lock(&t->mu);
		strmap_put(t->seen, k, (void *)a);
		if (t->below->release) {
			xgrow(&t->given, &t->cap_given, t->n_given + 1, sizeof *t->given);
			t->given[t->n_given++] = (struct given){xstrdup(name), type, flags, a};
		}
		pthread_mutex_unlock(&t->mu);
	}
	qkey_done(&q);
	return a;
}

static const struct dns_answer *tap_query(void *ctx, const char *name, uint16_t type)
{
	return tap_query_ex(ctx, name, type, 0);
}

static const char *tap_servers(void *ctx)
{
	struct dns_tap *t = ctx;
	return resolver_servers(t->below);
}

static void tap_limit(void *ctx, const char *zone, int max)
{
	struct dns_tap *t = ctx;
	if (t->below->limit_zone)
		t->below->limit_zone(t->below->ctx, zone, max);
}

static void tap_expect(void *ctx, const char *name)
{
	struct dns_tap *t = ctx;
	if (t->below->expect_tld)
		t->below->expect_tld(t->below->ctx, name);
}

static void tap_rate(void *ctx, const char *zone, const char *key, double qps)
{
	struct dns_tap *t = ctx;
	if (t->below->rate_zone)
		t->below->rate_zone(t->below->ctx, zone, key, qps);
}

static void tap_caps(void *ctx, const struct dns_zone_cap *caps, size_t n)
{
	struct dns_tap *t = ctx;
	resolver_cap_zones(t->below, caps, n);
}

struct resolver dns_tap_resolver(struct dns_tap *t)
{
	return (struct resolver){.ctx = t,
	                         .prefetch = tap_prefetch,
	                         .query = tap_query,
	                         .servers = tap_servers,
	                         .limit_zone = tap_limit,
	                         .expect_tld = tap_expect,
	                         .rate_zone = tap_rate,
	                         .prefetch_ex = tap_prefetch_ex,
	                         .query_ex = tap_query_ex,
	                         .prefetch_many = tap_prefetch_many,
	                         .cap_zones = tap_caps};
}

unsigned long dns_tap_count(struct dns_tap *t)
{
	pthread_mutex_lock(&t->mu);
	unsigned long n = strmap_count(t->seen);
	pthread_mutex_unlock(&t->mu);
	return n;
}
