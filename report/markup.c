/* SPDX-License-Identifier: ISC */
/* markup: XML/HTML escaping of outside data for the JUnit and HTML reports
 * (see markup.h). */
#include "markup.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/util/text.h"

void markup_escape(struct strbuf *b, const char *s)
{
	if (!s)
		return;
	char *u = utf8_sanitize_new(s, strlen(s));
	for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
		switch (*p) {
		case '&': sb_printf(b, "&amp;"); break;
		case '<': sb_printf(b, "&lt;"); break;
		case '>': sb_printf(b, "&gt;"); break;
		case '"': sb_printf(b, "&quot;"); break;
		case '\'': sb_printf(b, "&#39;"); break;
		case '\t':
		case '\n':
		case '\r': sb_putn(b, (const char *)p, 1); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_printf(b, "\\x%02x", *p);
			else
				sb_putn(b, (const char *)p, 1);
		}
	}
	free(u);
}
