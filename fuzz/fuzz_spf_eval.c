/* SPDX-License-Identifier: ISC */
/* Fuzz: the SPF evaluator and tree walk over hostile DNS data. The input
 * is a zone in tests/memdns.h's text form; example.com is evaluated for an
 * IPv4 or IPv6 client (first byte). Any record, include loop, macro or
 * limit must end in a result, never a crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/records/spf_eval.h"
#include "../tests/memdns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memdns m;
	memdns_load(&m, (const char *)data, size);
	struct resolver d = memdns_resolver(&m);
	struct spf_request rq = {{0}, "example.com", "user@example.com", "mail.example.org"};
	char why[64];
	ip_parse(size && (data[0] & 1) ? "2001:db8::7" : "192.0.2.7", &rq.ip, why, sizeof why);
	struct spf_tree t;
	spf_walk(&d, &rq, &t);
	const char *where;
	const struct spf_node *stop;
	spf_tree_all(&t, &where, &stop);
	spf_tree_clear(&t);
	struct spf_verdict v;
	spf_check_host(&d, &rq, &v);
	spf_verdict_clear(&v);
	memdns_free(&m);
	return 0;
}
