/* SPDX-License-Identifier: ISC */
/* json: the JSON report, schema version 1 (shared/spec/json.md), and its
 * reporter: one object, or one line per sender in a batch (JSON Lines). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/strbuf.h"
#include "../lib/util/json.h"
#include "../lib/util/text.h"
#include "../lib/util/xalloc.h"
#include "report.h"

#define SCHEMA_VERSION 1

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* DNS and RDAP strings are bytes, not text: make every string valid UTF-8
 * (cJSON prints whatever it holds). */
static void sanitize(cJSON *n);

void report_json_sanitize(cJSON *root)
{
	sanitize(root);
}

static void sanitize(cJSON *n)
{
	for (; n; n = n->next) {
		if (n->type & cJSON_IsReference)
			continue; /* a finding's data, found valid (utf8_tree) */
		if (cJSON_IsString(n) && n->valuestring) {
			size_t len = strlen(n->valuestring);
			if (!utf8_valid(n->valuestring, len)) {
				char *c = utf8_sanitize_new(n->valuestring, len);
				cJSON_SetValuestring(n, c);
				free(c);
			}
		}
		size_t klen = n->string ? strlen(n->string) : 0;
		if (n->string && !utf8_valid(n->string, klen)) {
			char *c = utf8_sanitize_new(n->string, klen);
			if (!(n->type & cJSON_StringIsConst))
				free(n->string);
			n->string = c;
			n->type &= ~cJSON_StringIsConst;
		}
		sanitize(n->child);
	}
}

/* Whether every string and key under n (n's siblings included) is valid
 * UTF-8. */
static bool utf8_tree(const cJSON *n)
{
	for (; n; n = n->next) {
		if (cJSON_IsString(n) && n->valuestring &&
		    !utf8_valid(n->valuestring, strlen(n->valuestring)))
			return false;
		if (n->string && !utf8_valid(n->string, strlen(n->string)))
			return false;
		if (!utf8_tree(n->child))
			return false;
	}
	return true;
}

/* The contract: remedy is null exactly for pass, info and skip. */
static const char *remedy_of(const struct finding *f)
{
	bool needs = f->status == STATUS_WARN || f->status == STATUS_FAIL || f->status == STATUS_ERROR;
	return needs ? (f->remedy ? f->remedy : "See the detail above.") : NULL;
}

/* Whether a finding's data goes into the report as it is: an object or
 * array of valid UTF-8 (else a repaired copy). */
static bool data_as_is(const cJSON *data)
{
	return data && (cJSON_IsObject(data) || cJSON_IsArray(data)) && !(data->type & cJSON_IsReference) &&
	       utf8_tree(data->child);
}

/* A finding's data in the report: referenced when valid UTF-8 (a batch
 * writes hundreds of findings a second; a deep copy of each, made only to
 * be printed and freed, was most of the writer's work), else a copy that
 * sanitize() repairs. */
static void add_data(cJSON *o, const cJSON *data)
{
	if (data_as_is(data))
		cJSON_AddItemReferenceToObject(o, "data", (cJSON *)data);
	else
		JSON_ITEM(o, "data", cJSON_Duplicate(data, 1));
}

/* ------------------------------------------------------------ checks, as text */

/* A batch writes hundreds of findings a second: building each as cJSON
 * nodes to print and free them was a fifth of a batch's CPU. The compact
 * report (JSON Lines) writes its "checks" array as text here, the same as
 * cJSON_PrintUnformatted of the tree's (tests/unit/test_report.c compares
 * them), and hands it to the tree as a raw item. */

static void put(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

/* A string literal, its length known (no strlen for every key and token). */
#define PUT_LIT(sb, lit) sb_putn((sb), "" lit, sizeof(lit) - 1)

/* Printable ASCII that JSON takes as it is (not '"' or '\\'): the most of a
 * report's bytes, tested with a shift and a mask instead of four compares. */
static bool plain_byte(char ch)
{
	static const uint32_t plain[4] = {0x00000000u, 0xfffffffbu, 0xefffffffu, 0xffffffffu};
	unsigned char c = (unsigned char)ch;
	return c < 0x80 && (plain[c >> 5] >> (c & 31) & 1u);
}

/* Whether the 8 bytes of x are all plain_byte ones (none under 0x20, none
 * from 0x80, no '"' or '\\'): a report's strings are scanned 8 bytes a step
 * (the byte loop was half of writing JSON Lines). */
static bool plain8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	/* (v - ones) & ~v has a high bit set when v has a zero byte; x -
	 * 0x20 in each, when x has a byte under 0x20 */
	uint64_t bad = x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b);
	return !(bad & high);
}

