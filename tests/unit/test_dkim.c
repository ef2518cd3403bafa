/* SPDX-License-Identifier: ISC */
/* Unit tests: lib/dkimkey (the RFC 6376 3.6.1 key-record parser and the
 * OpenSSL key decoding). Three corpora: our own records below, the shared
 * conformance table (../shared/conformance/dkim, or $SA_SHARED), and keys of
 * every size generated at test time with the openssl command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/records/dkimkey.h"
#include "unit.h"

#define K2048                                                                                                \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAorg6UxkJL1p6KHWIdsAaCKhlb+ds65s+"                       \
	"EARhezsI18nUp3rNbCtfw12oibtpHD"                                                                     \
	"Bxsk8k1LF4Xvf4DVbdduI9NwyuOJNEar57EOVONbmYtvbMBHMCJMOlKDLkW5cAgEON0GHXHfqX5EdvxlUDRgdGAbWrs/gvVDD/" \
	"c7a72aD"                                                                                            \
	"eCetoQyPZIzAdOV8YNrct0aYBbWhcFWiKHVUX9WOxzQ4DDQUHwm0uRHewH31p1TyBv6tL+"                             \
	"N2ZcWfqiykHEH9q6IXLUFbAwRv6BIzZKDjv"                                                                \
	"VdLrFT0MJGahjJjuebJwTIlLe2wb9muV67iFwmwgYGAj/Q3m1zGSuf/wJuVZMAv0SU3eoQIDAQAB"
/* The same key folded as a zone file or a web form might (FWS inside p=). */
#define K2048_FOLDED                                                                                         \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAorg6UxkJL1p6KHWIdsAaCKhlb+ds65s+"                       \
	"EARhezsI18nUp3rNbCtfw12oibtpHD"                                                                     \
	"\r\n\tBxsk8k1LF4Xvf4DVbdduI9NwyuOJNEar57EOVONbmYtvbMBHMCJMOlKDLkW5cAgEON0GHXHfqX5EdvxlUDRgdGAbWrs/" \
	"gvVDD/c7a"                                                                                          \
	"72aD "                                                                                              \
	"eCetoQyPZIzAdOV8YNrct0aYBbWhcFWiKHVUX9WOxzQ4DDQUHwm0uRHewH31p1TyBv6tL+"                             \
	"N2ZcWfqiykHEH9q6IXLUFbAwRv6BIzZ"                                                                    \
	"KDjv  VdLrFT0MJGahjJjuebJwTIlLe2wb9muV67iFwmwgYGAj/Q3m1zGSuf/wJuVZMAv0SU3eoQIDAQAB"
#define K2048_CUT                                                                                            \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAorg6UxkJL1p6KHWIdsAaCKhlb+ds65s+"                       \
	"EARhezsI18nUp3rNbCtfw12oibtpHD"                                                                     \
	"Bxsk8k1LF4Xvf4DVbdduI9NwyuOJNEar57EOVONbmYtvbMBHMCJMOlKDLkW5cAgEON0GHXHfqX5EdvxlUDRgdGAbWrs/gvVDD/" \
	"c7a72aD"                                                                                            \
	"eCetoQyPZIzAdOV8YNrct0aYBbWhcFWiKHVUX9WOxzQ4DDQUHwm0uRHewH31p1TyBv6tL+"                             \
	"N2ZcWfqiykHEH9q6IXLUFbAwRv6BIzZKDjv"                                                                \
	"VdLrFT0MJGahjJjuebJwTIlLe2wb9muV67iFwmwgYGAj/Q3m1zGSuf/wJuVZMAv0SU3eo"
/* RFC 8463 / dkimpy test key (1024-bit SubjectPublicKeyInfo). */
#define K1024                                                                                                \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"         \
	"J16JYi0Qvx/byYzC"                                                                                   \
	"Nb3W91y3FutACDfzwQ/BC/e/"                                                                           \
	"8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QID"                 \
	"AQAB"
