/* SPDX-License-Identifier: ISC */
/* Unit tests: the finding model, the registry and the report back ends. */
#include <math.h>
#include <stdlib.h>

#include "../../checks/registry.h"
#include "../../lib/net/replay.h"
#include "../../report/report.h"
#include "unit.h"

static void make_target(struct target *t)
{
	memset(t, 0, sizeof *t);
	char why[64];
	ip_parse("192.0.2.10", &t->ip, why, sizeof why);
	t->domain = "example.com";
	t->mail_from = "example.com";
	t->helo = "mail.example.com";
}

static void fill(struct findings *fs)
{
	struct finding *f =
	    findings_add(fs, "rdns.ptr", NULL, STATUS_PASS, "192.0.2.10 has PTR mail.example.com");
	cJSON_AddStringToObject(f->data, "ptr", "mail.example.com");
	f = findings_add(fs, "rdns.single", NULL, STATUS_FAIL, "192.0.2.10 has 2 PTR records");
	finding_set_detail(f, "PTR: a.example.com., evil\x1b[2J.example.com.");
	finding_set_remedy(f, "Keep one PTR record.");
	finding_add_ref(f, "M3AAWG Senders BCP 3.3.2b");
	f = findings_add(fs, "mx.bounces", NULL, STATUS_WARN, "no MX \xff");
	finding_set_remedy(f, "Publish an MX record.");
	findings_add(fs, "helo.syntax", NULL, STATUS_SKIP, "no --helo given");
}

static char *render(bool json, int verbosity, bool color)
{
	struct target t;
	make_target(&t);
	struct findings fs;
	findings_init(&fs);
	fill(&fs);
	struct report_info ri = {.t = &t, .started_at = "2026-11-22T07:00:00Z", .duration_ms = 12};
	struct report_opts o = {.color = color, .verbosity = verbosity};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (json)
		report_json(f, &ri, &fs, &o);
	else
		report_text(f, &ri, &fs, &o);
	fclose(f);
	findings_free(&fs);
	return buf;
}

static void t_text(struct unit_ctx *t)
{
	char *s = render(false, 0, false);
	UNIT_CHECK(
	    t,
	    strstr(s, "\nReverse and forward DNS\n  PASS   rdns.ptr: 192.0.2.10 has PTR mail.example.com\n"));
	UNIT_CHECK(t, strstr(s, "  FAIL   rdns.single: 192.0.2.10 has 2 PTR records\n"));
	UNIT_CHECK(t, strstr(s, "         fix: Keep one PTR record.\n"));
	/* outside data never reaches the terminal raw */
	UNIT_CHECK(t, !strchr(s, '\x1b'));
	UNIT_CHECK(t, strstr(s, "evil\\x1b[2J"));
	UNIT_CHECK(t, strstr(s, "no MX \\xff"));
	UNIT_CHECK(t, strstr(s, "\n1 pass, 1 warn, 1 fail, 0 error, 1 skip, 0 info: FAIL  (12 ms)\n"));
	UNIT_CHECK(t, !strstr(s, "data: "));
	free(s);
}

static void t_text_quiet_verbose_color(struct unit_ctx *t)
{
	char *s = render(false, -1, false);
	UNIT_CHECK(t, !strstr(s, "PASS   rdns.ptr"));
	UNIT_CHECK(t, strstr(s, "FAIL   rdns.single"));
	free(s);
	s = render(false, 1, false);
	UNIT_CHECK(t, strstr(s, "         data: {\"ptr\":\"mail.example.com\"}"));
	free(s);
	s = render(false, 0, true);
	UNIT_CHECK(t, strstr(s, "\033[32mPASS \033[0m"));
	UNIT_CHECK(t, strstr(s, "\033[1;31mFAIL \033[0m"));
	free(s);
}

