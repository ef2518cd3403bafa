/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/dmarc (the DMARC record parser and the Tree Walk's
 * names). Our own corpus below, and the 168 cases of five other projects in
 * ../shared/conformance/dmarc (or $SA_SHARED), with the cases where we
 * deliberately disagree listed with the reason. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/records/dmarc.h"
#include "unit.h"

/* One word for what a record is: "notdmarc" (receivers discard it),
 * "invalid" (a syntax error or an invalid report URI, or unusable),
 * "downgrade" (usable only as p=none, RFC 9989 4.10.1), "valid". */
static const char *verdict(const char *txt, size_t len, struct dmarc_record *r)
{
	if (dmarc_parse(txt, len, r) < 0)
		return "notdmarc";
	bool bad_uri = false;
	for (size_t i = 0; i < r->rua_count; i++)
		bad_uri |= !r->rua[i].valid;
	for (size_t i = 0; i < r->ruf_count; i++)
		bad_uri |= !r->ruf[i].valid;
	if (!r->usable || r->error_count || bad_uri)
		return "invalid";
	return r->p_as_none ? "downgrade" : "valid";
}

struct rec {
	const char *txt;
	const char *want;
};

static const struct rec own[] = {
    {"v=DMARC1; p=none", "valid"},
    {"v=DMARC1; p=quarantine; rua=mailto:d@example.com", "valid"},
    {"v=DMARC1; p=reject; sp=none; np=reject", "valid"},
    {"v=DMARC1;p=reject", "valid"},
    {"v=DMARC1 ; p = reject ;", "valid"},
    {"V=DMARC1; P=REJECT", "valid"},
    {"v=DMARC1; p=reject; adkim=s; aspf=s", "valid"},
    {"v=DMARC1; p=reject; t=y", "valid"},
    {"v=DMARC1; p=reject; t=n", "valid"},
    {"v=DMARC1; p=reject; psd=y", "valid"},
    {"v=DMARC1; p=reject; psd=n", "valid"},
    {"v=DMARC1; p=reject; psd=u", "valid"},
    {"v=DMARC1; p=reject; fo=1:d:s", "valid"},
    {"v=DMARC1; p=reject; pct=50", "valid"},
    {"v=DMARC1; p=reject; pct=150", "valid"},
    {"v=DMARC1; p=reject; rf=afrf; ri=86400", "valid"},
    {"v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.net!10m", "valid"},
    {"v=DMARC1; p=reject; rua=mailto:a@example.com, mailto:b@example.com", "valid"},
    {"v=DMARC1; p=reject; rua=mailto:x@example.com?subject=dmarc", "valid"},
    {"v=DMARC1; p=reject; rua=https://report.example.com/dmarc", "valid"},
    {"v=DMARC1; p=reject; rua=mailto:d@example.com; ruf=mailto:f@example.com", "valid"},
    {"v=DMARC1; p=reject; future=1", "valid"},
    {"v=DMARC1; p=none; sp=reject", "valid"},
    {"v=DMARC1; p=reject;;", "valid"},
    {"v=DMARC1; rua=mailto:d@example.com", "downgrade"},
    {"v=DMARC1; p=bogus; rua=mailto:d@example.com", "invalid"},
    {"v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com", "invalid"},
    {"v=DMARC1", "invalid"},
    {"v=DMARC1;", "invalid"},
    {"v=DMARC1; p=bogus", "invalid"},
    {"v=DMARC1; p=none; sp=bogus", "invalid"},
    {"v=DMARC1; p=none; np=maybe", "invalid"},
    {"v=DMARC1; p=none; adkim=x", "invalid"},
    {"v=DMARC1; p=none; aspf=relaxed", "invalid"},
    {"v=DMARC1; p=none; t=yes", "invalid"},
    {"v=DMARC1; p=none; psd=x", "invalid"},
    {"v=DMARC1; p=none; fo=2", "invalid"},
    {"v=DMARC1; p=none; fo=1::d", "invalid"},
    {"v=DMARC1; p=none; p=reject", "invalid"},
    {"v=DMARC1; p=none; rua=d@example.com", "invalid"},
    {"v=DMARC1; p=none; rua=mailto:", "invalid"},
    {"v=DMARC1; p=none; rua=", "invalid"},
    {"v=DMARC1; p=none; rua=mailto:d@example.com!10x", "invalid"},
    {"v=DMARC1; p=none; rua=mailto:d@exa mple.com", "invalid"},
    {"v=DMARC1; p=none; rua=mailto:d@-bad-.example", "invalid"},
    {"v=DMARC1; p=reject; p", "invalid"},
    {"v=DMARC1; p=reject; 9x=1", "invalid"},
    {"v=DMARC1; p=reject; n=\x01", "invalid"},
    {"p=none; v=DMARC1", "notdmarc"},
    {" v=DMARC1; p=none", "notdmarc"},
    {"v=DMARC2; p=none", "notdmarc"},
    {"v=dmarc1; p=none", "notdmarc"},
    {"v=DMARC1p=none", "notdmarc"},
    {"v=spf1 -all", "notdmarc"},
    {"", "notdmarc"},
};

