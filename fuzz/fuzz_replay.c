/* SPDX-License-Identifier: ISC */
/* Fuzz: DNS answer files (--replay-dns): parsing any bytes, answering from
 * what parsed through a tap, and writing it back from the recorder. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/net/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct dns_replay *r = dns_replay_parse((const char *)data, size, "fuzz", err, sizeof err);
	if (!r)
		return 0;
	struct resolver res = dns_replay_resolver(r);
	struct dns_recorder *rec = dns_recorder_new();
	struct dns_tap *tap = dns_tap_new(&res, rec);
	struct resolver rr = dns_tap_resolver(tap);
	static const uint16_t types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_PTR};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		resolver_query(&rr, "a.test", types[i]);
		resolver_query(&rr, "x", types[i]);
	}
	FILE *f = fopen("/dev/null", "w");
	if (f) {
		dns_recorder_write(rec, resolver_servers(&res), f);
		fclose(f);
	}
	dns_tap_free(tap);
	dns_recorder_free(rec);
	dns_replay_free(r);
	return 0;
}