/* s as cJSON prints a string, made valid UTF-8 as sanitize() does: one
 * pass that copies runs, escapes what JSON must, and checks each multibyte
 * sequence (an invalid one, rare, sends the repaired copy through). The
 * length comes first (libc's strlen is vectorised): the runs are then
 * scanned 8 bytes a step, at most 7 a byte (a byte loop that looked for
 * the end itself took a quarter of writing JSON Lines in the profile). */
static void put_string(struct strbuf *sb, const char *s)
{
	if (!s)
		s = ""; /* as cJSON prints a string without value */
	size_t start = sb->len;
	char *fixed = NULL;
	const char *p = s, *end = s + strlen(s);
	sb_putn(sb, "\"", 1);
	for (;;) {
		const char *run = p;
		size_t n;
		for (;;) {
			uint64_t x;
			while (end - p >= 8 && (memcpy(&x, p, 8), plain8(x)))
				p += 8;
			while (p < end && plain_byte(*p))
				p++;
			if (p < end && (unsigned char)*p >= 0x80 && (n = utf8_seq_at(p)) > 0)
				p += n;
			else
				break;
		}
		sb_putn(sb, run, (size_t)(p - run));
		if (p == end)
			break;
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80) { /* invalid UTF-8: start again on the repaired copy */
			sb->len = start;
			fixed = utf8_sanitize_new(s, strlen(s));
			p = s = fixed;
			end = s + strlen(s);
			sb_putn(sb, "\"", 1);
			continue;
		}
		char esc[8];
		switch (c) {
		case '"': PUT_LIT(sb, "\\\""); break;
		case '\\': PUT_LIT(sb, "\\\\"); break;
		case '\b': PUT_LIT(sb, "\\b"); break;
		case '\f': PUT_LIT(sb, "\\f"); break;
		case '\n': PUT_LIT(sb, "\\n"); break;
		case '\r': PUT_LIT(sb, "\\r"); break;
		case '\t': PUT_LIT(sb, "\\t"); break;
		default: snprintf(esc, sizeof esc, "\\u%04x", c); put(sb, esc);
		}
		p++;
	}
	sb_putn(sb, "\"", 1);
	free(fixed);
}

/* ,"key":"val" (the first member of an object comes without the comma);
 * a NULL val is null, or no member unless null_ok. */
static void put_member_n(struct strbuf *sb, const char *key, size_t key_len, const char *val, bool null_ok)
{
	if (!val && !null_ok)
		return;
	if (sb->len && sb->s[sb->len - 1] != '{')
		sb_putn(sb, ",", 1);
	sb_putn(sb, "\"", 1);
	sb_putn(sb, key, key_len);
	sb_putn(sb, "\":", 2);
	if (val)
		put_string(sb, val);
	else
		PUT_LIT(sb, "null");
}
#define put_member(sb, key, val, null_ok) put_member_n((sb), "" key, sizeof(key) - 1, (val), (null_ok))

/* A number as cJSON 1.7.15 prints it: the shortest of %1.15g and %1.17g
 * that reads back (an integer below 10^15, the common case, without
 * printf: %1.15g writes its digits). */
static void put_number(struct strbuf *sb, const cJSON *n)
{
	double d = n->valuedouble;
	char buf[32];
	if (isnan(d) || isinf(d)) {
		PUT_LIT(sb, "null");
		return;
	}
	if (d == floor(d) && fabs(d) < 1e15) {
		char *e = buf + sizeof buf, *q = e;
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		do
			*--q = (char)('0' + u % 10);
		while (u /= 10);
		if (signbit(d))
			*--q = '-'; /* -0 too */
		sb_putn(sb, q, (size_t)(e - q));
		return;
	}
	snprintf(buf, sizeof buf, "%1.15g", d);
	double back = 0; /* read back as cJSON does (its compare_double) */
	if (sscanf(buf, "%lg", &back) != 1 || fabs(back - d) > fmax(fabs(back), fabs(d)) * DBL_EPSILON)
		snprintf(buf, sizeof buf, "%1.17g", d);
	put(sb, buf);
}

/* An item's value as cJSON_PrintUnformatted writes it, strings and keys
 * made valid UTF-8 as sanitize() makes them. */
