/* SPDX-License-Identifier: ISC */
/* rdap_boot: the IANA RDAP bootstrap registries (RFC 9224): parsing, the
 * longest-prefix and longest-label matches, and loading the files from
 * IANA, a URL or a directory through a one-day cache (see rdap_boot.h). */
#include "rdap_boot.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/xalloc.h"

/* A bootstrap file larger than this is not one (dns.json is ~100 kB). */
#define BOOT_MAX_BYTES (4 * 1024 * 1024)

struct service {
	char **keys; /* CIDRs or TLD labels, lower-case */
	size_t nkeys;
	char *https; /* preferred base URL, with trailing '/' */
	char *http;
};

struct rdap_boot {
	struct service *v;
	size_t n;
};

static char *with_slash_new(const char *u)
{
	size_t l = strlen(u);
	return l && u[l - 1] == '/' ? xstrdup(u) : xasprintf("%s/", u);
}

struct rdap_boot *rdap_boot_parse_new(const char *json, size_t len, char *why, size_t whylen)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root) {
		snprintf(why, whylen, "not JSON");
		return NULL;
	}
	cJSON *services = cJSON_GetObjectItemCaseSensitive(root, "services");
	if (!cJSON_IsArray(services)) {
		snprintf(why, whylen, "no \"services\" array (not an RFC 9224 bootstrap file)");
		cJSON_Delete(root);
		return NULL;
	}
	struct rdap_boot *b = xcalloc(1, sizeof *b);
	b->v = xcalloc((size_t)cJSON_GetArraySize(services) + 1, sizeof *b->v);
	cJSON *svc;
	cJSON_ArrayForEach(svc, services)
	{
		/* [[entries], [urls]] (object-tags.json has three members: not ours) */
		if (!cJSON_IsArray(svc) || cJSON_GetArraySize(svc) != 2)
			continue;
		cJSON *keys = cJSON_GetArrayItem(svc, 0), *urls = cJSON_GetArrayItem(svc, 1);
		if (!cJSON_IsArray(keys) || !cJSON_IsArray(urls))
			continue;
		struct service s = {0};
		cJSON *u;
		cJSON_ArrayForEach(u, urls)
		{
			if (!cJSON_IsString(u))
				continue;
			if (!s.https && strncasecmp(u->valuestring, "https://", 8) == 0)
				s.https = with_slash_new(u->valuestring);
			else if (!s.http && strncasecmp(u->valuestring, "http://", 7) == 0)
				s.http = with_slash_new(u->valuestring);
		}
		s.keys = xcalloc((size_t)cJSON_GetArraySize(keys) + 1, sizeof *s.keys);
		cJSON *k;
		cJSON_ArrayForEach(k, keys)
		{
			if (!cJSON_IsString(k) || !*k->valuestring)
				continue;
			char *key = xstrdup(k->valuestring);
			for (char *p = key; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			size_t kl = strlen(key);
			if (kl > 1 && key[kl - 1] == '.')
				key[kl - 1] = '\0';
			s.keys[s.nkeys++] = key;
		}
		if (!s.https && !s.http) {
			for (size_t i = 0; i < s.nkeys; i++)
				free(s.keys[i]);
			free(s.keys);
			continue;
		}
		b->v[b->n++] = s;
	}
	cJSON_Delete(root);
	return b;
}

void rdap_boot_free(struct rdap_boot *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		for (size_t k = 0; k < b->v[i].nkeys; k++)
			free(b->v[i].keys[k]);
		free(b->v[i].keys);
		free(b->v[i].https);
		free(b->v[i].http);
	}
	free(b->v);
	free(b);
}

static const char *pick(const struct service *s, bool allow_http)
{
	if (s->https)
		return s->https;
	return allow_http ? s->http : NULL;
}

