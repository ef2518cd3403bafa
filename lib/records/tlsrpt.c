/* SPDX-License-Identifier: ISC */
/* tlsrpt: the TLS-RPT record of RFC 8460 3 parsed by hand to its ABNF
 * (see tlsrpt.h). */
#include "tlsrpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/names.h"
#include "../util/xalloc.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool tlsrpt_is_record(const char *txt, size_t len)
{
	return len >= 10 && memcmp(txt, "v=TLSRPTv1", 10) == 0 &&
	       (len == 10 || txt[10] == ';' || is_wsp(txt[10]));
}

/* A printable copy of outside text: bytes outside printable ASCII as '?'. */
static char *printable_new(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	memcpy(o, s, n);
	o[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)o[i] < 0x21 || (unsigned char)o[i] > 0x7e)
			o[i] = '?';
	return o;
}

/* One URI of the rua= list: mailto:local@domain or https://host[:port]/... */
static void parse_uri(const char *s, size_t n, struct tlsrpt_uri *u)
{
	memset(u, 0, sizeof *u);
	u->text = printable_new(s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c)) {
			snprintf(u->why, sizeof u->why,
			         "a character URIs do not allow (a ',' must be %%-encoded)");
			return;
		}
	}
	const char *host = NULL;
	size_t hlen = 0;
	if (n > 7 && strncasecmp(s, "mailto:", 7) == 0) {
		size_t alen = strcspn(u->text + 7, "?");
		const char *addr = s + 7;
		const char *at = memrchr(addr, '@', alen);
		if (!at || at == addr) {
			snprintf(u->why, sizeof u->why, "a mailto: URI without an address (local@domain)");
			return;
		}
		host = at + 1;
		hlen = alen - (size_t)(host - addr);
	} else if (n > 8 && strncasecmp(s, "https://", 8) == 0) {
		u->https = true;
		host = s + 8;
		hlen = strcspn(u->text + 8, "/?#:");
	} else {
		snprintf(u->why, sizeof u->why, "neither a mailto: nor an https: URI");
		return;
	}
	char *h = xstrndup(host, hlen);
	if (!name_is_hostname(h, NULL, 0)) {
		snprintf(u->why, sizeof u->why, "%s is not a host name",
		         u->https ? "the host" : "the address's domain");
		free(h);
		return;
	}
	u->domain = name_normalize_new(h);
	free(h);
	u->valid = true;
}

static void parse_rua(struct tlsrpt_record *r, const char *v, size_t n)
{
	size_t i = 0;
	while (i <= n) {
		size_t e = i;
		while (e < n && v[e] != ',')
			e++;
		size_t a = i, b = e;
		while (a < b && is_wsp(v[a]))
			a++;
		while (b > a && is_wsp(v[b - 1]))
			b--;
		r->rua = xrealloc(r->rua, (r->rua_count + 1) * sizeof *r->rua);
		parse_uri(v + a, b - a, &r->rua[r->rua_count++]);
		i = e + 1;
	}
}

int tlsrpt_parse(const char *txt, size_t len, struct tlsrpt_record *out)
{
	memset(out, 0, sizeof *out);
	if (!tlsrpt_is_record(txt, len)) {
		snprintf(out->error, sizeof out->error, "does not start with v=TLSRPTv1");
		return -1;
	}
	bool have_rua = false;
	for (size_t i = 10; i < len;) {
		/* field-delim = *WSP ";" *WSP */
		while (i < len && is_wsp(txt[i]))
			i++;
		if (i == len)
			break;
		if (txt[i] != ';') {
			snprintf(out->error, sizeof out->error,
			         "a field is not separated by ';' (at byte %zu)", i);
			return -1;
		}
		i++;
		while (i < len && is_wsp(txt[i]))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && txt[i] != ';')
			i++;
		size_t end = i;
		while (end > start && is_wsp(txt[end - 1]))
			end--;
		const char *f = txt + start;
		const char *eq = memchr(f, '=', end - start);
		size_t nlen = eq ? (size_t)(eq - f) : 0;
		bool name_ok = eq && nlen >= 1 && nlen <= 32 && is_alnum(f[0]);
		for (size_t k = 1; name_ok && k < nlen; k++)
			name_ok = is_alnum(f[k]) || f[k] == '_' || f[k] == '-' || f[k] == '.';
		if (!name_ok) {
			char *shown = printable_new(f, end - start < 40 ? end - start : 40);
			snprintf(out->error, sizeof out->error, "\"%s\" is not a name=value field", shown);
			free(shown);
			return -1;
		}
		const char *v = eq + 1;
		size_t vlen = (size_t)(txt + end - v);
		if (nlen == 3 && memcmp(f, "rua", 3) == 0 && !have_rua) {
			have_rua = true;
			parse_rua(out, v, vlen);
		} else {
			/* tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
			bool ok = vlen > 0;
			for (size_t k = 0; k < vlen; k++)
				ok = ok && (unsigned char)v[k] >= 0x21 && (unsigned char)v[k] <= 0x7e &&
				     v[k] != '=';
			if (!ok) {
				snprintf(out->error, sizeof out->error,
				         "the value of %.*s= is empty or has invalid characters", (int)nlen,
				         f);
				return -1;
			}
		}
	}
	if (!have_rua) {
		snprintf(out->error, sizeof out->error, "no rua= field: reports have nowhere to go");
		return -1;
	}
	for (size_t i = 0; i < out->rua_count; i++)
		if (!out->rua[i].valid) {
			snprintf(out->error, sizeof out->error, "rua URI \"%.40s\": %.90s", out->rua[i].text,
			         out->rua[i].why);
			return -1;
		}
	out->valid = true;
	return 0;
}

void tlsrpt_free(struct tlsrpt_record *r)
{
	for (size_t i = 0; i < r->rua_count; i++) {
		free(r->rua[i].text);
		free(r->rua[i].domain);
	}
	free(r->rua);
	memset(r, 0, sizeof *r);
}