static void t_own_corpus(struct unit_ctx *t)
{
	UNIT_CHECK(t, sizeof own / sizeof *own >= 40);
	for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
		struct dmarc_record r;
		const char *v = verdict(own[i].txt, strlen(own[i].txt), &r);
		if (strcmp(v, own[i].want) != 0)
			printf("     record %zu \"%s\": %s, want %s\n", i, own[i].txt, v, own[i].want);
		UNIT_EQ_STR(t, v, own[i].want);
		dmarc_record_free(&r);
	}
}

static void t_fields(struct unit_ctx *t)
{
	struct dmarc_record r;
	const char *s =
	    "V = DMARC1 ; P = Reject ;\tSP=none; np=quarantine; adkim=s; t=y; psd=n; pct=25; "
	    "rua=mailto:a@Example.COM!10m , mailto:b@reports.example.net; ruf=mailto:f@example.com";
	UNIT_EQ_INT(t, dmarc_parse(s, strlen(s), &r), 0);
	UNIT_EQ_INT(t, r.p, DMARC_POL_REJECT);
	UNIT_EQ_INT(t, r.sp, DMARC_POL_NONE);
	UNIT_EQ_INT(t, r.np, DMARC_POL_QUARANTINE);
	UNIT_EQ_INT(t, r.adkim, 's');
	UNIT_EQ_INT(t, r.aspf, 'r');
	UNIT_CHECK(t, r.testing);
	UNIT_EQ_INT(t, r.psd, 'n');
	UNIT_EQ_INT(t, r.pct, 25);
	UNIT_EQ_INT(t, r.rua_count, 2);
	UNIT_EQ_STR(t, r.rua[0].domain, "example.com");
	UNIT_EQ_INT(t, r.rua[0].max_bytes, 10ULL << 20);
	UNIT_EQ_STR(t, r.rua[1].domain, "reports.example.net");
	UNIT_EQ_STR(t, r.rua[1].scheme, "mailto");
	UNIT_EQ_INT(t, r.ruf_count, 1);
	UNIT_CHECK(t, r.usable && !r.p_as_none && r.error_count == 0);
	dmarc_record_free(&r);

	s = "v=DMARC1; p=bogus; rua=mailto:d@example.com";
	dmarc_parse(s, strlen(s), &r);
	UNIT_CHECK(t, r.usable && r.p_as_none && r.error_count == 1);
	dmarc_record_free(&r);

	/* defaults */
	s = "v=DMARC1; p=quarantine";
	dmarc_parse(s, strlen(s), &r);
	UNIT_EQ_INT(t, r.sp, DMARC_POL_ABSENT);
	UNIT_EQ_INT(t, r.adkim, 'r');
	UNIT_EQ_INT(t, r.psd, 'u');
	UNIT_EQ_INT(t, r.pct, -1);
	UNIT_CHECK(t, !r.testing);
	dmarc_record_free(&r);

	/* binary data: a NUL byte is never a DMARC record */
	static const char nul[] = "v=DMARC1; p=reject\0; p=none";
	UNIT_EQ_INT(t, dmarc_parse(nul, sizeof nul - 1, &r), -1);
	dmarc_record_free(&r);

	UNIT_CHECK(t, dmarc_is_record("v=DMARC1", 8));
	UNIT_CHECK(t, dmarc_is_record("v=DMARC1;", 9));
	UNIT_CHECK(t, dmarc_is_record("v = DMARC1 ;", 12));
	UNIT_CHECK(t, !dmarc_is_record("v=DMARC10", 9));
	UNIT_CHECK(t, !dmarc_is_record("v=DMARC", 7));
	UNIT_EQ_STR(t, dmarc_pol_name(DMARC_POL_QUARANTINE), "quarantine");
	UNIT_CHECK(t, dmarc_pol_rank(DMARC_POL_REJECT) > dmarc_pol_rank(DMARC_POL_QUARANTINE));
	UNIT_CHECK(t, dmarc_pol_rank(DMARC_POL_QUARANTINE) > dmarc_pol_rank(DMARC_POL_NONE));
}

