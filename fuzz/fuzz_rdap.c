/* SPDX-License-Identifier: ISC */
/* Fuzz: RDAP JSON extraction (IP networks, domains, jCard, redaction,
 * events and dates) and the bootstrap matcher. The first byte picks which. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../lib/records/rdap.h"
#include "../lib/records/rdap_boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *json = (const char *)data + 1;
	size_t len = size - 1;
	char why[256];
	switch (data[0] % 4) {
	case 0: {
		struct rdap_ipnet n;
		memset(&n, 0, sizeof n);
		if (rdap_ipnet_parse(json, len, &n, why, sizeof why) == 0) {
			struct ipaddr ip;
			ip_parse("192.0.2.1", &ip, why, sizeof why);
			rdap_ipnet_contains(&n, &ip);
		}
		rdap_ipnet_free(&n);
		break;
	}
	case 1: {
		struct rdap_domain d;
		memset(&d, 0, sizeof d);
		rdap_domain_parse(json, len, &d, why, sizeof why);
		rdap_domain_free(&d);
		break;
	}
	case 2: {
		struct rdap_boot *b = rdap_boot_parse_new(json, len, why, sizeof why);
		if (b) {
			struct ipaddr ip;
			ip_parse("2001:db8::1", &ip, why, sizeof why);
			free(rdap_boot_ip_new(b, &ip, true));
			free(rdap_boot_domain_new(b, "mail.example.co.uk", false));
			rdap_boot_free(b);
		}
		break;
	}
	default: {
		char *s = malloc(len + 1);
		memcpy(s, json, len);
		s[len] = '\0';
		time_t t;
		rdap_time_parse(s, &t);
		char key[64];
		rdap_status_key(s, key, sizeof key);
		rdap_proxy_service(s);
		free(s);
		break;
	}
	}
	return 0;
}
