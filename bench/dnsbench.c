/* SPDX-License-Identifier: ISC */
/* dnsbench: the measurement behind lib/dns's design (README "Design notes").
 *
 *   dnsbench SERVER#PORT N
 *
 * Resolves N distinct names (b<i>.good.test/A, NXDOMAIN from the test
 * zones) three ways and prints the wall time of each:
 *   engine   lib/dns: all N started at once, then awaited
 *   ldns-T   ldns blocking resolvers, one per thread, T threads
 *   unbound  libunbound's async API forwarding to SERVER
 * and then how each grades a REFUSED and a SERVFAIL answer
 * (x.refused.test, x.broken.test in the test zones). */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#include "../lib/net/dns.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char addr[64];
static int port;

static void name_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "b%d.good.test", i);
}

static double run_engine(const char *server, int n)
{
	const char *servers[1] = {server};
	struct dns_config cfg = {.servers = servers, .server_count = 1, .timeout_ms = 5000, .retries = 2};
	char err[200];
	struct dns *d = dns_new(&cfg, err, sizeof err);
	if (!d) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	double t0 = now_s();
	char buf[64];
	for (int i = 0; i < n; i++) {
		name_of(i, buf, sizeof buf);
		dns_prefetch(d, buf, DNS_T_A);
	}
	int ok = 0;
	for (int i = 0; i < n; i++) {
		name_of(i, buf, sizeof buf);
		ok += dns_status_answered(dns_query(d, buf, DNS_T_A)->status);
	}
	double t = now_s() - t0;
	if (ok != n)
		fprintf(stderr, "engine: %d of %d answered\n", ok, n);
	dns_free(d);
	return t;
}

struct job {
	int from, to, ok;
};

static void *ldns_worker(void *arg)
{
	struct job *j = arg;
	ldns_resolver *r = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr);
	ldns_resolver_push_nameserver(r, ns);
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(r, (uint16_t)port);
	ldns_resolver_set_retry(r, 2);
	ldns_resolver_set_edns_udp_size(r, 1232);
	char buf[64];
	for (int i = j->from; i < j->to; i++) {
		name_of(i, buf, sizeof buf);
		ldns_rdf *dn = ldns_dname_new_frm_str(buf);
		ldns_pkt *p = NULL;
		ldns_resolver_set_nameserver_rtt(r, 0, LDNS_RESOLV_RTT_MIN);
		if (ldns_resolver_query_status(&p, r, dn, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD) ==
		    LDNS_STATUS_OK)
			j->ok++;
		ldns_pkt_free(p);
		ldns_rdf_deep_free(dn);
	}
	ldns_resolver_deep_free(r);
	return NULL;
}

static double run_ldns(int threads, int n)
{
	pthread_t th[64];
	struct job jobs[64];
	double t0 = now_s();
	for (int k = 0; k < threads; k++) {
		jobs[k] = (struct job){n * k / threads, n * (k + 1) / threads, 0};
		pthread_create(&th[k], NULL, ldns_worker, &jobs[k]);
	}
	int ok = 0;
	for (int k = 0; k < threads; k++) {
		pthread_join(th[k], NULL);
		ok += jobs[k].ok;
	}
	if (ok != n)
		fprintf(stderr, "ldns-%d: %d of %d answered\n", threads, ok, n);
	return now_s() - t0;
}

static int ub_done;

static void ub_cb(void *arg, int err, struct ub_result *res)
{
	(void)arg;
	ub_done++;
	if (!err)
		ub_resolve_free(res);
}

static struct ub_ctx *ub_new(void)
{
	struct ub_ctx *ctx = ub_ctx_create();
	char fwd[80];
	snprintf(fwd, sizeof fwd, "%s@%d", addr, port);
	ub_ctx_set_fwd(ctx, fwd);
	ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
	ub_ctx_zone_add(ctx, "test.", "nodefault");
	ub_ctx_async(ctx, 1);
	return ctx;
}

static double run_unbound(int n)
{
	struct ub_ctx *ctx = ub_new();
	double t0 = now_s();
	char buf[64];
	ub_done = 0;
	for (int i = 0; i < n; i++) {
		name_of(i, buf, sizeof buf);
		ub_resolve_async(ctx, buf, 1, 1, NULL, ub_cb, NULL);
	}
	while (ub_done < n)
		ub_wait(ctx);
	double t = now_s() - t0;
	ub_ctx_delete(ctx);
	return t;
}

static void grading(const char *server)
{
	const char *servers[1] = {server};
	struct dns_config cfg = {.servers = servers, .server_count = 1, .timeout_ms = 3000, .retries = 1};
	char err[200];
	struct dns *d = dns_new(&cfg, err, sizeof err);
	struct ub_ctx *ctx = ub_new();
	const char *names[] = {"x.refused.test", "x.broken.test"};
	for (int i = 0; i < 2; i++) {
		const struct dns_answer *a = dns_query(d, names[i], DNS_T_A);
		struct ub_result *res = NULL;
		double t0 = now_s();
		int e = ub_resolve(ctx, names[i], 1, 1, &res);
		printf("%-16s engine: %-9s  unbound: %s (after %.2f s)\n", names[i],
		       dns_status_name(a->status),
		       e ? ub_strerror(e) : ldns_lookup_by_id(ldns_rcodes, res->rcode)->name, now_s() - t0);
		if (res)
			ub_resolve_free(res);
	}
	ub_ctx_delete(ctx);
	dns_free(d);
}

int main(int argc, char **argv)
{
	if (argc != 3 || sscanf(argv[1], "%63[^#]#%d", addr, &port) != 2) {
		fprintf(stderr, "usage: dnsbench ADDR#PORT N\n");
		return 64;
	}
	int n = atoi(argv[2]);
	printf("%d distinct lookups against %s\n", n, argv[1]);
	printf("  engine (lib/dns)   %8.3f s\n", run_engine(argv[1], n));
	printf("  ldns, 1 thread     %8.3f s\n", run_ldns(1, n));
	printf("  ldns, 16 threads   %8.3f s\n", run_ldns(16, n));
	fflush(stdout); /* libunbound's async mode forks */
	printf("  libunbound async   %8.3f s\n", run_unbound(n));
	fflush(stdout);
	grading(argv[1]);
	return 0;
}
