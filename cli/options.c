/* SPDX-License-Identifier: ISC */
/* options: the command line, parsed and validated before any lookup (see
 * options.h): getopt_long over one option table, each value checked and
 * turned into the audit's target and settings; a bad one is a one-line
 * usage error. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../checks/registry.h"
#include "../lib/message/rfc5322.h"
#include "../report/report.h"
#include "../lib/util/names.h"
#include "../lib/util/strbuf.h"
#include "../lib/util/text.h"
#include "../lib/util/timeouts.h"
#include "../lib/util/xalloc.h"

enum {
	OPT_HELO = 256,
	OPT_SELECTOR,
	OPT_SHARED,
	OPT_MAIL_FROM,
	OPT_DNSBL,
	OPT_ONLY,
	OPT_SKIP,
	OPT_RESOLVER,
	OPT_RDAP_BOOTSTRAP,
	OPT_WHOIS_SERVER,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_FORMAT,
	OPT_FAIL_ON,
	OPT_COLOR,
	OPT_LIST_CHECKS,
	OPT_VERSION,
	OPT_BATCH,
	OPT_JOBS,
	OPT_ORDER,
	OPT_RESUME,
	OPT_MESSAGE,
	OPT_BULK,
	OPT_RATE,
	OPT_SMTP,
	OPT_SMTP_PORT,
	OPT_LISTEN,
	OPT_COUNT,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_SAVE,
	OPT_BASELINE,
	OPT_SAVE_DNS,
	OPT_REPLAY_DNS,
};

static const struct option long_opts[] = {
    {"helo", required_argument, NULL, OPT_HELO},
    {"shared", no_argument, NULL, OPT_SHARED},
    {"selector", required_argument, NULL, OPT_SELECTOR},
    {"mail-from", required_argument, NULL, OPT_MAIL_FROM},
    {"dnsbl", required_argument, NULL, OPT_DNSBL},
    {"only", required_argument, NULL, OPT_ONLY},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"rdap-bootstrap", required_argument, NULL, OPT_RDAP_BOOTSTRAP},
    {"whois-server", required_argument, NULL, OPT_WHOIS_SERVER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"list-checks", no_argument, NULL, OPT_LIST_CHECKS},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"order", required_argument, NULL, OPT_ORDER},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"rate", required_argument, NULL, OPT_RATE},
    {"message", required_argument, NULL, OPT_MESSAGE},
    {"bulk", no_argument, NULL, OPT_BULK},
    {"smtp", no_argument, NULL, OPT_SMTP},
    {"smtp-port", required_argument, NULL, OPT_SMTP_PORT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"count", required_argument, NULL, OPT_COUNT},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"save", required_argument, NULL, OPT_SAVE},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"save-dns", required_argument, NULL, OPT_SAVE_DNS},
    {"replay-dns", required_argument, NULL, OPT_REPLAY_DNS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
	fputs("Usage: senderaudit [OPTIONS] IP DOMAIN\n"
	      "       senderaudit [OPTIONS] --batch FILE\n"
	      "       senderaudit [OPTIONS] --message FILE [IP DOMAIN]\n"
	      "       senderaudit spf [--helo NAME] [--format text|json] [--resolver ADDR[#PORT]]\n"
	      "                       [--timeout SECONDS] [--retries N] [--save-dns FILE]\n"
	      "                       [--replay-dns FILE] [-v] IP SENDER\n"
	      "       senderaudit receive [--listen ADDR:PORT] [--count N] [--timeout S]\n"
	      "                           [--tls-cert FILE --tls-key FILE] [--save FILE] [OPTIONS]\n"
	      "       senderaudit --list-checks\n"
	      "Audit the infrastructure that sends mail from IP for DOMAIN: reverse and\n"
	      "forward DNS, HELO, SPF, DKIM, DMARC, bounce handling, registration data,\n"
	      "DNS blocklists and, with --smtp, the SMTP server itself. Prints\n"
	      "pass/warn/fail findings with what to change.\n"
	      "\n"
	      "The spf subcommand prints the SPF verdict alone (like spfquery) for IP and\n"
	      "SENDER (a domain or an address; \"\" = the HELO identity): the result, why,\n"
	      "the lookups it took and the include tree with each branch's count\n"
	      "(senderaudit spf --help).\n"
	      "\n"
	      "The receive subcommand is a small SMTP server that accepts a test message\n"
	      "(never relaying it) and audits its sender: the client's IP, its EHLO name\n"
	      "as --helo, the MAIL FROM domain, the From: domain as DOMAIN; the report\n"
	      "also shows STARTTLS and the TLS version the client used.\n"
	      "\n"
	      "Options:\n"
	      "  --helo NAME             the HELO/EHLO name (without it helo.* checks are skip)\n"
	      "  --shared                the IP is shared (ESP pool): relaxed naming rules\n"
	      "  --selector SEL          a DKIM selector to check (repeatable); without it,\n"
	      "                          common selectors are probed\n"
	      "  --mail-from DOMAIN      the envelope (MAIL FROM) domain, when not DOMAIN\n"
	      "  --dnsbl ZONES           DNS blocklists to ask (comma-separated), replacing the\n"
	      "                          built-in list; +ZONE adds one; none (alone) disables them\n"
	      "  --only IDS              run only these checks or categories (comma-separated;\n"
	      "                          repeated, each narrows: only checks in every list run)\n"
	      "  --skip IDS              do not run these checks or categories (repeated, the\n"
	      "                          lists add up)\n"
	      "  --resolver ADDR[#PORT]  DNS server to ask instead of /etc/resolv.conf's\n"
	      "                          (repeatable, up to 3)\n"
	      "  --rdap-bootstrap URL|DIR  where the RDAP bootstrap files come from (default:\n"
	      "                          IANA; files fetched from a URL are cached a day)\n"
	      "  --whois-server HOST[#PORT]  WHOIS server asked for a TLD's registry when the\n"
	      "                          TLD has no RDAP (default whois.iana.org; #PORT: every\n"
	      "                          WHOIS connection uses that port)\n"
	      "  --smtp                  also talk to IP's SMTP server (greeting, STARTTLS, relay\n"
	      "                          test, AUTH; never DATA) and the MX hosts' (STARTTLS)\n"
	      "  --smtp-port N           the port of every --smtp connection (default 25)\n"
	      "  --timeout SECONDS       budget of one DNS lookup, retries included (default 5);\n"
	      "                          HTTPS (RDAP, MTA-STS, BIMI): connect timeout, twice\n"
	      "                          that per request and WHOIS exchange, four times for\n"
	      "                          libspf2's evaluation; SMTP: connect timeout, 6 times\n"
	      "                          that per step; receive: how long to wait for the\n"
	      "                          messages (default 600)\n"
	      "  --retries N             extra tries of an unanswered lookup (default 2)\n"
	      "  --save-dns FILE         write every DNS answer of the run to FILE\n"
	      "  --replay-dns FILE       answer DNS only from FILE (written by --save-dns); a\n"
	      "                          question not in it is an error that names it\n"
	      "  --format FORMAT         output format: text (default), json, nagios (a\n"
	      "                          monitoring plugin's line), junit (JUnit XML),\n"
	      "                          prometheus (OpenMetrics text), html (one page)\n"
	      "  --fail-on warn|fail|new  lowest status that makes the exit status non-zero\n"
	      "                          (default warn); new: only problems --baseline lacks\n"
	      "  --baseline FILE         an earlier JSON report or JSON Lines batch: each\n"
	      "                          problem is marked new, unchanged or fixed\n"
	      "  --color auto|always|never  colour in text output (default auto; NO_COLOR)\n"
	      "  --batch FILE            audit every sender of FILE (- = stdin), one per line:\n"
	      "                          IP DOMAIN [HELO]; '#' starts a comment\n"
	      "  --jobs N                senders audited at once with --batch (default 32)\n"
	      "  --order input|completion  which batch report comes first (default input:\n"
	      "                          the file's order; completion: as each is done)\n"
	      "  --resume FILE           skip the senders an earlier --batch --format json run\n"
	      "                          wrote to FILE (append to it: >> FILE)\n"
	      "  --rate Q                DNS blocklist queries per second per list operator\n"
	      "                          (default 50 for the built-in lists; 0: no cap)\n"
	      "  --message FILE          also audit this message (- = stdin): DKIM signatures,\n"
	      "                          DMARC with alignment, RFC 8058 unsubscribe, RFC 5322;\n"
	      "                          IP, HELO, MAIL FROM and DOMAIN default to its headers\n"
	      "  --bulk                  the --message is bulk mail: unsubscribe rules fail\n"
	      "  --listen ADDR:PORT      receive: where to listen (default 127.0.0.1:2525); ports\n"
	      "                          under 1024 need root or CAP_NET_BIND_SERVICE\n"
	      "  --count N               receive: messages to receive and audit (default 1)\n"
	      "  --tls-cert FILE         receive: the STARTTLS certificate chain (PEM), with\n"
	      "  --tls-key FILE          its key; without them, a self-signed certificate\n"
	      "  --save FILE             receive: write the message to FILE (more: FILE.2, ...);\n"
	      "                          without it nothing received is kept\n"
	      "  -q, --quiet             only problems (warn, fail, error) in text output\n"
	      "  -v, --verbose           also details and facts behind each pass\n"
	      "  --list-checks           print the check catalogue and exit\n"
	      "  -h, --help              print this help and exit\n"
	      "  --version               print the version and exit\n"
	      "\n"
	      "Exit status: 0 nothing worse than pass/info/skip, 1 worst is warn, 2 some\n"
	      "check failed, 3 no fail but some check could not be determined (error),\n"
	      "nothing was audited (an empty --batch file) or the report could not be\n"
	      "written, or receive got no message, 64 usage error. With --fail-on new,\n"
	      "only new problems count: 1 a new warn, 2 a new fail, 3 a new error, else 0.\n"
	      "A --batch stopped by SIGINT or SIGTERM writes what is done and exits 130 or\n"
	      "143.\n"
	      "spf subcommand: 0 pass, 1 neutral, none or softfail, 2 fail or permerror,\n"
	      "3 temperror, 64 usage error.\n",
	      out);
}

void cli_usage_spf(FILE *out)
{
	fputs("Usage: senderaudit spf [OPTIONS] IP SENDER\n"
	      "The SPF verdict (RFC 7208 check_host) of IP for SENDER, like spfquery:\n"
	      "SENDER is a domain or an address; \"\" checks the HELO identity of --helo.\n"
	      "Prints the result, the term that decided it, the explanation of a fail,\n"
	      "the lookups it took, libspf2's verdict, and the include tree with each\n"
	      "branch's count.\n"
	      "\n"
	      "Options:\n"
	      "  --helo NAME             the HELO/EHLO name (the identity of an empty SENDER)\n"
	      "  --format text|json      output format (default text)\n"
	      "  --resolver ADDR[#PORT]  DNS server to ask instead of /etc/resolv.conf's\n"
	      "  --timeout SECONDS       budget of one DNS lookup, retries included (default 5)\n"
	      "  --retries N             extra tries of an unanswered lookup (default 2)\n"
	      "  --save-dns FILE         write every DNS answer to FILE\n"
	      "  --replay-dns FILE       answer DNS only from FILE (written by --save-dns)\n"
	      "  -v, --verbose           DNS statistics on standard error\n"
	      "  -h, --help              print this help and exit\n"
	      "The audit's other options do not apply to it (a usage error).\n"
	      "\n"
	      "Exit status: 0 pass, 1 neutral, none or softfail, 2 fail or permerror,\n"
	      "3 temperror, 64 usage error.\n",
	      out);
}

static void add_str(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static bool has_control_or(const char *s, bool space)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (space && *p == ' '))
			return true;
	return false;
}

static bool has_control(const char *s)
{
	return has_control_or(s, true);
}

char *cli_helo_new(const char *arg, char *why, size_t whylen)
{
	if (!*arg || strlen(arg) > 255 || has_control(arg)) {
		snprintf(why, whylen, "'%s' is empty, too long or contains spaces or control characters",
		         TEXT_SHOW(arg));
		return NULL;
	}
	bool ascii = true;
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	/* An invalid HELO is what the audit reports on, not a usage error. */
	return ascii ? name_normalize_new(arg) : name_from_user_new(arg, why, whylen);
}

