/* SPDX-License-Identifier: ISC */
/* rdap_boot: the IANA RDAP bootstrap registries (RFC 9224): finding the RDAP
 * server for an IP address (longest prefix) or a domain (longest label
 * match), and loading ipv4.json / ipv6.json / dns.json from IANA through a
 * one-day cache, a user-given URL or a directory. */
#ifndef SA_RDAP_BOOT_H
#define SA_RDAP_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "../net/http.h"
#include "../util/names.h"

#define RDAP_IANA_BOOTSTRAP "https://data.iana.org/rdap/"
/* Cached copies younger than this are used without asking IANA. */
#define RDAP_BOOT_MAX_AGE_S (24 * 3600)

struct rdap_boot;

/* Parses one bootstrap file. Returns NULL with a reason in why. */
struct rdap_boot *rdap_boot_parse_new(const char *json, size_t len, char *why, size_t whylen);
void rdap_boot_free(struct rdap_boot *b);

/* The base URL (ending in '/') serving ip, from an ipv4/ipv6 file, or NULL.
 * https URLs are preferred; plain http ones are used only with allow_http. */
char *rdap_boot_ip_new(const struct rdap_boot *b, const struct ipaddr *ip, bool allow_http);
/* The base URL serving domain (an A-label name), from dns.json, or NULL. */
char *rdap_boot_domain_new(const struct rdap_boot *b, const char *domain, bool allow_http);

/* One bootstrap file being loaded. */
struct rdap_boot_file {
	const char *name;       /* "ipv4.json", "ipv6.json", "dns.json" */
	struct rdap_boot *boot; /* NULL on failure */
	char *source;           /* where it came from (URL or path) */
	char *note;             /* e.g. a stale cache used because IANA failed */
	char why[300];          /* the failure when boot is NULL */
	/* internal */
	struct http_resp *resp;
	char *cache_path;
};

/* Loads files[0..n) (their name set) concurrently through h: from override
 * (--rdap-bootstrap: an http(s) URL or a directory), or when it is NULL from
 * iana (RDAP_IANA_BOOTSTRAP). Files fetched over HTTP go through the cache
 * directory cache_dir (NULL: not cached): a copy younger than a day is used
 * as is, a stale one when the server fails. A directory is read as it is. */
void rdap_boot_load(struct http *h, const char *override, const char *iana, const char *cache_dir,
                    struct rdap_boot_file *files, size_t n);
void rdap_boot_file_free(struct rdap_boot_file *f);

/* $XDG_CACHE_HOME/senderaudit, else ~/.cache/senderaudit (created), or NULL. */
char *rdap_cache_dir_new(void);

#endif
