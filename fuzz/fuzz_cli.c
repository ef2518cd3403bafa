/* SPDX-License-Identifier: ISC */
/* Fuzz: the argument parser and the --batch line parser. Input: NUL- or
 * newline-separated arguments; the last one is also parsed as a batch line.
 * --message reads a file (or standard input) while parsing: inputs naming
 * it ("--me", its shortest abbreviation, or longer) are left out
 * (fuzz_message fuzzes what it reads). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096 || memmem(data, size, "--me", 4))
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *argv[66];
	int argc = 0;
	argv[argc++] = "senderaudit";
	char *p = buf;
	while (argc < 64 && p < buf + size) {
		argv[argc++] = p;
		size_t l = strcspn(p, "\n");
		p[l] = '\0';
		p += l + 1;
	}
	argv[argc] = NULL;
	struct cli c;
	char err[300];
	if (cli_parse(&c, argc, argv, err, sizeof err) == 0) {
		struct target t;
		if (cli_parse_batch_line(&c, argv[argc - 1], &t, err, sizeof err) == 1) {
			t.selectors = NULL;
			target_free(&t);
		}
	}
	cli_free(&c);
	free(buf);
	return 0;
}