static void t_json(struct unit_ctx *t)
{
	char *s = render(true, 0, false);
	cJSON *root = cJSON_Parse(s);
	UNIT_CHECK(t, root != NULL);
	if (!root) {
		free(s);
		return;
	}
	UNIT_EQ_INT(t, cJSON_GetObjectItem(root, "schema_version")->valueint, 1);
	UNIT_EQ_STR(t, cJSON_GetObjectItem(root, "status")->valuestring, "fail");
	cJSON *counts = cJSON_GetObjectItem(root, "counts");
	UNIT_EQ_INT(t, cJSON_GetObjectItem(counts, "fail")->valueint, 1);
	UNIT_EQ_INT(t, cJSON_GetObjectItem(counts, "error")->valueint, 0);
	cJSON *checks = cJSON_GetObjectItem(root, "checks");
	UNIT_EQ_INT(t, cJSON_GetArraySize(checks), 4);
	cJSON *c0 = cJSON_GetArrayItem(checks, 0);
	UNIT_CHECK(t, cJSON_IsNull(cJSON_GetObjectItem(c0, "remedy")));
	UNIT_CHECK(t, cJSON_IsNull(cJSON_GetObjectItem(c0, "subject")));
	UNIT_CHECK(t, cJSON_IsNull(cJSON_GetObjectItem(c0, "detail")));
	cJSON *c2 = cJSON_GetArrayItem(checks, 2);
	UNIT_EQ_STR(t, cJSON_GetObjectItem(c2, "summary")->valuestring, "no MX \xef\xbf\xbd");
	UNIT_EQ_STR(t, cJSON_GetObjectItem(c2, "category")->valuestring, "mx");
	cJSON *target = cJSON_GetObjectItem(root, "target");
	UNIT_EQ_STR(t, cJSON_GetObjectItem(target, "helo")->valuestring, "mail.example.com");
	UNIT_CHECK(t, cJSON_IsArray(cJSON_GetObjectItem(target, "selectors")));
	cJSON_Delete(root);
	free(s);
}

/* Whether the compact report (JSON Lines) of fs is byte for byte what
 * cJSON prints of the report's tree; says how not. */
static bool compact_is_tree(struct unit_ctx *t, const struct report_info *ri, const struct findings *fs)
{
	cJSON *tree = report_json_tree(ri, fs);
	char *want = cJSON_PrintUnformatted(tree);
	cJSON_Delete(tree);
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	report_json(out, ri, fs, &(struct report_opts){.compact = true});
	fclose(out);
	bool ok = UNIT_CHECK(t, want && len == strlen(want) + 1 && strncmp(got, want, len - 1) == 0);
	if (!ok)
		fprintf(stderr, "  want %s\n  got  %s\n", want, got);
	free(want);
	free(got);
	return ok;
}

/* compact_is_tree for one sender's findings, which it frees. */
static bool sender_compact_is_tree(struct unit_ctx *t, const struct target *tg, struct findings *fs)
{
	struct report_info ri = {.t = tg, .started_at = "2026-11-22T07:00:00Z", .duration_ms = 1};
	bool ok = compact_is_tree(t, &ri, fs);
	findings_free(fs);
	return ok;
}

/* A compact report writes its checks as text: byte for byte what cJSON
 * prints of the tree, escapes, repaired UTF-8, null members, data that is
 * referenced, copied and repaired, or longer than the writer's buffer. */
static void t_json_checks_text(struct unit_ctx *t)
{
	struct target tg;
	make_target(&tg);
	struct findings fs;
	findings_init(&fs);
	fill(&fs);
	struct finding *f = findings_add(&fs, "spf.record", "sub \"q\" \\ \x01\x7f", STATUS_ERROR,
	                                 "tab\there\r\n\b\f \xc3\xa9 \xe2\x82");
	finding_set_detail(f, "\xf0\x9f\x98\x80 and \xc0\xaf");
	cJSON_AddStringToObject(f->data, "bad\xff key", "bad \xfe value");
	cJSON *arr = cJSON_AddArrayToObject(f->data, "list");
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(1.5));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(-3));
	cJSON_AddItemToArray(arr, cJSON_CreateNull());
	cJSON_AddItemToArray(arr, cJSON_CreateBool(1));
	/* numbers as cJSON prints them: integers, %1.15g, %1.17g, none */
	double nums[] = {0.1,           1e300,        -1e-300, 1099511627776.0, 2147483647.0,
	                 -2147483648.0, 2147483648.0, -0.0,    1.0 / 3,         123456789.123456789,
	                 NAN,           INFINITY,     0};
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(nums[i]));
	cJSON *nested = cJSON_AddObjectToObject(f->data, "nested");
	cJSON_AddItemToObject(nested, "empty", cJSON_CreateArray());
	cJSON_AddItemToObject(nested, "obj", cJSON_CreateObject());
	cJSON_AddItemToObject(nested, "raw", cJSON_CreateRaw("{\"r\":1}"));
	cJSON_AddStringToObject(nested, "cut \xe2\x82", "\xf4\x90\x80\x80 \xed\xa0\x80 ok \xc3\xa9");
	f = findings_add(&fs, "dkim.key", "s1", STATUS_INFO, "long data");
	char big[6000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	cJSON_AddStringToObject(f->data, "big", big);
	f = findings_add(&fs, "dmarc.record", NULL, STATUS_WARN, "data not an object");
	cJSON_Delete(f->data);
	f->data = cJSON_CreateString("a \xff string");
	enum report_mark marks[8] = {MARK_NONE, MARK_NEW, MARK_UNCHANGED, MARK_NONE, MARK_NEW};
	struct report_diff diff = {.marks = marks, .new_count = 2, .unchanged_count = 1};
	for (int with_diff = 0; with_diff < 2; with_diff++) {
		struct report_info ri = {.t = &tg,
		                         .started_at = "2026-11-22T07:00:00Z",
		                         .duration_ms = 12,
		                         .diff = with_diff ? &diff : NULL};
		compact_is_tree(t, &ri, &fs);
	}
	findings_free(&fs);
}