static void put_value(struct strbuf *sb, const cJSON *v)
{
	switch (v->type & 0xff) {
	case cJSON_NULL: PUT_LIT(sb, "null"); return;
	case cJSON_False: PUT_LIT(sb, "false"); return;
	case cJSON_True: PUT_LIT(sb, "true"); return;
	case cJSON_Number: put_number(sb, v); return;
	case cJSON_String: put_string(sb, v->valuestring); return;
	case cJSON_Raw:
		if (v->valuestring)
			put(sb, v->valuestring);
		return;
	case cJSON_Array:
	case cJSON_Object: {
		bool obj = (v->type & 0xff) == cJSON_Object;
		sb_putn(sb, obj ? "{" : "[", 1);
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				sb_putn(sb, ",", 1);
			if (obj) {
				put_string(sb, c->string);
				sb_putn(sb, ":", 1);
			}
			put_value(sb, c);
		}
		sb_putn(sb, obj ? "}" : "]", 1);
		return;
	}
	default: return;
	}
}

/* The data as add_data() and sanitize() leave it in the tree, written
 * straight from the finding's (no copy, no second walk to check it). */
static void put_data(struct strbuf *sb, const cJSON *data)
{
	if (!data)
		return; /* the tree has no "data" then either */
	put(sb, sb->s[sb->len - 1] == '{' ? "\"data\":" : ",\"data\":");
	put_value(sb, data);
}

/* Appends the checks array to sb. */
static void checks_text(struct strbuf *sb, const struct report_info *ri, const struct findings *fs)
{
	sb_putn(sb, "[", 1);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		sb_putn(sb, i ? ",{" : "{", i ? 2 : 1);
		/* (cJSON_AddStringToObject leaves out a NULL string) */
		put_member(sb, "id", f->id, false);
		put_member(sb, "category", f->category, false);
		put_member(sb, "subject", f->subject, true);
		put_member(sb, "status", status_name(f->status), false);
		put_member(sb, "summary", f->summary, false);
		put_member(sb, "detail", f->detail, true);
		put_member(sb, "remedy", remedy_of(f), true);
		PUT_LIT(sb, ",\"refs\":[");
		for (size_t k = 0; k < f->ref_count; k++) {
			if (k)
				sb_putn(sb, ",", 1);
			put_string(sb, f->refs[k]);
		}
		sb_putn(sb, "]", 1);
		put_data(sb, f->data);
		if (ri->diff && ri->diff->marks[i] != MARK_NONE)
			put_member(sb, "baseline", ri->diff->marks[i] == MARK_NEW ? "new" : "unchanged",
			           false);
		sb_putn(sb, "}", 1);
	}
	sb_putn(sb, "]", 1);
}

/* ------------------------------------------------------------ the report */

/* The baseline member: what --baseline made of the sender. */
static cJSON *baseline_new(const struct report_diff *d)
{
	cJSON *b = cJSON_CreateObject();
	JSON_BOOL(b, "sender_known", d->sender_known);
	JSON_NUM(b, "new", (double)d->new_count);
	JSON_NUM(b, "unchanged", (double)d->unchanged_count);
	cJSON *fx = JSON_ARR(b, "fixed");
	for (size_t k = 0; k < d->fixed_count; k++) {
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "id", d->fixed[k].id);
		JSON_ITEM(o, "subject", str_or_null(d->fixed[k].subject));
		JSON_STR(o, "status", d->fixed[k].status);
		JSON_STR(o, "summary", d->fixed[k].summary);
		cJSON_AddItemToArray(fx, o);
	}
	return b;
}

/* The report as a tree; with head_only, only the members before "checks"
 * (the compact report writes the rest as text). */