/* mail-auth 002.txt: 1024-bit bare PKCS#1 RSAPublicKey. */
#define K1024_PKCS1                                                                                          \
	"MIGJAoGBALVI635dLK4cJJAH3Lx6upo3X/"                                                                 \
	"Lm1tQz3mezcWTA3BUBnyIsdnRf57aD5BtNmhPrYYDlWlzw3UgnKisIxktkk5+iMQMlFtAS10"                           \
	"JB8L3YadXNJY+JBcbeSi5TgJe4WFzNgW95FWDAuSTRXSWZfA/8xjflbTLDx0euFZOM7C4T0GwLAgMBAAE="
/* dkimpy's 512-bit key for canonical.com. */
#define K512                                                                                                 \
	"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/"               \
	"PlzfV+Py92VaCak19F4Wrb"                                                                             \
	"VTK5Gg5tW220MCAwEAAQ=="
/* RFC 8463 Appendix A "brisbane" key, raw and wrongly as SPKI. */
#define ED      "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define ED_SPKI "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

/* What the dkim.key check makes of a record, in one word. */
static const char *verdict(const struct dkim_key *k)
{
	if (!k->syntax_ok)
		return "syntax";
	if (k->revoked)
		return "revoked";
	if (!k->key_ok)
		return "badkey";
	if (k->h_given && !k->h_sha256)
		return "hash";
	if (!k->s_email)
		return "service";
	if (k->ktype == DKIM_K_RSA && k->bits < 1024)
		return "weak";
	if (k->ktype == DKIM_K_RSA && k->bits < 2048)
		return "short";
	if (k->testing)
		return "testing";
	return "ok";
}

struct rec {
	const char *txt;
	const char *want;
	int bits; /* 0: don't check */
};