/* Random data (strings of random bytes, numbers of every size, nesting):
 * the writer's text is what cJSON prints of the tree's repaired copy. */
static unsigned long rnd_next(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static char *rnd_string(unsigned long *s, char *buf, size_t cap)
{
	static const char pool[] = "a\"\\\x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff\xc0\xed\xa0\n ";
	size_t n = rnd_next(s) % (cap - 1);
	for (size_t i = 0; i < n; i++)
		buf[i] = pool[rnd_next(s) % (sizeof pool - 1)];
	buf[n] = 0;
	return buf;
}

static cJSON *rnd_value(unsigned long *s, int depth)
{
	char buf[24];
	switch (rnd_next(s) % (depth > 3 ? 5 : 7)) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool(rnd_next(s) % 2);
	case 2: return cJSON_CreateString(rnd_string(s, buf, sizeof buf));
	case 3: return cJSON_CreateNumber((double)(long)rnd_next(s) - 1e9);
	case 4: {
		double m = (double)rnd_next(s) / 7.0;
		int e = (int)(rnd_next(s) % 80) - 40;
		return cJSON_CreateNumber(ldexp(m, e) * (rnd_next(s) % 2 ? 1 : -1));
	}
	case 5: {
		cJSON *a = cJSON_CreateArray();
		for (unsigned long k = rnd_next(s) % 4; k; k--)
			cJSON_AddItemToArray(a, rnd_value(s, depth + 1));
		return a;
	}
	default: {
		cJSON *o = cJSON_CreateObject();
		for (unsigned long k = rnd_next(s) % 4; k; k--)
			cJSON_AddItemToObject(o, rnd_string(s, buf, sizeof buf), rnd_value(s, depth + 1));
		return o;
	}
	}
}

static void t_json_data_random(struct unit_ctx *t)
{
	struct target tg;
	make_target(&tg);
	unsigned long seed = 16;
	int bad = 0;
	for (int round = 0; round < 500 && bad < 3; round++) {
		struct findings fs;
		findings_init(&fs);
		for (int k = 0; k < 4; k++) {
			struct finding *f = findings_add(&fs, "rdns.ptr", NULL, STATUS_PASS, "x");
			cJSON_Delete(f->data);
			f->data = rnd_value(&seed, 0);
		}
		bad += !sender_compact_is_tree(t, &tg, &fs);
	}
}

/* Strings are scanned 8 bytes a step: each character JSON escapes or
 * checks, at each place of a string longer than two steps, written as
 * cJSON writes it. */
static void t_json_string_scan(struct unit_ctx *t)
{
	struct target tg;
	make_target(&tg);
	static const char *const odd[] = {"\"",
	                                  "\\",
	                                  "\x01",
	                                  "\x1f",
	                                  "\n",
	                                  "\x7f",
	                                  "\xc3\xa9",
	                                  "\xe2\x82\xac",
	                                  "\xf0\x9f\x98\x80",
	                                  "\xff",
	                                  "\xc0",
	                                  "\xed\xa0\x80",
	                                  "\xe2\x82",
	                                  " ",
	                                  "~"};
	int bad = 0;
	for (size_t k = 0; k < sizeof odd / sizeof *odd && bad < 3; k++)
		for (size_t at = 0; at < 24 && bad < 3; at++) {
			char str[64];
			memset(str, 'a', 24);
			memcpy(str + at, odd[k], strlen(odd[k]));
			str[24 + strlen(odd[k])] = '\0';
			memset(str + at + strlen(odd[k]), 'b', 24 - at);
			struct findings fs;
			findings_init(&fs);
			struct finding *f = findings_add(&fs, "rdns.ptr", NULL, STATUS_PASS, "%s", str);
			cJSON_Delete(f->data);
			f->data = cJSON_CreateObject();
			cJSON_AddStringToObject(f->data, str, str);
			bad += !sender_compact_is_tree(t, &tg, &fs);
		}
}

