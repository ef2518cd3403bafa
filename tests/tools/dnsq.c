/* SPDX-License-Identifier: ISC */
/* dnsq: lib/dns from the command line, for the DNS layer's own tests.
 *
 *   dnsq SERVER#PORT [-t MS] [-r N] [-c] [-C MAX] [-l ZONE MAX]... NAME/TYPE[/FLAGS]|sleep:MS...
 *
 * The lookups between two sleep:MS words are one phase: they are started at
 * once, waited for, printed one a line ("name/type STATUS rr-count"; with
 * FLAGS, do, cd or docd for DNS_Q_DO / DNS_Q_CD, also "ad=0|1 sigs=N"), and
 * then let go (a view per phase, so the cache may expire or evict them);
 * after the last phase come the layer's counters. Negative answers are taken
 * at face value unless -c (vet them with the canaries, as the audit does);
 * -C caps the cache's entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/net/dns.h"

static uint16_t type_of(const char *t)
{
	static const struct {
		const char *n;
		uint16_t v;
	} types[] = {{"A", DNS_T_A},           {"AAAA", DNS_T_AAAA}, {"MX", DNS_T_MX},   {"TXT", DNS_T_TXT},
	             {"PTR", DNS_T_PTR},       {"NS", DNS_T_NS},     {"SOA", DNS_T_SOA}, {"DS", DNS_T_DS},
	             {"DNSKEY", DNS_T_DNSKEY}, {"TLSA", DNS_T_TLSA}};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(types[i].n, t) == 0)
			return types[i].v;
	return DNS_T_A;
}

/* name, type and DNS_Q_* flags of a NAME/TYPE[/FLAGS] word (name in buf). */
static uint16_t split(const char *word, char *buf, size_t len, unsigned *flags)
{
	snprintf(buf, len, "%s", word);
	*flags = 0;
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	char *f = slash ? strchr(slash, '/') : NULL;
	if (f) {
		*f++ = '\0';
		*flags = (strstr(f, "do") ? DNS_Q_DO : 0) | (strstr(f, "cd") ? DNS_Q_CD : 0);
	}
	return type_of(slash ? slash : "A");
}

/* One phase: words[0..n), all started, then all waited for. */
static void phase(struct dns *d, char **words, int n)
{
	struct dns_view *v = dns_view_new(d);
	char name[300];
	unsigned flags;
	for (int k = 0; k < n; k++) {
		uint16_t t = split(words[k], name, sizeof name, &flags);
		dns_view_prefetch_ex(v, name, t, flags);
	}
	for (int k = 0; k < n; k++) {
		uint16_t t = split(words[k], name, sizeof name, &flags);
		const struct dns_answer *a = dns_view_query_ex(v, name, t, flags);
		printf("%s %s %zu", words[k], dns_status_name(a->status), a->rr_count);
		if (flags)
			printf(" ad=%d sigs=%zu", a->ad, a->sig_count);
		printf("\n");
	}
	dns_view_free(v);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: dnsq SERVER#PORT [-t MS] [-r N] [-c] [-C MAX] [-l ZONE MAX]... "
		                "NAME/TYPE|sleep:MS...\n");
		return 64;
	}
	const char *servers[1] = {argv[1]};
	struct dns_config cfg = {
	    .servers = servers, .server_count = 1, .timeout_ms = 2000, .retries = 2, .trust_negatives = true};
	int i = 2;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			cfg.timeout_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			cfg.retries = atoi(argv[++i]);
		else if (strcmp(argv[i], "-c") == 0)
			cfg.trust_negatives = false;
		else if (strcmp(argv[i], "-C") == 0 && i + 1 < argc)
			cfg.cache_max = (size_t)atol(argv[++i]);
		else if (strcmp(argv[i], "-l") == 0 && i + 2 < argc)
			i += 2; /* applied below, once the layer exists */
	}
	char err[200];
	struct dns *d = dns_new(&cfg, err, sizeof err);
	if (!d) {
		fprintf(stderr, "dnsq: %s\n", err);
		return 1;
	}
	for (int k = 2; k < i; k++)
		if (strcmp(argv[k], "-l") == 0) {
			dns_limit_zone(d, argv[k + 1], atoi(argv[k + 2]));
			k += 2;
		} else if (strcmp(argv[k], "-t") == 0 || strcmp(argv[k], "-r") == 0 ||
		           strcmp(argv[k], "-C") == 0) {
			k++;
		}
	int start = i;
	for (int k = i; k <= argc; k++) {
		if (k < argc && strncmp(argv[k], "sleep:", 6) != 0)
			continue;
		phase(d, argv + start, k - start);
		if (k < argc) {
			long ms = atol(argv[k] + 6);
			struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
			nanosleep(&ts, NULL);
		}
		start = k + 1;
	}
	struct dns_stats st;
	dns_get_stats(d, &st);
	printf("lookups=%lu cache_hits=%lu sent=%lu tcp=%lu timeouts=%lu max_inflight=%lu expired=%lu "
	       "evicted=%lu "
	       "sockets=%lu\n",
	       st.lookups, st.cache_hits, st.sent, st.tcp, st.timeouts, st.max_inflight, st.expired,
	       st.evicted, st.sockets);
	dns_free(d);
	return 0;
}