static const struct rec own[] = {
    {"v=DKIM1; k=rsa; p=" K2048, "ok", 2048},
    {"v=DKIM1; p=" K2048, "ok", 2048},
    {"p=" K2048, "ok", 2048},
    {"v=DKIM1;k=rsa;p=" K2048 ";", "ok", 2048},
    {"  v = DKIM1 ;  k = rsa ; p = " K2048 "  ", "ok", 2048},
    {"v=DKIM1; k=rsa; p=" K2048_FOLDED, "ok", 2048},
    {"v=DKIM1;\r\n\tk=rsa;\r\n\tp=" K2048, "ok", 2048},
    {"v=DKIM1; k=rsa; p=" K1024, "short", 1024},
    {"v=DKIM1; p=" K1024_PKCS1, "short", 1024},
    {"v=DKIM1; k=rsa; p=" K512, "weak", 512},
    {"v=DKIM1; p=", "revoked", 0},
    {"v=DKIM1; k=rsa; p= ; n=rotated out", "revoked", 0},
    {"v=DKIM1; k=ed25519; p=" ED, "ok", 256},
    {"k=ed25519; p=" ED, "ok", 256},
    {"v=DKIM1; k=ED25519; p=" ED, "ok", 256},
    {"v=DKIM1; k=ed25519; p=" ED_SPKI, "badkey", 0},
    {"v=DKIM1; k=ed25519; p=" K2048, "badkey", 0},
    {"v=DKIM1; k=rsa; p=" ED, "badkey", 0},
    {"v=DKIM1; p=" ED_SPKI, "badkey", 0},
    {"v=DKIM1; k=dsa; p=" K2048, "badkey", 0},
    {"v=DKIM1; k=ed25519-sha256; p=" K1024, "badkey", 0},
    {"v=DKIM1; h=sha1; p=" K2048, "hash", 0},
    {"v=DKIM1; h=md5; p=" K2048, "hash", 0},
    {"v=DKIM1; h=sha1:sha256; p=" K2048, "ok", 0},
    {"v=DKIM1; h = sha1 : sha256 ; p=" K2048, "ok", 0},
    {"v=DKIM1; h=sha256; p=" K2048, "ok", 0},
    {"v=DKIM1; h=SHA256; p=" K2048, "ok", 0},
    {"v=DKIM1; s=email; p=" K2048, "ok", 0},
    {"v=DKIM1; s=*; p=" K2048, "ok", 0},
    {"v=DKIM1; s=tlsrpt; p=" K2048, "service", 0},
    {"v=DKIM1; s=tlsrpt:email; p=" K2048, "ok", 0},
    {"v=DKIM1; t=y; p=" K2048, "testing", 0},
    {"v=DKIM1; t=y:s; p=" K2048, "testing", 0},
    {"v=DKIM1; t=s; p=" K2048, "ok", 0},
    {"v=DKIM1; t=x; p=" K2048, "ok", 0},
    {"v=DKIM1; g=*; k=rsa; p=" K1024, "short", 0},
    {"v=DKIM1; foo=bar; p=" K2048, "ok", 0},
    {"v=DKIM1; n=keys rotate yearly, ask postmaster; p=" K2048, "ok", 0},
    {"v=DKIM1; K=rsa; p=" K2048, "ok", 0},
    {"v=DKIM1;; p=" K2048, "ok", 0},
    {"k=rsa; v=DKIM1; p=" K2048, "syntax", 0},
    {"v=DKIM2; p=" K2048, "syntax", 0},
    {"v=dkim1; p=" K2048, "syntax", 0},
    {"v=DKIM1: k=rsa; p=" K2048, "syntax", 0},
    {"v=DKIM1; k=rsa", "syntax", 0},
    {"", "syntax", 0},
    {"v=DKIM1; p=" K2048 "; p=" K1024, "syntax", 0},
    {"v=DKIM1; 1x=y; p=" K2048, "syntax", 0},
    {"v=DKIM1; =novalue; p=" K2048, "syntax", 0},
    {"v=DKIM1; justtext; p=" K2048, "syntax", 0},
    {"v=DKIM1; n=caf\xc3\xa9; p=" K2048, "syntax", 0},
    {"v=DKIM1; n=bell\x07; p=" K2048, "syntax", 0},
    {"v=DKIM1; k=rsa; p=" K2048 " garbage=", "badkey", 0},
    {"v=DKIM1; k=rsa; p=MIIB!!!!", "badkey", 0},
    {"v=DKIM1; p=" K2048_CUT, "badkey", 0},
    {"v=DKIM1; p=QUJD", "badkey", 0},
};

static void t_own_corpus(struct unit_ctx *t)
{
	UNIT_CHECK(t, sizeof own / sizeof *own >= 40);
	for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
		struct dkim_key k;
		int rc = dkimkey_parse(own[i].txt, strlen(own[i].txt), &k);
		const char *v = verdict(&k);
		if (strcmp(v, own[i].want) != 0)
			printf("     record %zu \"%.60s...\": %s (%s%s)\n", i, own[i].txt, v, k.error,
			       k.key_error);
		UNIT_EQ_STR(t, v, own[i].want);
		UNIT_EQ_INT(t, rc == 0, k.syntax_ok);
		if (own[i].bits)
			UNIT_EQ_INT(t, k.bits, own[i].bits);
		dkimkey_free(&k);
	}
}

