/* SPDX-License-Identifier: ISC */
/* Fuzz: IP parsing and reversal, host-name syntax, user domains (IDN). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util/names.h"
#include "../lib/util/psl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char why[256], buf[80];
	struct ipaddr ip;
	if (ip_parse(s, &ip, why, sizeof why) == 0) {
		ip_reverse_name(&ip, buf, sizeof buf);
		ip_reverse_key(&ip, buf, sizeof buf);
	}
	name_is_hostname(s, why, sizeof why);
	name_is_dns(s);
	free(name_normalize_new(s));
	free(name_from_user_new(s, why, sizeof why));
	name_is_under(s, "example.com");
	free(s);
	return 0;
}
