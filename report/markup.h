/* SPDX-License-Identifier: ISC */
/* markup: escaping outside data (DNS records, RDAP text) for the XML and
 * HTML back ends. Shared by report/junit.c and report/html.c only. */
#ifndef SA_MARKUP_H
#define SA_MARKUP_H

#include "../lib/util/strbuf.h"

/* Appends s as XML/HTML character data or attribute text: & < > " '
 * escaped, invalid UTF-8 replaced by U+FFFD, and the control characters
 * XML 1.0 forbids (all but tab, newline, carriage return) written as
 * "\xNN", so any bytes make a well-formed document. NULL appends nothing. */
void markup_escape(struct strbuf *b, const char *s);

#endif
