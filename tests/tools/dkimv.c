/* SPDX-License-Identifier: ISC */
/* dkimv: lib/message/dkimverify from the command line, for the DKIM
 * conformance suite (tests/suite_dkim_conformance.sh).
 *
 *   dkimv SERVER#PORT NOW FILE
 *
 * Verifies the message in FILE (a conformance bundle: the text after its
 * first empty line, when the file starts with key record lines) with its
 * keys asked of SERVER, judging x= at Unix time NOW (0: the clock), and
 * prints one line per signature: "field<TAB>d<TAB>s<TAB>result<TAB>why". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/message/dkimverify.h"
#include "../../lib/net/dns.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: dkimv SERVER#PORT NOW FILE\n");
		return 64;
	}
	FILE *f = fopen(argv[3], "rb");
	if (!f) {
		perror(argv[3]);
		return 66;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t k;
	while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	/* a bundle: "name record" lines, an empty line, the message */
	const char *msg = buf;
	size_t len = n;
	if (n > 0 && strncmp(buf, "DKIM-Signature", 14) != 0 && memchr(buf, ' ', n)) {
		const char *sep = NULL;
		for (size_t i = 0; i + 1 < n && !sep; i++)
			if (buf[i] == '\n' &&
			    (buf[i + 1] == '\n' || (buf[i + 1] == '\r' && i + 2 < n && buf[i + 2] == '\n')))
				sep = buf + i + (buf[i + 1] == '\n' ? 2 : 3);
		if (sep) {
			msg = sep;
			len = n - (size_t)(sep - buf);
		}
	}
	const char *servers[1] = {argv[1]};
	struct dns_config cfg = {
	    .servers = servers, .server_count = 1, .timeout_ms = 2000, .retries = 1, .trust_negatives = true};
	char err[256];
	struct dns *d = dns_new(&cfg, err, sizeof err);
	if (!d) {
		fprintf(stderr, "dkimv: %s\n", err);
		free(buf);
		return 64;
	}
	struct resolver r = dns_resolver(d);
	struct message m;
	msg_parse(msg, len, &m);
	struct dkimv v;
	dkimv_run(&m, &r, (time_t)atoll(argv[2]), &v);
	if (v.error)
		printf("error\t\t\t\t%s\n", v.error);
	for (size_t i = 0; i < v.n; i++)
		printf("%zu\t%s\t%s\t%s\t%s\n", v.v[i].field, v.v[i].d ? v.v[i].d : "",
		       v.v[i].s ? v.v[i].s : "", dkimv_result_name(v.v[i].result),
		       v.v[i].why ? v.v[i].why : "");
	dkimv_free(&v);
	msg_free(&m);
	dns_free(d);
	free(buf);
	return 0;
}