static void check_walk(struct unit_ctx *t, const char *dom, const char *const *want, size_t nwant)
{
	char *names[8];
	size_t n = dmarc_walk_names_new(dom, names);
	UNIT_EQ_INT(t, n, nwant);
	for (size_t i = 0; i < n && i < nwant; i++)
		UNIT_EQ_STR(t, names[i], want[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

static void t_walk_names(struct unit_ctx *t)
{
	/* RFC 9989 4.10's own example */
	static const char *const rfc[] = {"a.b.c.d.e.f.g.h.i.j.mail.example.com",
	                                  "g.h.i.j.mail.example.com",
	                                  "h.i.j.mail.example.com",
	                                  "i.j.mail.example.com",
	                                  "j.mail.example.com",
	                                  "mail.example.com",
	                                  "example.com",
	                                  "com"};
	check_walk(t, rfc[0], rfc, 8);
	static const char *const three[] = {"mail.example.com", "example.com", "com"};
	check_walk(t, three[0], three, 3);
	static const char *const one[] = {"com"};
	check_walk(t, "com", one, 1);
	/* exactly 8 labels: one label off, like a shorter name */
	static const char *const eight[] = {
	    "a.b.c.d.e.f.example.com", "b.c.d.e.f.example.com", "c.d.e.f.example.com", "d.e.f.example.com",
	    "e.f.example.com",         "f.example.com",         "example.com",         "com"};
	check_walk(t, eight[0], eight, 8);
	char *names[8];
	UNIT_EQ_INT(t, dmarc_walk_names_new("", names), 0);
}

/* Cases where this parser deliberately differs from a source, and why. */
static const struct {
	const char *id, *why;
} deviations[] = {
    {"opendmarc-5", "p=n is not a policy (RFC 9989 ABNF); PAM agrees"},
    {"opendmarc-12",
     "rf= is historic: RFC 9989 receivers ignore it (noted, not an error); checkdmarc agrees"},
    {"opendmarc-13", "ri= is historic (noted, not an error)"},
    {"opendmarc-14", "pct= is historic (noted, not an error)"},
    {"opendmarc-17", "mailto://abuse.com has no address: an unusable report URI"},
    {"opendmarc-18", "mailto://abuse.com has no address: an unusable report URI"},
    {"opendmarc-19", "rf= is historic (noted, not an error)"},
    {"mox-bad-27", "RFC 9989 does not require p= right after v=; checkdmarc agrees (warning)"},
    {"mox-valid-91", "an invalid sp= is an error of the record, usable only as p=none (RFC 9989 4.10.1)"},
    {"pam-test_failing-226", "rf= is historic"},
    {"pam-test_failing-227", "ri= is historic"},
    {"pam-test_failing-228", "pct= is historic"},
    {"pam-test_failing-230", "rf= is historic"},
    {"pam-test_failing-231", "RFC 9989 does not require p= right after v="},
    {"pam-test_valid_6", "mailto://abuse.com has no address"},
    {"pam-test_valid_7", "mailto://abuse.com has no address"},
    {"pam-test_p_missing", "RFC 9989: a missing p= with a valid rua= means p=none (RFC 7489 required p=)"},
    {"checkdmarc-testDMARCUnrelatedRecords", "RFC 9989 4.10 discards non-DMARC TXT records before counting"},
};

static const char *deviation(const char *id)
{
	for (size_t i = 0; i < sizeof deviations / sizeof *deviations; i++)
		if (strcmp(deviations[i].id, id) == 0)
			return deviations[i].why;
	return NULL;
}

static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	for (int i = 0; i < n; i++)
		f[i][strcspn(f[i], "\n")] = '\0';
	return n;
}

/* A record set (list) is valid when exactly one member is a DMARC record
 * and that one is valid. */
static const char *set_verdict(const cJSON *set, bool *downgraded)
{
	const cJSON *it, *one = NULL;
	int n = 0;
	cJSON_ArrayForEach(it, set)
	{
		const char *s = cJSON_GetStringValue(it);
		if (s && dmarc_is_record(s, strlen(s))) {
			n++;
			one = it;
		}
	}
	if (n != 1)
		return "invalid";
	struct dmarc_record r;
	const char *s = cJSON_GetStringValue(one);
	const char *v = verdict(s, strlen(s), &r);
	*downgraded = r.usable && r.p_as_none;
	dmarc_record_free(&r);
	return v;
}

static void t_shared_corpus(struct unit_ctx *t)
{
	char path[1024];
	FILE *fp = unit_open_shared(t, "conformance/dmarc/dmarc-record-cases.tsv", "r", path, sizeof path);
	if (!fp)
		return;
	char line[8192];
	int rows = 0, agree = 0, deviating = 0;
	while (fgets(line, sizeof line, fp)) {
		char *f[6];
		if (line[0] == '#' || line[0] == '\n' || split_tabs(line, f, 6) < 4)
			continue;
		cJSON *j = cJSON_Parse(f[3]);
		if (!UNIT_CHECK(t, j != NULL))
			continue;
		const char *v;
		bool downgraded = false;
		if (cJSON_IsArray(j)) {
			v = set_verdict(j, &downgraded);
		} else {
			struct dmarc_record r;
			const char *s = cJSON_GetStringValue(j);
			v = verdict(s, strlen(s), &r);
			downgraded = r.usable && r.p_as_none;
			dmarc_record_free(&r);
		}
		const char *e = f[2];
		bool ok;
		if (strcmp(e, "valid") == 0 || strcmp(e, "valid-with-warning") == 0)
			ok = strcmp(v, "valid") == 0 || strcmp(v, "downgrade") == 0;
		else if (strcmp(e, "valid-after-downgrade") == 0)
			ok = downgraded; /* an invalid record that receivers use as p=none */
		else
			ok = strcmp(v, "invalid") == 0 || strcmp(v, "notdmarc") == 0;
		const char *why = deviation(f[0]);
		if (why) {
			/* A listed deviation must still deviate, or the list is stale. */
			if (!UNIT_CHECK(t, !ok))
				printf("     %s now agrees with its source: remove it from the deviations\n",
				       f[0]);
			deviating++;
		} else {
			if (!ok)
				printf("     %s %s: source says %s, we say %s\n", f[0], f[3], e, v);
			UNIT_CHECK(t, ok);
			agree += ok;
		}
		rows++;
		cJSON_Delete(j);
	}
	fclose(fp);
	UNIT_CHECK(t, rows >= 160);
	printf(
	    "note: shared DMARC corpus: %d of %d cases agree, %d known deviations (RFC 9989 vs RFC 7489)\n",
	    agree, rows, deviating);
}

static const struct unit_case cases[] = {
    {"own record corpus", t_own_corpus},
    {"parsed fields", t_fields},
    {"tree walk names", t_walk_names},
    {"shared record corpus", t_shared_corpus},
};

UNIT_MAIN(cases)
