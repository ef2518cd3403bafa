/* SPDX-License-Identifier: ISC */
/* Fuzz: the rdns.generic heuristic over hostile PTR names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/records/generic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17)
		return 0;
	struct ipaddr ip;
	memset(&ip, 0, sizeof ip);
	ip.af = data[0] & 1 ? AF_INET6 : AF_INET;
	memcpy(ip.b, data + 1, 16);
	char *name = malloc(size - 17 + 1);
	memcpy(name, data + 17, size - 17);
	name[size - 17] = '\0';
	struct generic_verdict v;
	generic_classify(name, data[0] & 2 ? NULL : "example.com", data[0] & 4 ? NULL : &ip, &v);
	free(name);
	return 0;
}
