/* SPDX-License-Identifier: ISC */
/* clock: the two times a report carries. */
#ifndef SA_CLOCK_H
#define SA_CLOCK_H

#include <stdint.h>

/* Milliseconds on a monotonic clock (for durations). */
int64_t clock_mono_ms(void);
/* The current UTC time as RFC 3339, "2026-11-22T07:00:00Z" (21 bytes). */
void clock_rfc3339(char *buf, unsigned long len);

#endif
