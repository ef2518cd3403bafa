/* SPDX-License-Identifier: ISC */
/* rfc5322: reading an Internet message (see rfc5322.h). One pass over the
 * bytes normalises line endings and measures lines; a second splits the
 * header section into fields. The small grammars (mailboxes, dates,
 * msg-id, URI lists, tag lists) are hand-written after RFC 5322's ABNF,
 * obsolete forms accepted where receivers accept them. */
#include "rfc5322.h"

#include <ctype.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/strbuf.h"
#include "../util/text.h"
#include "../util/xalloc.h"

static void set_why(char *why, size_t len, const char *s)
{
	if (why && len)
		snprintf(why, len, "%s", s);
}

/* ------------------------------------------------------------ the message */

/* Copies buf with every bare LF turned into CRLF, counting what it sees. */
static void normalise(const char *buf, size_t len, struct message *m)
{
	size_t extra = 0;
	for (size_t i = 0; i < len; i++)
		extra += buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r');
	m->data = xmalloc(len + extra + 1);
	size_t o = 0, line = 1, col = 0;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n') {
			if (i == 0 || buf[i - 1] != '\r') {
				m->data[o++] = '\r';
				m->lf_converted = true;
			} else if (col) {
				col--; /* the CR was counted */
			}
			m->data[o++] = '\n';
			if (col > MSG_MAX_LINE) {
				m->long_lines++;
				if (!m->first_long)
					m->first_long = line;
			}
			if (col > m->longest)
				m->longest = col;
			line++;
			col = 0;
			continue;
		}
		if (c == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))
			m->bare_cr++;
		if (c == '\0') {
			m->nuls++;
			if (!m->first_nul)
				m->first_nul = line;
		}
		m->data[o++] = c;
		col++;
	}
	if (col) {
		if (col > MSG_MAX_LINE) {
			m->long_lines++;
			if (!m->first_long)
				m->first_long = line;
		}
		if (col > m->longest)
			m->longest = col;
	}
	m->lines = line - (col == 0 && len > 0);
	m->data[o] = '\0';
	m->len = o;
}

/* RFC 5322 3.6.8: ftext is printable ASCII but colon. */
static bool name_ok(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126 || s[i] == ':')
			return false;
	return true;
}

/* The unfolded value: folds' CRLF removed, NULs dropped, ends trimmed. */
static char *unfold_new(const char *s, size_t n)
{
	char *v = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (s[i] != '\0')
			v[o++] = s[i];
	}
	size_t a = 0;
	while (a < o && (v[a] == ' ' || v[a] == '\t'))
		a++;
	while (o > a && (v[o - 1] == ' ' || v[o - 1] == '\t' || v[o - 1] == '\r'))
		o--;
	memmove(v, v + a, o - a);
	v[o - a] = '\0';
	return v;
}

static void add_field(struct message *m, size_t *cap, const char *start, size_t n, size_t line)
{
	if (m->nf == MSG_MAX_FIELDS) {
		m->fields_cut = true;
		return;
	}
	xgrow(&m->f, cap, m->nf + 1, sizeof *m->f);
	struct msg_field *f = &m->f[m->nf++];
	memset(f, 0, sizeof *f);
	f->raw = start;
	f->raw_len = n;
	f->line = line;
	const char *colon = memchr(start, ':', n);
	/* "Name :" (obs-optional, RFC 5322 4.5.1): white space before the colon */
	size_t nl = colon ? (size_t)(colon - start) : 0;
	while (nl && (start[nl - 1] == ' ' || start[nl - 1] == '\t'))
		nl--;
	if (!colon || !name_ok(start, nl)) {
		f->malformed = true;
		m->malformed++;
		if (!m->first_malformed)
			m->first_malformed = line;
		f->value = unfold_new(start, n);
	} else {
		f->name = xstrndup(start, nl);
		f->value = unfold_new(colon + 1, n - (size_t)(colon + 1 - start));
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)start[i] >= 0x80) {
			f->eight_bit = true;
			break;
		}
	if (f->eight_bit) {
		f->utf8 = utf8_valid(start, n);
		if (f->utf8)
			m->utf8_fields++;
		else
			m->bad_8bit++;
	}
}