/* The catalogue's refs go first and are borrowed (not copied, not freed);
 * the check's own follow, a duplicate dropped; the cap holds. */
static void t_catalogue_refs(struct unit_ctx *t)
{
	struct findings fs;
	findings_init(&fs);
	struct finding *f = findings_add(&fs, "spf.pass", NULL, STATUS_PASS, "x");
	finding_add_ref(f, "RFC 7208 2.6");
	finding_add_ref(f, "own");
	static const char *const cat[] = {"RFC 7208", "RFC 7208 2.6", "M3AAWG"};
	finding_set_catalogue_refs(f, cat, 3);
	UNIT_EQ_INT(t, f->ref_count, 4);
	UNIT_CHECK(t, f->refs[0] == cat[0] && f->refs[1] == cat[1] && f->refs[2] == cat[2]);
	UNIT_EQ_STR(t, f->refs[3], "own");
	UNIT_EQ_STR(t, f->category, "spf");
	UNIT_EQ_STR(t, f->id, "spf.pass");
	f = findings_add(&fs, "dkim", NULL, STATUS_PASS, "y");
	for (int i = 0; i < 6; i++) {
		char r[16];
		snprintf(r, sizeof r, "r%d", i);
		finding_add_ref(f, r);
	}
	finding_set_catalogue_refs(f, cat, 3);
	UNIT_EQ_INT(t, f->ref_count, 6); /* three of the six own ones had no room */
	UNIT_EQ_STR(t, f->refs[3], "r0");
	UNIT_EQ_STR(t, f->refs[5], "r2");
	UNIT_EQ_STR(t, f->category, "dkim");
	findings_free(&fs); /* the sanitizer: nothing leaked, nothing borrowed freed */
}

static void t_status(struct unit_ctx *t)
{
	UNIT_CHECK(t, status_rank(STATUS_FAIL) > status_rank(STATUS_ERROR));
	UNIT_CHECK(t, status_rank(STATUS_ERROR) > status_rank(STATUS_WARN));
	UNIT_CHECK(t, status_rank(STATUS_WARN) > status_rank(STATUS_PASS));
	UNIT_CHECK(t, status_rank(STATUS_PASS) > status_rank(STATUS_INFO));
	UNIT_CHECK(t, status_rank(STATUS_INFO) > status_rank(STATUS_SKIP));
	struct findings fs;
	findings_init(&fs);
	UNIT_CHECK(t, findings_worst(&fs) == STATUS_SKIP);
	findings_add(&fs, "rdns.ptr", NULL, STATUS_INFO, "x");
	findings_add(&fs, "rdns.ptr", NULL, STATUS_ERROR, "y");
	findings_add(&fs, "rdns.ptr", NULL, STATUS_WARN, "z");
	UNIT_CHECK(t, findings_worst(&fs) == STATUS_ERROR);
	findings_remove(&fs, 1);
	UNIT_CHECK(t, findings_worst(&fs) == STATUS_WARN);
	findings_free(&fs);
}

/* A format's whole output for the fixed findings, as one sender or as a
 * batch of the same sender twice. */
static char *render_format(const char *fmt, bool batch)
{
	struct target t;
	make_target(&t);
	struct findings fs;
	findings_init(&fs);
	fill(&fs);
	struct report_info ri = {
	    .t = &t, .started_at = "2026-11-22T07:00:00Z", .duration_ms = 12, .lookups = 1};
	struct report_opts o = {.batch = batch};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct reporter *r = reporter_find(fmt);
	void *st = r->begin(f, &o);
	r->sender(st, &ri, &fs);
	if (batch)
		r->sender(st, &ri, &fs);
	r->end(st, 2);
	fclose(f);
	findings_free(&fs);
	return buf;
}