static void t_details(struct unit_ctx *t)
{
	struct dkim_key k;
	dkimkey_parse("v=DKIM1; p=" K1024_PKCS1, strlen("v=DKIM1; p=" K1024_PKCS1), &k);
	UNIT_EQ_STR(t, k.format, "pkcs1");
	dkimkey_free(&k);
	dkimkey_parse("v=DKIM1; p=" K2048_FOLDED, strlen("v=DKIM1; p=" K2048_FOLDED), &k);
	UNIT_EQ_STR(t, k.format, "spki");
	UNIT_EQ_STR(t, dkimkey_tag(&k, "p"), K2048);
	UNIT_EQ_STR(t, dkimkey_tag(&k, "v"), "DKIM1");
	dkimkey_free(&k);
	const char *r = "v=DKIM1; k=ed25519; t=y:s; n=a note; p=" ED;
	dkimkey_parse(r, strlen(r), &k);
	UNIT_CHECK(t, k.testing && k.strict);
	UNIT_EQ_STR(t, dkimkey_tag(&k, "n"), "a note");
	UNIT_EQ_INT(t, k.tag_count, 5);
	UNIT_CHECK(t, k.key_ok && k.ktype == DKIM_K_ED25519);
	dkimkey_free(&k);
	dkimkey_parse("v=DKIM1; k=ed25519; p=" ED_SPKI, strlen("v=DKIM1; k=ed25519; p=" ED_SPKI), &k);
	UNIT_CHECK(t, strstr(k.key_error, "SubjectPublicKeyInfo") != NULL);
	dkimkey_free(&k);
	/* A NUL byte inside the record (TXT data is binary) */
	static const char nul[] = "v=DKIM1; n=a\0b; p=" K2048;
	dkimkey_parse(nul, sizeof nul - 1, &k);
	UNIT_CHECK(t, !k.syntax_ok);
	dkimkey_free(&k);
}

static void t_looks_like(struct unit_ctx *t)
{
	UNIT_CHECK(t, dkimkey_looks_like("v=DKIM1; p=", 11));
	UNIT_CHECK(t, dkimkey_looks_like("k=rsa; p=abc", 12));
	UNIT_CHECK(t, dkimkey_looks_like("p=abc", 5));
	UNIT_CHECK(t, dkimkey_looks_like("v=DKIM2", 7));
	UNIT_CHECK(t, !dkimkey_looks_like("v=spf1 -all", 11));
	UNIT_CHECK(t, !dkimkey_looks_like("google-site-verification=abc", 28));
	UNIT_CHECK(t, !dkimkey_looks_like("", 0));
}

static void t_base64(struct unit_ctx *t)
{
	unsigned char *b;
	UNIT_EQ_INT(t, dkimkey_base64_new("", &b), 0);
	free(b);
	UNIT_EQ_INT(t, dkimkey_base64_new("QQ==", &b), 1);
	UNIT_CHECK(t, b && b[0] == 'A');
	free(b);
	UNIT_EQ_INT(t, dkimkey_base64_new("QUI=", &b), 2);
	free(b);
	UNIT_EQ_INT(t, dkimkey_base64_new("QUJD", &b), 3);
	free(b);
	static const char *const bad[] = {"Q", "QQ=", "Q===", "QQ=A", "QU-D", "QU JD", "====", "QQ==QQ=="};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		UNIT_EQ_INT(t, dkimkey_base64_new(bad[i], &b), -1);
		UNIT_CHECK(t, b == NULL);
	}
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
	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < n; i++)
		f[i][strcspn(f[i], "\n")] = '\0';
	return n;
}

/* ../shared/conformance/dkim/dkim-key-records.tsv: key records from
 * dkimpy and mail-auth with their expected usability. */
static void t_shared_corpus(struct unit_ctx *t)
{
	char path[1024];
	FILE *fp = unit_open_shared(t, "conformance/dkim/dkim-key-records.tsv", "r", path, sizeof path);
	if (!fp)
		return;
	char line[4096];
	int rows = 0, agree = 0;
	while (fgets(line, sizeof line, fp)) {
		char *f[5];
		if (line[0] == '#' || line[0] == '\n' || split_tabs(line, f, 5) < 3)
			continue;
		struct dkim_key k;
		dkimkey_parse(f[1], strlen(f[1]), &k);
		const char *v = verdict(&k);
		bool ok;
		if (strcmp(f[2], "valid") == 0)
			ok = strcmp(v, "ok") == 0 || strcmp(v, "short") == 0;
		else if (strcmp(f[2], "valid-weak") == 0)
			ok = strcmp(v, "weak") == 0;
		else if (strcmp(f[2], "valid-restricted") == 0)
			ok = strcmp(v, "service") == 0 && k.key_ok;
		else
			ok = strcmp(v, "syntax") == 0 || strcmp(v, "badkey") == 0;
		if (!ok)
			printf("     %s %s: expected %s, got %s\n", f[0], f[1], f[2], v);
		UNIT_CHECK(t, ok);
		rows++;
		agree += ok;
		dkimkey_free(&k);
	}
	fclose(fp);
	UNIT_CHECK(t, rows >= 19);
	printf("note: shared DKIM key-record corpus: %d of %d rows agree\n", agree, rows);
}