void msg_parse(const char *buf, size_t len, struct message *out)
{
	memset(out, 0, sizeof *out);
	normalise(buf, len, out);
	const char *d = out->data, *end = d + out->len;
	const char *p = d;
	size_t line = 1, cap = 0;
	/* An mbox "From " envelope line is no header field. */
	if (out->len >= 5 && memcmp(d, "From ", 5) == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
		line++;
		out->mbox_from = true;
	}
	while (p < end) {
		if (p + 1 < end && p[0] == '\r' && p[1] == '\n') {
			out->separator = true;
			p += 2;
			break;
		}
		/* a field: this line and every line starting with WSP */
		const char *start = p;
		size_t first = line;
		for (;;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				p = end;
				break;
			}
			p = nl + 1;
			line++;
			if (p >= end || (*p != ' ' && *p != '\t'))
				break;
		}
		size_t n = (size_t)(p - start);
		if (n >= 2 && start[n - 2] == '\r' && start[n - 1] == '\n')
			n -= 2;
		add_field(out, &cap, start, n, first);
	}
	out->body_off = (size_t)(p - d);
}

void msg_free(struct message *m)
{
	for (size_t i = 0; i < m->nf; i++) {
		free(m->f[i].name);
		free(m->f[i].value);
	}
	free(m->f);
	free(m->data);
	memset(m, 0, sizeof *m);
}

size_t msg_count(const struct message *m, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nf; i++)
		n += m->f[i].name && strcasecmp(m->f[i].name, name) == 0;
	return n;
}

const struct msg_field *msg_get(const struct message *m, const char *name, size_t nth)
{
	for (size_t i = 0; i < m->nf; i++)
		if (m->f[i].name && strcasecmp(m->f[i].name, name) == 0 && nth-- == 0)
			return &m->f[i];
	return NULL;
}

/* ------------------------------------------------------------ lexing */

/* Skips white space and (nested) comments; false on an open comment. */
static bool skip_cfws(const char **pp)
{
	const char *p = *pp;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			break;
		int depth = 0;
		do {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			else if (!*p)
				return false;
			p++;
		} while (depth > 0);
	}
	*pp = p;
	return true;
}

/* RFC 5322 3.2.3 atext. */
static bool is_atext(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) || c >= 0x80; /* RFC 6532 UTF-8 */
}

/* Reads a dot-atom (or obsolete atoms with dots) into b; false if none. */
static bool read_dot_atom(const char **pp, struct strbuf *b)
{
	const char *p = *pp;
	bool any = false;
	for (;;) {
		const char *s = p;
		while (*p && is_atext((unsigned char)*p))
			p++;
		if (p == s)
			return false;
		sb_putn(b, s, (size_t)(p - s));
		any = true;
		const char *q = p;
		skip_cfws(&q);
		if (*q != '.')
			break;
		sb_putn(b, ".", 1);
		p = q + 1;
		skip_cfws(&p);
	}
	*pp = p;
	return any;
}