static void t_formats(struct unit_ctx *t)
{
	UNIT_CHECK(t, reporter_find("xml") == NULL);
	for (size_t i = 0; report_format_names[i]; i++)
		UNIT_CHECK(t, reporter_find(report_format_names[i]) != NULL);
	char *s = render_format("nagios", false);
	const char *want =
	    "SENDERAUDIT CRITICAL - 192.0.2.10 example.com: 2 problems: FAIL rdns.single: 192.0.2.10 "
	    "has 2 PTR records; WARN mx.bounces: no MX \xef\xbf\xbd |";
	UNIT_CHECK(t, strncmp(s, want, strlen(want)) == 0);
	UNIT_CHECK(t, strstr(s, " | pass=1;;;0 warn=1;;;0 fail=1;;;0 error=0;;;0 skip=1;;;0 info=0;;;0 "
	                        "duration=0.012s;;;0 lookups=1;;;0\n"));
	UNIT_CHECK(t, strchr(s, '\n') == s + strlen(s) - 1);
	free(s);
	s = render_format("junit", true);
	UNIT_CHECK(
	    t,
	    strstr(
	        s,
	        "<testsuites name=\"senderaudit\" tests=\"8\" failures=\"4\" errors=\"0\" time=\"0.024\">"));
	UNIT_CHECK(t, strstr(s, "evil\\x1b[2J")); /* no raw control character in XML */
	UNIT_CHECK(t, strstr(s, "<testsuite name=\"192.0.2.10 example.com: rdns\""));
	free(s);
	s = render_format("prometheus", true);
	/* the same sender twice is one series */
	UNIT_CHECK(t, strstr(s, "senderaudit_status{ip=\"192.0.2.10\",domain=\"example.com\"} 2\n"));
	UNIT_CHECK(t, strstr(strstr(s, "senderaudit_status{") + 1, "senderaudit_status{") == NULL);
	UNIT_CHECK(t, strstr(s, "senderaudit_last_run_timestamp_seconds{ip=\"192.0.2.10\",domain=\"example."
	                        "com\"} 1795330800\n"));
	UNIT_CHECK(t, strcmp(s + strlen(s) - 6, "# EOF\n") == 0);
	free(s);
	s = render_format("html", true);
	UNIT_CHECK(t, strncmp(s, "<!DOCTYPE html>", 15) == 0);
	UNIT_CHECK(t, strstr(s, "evil\\x1b[2J.example.com."));
	UNIT_CHECK(t, strstr(s, "<a href=\"#sender-2\">"));
	free(s);
}

/* The DNS answers of text, checked to parse. */
static struct dns_replay *replay_checked(struct unit_ctx *t, const char *text, size_t len)
{
	char err[256];
	struct dns_replay *r = dns_replay_parse(text, len, "mem", err, sizeof err);
	UNIT_CHECK(t, r != NULL);
	return r;
}

