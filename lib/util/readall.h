/* SPDX-License-Identifier: ISC */
/* readall: a whole stream in memory (the files a run reads at its start:
 * --baseline, --replay-dns). */
#ifndef SA_READALL_H
#define SA_READALL_H

#include <stdbool.h>
#include <stdio.h>

/* f's bytes to its end, NUL-terminated (a new buffer, never NULL), and
 * their count in *len. False when reading failed (the bytes read so far are
 * still returned). */
bool read_all_new(FILE *f, char **out, size_t *len);

#endif