static cJSON *tree_new(const struct report_info *ri, const struct findings *fs, bool head_only)
{
	const struct target *t = ri->t;
	cJSON *root = cJSON_CreateObject();
	JSON_NUM(root, "schema_version", SCHEMA_VERSION);
	cJSON *tool = JSON_OBJ(root, "tool");
	JSON_STR(tool, "name", "senderaudit");
	JSON_STR(tool, "version", SA_VERSION);

	cJSON *tg = JSON_OBJ(root, "target");
	JSON_STR(tg, "ip", t->ip.text);
	if (t->ip.mapped) {
		/* audited as the IPv4 address it maps */
		char given[64];
		snprintf(given, sizeof given, "::ffff:%s", t->ip.text);
		JSON_STR(tg, "ip_given", given);
	}
	JSON_STR(tg, "domain", t->domain);
	JSON_ITEM(tg, "helo", str_or_null(t->helo));
	JSON_STR(tg, "mail_from_domain", t->mail_from);
	JSON_BOOL(tg, "shared", t->shared);
	cJSON *sel = JSON_ARR(tg, "selectors");
	for (size_t i = 0; i < t->selector_count; i++)
		cJSON_AddItemToArray(sel, cJSON_CreateString(t->selectors[i]));
	if (t->message) {
		/* where each input came from: the command line, or the message's
		 * headers (hints: a sender can write any header) */
		cJSON *m = JSON_OBJ(tg, "message");
		JSON_STR(m, "file", t->message_file);
		JSON_NUM(m, "bytes", (double)t->message_len);
		JSON_ITEM(m, "from_domain", str_or_null(t->message_from));
		JSON_BOOL(m, "bulk_option", t->bulk);
		JSON_BOOL(m, "null_return_path", t->null_return_path);
		if (t->received_line)
			JSON_NUM(m, "received_line", (double)t->received_line);
		else
			JSON_NULL(m, "received_line");
		cJSON *src = JSON_OBJ(tg, "sources");
		JSON_STR(src, "ip",
		         t->ip_src == SRC_HEADER ? "received"
		         : t->ip_src == SRC_SMTP ? "smtp"
		                                 : "argument");
		JSON_STR(src, "domain",
		         t->domain_src == SRC_HEADER ? "from"
		         : t->domain_src == SRC_SMTP ? "smtp"
		                                     : "argument");
		JSON_ITEM(src, "helo",
		          !t->helo                    ? cJSON_CreateNull()
		          : t->helo_src == SRC_HEADER ? cJSON_CreateString("received")
		          : t->helo_src == SRC_SMTP   ? cJSON_CreateString("smtp")
		                                      : cJSON_CreateString("option"));
		JSON_STR(src, "mail_from",
		         t->mail_from_src == SRC_HEADER    ? "return-path"
		         : t->mail_from_src == SRC_SMTP    ? "smtp"
		         : t->mail_from_src == SRC_DEFAULT ? "domain"
		                                           : "option");
	}

	if (t->wire) {
		/* receive: what the SMTP session showed */
		const struct target_wire *w = t->wire;
		cJSON *rx = JSON_OBJ(root, "received");
		JSON_STR(rx, "client_ip", t->ip.text);
		JSON_NUM(rx, "client_port", w->client_port);
		JSON_ITEM(rx, "helo", str_or_null(w->helo));
		JSON_BOOL(rx, "esmtp", w->esmtp);
		JSON_BOOL(rx, "starttls", w->starttls);
		JSON_ITEM(rx, "tls_version", str_or_null(w->tls_version));
		JSON_ITEM(rx, "tls_cipher", str_or_null(w->tls_cipher));
		JSON_STR(rx, "mail_from", w->mail_from ? w->mail_from : "");
		JSON_NUM(rx, "rcpt_count", (double)w->rcpt_count);
		JSON_NUM(rx, "size", (double)w->size);
		JSON_STR(rx, "received_at", w->received_at);
	}
	JSON_STR(root, "started_at", ri->started_at);
	JSON_NUM(root, "duration_ms", (double)ri->duration_ms);
	JSON_STR(root, "status", status_name(findings_worst(fs)));
	long counts[STATUS_COUNT] = {0};
	for (size_t i = 0; i < fs->n; i++)
		counts[fs->v[i].status]++;
	cJSON *c = JSON_OBJ(root, "counts");
	static const enum status order[] = {STATUS_PASS,  STATUS_WARN, STATUS_FAIL,
	                                    STATUS_ERROR, STATUS_SKIP, STATUS_INFO};
	for (size_t i = 0; i < STATUS_COUNT; i++)
		cJSON_AddNumberToObject(c, status_name(order[i]), (double)counts[order[i]]);

	if (head_only) {
		sanitize(root);
		return root;
	}
	cJSON *arr = JSON_ARR(root, "checks");
	for (size_t i = 0; arr && i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		cJSON *o = cJSON_CreateObject();
		JSON_STR(o, "id", f->id);
		JSON_STR(o, "category", f->category);
		JSON_ITEM(o, "subject", str_or_null(f->subject));
		JSON_STR(o, "status", status_name(f->status));
		JSON_STR(o, "summary", f->summary);
		JSON_ITEM(o, "detail", str_or_null(f->detail));
		JSON_ITEM(o, "remedy", str_or_null(remedy_of(f)));
		cJSON *refs = JSON_ARR(o, "refs");
		for (size_t k = 0; k < f->ref_count; k++)
			cJSON_AddItemToArray(refs, cJSON_CreateString(f->refs[k]));
		add_data(o, f->data);
		if (ri->diff && ri->diff->marks[i] != MARK_NONE)
			JSON_STR(o, "baseline", ri->diff->marks[i] == MARK_NEW ? "new" : "unchanged");
		cJSON_AddItemToArray(arr, o);
	}
	if (ri->diff)
		JSON_ITEM(root, "baseline", baseline_new(ri->diff));
	sanitize(root);
	return root;
}