static void t_replay(struct unit_ctx *t)
{
	static const char text[] = "# c\nservers \"127.0.0.1#53 \\\"x\\\"\"\n"
	                           "a.test TXT status OK 0\n"
	                           "a.test TXT rr 60 \"v=spf1 \\000 -all\"\n"
	                           "b.test MX status OK 0\nb.test MX cname c.test\nb.test MX rr 5 10 .\n"
	                           "d.test A status SERVFAIL 2 \"why not\"\n";
	char err[256];
	struct dns_replay *r = replay_checked(t, text, sizeof text - 1);
	if (!r)
		return;
	struct resolver res = dns_replay_resolver(r);
	UNIT_EQ_STR(t, resolver_servers(&res), "127.0.0.1#53 \"x\"");
	const struct dns_answer *a = resolver_query(&res, "A.Test.", DNS_T_TXT);
	UNIT_CHECK(t, a->status == DNS_OK && a->rr_count == 1 && a->rrs[0].txt_len == 13 &&
	                  a->rrs[0].txt[7] == '\0');
	a = resolver_query(&res, "b.test", DNS_T_MX);
	UNIT_CHECK(t, a->cname_count == 1 && a->rr_count == 1 && a->rrs[0].pref == 10);
	UNIT_EQ_STR(t, a->rrs[0].name, ".");
	a = resolver_query(&res, "d.test", DNS_T_A);
	UNIT_CHECK(t, a->status == DNS_SERVFAIL && a->rcode == 2);
	UNIT_EQ_STR(t, a->why, "why not");
	a = resolver_query(&res, "e.test", DNS_T_A);
	UNIT_CHECK(t,
	           a->status == DNS_NETWORK && strstr(a->why, "e.test/A is not in the DNS answers of mem"));
	/* recorded again through a tap, the same facts */
	struct dns_recorder *rec = dns_recorder_new();
	struct dns_tap *tap = dns_tap_new(&res, rec);
	struct resolver rr = dns_tap_resolver(tap);
	resolver_query(&rr, "a.test", DNS_T_TXT);
	resolver_query(&rr, "b.test", DNS_T_MX);
	resolver_prefetch(&rr, "c.test", DNS_T_A);
	UNIT_CHECK(t, dns_tap_count(tap) == 3);
	dns_tap_free(tap);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	UNIT_CHECK(t, dns_recorder_write(rec, resolver_servers(&res), f) == 0);
	fclose(f);
	UNIT_CHECK(t, strstr(buf, "\nservers \"127.0.0.1#53 \\\"x\\\"\"\n"));
	UNIT_CHECK(
	    t,
	    strstr(buf,
	           "\na.test TXT rr 60 \"v=spf1 \\000 -all\"\nb.test MX status OK 0\nb.test MX cname c.test\n"
	           "b.test MX rr 5 10 .\n"));
	free(buf);
	dns_recorder_free(rec);
	dns_replay_free(r);
	r = NULL;
	UNIT_CHECK(t, dns_replay_parse("x A rr 1 1.2.3.4\n", 17, "m", err, sizeof err) == NULL);
	UNIT_EQ_STR(t, err, "m:1: a record before its question's status line");
	/* DNSSEC: flags make their own question; AD, RFC 3597 data, signatures */
	static const char sec[] =
	    "s.test DNSKEY+do status OK 0\ns.test DNSKEY+do ad\n"
	    "s.test DNSKEY+do rr 60 \\# 4 0101030d\ns.test DNSKEY+do sig 60 \\# 2 abcd\n"
	    "s.test DNSKEY status NODATA 0\ns.test SOA+do+cd status OK 0\ns.test SOA+do+cd rr 1 \\# 0 -\n";
	r = dns_replay_parse(sec, sizeof sec - 1, "sec", err, sizeof err);
	UNIT_CHECK(t, r != NULL);
	if (r) {
		res = dns_replay_resolver(r);
		a = resolver_query_ex(&res, "s.test", DNS_T_DNSKEY, DNS_Q_DO);
		UNIT_CHECK(t, a->status == DNS_OK && a->ad && a->rr_count == 1 && a->rrs[0].rdata_len == 4 &&
		                  a->rrs[0].rdata[3] == 0x0d && a->sig_count == 1 &&
		                  a->sigs[0].rdata[0] == 0xab);
		UNIT_CHECK(t, resolver_query(&res, "s.test", DNS_T_DNSKEY)->status == DNS_NODATA);
		a = resolver_query_ex(&res, "s.test", DNS_T_SOA, DNS_Q_DO | DNS_Q_CD);
		UNIT_CHECK(t, a->status == DNS_OK && a->rr_count == 1 && a->rrs[0].rdata_len == 0);
		UNIT_CHECK(t, resolver_query_ex(&res, "s.test", DNS_T_SOA, DNS_Q_DO)->status == DNS_NETWORK);
		rec = dns_recorder_new();
		tap = dns_tap_new(&res, rec);
		rr = dns_tap_resolver(tap);
		resolver_query_ex(&rr, "s.test", DNS_T_DNSKEY, DNS_Q_DO);
		resolver_query_ex(&rr, "s.test", DNS_T_SOA, DNS_Q_DO | DNS_Q_CD);
		dns_tap_free(tap);
		buf = NULL;
		f = open_memstream(&buf, &len);
		dns_recorder_write(rec, "x", f);
		fclose(f);
		/* sorted by type code: SOA (6) before DNSKEY (48) */
		UNIT_CHECK(
		    t, strstr(buf,
		              "\ns.test SOA+do+cd status OK 0\ns.test SOA+do+cd rr 1 \\# 0 -\n"
		              "s.test DNSKEY+do status OK 0\ns.test DNSKEY+do ad\n"
		              "s.test DNSKEY+do rr 60 \\# 4 0101030d\ns.test DNSKEY+do sig 60 \\# 2 abcd\n"));
		free(buf);
		dns_recorder_free(rec);
		dns_replay_free(r);
	}
	UNIT_CHECK(t, dns_replay_parse("s A+xx status OK 0\n", 19, "m", err, sizeof err) == NULL);
	UNIT_CHECK(t, dns_replay_parse("s DS status OK 0\ns DS rr 1 \\# 3 ab\n", 36, "m", err, sizeof err) ==
	                  NULL);
	UNIT_EQ_STR(t, err, "m:2: record data is \\# LENGTH HEX");
}

