/* SPDX-License-Identifier: ISC */
/* Fuzz: the SPF record parser and macro expansion (libspf2's weak spot,
 * CVE-2023-42118, is macro parsing: ours must hold against any record). */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/records/spf_macro.h"
#include "../lib/records/spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char err[256];
	spf_is_record(s, size);
	struct spf_record *r = spf_record_parse_new(s, size, err, sizeof err);
	if (r) {
		for (size_t i = 0; i < r->n; i++)
			spf_term_queries_dns(&r->terms[i]);
		spf_record_free(r);
	}
	spf_macro_string_valid(s, size, false);
	static const struct spf_macro_env env4 = {"strong-bad@email.example.com", "email.example.com",
	                                          "192.0.2.3", "mx.example.org", NULL};
	static const struct spf_macro_env env6 = {"x@example.com", "example.com", "2001:db8::cb01", NULL,
	                                          "mail.example.com"};
	char *e = spf_macro_expand_new(s, size, size & 1 ? &env6 : &env4, size & 2, err, sizeof err);
	if (e) {
		spf_macro_truncate(e);
		free(e);
	}
	return 0;
}
