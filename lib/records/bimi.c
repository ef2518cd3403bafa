/* SPDX-License-Identifier: ISC */
/* bimi: BIMI assertion records parsed to the draft's grammar, and a one-
 * pass scan of an SVG logo for the SVG Tiny PS markers (see bimi.h). The
 * scan never recurses and never expands anything: a hostile document costs
 * time linear in its size. */
#include "bimi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/names.h"
#include "../util/text.h"
#include "../util/xalloc.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_fws(char c)
{
	return is_wsp(c) || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Appends a printf-formatted message to a list; outside text in it is
 * shown as printable ASCII. At most 20 per list. */
static void add_msg(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_msg(char ***v, size_t *n, const char *fmt, ...)
{
	if (*n >= 20)
		return;
	va_list ap;
	va_start(ap, fmt);
	text_list_vadd(v, n, fmt, ap);
	va_end(ap);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------ the record */

bool bimi_is_record(const char *txt, size_t len)
{
	size_t i = 0;
	if (len < 1 || txt[0] != 'v')
		return false;
	for (i = 1; i < len && is_wsp(txt[i]); i++)
		;
	if (i == len || txt[i] != '=')
		return false;
	for (i++; i < len && is_wsp(txt[i]); i++)
		;
	if (len - i < 5 || memcmp(txt + i, "BIMI1", 5) != 0)
		return false;
	i += 5;
	return i == len || txt[i] == ';' || is_fws(txt[i]);
}

/* An https URI with a host name (commas must be %-encoded: a raw one means
 * a list, which the draft no longer allows). Returns NULL when fine. */
static const char *uri_problem(const char *v)
{
	if (strchr(v, ','))
		return "holds more than one URI (one is allowed; a comma inside a URI must be %-encoded)";
	if (strncasecmp(v, "https://", 8) != 0)
		return "is not an https: URI";
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return "holds a character URIs do not allow";
	char *host = xstrndup(v + 8, strcspn(v + 8, "/?#:"));
	bool ok = name_is_hostname(host, NULL, 0);
	free(host);
	return ok ? NULL : "does not name a host";
}

static void take_tag(struct bimi_record *r, const char *name, const char *val, bool *seen_l, bool *seen_a)
{
	if (strcmp(name, "l") == 0 || strcmp(name, "a") == 0) {
		bool l = name[0] == 'l';
		*(l ? seen_l : seen_a) = true;
		if (!*val)
			return;
		const char *why = uri_problem(val);
		if (why) {
			snprintf(r->error, sizeof r->error, "%s= %s", name, why);
			return;
		}
		*(l ? &r->l : &r->a) = xstrdup(val);
	} else if (strcmp(name, "lps") == 0) {
		if (strcmp(val, "true") == 0)
			r->lps = true;
		else if (strcmp(val, "false") != 0)
			add_msg(&r->notes, &r->note_count,
			        "lps=%.20s is neither true nor false; receivers ignore it", val);
	} else if (strcmp(name, "avp") == 0) {
		r->avp = xstrdup(val);
		if (strcmp(val, "brand") != 0 && strcmp(val, "personal") != 0)
			add_msg(&r->notes, &r->note_count,
			        "avp=%.20s is neither brand nor personal; receivers ignore it", val);
	} else if (strcmp(name, "v") != 0) {
		add_msg(&r->notes, &r->note_count, "unknown tag %.20s= ignored", name);
	}
}

int bimi_parse(const char *txt, size_t len, struct bimi_record *out)
{
	memset(out, 0, sizeof *out);
	if (!bimi_is_record(txt, len)) {
		snprintf(out->error, sizeof out->error, "does not start with v=BIMI1");
		return -1;
	}
	if (memchr(txt, '\0', len)) {
		snprintf(out->error, sizeof out->error, "holds a NUL byte");
		return -1;
	}
	char *copy = xstrndup(txt, len);
	char *seen_names[16];
	size_t nseen = 0;
	bool seen_l = false, seen_a = false;
	for (char *seg = copy, *next; seg && !out->error[0]; seg = next) {
		next = strchr(seg, ';');
		if (next)
			*next++ = '\0';
		char *eq = strchr(seg, '=');
		char *a = seg, *e = seg + strlen(seg);
		while (a < e && is_fws(*a))
			a++;
		if (a == e)
			continue; /* empty (a trailing ';') */
		if (!eq) {
			snprintf(out->error, sizeof out->error, "\"%.40s\" is not tag=value", a);
			break;
		}
		char *ne = eq;
		while (ne > a && is_fws(ne[-1]))
			ne--;
		*ne = '\0';
		char *v = eq + 1;
		while (*v && is_fws(*v))
			v++;
		while (e > v && is_fws(e[-1]))
			e--;
		*e = '\0';
		/* tag-name = ALPHA *ALNUMPUNC (RFC 6376 3.2) */
		bool ok = is_alpha(*a);
		for (char *c = a; ok && *c; c++)
			ok = is_alpha(*c) || is_digit(*c) || *c == '_';
		if (!ok) {
			snprintf(out->error, sizeof out->error, "\"%.40s\" is not a tag name", a);
			break;
		}
		for (size_t k = 0; k < nseen; k++)
			if (strcmp(seen_names[k], a) == 0)
				snprintf(out->error, sizeof out->error, "tag %.20s= appears twice", a);
		if (out->error[0])
			break;
		if (nseen < sizeof seen_names / sizeof *seen_names)
			seen_names[nseen++] = a;
		take_tag(out, a, v, &seen_l, &seen_a);
	}
	if (!out->error[0] && !seen_l)
		snprintf(out->error, sizeof out->error, "no l= tag (it is required, empty to decline)");
	free(copy);
	for (char *p = out->error; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	if (out->error[0])
		return -1;
	out->declined = !out->l && !out->a;
	out->valid = true;
	return 0;
}

void bimi_free(struct bimi_record *r)
{
	free(r->l);
	free(r->a);
	free(r->avp);
	free_list(r->notes, r->note_count);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ the SVG */

/* What SVG Tiny PS leaves out, with what to say once for each. */
static const struct {
	const char *name;
	const char *what;
} forbidden[] = {
    {"script", "it holds a script"},
    {"handler", "it holds a script (handler)"},
    {"listener", "it holds an event listener"},
    {"foreignObject", "it holds foreign content (foreignObject)"},
    {"image", "it holds an embedded image (raster images are not allowed)"},
    {"video", "it holds video"},
    {"audio", "it holds audio"},
    {"animation", "it holds animation"},
    {"animate", "it holds animation"},
    {"animateColor", "it holds animation"},
    {"animateMotion", "it holds animation"},
    {"animateTransform", "it holds animation"},
    {"set", "it holds animation (set)"},
    {"discard", "it holds animation (discard)"},
    {"prefetch", "it prefetches outside content"},
    {"a", "it holds a link (a)"},
    {"iframe", "it holds an iframe"},
    {"embed", "it holds embedded content (embed)"},
    {"object", "it holds embedded content (object)"},
};
#define FORBIDDEN_COUNT (sizeof forbidden / sizeof *forbidden)

struct scan {
	struct bimi_svg *out;
	const char *s;
	size_t len, i;
	bool root_seen;
	unsigned long said; /* forbidden[] entries (and other kinds) already reported */
};

#define SAID_EVENT  (1ul << 30)
#define SAID_EXTREF (1ul << 29)

static void problem_once(struct scan *sc, unsigned long bit, const char *fmt, const char *arg)
{
	if (sc->said & bit)
		return;
	sc->said |= bit;
	add_msg(&sc->out->problems, &sc->out->problem_count, fmt, arg);
}

/* Finds needle at or after sc->i; returns its offset or len. */
static size_t find(const struct scan *sc, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t k = sc->i; k + n <= sc->len;) {
		const char *p = memchr(sc->s + k, needle[0], sc->len - k);
		if (!p)
			break;
		k = (size_t)(p - sc->s);
		if (k + n <= sc->len && memcmp(p, needle, n) == 0)
			return k;
		k++;
	}
	return sc->len;
}

static bool starts(const struct scan *sc, const char *lit)
{
	size_t n = strlen(lit);
	return sc->len - sc->i >= n && memcmp(sc->s + sc->i, lit, n) == 0;
}

static bool is_name_char(char c)
{
	return c && !is_fws(c) && c != '/' && c != '>' && c != '=' && c != '<' && c != '"' && c != '\'';
}

/* The local part of a (possibly prefixed) XML name. */
static const char *local_name(const char *n)
{
	const char *c = strrchr(n, ':');
	return c ? c + 1 : n;
}

/* A viewBox of four numbers, square or not. */
static void take_viewbox(struct bimi_svg *out, const char *v)
{
	double x[4];
	int n = 0;
	const char *p = v;
	while (n < 4) {
		while (*p == ' ' || *p == ',' || is_fws(*p))
			p++;
		char *end;
		x[n] = strtod(p, &end);
		if (end == p)
			break;
		n++;
		p = end;
	}
	if (n != 4 || x[2] <= 0 || x[3] <= 0)
		return;
	out->viewbox = true;
	out->square = x[2] == x[3];
}

static void root_attr(struct scan *sc, const char *name, const char *val)
{
	struct bimi_svg *out = sc->out;
	if (strcmp(name, "version") == 0)
		out->version_12 = strcmp(val, "1.2") == 0;
	else if (strcmp(name, "baseProfile") == 0)
		out->tiny_ps = strcmp(val, "tiny-ps") == 0;
	else if (strcmp(name, "viewBox") == 0)
		take_viewbox(out, val);
	else if (strcmp(name, "x") == 0 || strcmp(name, "y") == 0)
		add_msg(&out->problems, &out->problem_count,
		        "the root <svg> has an %s= attribute, which SVG Tiny PS forbids", name);
}

static void attr(struct scan *sc, bool root, const char *name, const char *val)
{
	if (root)
		root_attr(sc, name, val);
	const char *ln = local_name(name);
	if (strncasecmp(ln, "on", 2) == 0)
		problem_once(sc, SAID_EVENT, "%s", "it holds an event handler attribute (a script)");
	if (strcmp(ln, "href") == 0 && val[0] != '#')
		problem_once(sc, SAID_EXTREF, "it refers to outside content (%.60s)", val);
}

/* A start tag at sc->i ('<' then a name). Returns false when malformed. */
static bool start_tag(struct scan *sc)
{
	const char *s = sc->s;
	size_t i = sc->i + 1, n0 = i;
	while (i < sc->len && is_name_char(s[i]))
		i++;
	if (i == n0)
		return false;
	char *name = xstrndup(s + n0, i - n0);
	bool root = !sc->root_seen;
	if (root) {
		sc->root_seen = true;
		sc->out->svg = strcmp(local_name(name), "svg") == 0;
	}
	const char *ln = local_name(name);
	if (strcmp(ln, "title") == 0)
		sc->out->title = true;
	for (size_t k = 0; k < FORBIDDEN_COUNT; k++)
		if (strcmp(ln, forbidden[k].name) == 0)
			problem_once(sc, 1ul << k, "%s", forbidden[k].what);
	free(name);
	/* attributes: name [ws] = [ws] "value" | 'value' */
	for (;;) {
		while (i < sc->len && is_fws(s[i]))
			i++;
		if (i >= sc->len)
			return false;
		if (s[i] == '>' || (s[i] == '/' && i + 1 < sc->len && s[i + 1] == '>'))
			break;
		size_t a0 = i;
		while (i < sc->len && is_name_char(s[i]))
			i++;
		if (i == a0)
			return false;
		size_t a1 = i;
		while (i < sc->len && is_fws(s[i]))
			i++;
		if (i >= sc->len || s[i] != '=')
			return false;
		i++;
		while (i < sc->len && is_fws(s[i]))
			i++;
		if (i >= sc->len || (s[i] != '"' && s[i] != '\''))
			return false;
		char q = s[i++];
		const char *vend = memchr(s + i, q, sc->len - i);
		if (!vend)
			return false;
		char *an = xstrndup(s + a0, a1 - a0);
		size_t vl = (size_t)(vend - (s + i));
		char *av = xmalloc(vl + 1);
		memcpy(av, s + i, vl);
		av[vl] = '\0';
		attr(sc, root, an, av);
		free(an);
		free(av);
		i = (size_t)(vend - s) + 1;
	}
	sc->i = i + 1;
	return true;
}

/* <!DOCTYPE ...> with an optional internal subset; entity declarations in
 * it are a problem (no DTD in SVG Tiny PS, and the billion laughs). */
static bool doctype(struct scan *sc)
{
	size_t gt = find(sc, ">"), br = find(sc, "[");
	if (br < gt) {
		sc->i = br;
		size_t end = find(sc, "]");
		for (size_t k = br; k + 8 <= end; k++)
			if (memcmp(sc->s + k, "<!ENTITY", 8) == 0) {
				problem_once(sc, 1ul << 28, "%s",
				             "it declares entities (SVG Tiny PS has no DTD)");
				break;
			}
		sc->i = end;
		gt = find(sc, ">");
	}
	if (gt >= sc->len)
		return false;
	sc->i = gt + 1;
	return true;
}

/* Skips a construct that ends with close; false when it never does. */
static bool skip_to(struct scan *sc, const char *close)
{
	size_t e = find(sc, close);
	if (e >= sc->len)
		return false;
	sc->i = e + strlen(close);
	return true;
}

int bimi_svg_check(const char *doc, size_t len, struct bimi_svg *out)
{
	memset(out, 0, sizeof *out);
	struct scan sc = {.out = out, .s = doc, .len = len};
	if (len > BIMI_SVG_MAX)
		add_msg(&out->problems, &out->problem_count,
		        "it has %zu bytes, more than the %d the BIMI Group allows", len, BIMI_SVG_MAX);
	if (len >= 3 && memcmp(doc, "\xef\xbb\xbf", 3) == 0)
		sc.i = 3;
	bool well_formed = true;
	while (sc.i < len && well_formed) {
		const char *lt = memchr(doc + sc.i, '<', len - sc.i);
		if (!lt)
			break;
		sc.i = (size_t)(lt - doc);
		if (starts(&sc, "<!--"))
			well_formed = skip_to(&sc, "-->");
		else if (starts(&sc, "<![CDATA["))
			well_formed = skip_to(&sc, "]]>");
		else if (starts(&sc, "<?"))
			well_formed = skip_to(&sc, "?>");
		else if (starts(&sc, "<!DOCTYPE"))
			well_formed = doctype(&sc);
		else if (starts(&sc, "</") || starts(&sc, "<!"))
			well_formed = skip_to(&sc, ">");
		else
			well_formed = start_tag(&sc);
	}
	if (!well_formed)
		add_msg(&out->problems, &out->problem_count, "%s",
		        "it is not well-formed XML (a tag, comment or value never ends)");
	if (!out->svg) {
		add_msg(&out->problems, &out->problem_count, "%s",
		        sc.root_seen ? "its root element is not <svg>"
		                     : "it has no XML element at all: not an SVG document");
	} else {
		if (!out->version_12)
			add_msg(&out->problems, &out->problem_count, "%s",
			        "the root <svg> lacks version=\"1.2\"");
		if (!out->tiny_ps)
			add_msg(&out->problems, &out->problem_count, "%s",
			        "the root <svg> lacks baseProfile=\"tiny-ps\"");
		if (!out->title)
			add_msg(&out->problems, &out->problem_count, "%s",
			        "it has no <title> element (it should name the brand)");
		if (out->viewbox && !out->square)
			add_msg(&out->notes, &out->note_count, "%s",
			        "the viewBox is not square; logos are shown in a square or circle");
		if (!out->viewbox)
			add_msg(&out->notes, &out->note_count, "%s", "no usable viewBox on the root <svg>");
	}
	return out->problem_count ? -1 : 0;
}

void bimi_svg_free(struct bimi_svg *s)
{
	free_list(s->problems, s->problem_count);
	free_list(s->notes, s->note_count);
	memset(s, 0, sizeof *s);
}