/* A resolver below a tap that counts the questions that reach it. */
struct counted {
	struct resolver below;
	int asked;
};

static const struct dns_answer *counted_query(void *ctx, const char *name, uint16_t type)
{
	struct counted *c = ctx;
	c->asked++;
	return resolver_query(&c->below, name, type);
}

/* The tap is an audit's memo: a question asked again is answered by it,
 * with the same answer, and below sees it once; flags make another
 * question. */
static void t_tap_memo(struct unit_ctx *t)
{
	static const char text[] = "a.test TXT status OK 0\na.test TXT rr 60 \"v=spf1 -all\"\n"
	                           "d.test A status SERVFAIL 2 \"why not\"\n";
	struct dns_replay *r = replay_checked(t, text, sizeof text - 1);
	if (!r)
		return;
	struct counted c = {dns_replay_resolver(r), 0};
	struct resolver below = {.ctx = &c, .query = counted_query};
	struct dns_tap *tap = dns_tap_new(&below, NULL);
	struct resolver rr = dns_tap_resolver(tap);
	resolver_prefetch(&rr, "a.test", DNS_T_TXT);
	const struct dns_answer *a1 = resolver_query(&rr, "a.test", DNS_T_TXT);
	const struct dns_answer *a2 = resolver_query(&rr, "A.TEST.", DNS_T_TXT);
	const struct dns_answer *f1 = resolver_query(&rr, "d.test", DNS_T_A);
	const struct dns_answer *f2 = resolver_query(&rr, "d.test", DNS_T_A);
	UNIT_CHECK(t, a1 == a2 && a1->status == DNS_OK && a1->rr_count == 1);
	UNIT_CHECK(t, f1 == f2 && f1->status == DNS_SERVFAIL);
	UNIT_CHECK(t, c.asked == 2);
	resolver_query(&rr, "a.test", DNS_T_MX);
	UNIT_CHECK(t, c.asked == 3 && dns_tap_count(tap) == 3);
	dns_tap_free(tap);
	dns_replay_free(r);
}

/* A resolver below a tap that counts the prefetches that reach it, one by
 * one or in one call, and the zone caps it is given. */
struct prefetched {
	int one, many_calls, many_questions, caps;
	char last[64];
};

static const struct dns_answer *prefetched_query(void *ctx, const char *name, uint16_t type)
{
	(void)ctx;
	(void)name;
	(void)type;
	return NULL;
}

static void prefetched_one(void *ctx, const char *name, uint16_t type, unsigned flags)
{
	struct prefetched *p = ctx;
	(void)type;
	(void)flags;
	p->one++;
	snprintf(p->last, sizeof p->last, "%s", name);
}

static void prefetched_many(void *ctx, const struct dns_question *q, size_t n, unsigned flags)
{
	struct prefetched *p = ctx;
	(void)flags;
	p->many_calls++;
	p->many_questions += (int)n;
	if (n)
		snprintf(p->last, sizeof p->last, "%s", q[n - 1].name);
}

static void prefetched_caps(void *ctx, const struct dns_zone_cap *caps, size_t n)
{
	struct prefetched *p = ctx;
	(void)caps;
	p->caps += (int)n;
}

/* The tap passes below only the questions it has not seen (they were
 * started there and are held for the audit): one by one, or the new ones
 * of a set in one call; a set without a new one costs below nothing;
 * zone caps go through. */
