/* SPDX-License-Identifier: ISC */
/* category: the one list of check categories (see category.h). */
#include "category.h"

#include <string.h>

static const struct category categories[] = {
    {"rdns", "Reverse and forward DNS"},
    {"helo", "HELO"},
    {"spf", "SPF"},
    {"dkim", "DKIM"},
    {"dmarc", "DMARC"},
    {"mx", "Bounces (MX)"},
    {"rdap", "Registration data"},
    {"dnsbl", "DNS blocklists"},
    {"domain", "Domain policies (MTA-STS, TLS-RPT, BIMI, DNSSEC, DANE)"},
    {"smtp", "SMTP"},
    {"message", "Message"},
};
#define COUNT (sizeof categories / sizeof *categories)

size_t category_count(void)
{
	return COUNT;
}

const struct category *category_at(size_t i)
{
	return i < COUNT ? &categories[i] : NULL;
}

size_t category_rank(const char *id)
{
	size_t len = strcspn(id, ".");
	for (size_t i = 0; i < COUNT; i++)
		if (strlen(categories[i].name) == len && strncmp(categories[i].name, id, len) == 0)
			return i;
	return COUNT;
}

const char *category_title(const char *name)
{
	size_t r = category_rank(name);
	return r < COUNT && strcmp(categories[r].name, name) == 0 ? categories[r].title : name;
}