static int parse_helo(struct target *t, const char *arg, char *err, size_t errlen)
{
	char why[512];
	char *h = cli_helo_new(arg, why, sizeof why);
	if (!h) {
		snprintf(err, errlen, "--helo: %.200s", why);
		return -1;
	}
	free(t->helo);
	t->helo = h;
	return 0;
}

char *cli_mail_from_new(const char *arg, char *why, size_t whylen)
{
	const char *at = strrchr(arg, '@'); /* an address too */
	return name_from_user_new(at ? at + 1 : arg, why, whylen);
}

static int parse_selector(struct cli *c, const char *arg, char *err, size_t errlen)
{
	size_t lab = 0, n = strlen(arg);
	bool ok = n > 0 && n <= 200 && arg[0] != '.' && arg[n - 1] != '.';
	for (const char *p = arg; ok && *p; p++) {
		if (*p == '.') {
			ok = lab > 0;
			lab = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		           *p == '-' || *p == '_') {
			ok = ++lab <= 63;
		} else {
			ok = false;
		}
	}
	if (!ok) {
		snprintf(err, errlen,
		         "--selector: '%s' is not a DKIM selector (letters, digits, '-', '_', dots)",
		         TEXT_SHOW(arg));
		return -1;
	}
	char *s = name_normalize_new(arg);
	add_str(&c->t.selectors, &c->t.selector_count, s);
	free(s);
	return 0;
}

