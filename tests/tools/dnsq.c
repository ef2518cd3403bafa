/* dnsq: lib/dns from the command line, for the DNS layer's own tests.
 *
 *   dnsq SERVER#PORT [-t MS] [-r N] [-c] [-l ZONE MAX]... NAME/TYPE[/FLAGS]...
 *
 * Starts every lookup at once, waits for all, prints one line per lookup
 * ("name/type STATUS rr-count") and then the layer's counters. FLAGS (do,
 * cd or docd) ask with DNS_Q_DO / DNS_Q_CD; the line then also says
 * "ad=0|1 sigs=N". Negative
 * answers are taken at face value unless -c (vet them with the canaries,
 * as the audit does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/net/dns.h"

static uint16_t type_of(const char *t)
{
	static const struct {
		const char *n;
		uint16_t v;
	} types[] = {{"A", DNS_T_A}, {"AAAA", DNS_T_AAAA}, {"MX", DNS_T_MX}, {"TXT", DNS_T_TXT}, {"PTR", DNS_T_PTR}, {"NS", DNS_T_NS},
	               {"SOA", DNS_T_SOA}, {"DS", DNS_T_DS}, {"DNSKEY", DNS_T_DNSKEY}, {"TLSA", DNS_T_TLSA}};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(types[i].n, t) == 0)
			return types[i].v;
	return DNS_T_A;
}

/* "name/TYPE/flags" into name; returns the type, sets the DNS_Q_* flags. */
static const char *split(const char *arg, char *name, size_t len, unsigned *flags)
{
	snprintf(name, len, "%s", arg);
	char *type = strchr(name, '/');
	*flags = 0;
	if (!type)
		return "A";
	*type++ = '\0';
	char *f = strchr(type, '/');
	if (f) {
		*f++ = '\0';
		*flags = (strstr(f, "do") ? DNS_Q_DO : 0) | (strstr(f, "cd") ? DNS_Q_CD : 0);
	}
	return type;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: dnsq SERVER#PORT [-t MS] [-r N] [-c] [-l ZONE MAX]... NAME/TYPE...\n");
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
		} else if (strcmp(argv[k], "-t") == 0 || strcmp(argv[k], "-r") == 0) {
			k++;
		}
	int first = i;
	char name[300];
	for (int k = first; k < argc; k++) {
		unsigned flags;
		const char *type = split(argv[k], name, sizeof name, &flags);
		dns_prefetch_ex(d, name, type_of(type), flags);
	}
	for (int k = first; k < argc; k++) {
		unsigned flags;
		const char *type = split(argv[k], name, sizeof name, &flags);
		const struct dns_answer *a = dns_query_ex(d, name, type_of(type), flags);
		printf("%s %s %zu", argv[k], dns_status_name(a->status), a->rr_count);
		if (flags)
			printf(" ad=%d sigs=%zu", a->ad, a->sig_count);
		printf("\n");
	}
	struct dns_stats st;
	dns_get_stats(d, &st);
	printf("lookups=%lu cache_hits=%lu sent=%lu tcp=%lu timeouts=%lu max_inflight=%lu\n", st.lookups,
	       st.cache_hits, st.sent, st.tcp, st.timeouts, st.max_inflight);
	dns_free(d);
	return 0;
}
