/* SPDX-License-Identifier: ISC */
/* Unit tests: the finding model, the registry and the report back ends. */
#include <stdlib.h>

#include "../../checks/registry.h"
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
	struct finding *f = findings_add(fs, "rdns.ptr", NULL, STATUS_PASS, "192.0.2.10 has PTR mail.example.com");
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
	struct report_info ri = {&t, "2026-11-22T07:00:00Z", 12};
	struct report_opts o = {color, verbosity, false};
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
	UNIT_CHECK(t, strstr(s, "\nReverse and forward DNS\n  PASS   rdns.ptr: 192.0.2.10 has PTR mail.example.com\n"));
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

static const struct unit_case cases[] = {
	{"text report", t_text},     {"text report -q/-v/colour", t_text_quiet_verbose_color},
	{"json report", t_json},     {"status order", t_status},
};
UNIT_MAIN(cases)