static int parse_dnsbl(struct cli *c, const char *arg, char *err, size_t errlen)
{
	char *copy = xstrdup(arg), *save = NULL;
	int rc = 0;
	bool any = false;
	for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		any = true;
		if (strcmp(tok, "none") == 0) {
			c->ao.dnsbl_none = true;
			continue;
		}
		bool add = tok[0] == '+';
		char why[512];
		char *z = name_from_user_new(tok + add, why, sizeof why);
		if (!z) {
			snprintf(err, errlen, "--dnsbl: %s", why);
			rc = -1;
			break;
		}
		if (add)
			add_str(&c->ao.dnsbl_extra, &c->ao.dnsbl_extra_count, z);
		else
			add_str(&c->ao.dnsbl_zones, &c->ao.dnsbl_zone_count, z);
		free(z);
	}
	if (rc == 0 && !any) {
		snprintf(err, errlen, "--dnsbl: empty list of zones");
		rc = -1;
	}
	/* "zen.spamhaus.org,none" would silently ask no list at all */
	if (rc == 0 && c->ao.dnsbl_none && (c->ao.dnsbl_zone_count || c->ao.dnsbl_extra_count)) {
		snprintf(err, errlen, "--dnsbl: none disables every list and cannot be combined with zones");
		rc = -1;
	}
	free(copy);
	return rc;
}