/* Keys generated now with the openssl command, in every size, as
 * SubjectPublicKeyInfo and as PKCS#1, and Ed25519 as the raw 32 bytes. */
static char *run_new(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	char *buf = calloc(1, 8192);
	size_t n = fread(buf, 1, 8191, p);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (pclose(p) != 0 || !*buf) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void t_generated_keys(struct unit_ctx *t)
{
	char dir[] = "/tmp/senderaudit-dkimkeys.XXXXXX";
	if (!mkdtemp(dir) || system("command -v openssl >/dev/null 2>&1") != 0) {
		printf("note: openssl command not available, generated-key tests skipped\n");
		return;
	}
	static const int sizes[] = {512, 1024, 2048, 4096};
	static const char *const want[] = {"weak", "short", "ok", "ok"};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		char cmd[1024], rec[2048];
		snprintf(cmd, sizeof cmd,
		         "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:%d -out %s/rsa%d.pem "
		         "2>/dev/null && "
		         "openssl pkey -in %s/rsa%d.pem -pubout -outform DER 2>/dev/null | base64 -w0",
		         sizes[i], dir, sizes[i], dir, sizes[i]);
		char *spki = run_new(cmd);
		UNIT_CHECK(t, spki != NULL);
		snprintf(
		    cmd, sizeof cmd,
		    "openssl rsa -in %s/rsa%d.pem -RSAPublicKey_out -outform DER 2>/dev/null | base64 -w0",
		    dir, sizes[i]);
		char *pkcs1 = run_new(cmd);
		UNIT_CHECK(t, pkcs1 != NULL);
		const char *forms[2] = {spki, pkcs1};
		const char *fmt[2] = {"spki", "pkcs1"};
		for (int f = 0; f < 2; f++) {
			if (!forms[f])
				continue;
			snprintf(rec, sizeof rec, "v=DKIM1; k=rsa; p=%s", forms[f]);
			struct dkim_key k;
			dkimkey_parse(rec, strlen(rec), &k);
			UNIT_EQ_INT(t, k.bits, sizes[i]);
			UNIT_EQ_STR(t, k.format, fmt[f]);
			UNIT_EQ_STR(t, verdict(&k), want[i]);
			dkimkey_free(&k);
		}
		free(spki);
		free(pkcs1);
	}
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
	         "openssl genpkey -algorithm ED25519 -out %s/ed.pem 2>/dev/null && "
	         "openssl pkey -in %s/ed.pem -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0",
	         dir, dir);
	char *raw = run_new(cmd);
	UNIT_CHECK(t, raw != NULL);
	if (raw) {
		char rec[256];
		snprintf(rec, sizeof rec, "v=DKIM1; k=ed25519; p=%s", raw);
		struct dkim_key k;
		dkimkey_parse(rec, strlen(rec), &k);
		UNIT_EQ_STR(t, verdict(&k), "ok");
		UNIT_EQ_STR(t, k.format, "raw");
		dkimkey_free(&k);
	}
	free(raw);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	UNIT_CHECK(t, system(cmd) == 0);
}

static const struct unit_case cases[] = {
    {"own key-record corpus", t_own_corpus},
    {"parsed details", t_details},
    {"looks like a key", t_looks_like},
    {"base64", t_base64},
    {"shared key-record corpus", t_shared_corpus},
    {"keys generated with openssl", t_generated_keys},
};

UNIT_MAIN(cases)