/* Prefix length when key is a CIDR of ip's family containing ip, else -1. */
static int cidr_match(const char *key, const struct ipaddr *ip)
{
	const char *slash = strchr(key, '/');
	char addr[64];
	size_t al = slash ? (size_t)(slash - key) : strlen(key);
	if (al >= sizeof addr)
		return -1;
	memcpy(addr, key, al);
	addr[al] = '\0';
	unsigned char b[16];
	if (inet_pton(ip->af, addr, b) != 1)
		return -1;
	int bits = ip->af == AF_INET ? 32 : 128;
	int plen = bits;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (*end || v < 0 || v > bits)
			return -1;
		plen = (int)v;
	}
	for (int i = 0; i < plen; i++) {
		int m = 0x80 >> (i % 8);
		if ((b[i / 8] & m) != (ip->b[i / 8] & m))
			return -1;
	}
	return plen;
}

char *rdap_boot_ip_new(const struct rdap_boot *b, const struct ipaddr *ip, bool allow_http)
{
	const char *best = NULL;
	int best_len = -1;
	for (size_t i = 0; b && i < b->n; i++) {
		const char *u = pick(&b->v[i], allow_http);
		if (!u)
			continue;
		for (size_t k = 0; k < b->v[i].nkeys; k++) {
			int l = cidr_match(b->v[i].keys[k], ip);
			if (l > best_len) {
				best_len = l;
				best = u;
			}
		}
	}
	return best ? xstrdup(best) : NULL;
}

char *rdap_boot_domain_new(const struct rdap_boot *b, const char *domain, bool allow_http)
{
	const char *best = NULL;
	size_t best_len = 0;
	size_t dl = strlen(domain);
	for (size_t i = 0; b && i < b->n; i++) {
		const char *u = pick(&b->v[i], allow_http);
		if (!u)
			continue;
		for (size_t k = 0; k < b->v[i].nkeys; k++) {
			const char *key = b->v[i].keys[k];
			size_t kl = strlen(key);
			/* whole labels only: "example.com" is under "com", not "om" */
			bool hit = kl == dl ? strcasecmp(key, domain) == 0
			                    : kl < dl && domain[dl - kl - 1] == '.' &&
			                          strcasecmp(key, domain + dl - kl) == 0;
			if (hit && kl > best_len) {
				best_len = kl;
				best = u;
			}
		}
	}
	return best ? xstrdup(best) : NULL;
}

char *rdap_cache_dir_new(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	char *base;
	/* The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored. */
	if (x && x[0] == '/') {
		base = xstrdup(x);
	} else {
		const char *home = getenv("HOME");
		if (!home || home[0] != '/')
			return NULL;
		base = xasprintf("%s/.cache", home);
	}
	mkdir(base, 0700);
	char *dir = xasprintf("%s/senderaudit", base);
	free(base);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	return dir;
}