static bool read_quoted(const char **pp, struct strbuf *b)
{
	const char *p = *pp;
	if (*p != '"')
		return false;
	const char *s = p++;
	while (*p && *p != '"') {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	if (*p != '"')
		return false;
	p++;
	sb_putn(b, s, (size_t)(p - s));
	*pp = p;
	return true;
}

/* addr-spec: local-part "@" domain. */
static bool read_addr_spec(const char **pp, struct msg_mailbox *mb, char *why, size_t whylen)
{
	const char *p = *pp;
	struct strbuf local = {0}, dom = {0};
	skip_cfws(&p);
	bool ok = *p == '"' ? read_quoted(&p, &local) : read_dot_atom(&p, &local);
	skip_cfws(&p);
	if (!ok || *p != '@') {
		set_why(why, whylen, ok ? "an address without '@domain'" : "an address without a local part");
		sb_free(&local);
		return false;
	}
	p++;
	skip_cfws(&p);
	if (*p == '[') {
		const char *e = strchr(p, ']');
		if (!e) {
			set_why(why, whylen, "an unterminated domain literal");
			sb_free(&local);
			return false;
		}
		sb_putn(&dom, p, (size_t)(e + 1 - p));
		p = e + 1;
	} else if (!read_dot_atom(&p, &dom)) {
		set_why(why, whylen, "an address with no domain after '@'");
		sb_free(&local);
		sb_free(&dom);
		return false;
	}
	skip_cfws(&p);
	mb->local = sb_take(&local);
	mb->domain = sb_take(&dom);
	*pp = p;
	return true;
}

/* One mailbox: name-addr or addr-spec. */
static bool read_mailbox(const char **pp, struct msg_mailbox *mb, char *why, size_t whylen)
{
	const char *p = *pp;
	/* a display name runs to '<'; find it before ',' outside quotes */
	const char *q = p;
	bool angle = false;
	while (*q && *q != ',' && *q != ';') {
		if (*q == '"') {
			q++;
			while (*q && *q != '"') {
				if (*q == '\\' && q[1])
					q++;
				q++;
			}
			if (*q)
				q++;
			continue;
		}
		if (*q == '(') {
			if (!skip_cfws(&q))
				break;
			continue;
		}
		if (*q == '<') {
			angle = true;
			break;
		}
		q++;
	}
	if (angle) {
		p = q + 1;
		if (!read_addr_spec(&p, mb, why, whylen))
			return false;
		if (*p != '>') {
			set_why(why, whylen, "'<' without a matching '>'");
			free(mb->local);
			free(mb->domain);
			return false;
		}
		p++;
		skip_cfws(&p);
	} else if (!read_addr_spec(&p, mb, why, whylen)) {
		return false;
	}
	*pp = p;
	return true;
}

long msg_mailboxes(const char *value, struct msg_mailbox **out, char *why, size_t whylen)
{
	*out = NULL;
	size_t n = 0, cap = 0;
	const char *p = value;
	struct msg_mailbox *v = NULL;
	skip_cfws(&p);
	if (!*p) {
		set_why(why, whylen, "no address");
		return -1;
	}
	while (*p) {
		/* a group: "name:" mailboxes ";" */
		const char *q = p;
		while (*q && *q != ':' && *q != ',' && *q != '<' && *q != '"' && *q != '@')
			q++;
		if (*q == ':') {
			p = q + 1;
			skip_cfws(&p);
			while (*p && *p != ';') {
				if (*p == ',') {
					p++;
					skip_cfws(&p);
					continue;
				}
				struct msg_mailbox mb;
				if (!read_mailbox(&p, &mb, why, whylen))
					goto bad;
				xgrow(&v, &cap, n + 1, sizeof *v);
				v[n++] = mb;
			}
			if (*p != ';') {
				set_why(why, whylen, "a group without its closing ';'");
				goto bad;
			}
			p++;
		} else {
			struct msg_mailbox mb;
			if (!read_mailbox(&p, &mb, why, whylen))
				goto bad;
			xgrow(&v, &cap, n + 1, sizeof *v);
			v[n++] = mb;
		}
		skip_cfws(&p);
		if (*p == ',') {
			p++;
			skip_cfws(&p);
		} else if (*p) {
			set_why(why, whylen, "text after an address that is not ',' and another address");
			goto bad;
		}
	}
	*out = v;
	return (long)n;
bad:
	msg_mailboxes_free(v, n);
	return -1;
}

void msg_mailboxes_free(struct msg_mailbox *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].local);
		free(v[i].domain);
	}
	free(v);
}

/* ------------------------------------------------------------ dates */

static bool read_int(const char **pp, int min_digits, int max_digits, int *out)
{
	const char *p = *pp;
	int v = 0, k = 0;
	while (isdigit((unsigned char)*p) && k < max_digits) {
		v = v * 10 + (*p - '0');
		p++;
		k++;
	}
	if (k < min_digits || isdigit((unsigned char)*p))
		return false;
	*out = v;
	*pp = p;
	return true;
}

static bool read_word(const char **pp, char *w, size_t wl)
{
	const char *p = *pp;
	size_t k = 0;
	while (isalpha((unsigned char)*p)) {
		if (k + 1 < wl)
			w[k++] = *p;
		p++;
	}
	w[k] = '\0';
	if (!k)
		return false;
	*pp = p;
	return true;
}