static void t_tap_prefetch(struct unit_ctx *t)
{
	struct prefetched p = {0};
	struct resolver below = {.ctx = &p,
	                         .query = prefetched_query,
	                         .prefetch_ex = prefetched_one,
	                         .prefetch_many = prefetched_many,
	                         .cap_zones = prefetched_caps};
	struct dns_tap *tap = dns_tap_new(&below, NULL);
	struct resolver rr = dns_tap_resolver(tap);
	resolver_prefetch(&rr, "a.test", DNS_T_A);
	resolver_prefetch(&rr, "A.test.", DNS_T_A);
	UNIT_CHECK(t, p.many_calls + p.one == 1 && p.many_questions + p.one == 1);
	struct dns_question qs[] = {{"a.test", DNS_T_A}, {"a.test", DNS_T_TXT}, {"b.test", DNS_T_A}};
	p = (struct prefetched){0};
	resolver_prefetch_many(&rr, qs, 3, 0);
	UNIT_CHECK(t, p.many_calls == 1 && p.many_questions == 2 && strcmp(p.last, "b.test") == 0);
	resolver_prefetch_many(&rr, qs, 3, 0);
	UNIT_CHECK(t, p.many_calls == 1 && p.many_questions == 2);
	resolver_prefetch_many(&rr, qs, 1, DNS_Q_DO); /* flags: another question */
	UNIT_CHECK(t, p.many_questions == 3 && dns_tap_count(tap) == 4);
	struct dns_zone_cap caps[] = {{"l1.test", 16, "op", 0}, {"l2.test", 16, "op", 5}};
	resolver_cap_zones(&rr, caps, 2);
	UNIT_CHECK(t, p.caps == 2);
	dns_tap_free(tap);
	/* without prefetch_many below, one prefetch_ex each */
	struct prefetched q = {0};
	struct resolver plain = {.ctx = &q, .query = prefetched_query, .prefetch_ex = prefetched_one};
	resolver_prefetch_many(&plain, qs, 3, 0);
	UNIT_CHECK(t, q.one == 3 && strcmp(q.last, "b.test") == 0);
}

/* A made-up answer (the file lacks the question) lives while a tap holds
 * it, and no longer: a batch over such a file does not grow. */
static void t_replay_made_up(struct unit_ctx *t)
{
	static const char text[] = "a.test TXT status OK 0\n";
	struct dns_replay *r = replay_checked(t, text, sizeof text - 1);
	if (!r)
		return;
	struct resolver below = dns_replay_resolver(r);
	struct dns_tap *t1 = dns_tap_new(&below, NULL), *t2 = dns_tap_new(&below, NULL);
	struct resolver r1 = dns_tap_resolver(t1), r2 = dns_tap_resolver(t2);
	const struct dns_answer *m1 = resolver_query(&r1, "m.test", DNS_T_A);
	const struct dns_answer *m2 = resolver_query(&r2, "M.test.", DNS_T_A);
	resolver_query(&r1, "m.test", DNS_T_A);
	resolver_query_ex(&r1, "m.test", DNS_T_A, DNS_Q_DO);
	const struct dns_answer *f = resolver_query(&r1, "a.test", DNS_T_TXT);
	UNIT_CHECK(t, m1 == m2 && m1->status == DNS_NETWORK && strstr(m1->why, "m.test/A is not in"));
	UNIT_CHECK(t, f->status == DNS_OK && dns_replay_made_up(r) == 2);
	dns_tap_free(t1);
	/* t2 still reads it */
	UNIT_CHECK(t, dns_replay_made_up(r) == 1 && strcmp(m2->qname, "m.test") == 0);
	dns_tap_free(t2);
	UNIT_CHECK(t, dns_replay_made_up(r) == 0);
	/* asked again later, made up again */
	struct dns_tap *t3 = dns_tap_new(&below, NULL);
	struct resolver r3 = dns_tap_resolver(t3);
	UNIT_CHECK(t, resolver_query(&r3, "m.test", DNS_T_A)->status == DNS_NETWORK &&
	                  dns_replay_made_up(r) == 1);
	dns_tap_free(t3);
	dns_replay_free(r);
}

static const struct unit_case cases[] = {
    {"text report", t_text},
    {"text report -q/-v/colour", t_text_quiet_verbose_color},
    {"json report", t_json},
    {"json checks as text", t_json_checks_text},
    {"json strings, 8 bytes a step", t_json_string_scan},
    {"json data, random", t_json_data_random},
    {"status order", t_status},
    {"catalogue refs", t_catalogue_refs},
    {"formats", t_formats},
    {"DNS answer files", t_replay},
    {"the tap's memo", t_tap_memo},
    {"the tap's prefetches", t_tap_prefetch},
    {"a replay's made-up answers", t_replay_made_up},
};
UNIT_MAIN(cases)