static char *read_file_new(const char *path, size_t *len, char *why, size_t whylen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 65536 > cap) {
			cap = n + 65536;
			buf = xrealloc(buf, cap + 1);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n > BOOT_MAX_BYTES) {
			snprintf(why, whylen, "%s is larger than %d bytes", path, BOOT_MAX_BYTES);
			free(buf);
			fclose(f);
			return NULL;
		}
		if (r == 0)
			break;
	}
	bool err = ferror(f);
	fclose(f);
	if (err) {
		snprintf(why, whylen, "cannot read %s", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Writes data to path atomically (a temporary file renamed over it), so
 * concurrent audits never read half a file. Failures are ignored: the cache
 * is an optimisation. */
static void write_cache(const char *path, const char *data, size_t len)
{
	/* mkstemp: audits of one batch run on threads of one process */
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd >= 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, data + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (close(fd) == 0 && off == len && rename(tmp, path) == 0) {
			free(tmp);
			return;
		}
	}
	unlink(tmp);
	free(tmp);
}

static void parse_into(struct rdap_boot_file *f, const char *data, size_t len)
{
	char why[200];
	f->boot = rdap_boot_parse_new(data, len, why, sizeof why);
	if (!f->boot)
		snprintf(f->why, sizeof f->why, "%s: %s", f->source, why);
}

static void load_file(struct rdap_boot_file *f, const char *path)
{
	size_t len;
	char why[250];
	f->source = xstrdup(path);
	char *data = read_file_new(path, &len, why, sizeof why);
	if (!data) {
		snprintf(f->why, sizeof f->why, "%s", why);
		return;
	}
	parse_into(f, data, len);
	free(data);
}

/* IANA's files are cached as <dir>/ipv4.json; those of a user-given URL in a
 * folder of their own, named after the URL (so two mirrors never mix). */
static char *cache_path_new(const char *dir, const char *url, const char *name)
{
	if (!url)
		return xasprintf("%s/%s", dir, name);
	char key[80];
	size_t k = 0;
	uint32_t hash = 2166136261u; /* FNV-1a */
	for (const char *p = url; *p; p++) {
		hash = (hash ^ (unsigned char)*p) * 16777619u;
		if (k < 48)
			key[k++] = (char)(isalnum((unsigned char)*p) ? *p : '_');
	}
	snprintf(key + k, sizeof key - k, "-%08x", hash);
	char *sub = xasprintf("%s/%s", dir, key);
	mkdir(sub, 0700);
	char *path = xasprintf("%s/%s", sub, name);
	free(sub);
	return path;
}

void rdap_boot_load(struct http *h, const char *override, const char *iana, const char *cache_dir,
                    struct rdap_boot_file *files, size_t n)
{
	bool url =
	    override && (strncmp(override, "http://", 7) == 0 || strncmp(override, "https://", 8) == 0);
	size_t pending = 0;
	for (size_t i = 0; i < n; i++) {
		struct rdap_boot_file *f = &files[i];
		if (override && !url) {
			char *p = xasprintf("%s/%s", override, f->name);
			load_file(f, p);
			free(p);
			continue;
		}
		if (cache_dir) {
			f->cache_path = cache_path_new(cache_dir, override, f->name);
			struct stat st;
			if (stat(f->cache_path, &st) == 0 && time(NULL) - st.st_mtime < RDAP_BOOT_MAX_AGE_S &&
			    time(NULL) >= st.st_mtime) {
				load_file(f, f->cache_path);
				if (f->boot)
					continue;
				free(f->source);
				f->source = NULL;
			}
		}
		char *base = with_slash_new(override ? override : iana);
		char *u = xasprintf("%s%s", base, f->name);
		free(base);
		f->resp = http_get(h, u, f);
		f->source = u;
		pending++;
	}
	struct http_resp *r;
	while (pending && (r = http_next(h))) {
		struct rdap_boot_file *f = r->user;
		pending--;
		char prob[300];
		if (r->err == HTTP_E_NONE && r->status == 200) {
			parse_into(f, r->body ? r->body : "", r->len);
			if (f->boot && f->cache_path)
				write_cache(f->cache_path, r->body, r->len);
			if (f->boot)
				continue;
		} else {
			snprintf(f->why, sizeof f->why, "%s: %s", f->source,
			         http_problem(r, prob, sizeof prob));
		}
		/* IANA unreachable or broken: a stale copy beats nothing. */
		struct stat st;
		if (f->cache_path && stat(f->cache_path, &st) == 0) {
			char failed[sizeof f->why];
			snprintf(failed, sizeof failed, "%s", f->why);
			char *src = f->source;
			f->source = NULL;
			load_file(f, f->cache_path);
			if (f->boot) {
				char when[32];
				struct tm tm;
				gmtime_r(&st.st_mtime, &tm);
				strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
				f->note = xasprintf("%s; used the cached copy of %s", failed, when);
			}
			free(src);
		}
	}
}

void rdap_boot_file_free(struct rdap_boot_file *f)
{
	rdap_boot_free(f->boot);
	free(f->source);
	free(f->note);
	free(f->cache_path);
	f->boot = NULL;
	f->source = f->note = f->cache_path = NULL;
}