/* Obsolete zone names (RFC 5322 4.3), in minutes east of UTC. */
static bool obs_zone(const char *w, int *minutes)
{
	static const struct {
		const char *n;
		int h;
	} z[] = {{"UT", 0},   {"GMT", 0},  {"EST", -5}, {"EDT", -4}, {"CST", -6},
	         {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
	for (size_t i = 0; i < sizeof z / sizeof *z; i++)
		if (strcasecmp(w, z[i].n) == 0) {
			*minutes = z[i].h * 60;
			return true;
		}
	/* military zones: RFC 5322 says treat them as -0000 */
	if (strlen(w) == 1 && isalpha((unsigned char)w[0]) && toupper((unsigned char)w[0]) != 'J') {
		*minutes = 0;
		return true;
	}
	return false;
}

int msg_date(const char *value, time_t *out, bool *obsolete, char *why, size_t whylen)
{
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	const char *p = value;
	char w[16];
	*obsolete = false;
	skip_cfws(&p);
	if (isalpha((unsigned char)*p)) {
		bool known = false;
		if (!read_word(&p, w, sizeof w))
			goto bad;
		for (size_t i = 0; i < 7; i++)
			known |= strcasecmp(w, days[i]) == 0;
		skip_cfws(&p);
		if (!known || *p != ',') {
			set_why(why, whylen, "the day of the week is not Mon..Sun followed by ','");
			return -1;
		}
		p++;
		skip_cfws(&p);
	}
	int day, mon = -1, year, hh, mm, ss = 0;
	if (!read_int(&p, 1, 2, &day) || day < 1 || day > 31)
		goto bad;
	skip_cfws(&p);
	if (!read_word(&p, w, sizeof w))
		goto bad;
	for (int i = 0; i < 12; i++)
		if (strcasecmp(w, months[i]) == 0)
			mon = i;
	if (mon < 0) {
		set_why(why, whylen, "the month is not Jan..Dec");
		return -1;
	}
	skip_cfws(&p);
	const char *ys = p;
	if (!read_int(&p, 2, 4, &year))
		goto bad;
	if (p - ys < 4) {
		/* RFC 5322 4.3: 00-49 is 20xx, 50-99 19xx, three digits + 1900 */
		*obsolete = true;
		year += p - ys == 2 ? (year < 50 ? 2000 : 1900) : 1900;
	}
	skip_cfws(&p);
	if (!read_int(&p, 2, 2, &hh) || hh > 23)
		goto bad;
	skip_cfws(&p);
	if (*p++ != ':' || (skip_cfws(&p), !read_int(&p, 2, 2, &mm)) || mm > 59)
		goto bad;
	const char *q = p;
	skip_cfws(&q);
	if (*q == ':') {
		p = q + 1;
		skip_cfws(&p);
		if (!read_int(&p, 2, 2, &ss) || ss > 60)
			goto bad;
	}
	skip_cfws(&p);
	int zone = 0;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, z;
		p++;
		const char *zs = p;
		if (!read_int(&p, 4, 4, &z) || p - zs != 4 || z % 100 > 59)
			goto bad;
		zone = sign * ((z / 100) * 60 + z % 100);
	} else if (read_word(&p, w, sizeof w) && obs_zone(w, &zone)) {
		*obsolete = true;
	} else {
		set_why(why, whylen, "no time zone such as +0000");
		return -1;
	}
	skip_cfws(&p);
	if (*p) {
		set_why(why, whylen, "text after the time zone");
		return -1;
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (day > mdays[mon] || year < 1900) {
		set_why(why, whylen, "no such day");
		return -1;
	}
	struct tm tm = {.tm_year = year - 1900,
	                .tm_mon = mon,
	                .tm_mday = day,
	                .tm_hour = hh,
	                .tm_min = mm,
	                .tm_sec = ss > 59 ? 59 : ss};
	*out = timegm(&tm) - (time_t)zone * 60;
	return 0;
bad:
	set_why(why, whylen, "not a date-time such as \"Tue, 1 Jul 2003 10:52:37 +0200\"");
	return -1;
}

/* ------------------------------------------------------------ msg-id, URIs, tags */

bool msg_id_valid(const char *value, char *why, size_t whylen)
{
	const char *p = value;
	struct strbuf b = {0};
	bool ok = false;
	skip_cfws(&p);
	if (*p != '<') {
		set_why(why, whylen, "it does not start with '<'");
		return false;
	}
	p++;
	if (!read_dot_atom(&p, &b) || *p != '@') {
		set_why(why, whylen, "no \"left@right\" inside the angle brackets");
		goto out;
	}
	p++;
	if (*p == '[') {
		const char *e = strchr(p, ']');
		if (!e) {
			set_why(why, whylen, "an unterminated [literal] after '@'");
			goto out;
		}
		p = e + 1;
	} else if (!read_dot_atom(&p, &b)) {
		set_why(why, whylen, "nothing after '@'");
		goto out;
	}
	if (*p != '>') {
		set_why(why, whylen, "no '>' right after the id");
		goto out;
	}
	p++;
	skip_cfws(&p);
	if (*p) {
		set_why(why, whylen, "more than one id, or text after '>'");
		goto out;
	}
	ok = true;
out:
	sb_free(&b);
	return ok;
}

long msg_uri_list(const char *value, char ***out)
{
	*out = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	const char *p = value;
	for (;;) {
		if (!skip_cfws(&p))
			goto bad;
		if (!*p)
			break;
		if (*p != '<')
			goto bad;
		const char *e = strchr(p, '>');
		if (!e)
			goto bad;
		/* white space inside is folding (RFC 2369 2): drop it */
		struct strbuf u = {0};
		for (const char *c = p + 1; c < e; c++)
			if (*c != ' ' && *c != '\t')
				sb_putn(&u, c, 1);
		xgrow(&v, &cap, n + 1, sizeof *v);
		v[n++] = sb_take(&u);
		p = e + 1;
		skip_cfws(&p);
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (!n)
		goto bad;
	*out = v;
	return (long)n;
bad:
	msg_strings_free(v, n);
	return -1;
}

void msg_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *msg_tag_new(const char *value, const char *tag)
{
	size_t tl = strlen(tag);
	const char *p = value;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ';')
			p++;
		const char *name = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		const char *ne = p;
		while (ne > name && (ne[-1] == ' ' || ne[-1] == '\t' || ne[-1] == '\r' || ne[-1] == '\n'))
			ne--;
		if (*p != '=') {
			continue;
		}
		p++;
		const char *val = p;
		while (*p && *p != ';')
			p++;
		if ((size_t)(ne - name) == tl && strncasecmp(name, tag, tl) == 0) {
			struct strbuf b = {0};
			for (const char *c = val; c < p; c++)
				if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n')
					sb_putn(&b, c, 1);
			return sb_take(&b);
		}
	}
	return NULL;
}

bool msg_list_has(const char *list, const char *field)
{
	size_t fl = strlen(field);
	const char *p = list;
	while (*p) {
		while (*p == ':' || *p == ' ' || *p == '\t')
			p++;
		const char *s = p;
		while (*p && *p != ':')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == fl && strncasecmp(s, field, fl) == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ MIME */

/* The boundary parameter of a Content-Type value, as a new string. */
static char *boundary_new(const char *ct)
{
	const char *p = ct;
	while ((p = strcasestr(p, "boundary")) != NULL) {
		const char *q = p + 8;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' || (p > ct && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t')) {
			p = q;
			continue;
		}
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		const char *s = q, *e;
		if (*q == '"') {
			s = ++q;
			e = strchr(q, '"');
			if (!e)
				return NULL;
		} else {
			e = q;
			while (*e && *e != ';' && *e != ' ' && *e != '\t' && *e != '(')
				e++;
		}
		return e > s && e - s <= 70 ? xstrndup(s, (size_t)(e - s)) : NULL;
	}
	return NULL;
}

enum msg_mime msg_mime_check(const struct message *m, char *why, size_t whylen)
{
	const struct msg_field *ct = msg_get(m, "Content-Type", 0);
	const char *v = ct ? ct->value : "";
	while (*v == ' ' || *v == '\t')
		v++;
	if (!ct || strncasecmp(v, "multipart/", 10) != 0)
		return MSG_MIME_NONE;
	char *b = boundary_new(v);
	if (!b) {
		set_why(why, whylen,
		        "multipart Content-Type without a usable boundary= parameter (1 to 70 characters)");
		return MSG_MIME_BROKEN;
	}
	/* "--boundary" at the start of a line, and "--boundary--" to close */
	size_t bl = strlen(b);
	bool open = false, close = false;
	const char *p = m->data + m->body_off, *end = m->data + m->len;
	while (p < end && !close) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) >= bl + 2 && p[0] == '-' && p[1] == '-' && memcmp(p + 2, b, bl) == 0) {
			const char *rest = p + 2 + bl;
			if (rest + 2 <= le && rest[0] == '-' && rest[1] == '-')
				close = open;
			else
				open = true;
		}
		p = nl ? nl + 1 : end;
	}
	free(b);
	if (!open) {
		set_why(why, whylen, "the multipart boundary never starts a part in the body");
		return MSG_MIME_BROKEN;
	}
	if (!close) {
		set_why(why, whylen,
		        "the multipart body has no closing boundary (\"--boundary--\"): it was cut");
		return MSG_MIME_BROKEN;
	}
	return MSG_MIME_OK;
}