static int parse_choice(const char *opt, const char *arg, const char *const *choices, int *out, char *err,
                        size_t errlen)
{
	for (int i = 0; choices[i]; i++)
		if (strcmp(arg, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	struct strbuf list = {0};
	for (int i = 0; choices[i]; i++)
		sb_sep_printf(&list, "|", "%s", choices[i]);
	snprintf(err, errlen, "%s: '%s' is not one of %s", opt, TEXT_SHOW(arg), sb_str(&list));
	sb_free(&list);
	return -1;
}

/* Digits with at most one decimal point: strtod alone would also take
 * "0x10", "1e1", "inf" and leading spaces. */
static bool is_decimal(const char *s)
{
	bool digits = false, point = false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits = true;
		else if (*s == '.' && !point)
			point = true;
		else
			return false;
	}
	return digits;
}

static int parse_number(const char *opt, const char *arg, double lo, double hi, double *out, char *err,
                        size_t errlen)
{
	char *end;
	errno = 0;
	double v = is_decimal(arg) ? strtod(arg, &end) : NAN;
	if (errno || !is_decimal(arg) || *end || !isfinite(v) || v < lo || v > hi) {
		snprintf(err, errlen, "%s: '%s' is not a number from %g to %g", opt, TEXT_SHOW(arg), lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_whole(const char *opt, const char *arg, int lo, int hi, int *out, char *err, size_t errlen)
{
	double v;
	if (parse_number(opt, arg, lo, hi, &v, err, errlen) < 0)
		return -1;
	if (v != (int)v) {
		snprintf(err, errlen, "%s: '%s' is not a whole number", opt, TEXT_SHOW(arg));
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --whois-server HOST[#PORT]: a host name or an address. */
static int parse_whois_server(struct cli *c, const char *arg, char *err, size_t errlen)
{
	char host[256], why[200];
	snprintf(host, sizeof host, "%s", arg);
	char *hash = strchr(host, '#');
	int port = 0;
	if (hash) {
		*hash = '\0';
		if (parse_whole("--whois-server", hash + 1, 1, 65535, &port, err, errlen) < 0)
			return -1;
	}
	struct ipaddr ip;
	char *h = ip_parse(host, &ip, why, sizeof why) == 0 ? xstrdup(ip.text)
	                                                    : name_from_user_new(host, why, sizeof why);
	if (!h || strlen(arg) >= sizeof host) {
		free(h);
		snprintf(err, errlen, "--whois-server: '%s' is not a host name or address (HOST[#PORT])",
		         TEXT_SHOW(arg));
		return -1;
	}
	free(c->ao.whois_server);
	c->ao.whois_server = h;
	c->ao.whois_port = port;
	return 0;
}

/* --listen ADDR:PORT: an address literal ([v6]:port), never a name. */
static int parse_listen(struct cli *c, const char *arg, char *err, size_t errlen)
{
	char host[128], why[200];
	const char *colon = strrchr(arg, ':');
	size_t hl = colon ? (size_t)(colon - arg) : 0;
	bool ok = colon && hl > 0 && hl < sizeof host;
	if (ok) {
		memcpy(host, arg, hl);
		host[hl] = '\0';
		if (host[0] == '[' && host[hl - 1] == ']') {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = '\0';
		} else if (strchr(host, ':')) {
			ok = false; /* an IPv6 address needs its brackets */
		}
	}
	if (!ok || ip_parse(host, &c->listen, why, sizeof why) < 0 ||
	    parse_whole("--listen", colon + 1, 0, 65535, &c->listen_port, err, errlen) < 0) {
		snprintf(err, errlen,
		         "--listen: '%s' is not ADDR:PORT (an IPv4 address or [IPv6], and a port)",
		         TEXT_SHOW(arg));
		return -1;
	}
	return 0;
}

static int parse_file(const char *opt, const char *arg, const char **out, char *err, size_t errlen)
{
	if (access(arg, R_OK) != 0) {
		snprintf(err, errlen, "%s: cannot read '%s': %s", opt, TEXT_SHOW(arg), strerror(errno));
		return -1;
	}
	*out = arg;
	return 0;
}

/* The `spf` subcommand's IP and SENDER. SENDER may be a domain, an
 * address, or "" for the HELO identity; a domain SPF cannot use is not a
 * usage error but the result "none" (RFC 7208 4.3). */
static int parse_spf_args(struct cli *c, int rest, char **args, char *err, size_t errlen)
{
	if (c->batch) {
		snprintf(err, errlen, "spf: --batch is for audits");
		return -1;
	}
	if (rest != 2) {
		snprintf(err, errlen, rest < 2 ? "spf: missing %s" : "spf: unexpected argument '%s'",
		         rest < 2 ? (rest == 0 ? "IP and SENDER" : "SENDER") : TEXT_SHOW(args[2]));
		return -1;
	}
	char why[512];
	if (ip_parse(args[0], &c->t.ip, why, sizeof why) < 0) {
		snprintf(err, errlen, "spf: %s", why);
		return -1;
	}
	const char *s = args[1];
	/* a local-part may hold spaces (quoted) */
	if (strlen(s) > 1000 || has_control_or(s, false)) {
		snprintf(err, errlen, "spf: the sender '%s' is too long or contains control characters",
		         TEXT_SHOW(s));
		return -1;
	}
	if (!*s && !c->t.helo) {
		snprintf(err, errlen, "spf: an empty sender means the HELO identity: give --helo");
		return -1;
	}
	const char *at = strrchr(s, '@');
	const char *dom = *s ? (at ? at + 1 : s) : c->t.helo;
	bool ascii = true;
	for (const char *p = dom; *p; p++)
		ascii &= (unsigned char)*p < 0x80;
	c->t.domain = ascii ? name_normalize_new(dom) : name_from_user_new(dom, why, sizeof why);
	if (!c->t.domain) {
		snprintf(err, errlen, "spf: %s", why);
		return -1;
	}
	if (!*s)
		c->spf_sender = xasprintf("postmaster@%s", c->t.domain);
	else if (!at || at == s)
		c->spf_sender = xasprintf("postmaster@%s", c->t.domain);
	else
		c->spf_sender = xasprintf("%.*s@%s", (int)(at - s), s, c->t.domain);
	return 0;
}

/* A FILE argument that must be a readable file (not a directory). */
static int readable_file(const char *opt, const char *arg, const char **out, char *err, size_t errlen)
{
	struct stat st;
	if (access(arg, R_OK) != 0) {
		snprintf(err, errlen, "%s: cannot read '%s': %s", opt, TEXT_SHOW(arg), strerror(errno));
		return -1;
	}
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: '%s' is a directory", opt, TEXT_SHOW(arg));
		return -1;
	}
	*out = arg;
	return 0;
}

/* The lists of --only and of --skip: each may be given more than once (a
 * script that adds a --skip to a command line that has one must not
 * re-enable what the first one skipped). */
#define MAX_SELECTIONS 32
struct selection {
	const char *v[MAX_SELECTIONS]; /* borrowed from argv */
	int n;
};

static int select_add(struct selection *s, const char *opt, const char *arg, char *err, size_t errlen)
{
	if (s->n == MAX_SELECTIONS) {
		snprintf(err, errlen, "%s: at most %d times (a list may name several, comma-separated)", opt,
		         MAX_SELECTIONS);
		return -1;
	}
	s->v[s->n++] = arg;
	return 0;
}

static int parse_one(struct cli *c, int opt, const char *arg, struct selection *only, struct selection *skip,
                     char *err, size_t errlen)
{
	static const char *const fail_ons[] = {"warn", "fail", "new", NULL};
	static const char *const colors[] = {"auto", "always", "never", NULL};
	char why[512];
	double v;
	int k = 0;
	switch (opt) {
	case OPT_HELO:
		if (c->cmd == CMD_SPF && *arg && strlen(arg) <= 255 && !has_control_or(arg, false)) {
			/* SPF judges a HELO that is not a name itself (result none) */
			free(c->t.helo);
			c->t.helo = name_normalize_new(arg);
			return 0;
		}
		return parse_helo(&c->t, arg, err, errlen);
	case OPT_SELECTOR: return parse_selector(c, arg, err, errlen);
	case OPT_SHARED: c->t.shared = true; return 0;
	case OPT_MAIL_FROM: {
		char *d = cli_mail_from_new(arg, why, sizeof why);
		if (!d) {
			snprintf(err, errlen, "--mail-from: %s", why);
			return -1;
		}
		free(c->t.mail_from);
		c->t.mail_from = d;
		c->t.mail_from_given = true;
		return 0;
	}
	case OPT_DNSBL: return parse_dnsbl(c, arg, err, errlen);
	case OPT_ONLY: return select_add(only, "--only", arg, err, errlen);
	case OPT_SKIP: return select_add(skip, "--skip", arg, err, errlen);
	case OPT_RESOLVER:
		if (c->resolver_count == CLI_MAX_RESOLVERS) {
			snprintf(err, errlen, "--resolver: at most %d resolvers", CLI_MAX_RESOLVERS);
			return -1;
		}
		c->resolvers[c->resolver_count++] = xstrdup(arg);
		c->ao.resolver_given = true;
		return 0;
	case OPT_RDAP_BOOTSTRAP: {
		struct stat st;
		if (strncmp(arg, "https://", 8) != 0 && strncmp(arg, "http://", 7) != 0 &&
		    (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode))) {
			snprintf(err, errlen,
			         "--rdap-bootstrap: '%s' is neither an http(s) URL nor a directory",
			         TEXT_SHOW(arg));
			return -1;
		}
		c->ao.rdap_bootstrap = arg;
		return 0;
	}
	case OPT_WHOIS_SERVER: return parse_whois_server(c, arg, err, errlen);
	case OPT_TIMEOUT:
		if (c->cmd == CMD_RECEIVE) {
			/* receive: how long to wait for the messages */
			if (parse_number("--timeout", arg, 1, 86400, &v, err, errlen) < 0)
				return -1;
			c->wait_ms = (int)lround(v * 1000);
			return 0;
		}
		if (parse_number("--timeout", arg, 0.1, 60, &v, err, errlen) < 0)
			return -1;
		c->ao.timeout_ms = (int)lround(v * 1000);
		return 0;
	case OPT_RETRIES: return parse_whole("--retries", arg, 0, 5, &c->retries, err, errlen);
	case OPT_FORMAT:
		if (parse_choice("--format", arg, report_format_names, &k, err, errlen) < 0)
			return -1;
		c->format = (enum cli_format)k;
		return 0;
	case OPT_FAIL_ON:
		if (parse_choice("--fail-on", arg, fail_ons, &k, err, errlen) < 0)
			return -1;
		c->fail_on = k == 1 ? STATUS_FAIL : STATUS_WARN;
		c->fail_on_new = k == 2;
		return 0;
	case OPT_BASELINE: return readable_file("--baseline", arg, &c->baseline, err, errlen);
	case OPT_REPLAY_DNS: return readable_file("--replay-dns", arg, &c->replay_dns, err, errlen);
	case OPT_SAVE_DNS:
		if (!*arg) {
			snprintf(err, errlen, "--save-dns: an empty file name");
			return -1;
		}
		c->save_dns = arg;
		return 0;
	case OPT_COLOR:
		if (parse_choice("--color", arg, colors, &k, err, errlen) < 0)
			return -1;
		c->color = (enum cli_color)k;
		return 0;
	case 'q': c->verbosity = -1; return 0;
	case 'v': c->verbosity = 1; return 0;
	case 'h': c->cmd = CMD_HELP; return 0;
	case OPT_VERSION: c->cmd = CMD_VERSION; return 0;
	case OPT_LIST_CHECKS: c->cmd = CMD_LIST_CHECKS; return 0;
	case OPT_BATCH: {
		struct stat st;
		if (strcmp(arg, "-") != 0 && access(arg, R_OK) != 0) {
			snprintf(err, errlen, "--batch: cannot read '%s': %s", TEXT_SHOW(arg),
			         strerror(errno));
			return -1;
		}
		if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--batch: '%s' is a directory, not a file of senders",
			         TEXT_SHOW(arg));
			return -1;
		}
		c->batch = arg;
		return 0;
	}
	case OPT_JOBS: return parse_whole("--jobs", arg, 1, 256, &c->jobs, err, errlen);
	case OPT_ORDER: {
		static const char *const orders[] = {"input", "completion", NULL};
		if (parse_choice("--order", arg, orders, &k, err, errlen) < 0)
			return -1;
		c->order = (enum cli_order)k;
		c->order_given = true;
		return 0;
	}
	case OPT_RESUME: c->resume = arg; return 0;
	case OPT_RATE: return parse_number("--rate", arg, 0, 100000, &c->ao.dnsbl_rate, err, errlen);
	case OPT_MESSAGE: c->t.message_file = arg; return 0;
	case OPT_BULK: c->t.bulk = true; return 0;
	case OPT_SMTP: c->ao.smtp = true; return 0;
	case OPT_LISTEN: return parse_listen(c, arg, err, errlen);
	case OPT_COUNT: return parse_whole("--count", arg, 1, 100, &c->count, err, errlen);
	case OPT_TLS_CERT: return parse_file("--tls-cert", arg, &c->tls_cert, err, errlen);
	case OPT_TLS_KEY: return parse_file("--tls-key", arg, &c->tls_key, err, errlen);
	case OPT_SAVE: c->save = arg; return 0;
	case OPT_SMTP_PORT: return parse_whole("--smtp-port", arg, 1, 65535, &c->ao.smtp_port, err, errlen);
	}
	snprintf(err, errlen, "internal error: option %d", opt);
	return -1;
}

/* The options that apply to `senderaudit spf`. */
static bool spf_option(int opt)
{
	switch (opt) {
	case OPT_HELO:
	case OPT_FORMAT:
	case OPT_RESOLVER:
	case OPT_TIMEOUT:
	case OPT_RETRIES:
	case OPT_SAVE_DNS:
	case OPT_REPLAY_DNS:
	case 'v':
	case 'h': return true;
	}
	return false;
}

/* "--only", "-q/--quiet": an option as the user may have typed it. */
static const char *option_name(int opt, char *buf, size_t len)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == opt) {
			if (opt < 256)
				snprintf(buf, len, "-%c/--%s", opt, o->name);
			else
				snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	return "?";
}

/* Fills t's IP, domain, HELO and MAIL FROM domain (the rest of t as set). */
static int parse_sender(const struct cli *c, struct target *t, const char *ip, const char *domain,
                        const char *helo, char *err, size_t errlen)
{
	char why[512];
	if (ip_parse(ip, &t->ip, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	t->domain = name_from_user_new(domain, why, sizeof why);
	if (!t->domain) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (helo && parse_helo(t, helo, err, errlen) < 0)
		return -1;
	if (!t->mail_from)
		t->mail_from = xstrdup(c->t.mail_from_given ? c->t.mail_from : t->domain);
	return 0;
}

/* Reads the --message file (or standard input), at most
 * TARGET_MESSAGE_MAX bytes. */
static int read_message(struct target *t, char *err, size_t errlen)
{
	const char *file = t->message_file;
	bool in = strcmp(file, "-") == 0;
	FILE *f = in ? stdin : fopen(file, "rb");
	struct stat st;
	if (!f) {
		snprintf(err, errlen, "--message: cannot read '%s': %s", TEXT_SHOW(file), strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--message: '%s' is a directory, not a message", TEXT_SHOW(file));
		fclose(f);
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > TARGET_MESSAGE_MAX)
		goto too_big;
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > TARGET_MESSAGE_MAX) {
				free(buf);
				goto too_big;
			}
			buf = xrealloc(buf, cap *= 2);
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	bool failed = ferror(f);
	int e = errno;
	if (!in)
		fclose(f);
	if (failed || n > TARGET_MESSAGE_MAX) {
		free(buf);
		if (!failed)
			goto too_big_closed;
		snprintf(err, errlen, "--message: cannot read '%s': %s", TEXT_SHOW(file), strerror(e));
		return -1;
	}
	if (n == 0) {
		free(buf);
		snprintf(err, errlen, "--message: '%s' is empty", TEXT_SHOW(file));
		return -1;
	}
	t->message = buf;
	t->message_len = n;
	return 0;
too_big:
	if (!in)
		fclose(f);
too_big_closed:
	snprintf(err, errlen, "--message: '%s' is larger than %zu MB; no mailbox provider accepts that",
	         TEXT_SHOW(file), TARGET_MESSAGE_MAX >> 20);
	return -1;
}

char *cli_from_domain_new(const struct message *m)
{
	const struct msg_field *f = msg_get(m, "From", 0);
	struct msg_mailbox *mb;
	char why[200];
	long n = f ? msg_mailboxes(f->value, &mb, why, sizeof why) : -1;
	if (n <= 0)
		return NULL;
	char *d = mb[0].domain[0] == '[' ? NULL : name_from_user_new(mb[0].domain, why, sizeof why);
	msg_mailboxes_free(mb, (size_t)n);
	return d;
}

/* --message FILE [IP DOMAIN]: reads the message; what the command line does
 * not say comes from its headers (Received, Return-Path, From), marked as
 * such. */
static int message_target(struct cli *c, const char *ip, const char *domain, char *err, size_t errlen)
{
	struct target *t = &c->t;
	if (read_message(t, err, errlen) < 0)
		return -1;
	struct message m;
	struct msg_hints h;
	msg_parse(t->message, t->message_len, &m);
	msg_hints(&m, &h);
	t->message_from = cli_from_domain_new(&m);
	int rc = -1;
	char why[512];
	if (ip) {
		if (parse_sender(c, t, ip, domain, NULL, err, errlen) < 0)
			goto out;
	} else {
		if (!h.has_ip) {
			snprintf(err, errlen,
			         "--message: no Received field of the message names the client's public "
			         "address: give IP DOMAIN");
			goto out;
		}
		t->ip = h.ip;
		t->ip_src = SRC_HEADER;
		t->received_line = h.received_line;
		if (!t->message_from) {
			snprintf(err, errlen,
			         "--message: the message has no usable From: address to take DOMAIN from: "
			         "give IP DOMAIN");
			goto out;
		}
		t->domain = xstrdup(t->message_from);
		t->domain_src = SRC_HEADER;
		if (!t->mail_from)
			t->mail_from = xstrdup(t->domain);
	}
	if (!t->helo && h.helo && h.received_line) {
		char herr[256];
		if (parse_helo(t, h.helo, herr, sizeof herr) == 0) {
			t->helo_src = SRC_HEADER;
			t->received_line = h.received_line;
		}
	}
	if (c->t.mail_from_given) {
		t->mail_from_src = SRC_ARGUMENT;
	} else if (h.return_domain) {
		char *d = name_from_user_new(h.return_domain, why, sizeof why);
		if (d) {
			free(t->mail_from);
			t->mail_from = d;
			t->mail_from_given = true;
			t->mail_from_src = SRC_HEADER;
		}
	} else {
		t->null_return_path = h.null_return_path;
		t->mail_from_src = SRC_DEFAULT;
	}
	rc = 0;
out:
	msg_hints_free(&h);
	msg_free(&m);
	return rc;
}

int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->ao.timeout_ms = TIMEOUT_DEFAULT_MS;
	c->ao.dnsbl_rate = -1;
	c->retries = RETRIES_DEFAULT;
	c->fail_on = STATUS_WARN;
	c->jobs = 32;
	c->ao.smtp_port = 25;
	c->count = 1;
	c->wait_ms = RECEIVE_WAIT_DEFAULT_S * 1000;
	c->listen_port = RECEIVE_PORT_DEFAULT;
	ip_parse("127.0.0.1", &c->listen, err, errlen);
	size_t nc = registry_count();
	c->enabled = xcalloc(nc, sizeof *c->enabled);
	for (size_t i = 0; i < nc; i++)
		c->enabled[i] = true;

	struct selection only = {0}, skip = {0};
	/* `senderaudit help [spf]`: what a new user types first. */
	if ((argc == 2 || (argc == 3 && strcmp(argv[2], "spf") == 0)) && strcmp(argv[1], "help") == 0) {
		c->cmd = CMD_HELP;
		c->help_spf = argc == 3;
		return 0;
	}
	/* `senderaudit spf IP SENDER`: the subcommand takes the options that
	 * apply to one SPF evaluation; the audit's others are refused. */
	bool spf = argc > 1 && strcmp(argv[1], "spf") == 0;
	bool receive = argc > 1 && strcmp(argv[1], "receive") == 0;
	if (spf || receive) {
		c->cmd = spf ? CMD_SPF : CMD_RECEIVE;
		if (spf)
			c->hint = "spf --help";
		argc--;
		argv++;
	}
	const char *receive_only = NULL;
	opterr = 0;
	optind = 0; /* GNU: a full re-initialisation, so cli_parse can run twice */
	int opt;
	int li = -1;
	while ((opt = getopt_long(argc, argv, ":hqv", long_opts, &li)) != -1) {
		if (opt == '?') {
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", TEXT_SHOW(argv[optind - 1]));
			return -1;
		}
		if (opt == ':') {
			snprintf(err, errlen, "option '%s' needs a value", TEXT_SHOW(argv[optind - 1]));
			return -1;
		}
		if (spf && !spf_option(opt)) {
			char name[40];
			snprintf(err, errlen, "spf: %s is an option of the audit, not of the spf subcommand",
			         option_name(opt, name, sizeof name));
			return -1;
		}
		if (parse_one(c, opt, optarg, &only, &skip, err, errlen) < 0)
			return -1;
		if (opt >= OPT_LISTEN && opt <= OPT_SAVE && li >= 0)
			receive_only = long_opts[li].name;
	}
	if (spf && c->cmd == CMD_HELP)
		c->help_spf = true;
	if (spf && c->format != FORMAT_TEXT && c->format != FORMAT_JSON) {
		snprintf(err, errlen, "spf: --format is text or json");
		return -1;
	}
	if (c->replay_dns && c->resolver_count) {
		snprintf(err, errlen, "--resolver with --replay-dns: the answers come from the file");
		return -1;
	}
	if (c->save_dns && c->replay_dns && strcmp(c->save_dns, c->replay_dns) == 0) {
		snprintf(err, errlen, "--save-dns would overwrite the --replay-dns file");
		return -1;
	}
	if (c->cmd == CMD_SPF && spf)
		return parse_spf_args(c, argc - optind, argv + optind, err, errlen);
	if (receive_only && !receive) {
		snprintf(err, errlen, "--%s is an option of the receive subcommand", receive_only);
		return -1;
	}
	if (c->cmd == CMD_RECEIVE && receive) {
		if (c->batch || argc - optind > 0) {
			snprintf(err, errlen, "receive: %s",
			         c->batch ? "--batch is for audits"
			                  : "the IP and the domain come from the wire, not "
			                    "from arguments");
			return -1;
		}
		if (!c->tls_cert != !c->tls_key) {
			snprintf(err, errlen, "receive: --tls-cert and --tls-key go together");
			return -1;
		}
	} else if (c->cmd != CMD_AUDIT) {
		return 0;
	}
	if (c->fail_on_new && !c->baseline) {
		snprintf(err, errlen, "--fail-on new needs --baseline (what would be new?)");
		return -1;
	}
	if ((c->resume || c->order_given) && !c->batch) {
		snprintf(err, errlen, "%s is for --batch", c->resume ? "--resume" : "--order");
		return -1;
	}
	if (c->resume && c->format != FORMAT_JSON) {
		snprintf(err, errlen, "--resume reads an earlier run's JSON Lines: give --format json");
		return -1;
	}

	int rest = argc - optind;
	if (c->cmd == CMD_RECEIVE) {
		/* the sender comes from the wire, the message too */
		if (c->t.message_file) {
			snprintf(err, errlen, "receive audits the messages it receives: not --message");
			return -1;
		}
	} else if (c->t.message_file) {
		if (c->batch) {
			snprintf(err, errlen, "--message audits one message, one sender: not with --batch");
			return -1;
		}
		if (rest != 0 && rest != 2) {
			snprintf(err, errlen,
			         rest == 1 ? "missing DOMAIN (--message FILE [IP DOMAIN])"
			                   : "unexpected argument '%s' (--message FILE [IP DOMAIN])",
			         TEXT_SHOW(argv[optind + (rest == 1 ? 0 : 2)]));
			return -1;
		}
		if (message_target(c, rest ? argv[optind] : NULL, rest ? argv[optind + 1] : NULL, err,
		                   errlen) < 0)
			return -1;
	} else if (c->t.bulk) {
		snprintf(err, errlen, "--bulk says how to judge a --message: give one");
		return -1;
	} else if (c->batch) {
		if (rest > 0) {
			snprintf(err, errlen, "with --batch, senders come from the file, not '%s'",
			         TEXT_SHOW(argv[optind]));
			return -1;
		}
	} else if (rest != 2) {
		snprintf(err, errlen, rest < 2 ? "missing %s" : "unexpected argument '%s'",
		         rest < 2 ? (rest == 0 ? "IP and DOMAIN" : "DOMAIN") : TEXT_SHOW(argv[optind + 2]));
		return -1;
	} else if (parse_sender(c, &c->t, argv[optind], argv[optind + 1], NULL, err, errlen) < 0) {
		return -1;
	}
	char why[512];
	/* Each --only narrows what runs (a wrapper's --only, then the user's),
	 * each --skip takes more away: the order does not matter. */
	bool *sel = xcalloc(nc, sizeof *sel);
	for (int i = 0; i < only.n; i++) {
		memset(sel, 0, nc * sizeof *sel);
		if (registry_select(only.v[i], sel, true, why, sizeof why) < 0) {
			free(sel);
			snprintf(err, errlen, "--only: %s", why);
			c->hint = "--list-checks";
			return -1;
		}
		for (size_t k = 0; k < nc; k++)
			c->enabled[k] = c->enabled[k] && sel[k];
	}
	free(sel);
	bool any = false;
	for (size_t k = 0; k < nc; k++)
		any = any || c->enabled[k];
	if (!any) {
		snprintf(err, errlen, "--only: the %d lists have no check in common", only.n);
		c->hint = "--list-checks";
		return -1;
	}
	for (int i = 0; i < skip.n; i++)
		if (registry_select(skip.v[i], c->enabled, false, why, sizeof why) < 0) {
			snprintf(err, errlen, "--skip: %s", why);
			c->hint = "--list-checks";
			return -1;
		}
	return 0;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int cli_parse_batch_line(const struct cli *c, const char *line, struct target *t, char *err, size_t errlen)
{
	char copy[1024];
	if (strlen(line) >= sizeof copy) {
		snprintf(err, errlen, "line longer than %zu characters", sizeof copy - 1);
		return -1;
	}
	strcpy(copy, line);
	char *hash = strchr(copy, '#');
	if (hash)
		*hash = '\0';
	char *field[4], *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(copy, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 3) {
			snprintf(err, errlen, "more than three fields (IP DOMAIN [HELO])");
			return -1;
		}
		field[n++] = tok;
	}
	if (n == 0)
		return 0;
	if (n == 1) {
		snprintf(err, errlen, "missing DOMAIN (IP DOMAIN [HELO])");
		return -1;
	}
	/* The command line's settings apply to every sender; the line's HELO
	 * replaces --helo. Selectors are shared, not copied. */
	memset(t, 0, sizeof *t);
	t->shared = c->t.shared;
	t->mail_from_given = c->t.mail_from_given;
	t->selectors = c->t.selectors;
	t->selector_count = c->t.selector_count;
	if (c->t.helo && n < 3)
		t->helo = xstrdup(c->t.helo);
	if (parse_sender(c, t, field[0], field[1], n == 3 ? field[2] : NULL, err, errlen) < 0) {
		target_free(t);
		return -1;
	}
	return 1;
}

void target_free(struct target *t)
{
	free(t->message);
	free(t->message_from);
	free(t->domain);
	free(t->helo);
	free(t->mail_from);
	memset(t, 0, sizeof *t);
}

void cli_free(struct cli *c)
{
	free(c->spf_sender);
	free(c->t.message);
	free(c->t.message_from);
	free(c->t.domain);
	free(c->t.helo);
	free(c->t.mail_from);
	free_list(c->t.selectors, c->t.selector_count);
	free_list(c->ao.dnsbl_zones, c->ao.dnsbl_zone_count);
	free_list(c->ao.dnsbl_extra, c->ao.dnsbl_extra_count);
	free(c->ao.whois_server);
	for (size_t i = 0; i < c->resolver_count; i++)
		free(c->resolvers[i]);
	free(c->enabled);
	memset(c, 0, sizeof *c);
}