cJSON *report_json_tree(const struct report_info *ri, const struct findings *fs)
{
	return tree_new(ri, fs, false);
}

/* Appends item as cJSON_PrintUnformatted prints it, without its last
 * skip_end bytes; a small item is printed on the stack. */
static void put_tree(struct strbuf *sb, const cJSON *item, size_t skip_end)
{
	char buf[4096];
	char *s =
	    cJSON_PrintPreallocated((cJSON *)item, buf, sizeof buf, 0) ? buf : cJSON_PrintUnformatted(item);
	if (!s)
		return;
	size_t len = strlen(s);
	sb_putn(sb, s, len > skip_end ? len - skip_end : 0);
	if (s != buf)
		free(s);
}

/* A sender's JSON line, appended to sb: the head from its tree, the checks
 * written as text (handing them to the tree as a raw item, to print it
 * whole, copied them three times). */
static void put_line(struct strbuf *sb, const struct report_info *ri, const struct findings *fs)
{
	cJSON *head = tree_new(ri, fs, true);
	put_tree(sb, head, 1); /* without its closing brace */
	cJSON_Delete(head);
	PUT_LIT(sb, ",\"checks\":");
	checks_text(sb, ri, fs);
	if (ri->diff) {
		cJSON *b = baseline_new(ri->diff);
		sanitize(b);
		PUT_LIT(sb, ",\"baseline\":");
		put_tree(sb, b, 0);
		cJSON_Delete(b);
	}
	PUT_LIT(sb, "}\n");
}

/* The sender's report as report_json writes it, appended to sb. */
static void put_report(struct strbuf *sb, const struct report_info *ri, const struct findings *fs,
                       bool compact)
{
	if (compact) {
		put_line(sb, ri, fs);
		return;
	}
	cJSON *root = tree_new(ri, fs, false);
	char *s = cJSON_Print(root);
	if (s) {
		put(sb, s);
		PUT_LIT(sb, "\n");
		free(s);
	}
	cJSON_Delete(root);
}

void report_json(FILE *out, const struct report_info *ri, const struct findings *fs,
                 const struct report_opts *o)
{
	struct strbuf sb = {0};
	put_report(&sb, ri, fs, o->compact);
	fwrite(sb_str(&sb), 1, sb.len, out);
	sb_free(&sb);
}

struct json_state {
	FILE *out;
	struct report_opts o;
	struct strbuf buf; /* the sender being written, kept from one to the next */
};

/* A batch writes JSON Lines. */
static bool compact_of(const struct report_opts *o)
{
	return o->compact || o->batch;
}

static void *json_begin(FILE *out, const struct report_opts *o)
{
	struct json_state *st = xcalloc(1, sizeof *st);
	st->out = out;
	st->o = *o;
	st->o.compact = compact_of(o);
	return st;
}

static void json_sender(void *p, const struct report_info *ri, const struct findings *fs)
{
	struct json_state *st = p;
	sb_clear(&st->buf);
	put_report(&st->buf, ri, fs, st->o.compact);
	fwrite(sb_str(&st->buf), 1, st->buf.len, st->out);
}

static void json_sender_text(const struct report_opts *o, const struct report_info *ri,
                             const struct findings *fs, struct strbuf *out)
{
	put_report(out, ri, fs, compact_of(o));
}

static void json_end(void *p, int exit_status)
{
	(void)exit_status;
	struct json_state *st = p;
	sb_free(&st->buf);
	free(st);
}

const struct reporter reporter_json = {.name = "json",
                                       .begin = json_begin,
                                       .sender = json_sender,
                                       .end = json_end,
                                       .sender_text = json_sender_text};