/* ------------------------------------------------------------ hints */

/* True for an address a receiving MTA's own hops use, not a sender's. */
static bool ip_internal(const struct ipaddr *ip)
{
	const unsigned char *b = ip->b;
	if (ip->af == AF_INET)
		return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
	static const unsigned char loop[16] = {[15] = 1};
	return memcmp(b, loop, 16) == 0 || (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

/* The client of a Received field: "from HELO (rdns [IP])". */
static bool received_client(const char *v, struct ipaddr *ip, char **helo)
{
	const char *from = NULL;
	for (const char *p = v; *p; p++)
		if ((p == v || p[-1] == ' ' || p[-1] == '\t') && strncasecmp(p, "from", 4) == 0 &&
		    (p[4] == ' ' || p[4] == '\t')) {
			from = p + 4;
			break;
		}
	if (!from)
		return false;
	const char *by = strcasestr(from, " by ");
	const char *end = by ? by : from + strlen(from);
	const char *h = from;
	while (*h == ' ' || *h == '\t')
		h++;
	const char *he = h;
	while (he < end && *he != ' ' && *he != '\t' && *he != '(')
		he++;
	for (const char *p = from; p < end; p++) {
		if (*p != '[')
			continue;
		const char *e = memchr(p, ']', (size_t)(end - p));
		if (!e)
			break;
		char lit[80];
		size_t n = (size_t)(e - p - 1);
		if (n >= sizeof lit)
			continue;
		memcpy(lit, p + 1, n);
		lit[n] = '\0';
		const char *a = strncasecmp(lit, "IPv6:", 5) == 0 ? lit + 5 : lit;
		char why[64];
		if (ip_parse(a, ip, why, sizeof why) == 0) {
			*helo = he > h ? xstrndup(h, (size_t)(he - h)) : NULL;
			return true;
		}
	}
	return false;
}

void msg_hints(const struct message *m, struct msg_hints *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < m->nf && !out->has_ip; i++) {
		const struct msg_field *f = &m->f[i];
		if (!f->name || strcasecmp(f->name, "Received") != 0)
			continue;
		struct ipaddr ip;
		char *helo = NULL;
		if (received_client(f->value, &ip, &helo) && !ip_internal(&ip)) {
			out->has_ip = true;
			out->ip = ip;
			out->helo = helo;
			out->received_line = f->line;
		} else {
			free(helo);
		}
	}
	const struct msg_field *rp = msg_get(m, "Return-Path", 0);
	if (rp) {
		out->has_return_path = true;
		const char *p = rp->value;
		skip_cfws(&p);
		const char *q = p;
		if (*q == '<')
			q++;
		skip_cfws(&q);
		if (*q == '>') {
			out->null_return_path = true;
		} else {
			struct msg_mailbox *mb;
			long n = msg_mailboxes(p, &mb, NULL, 0);
			if (n == 1) {
				out->return_path = xasprintf("%s@%s", mb[0].local, mb[0].domain);
				out->return_domain = xstrdup(mb[0].domain);
			}
			if (n > 0)
				msg_mailboxes_free(mb, (size_t)n);
		}
	}
}

void msg_hints_free(struct msg_hints *h)
{
	free(h->helo);
	free(h->return_path);
	free(h->return_domain);
	memset(h, 0, sizeof *h);
}
