/* SPDX-License-Identifier: ISC */
/* Fuzz: the message grammar (lib/message/rfc5322): reading a message
 * (fields, folding, line endings), every field through the mailbox, date,
 * msg-id, URI-list and tag-list parsers, the MIME check and the hints. */
#include <stdint.h>
#include <stdlib.h>

#include "../lib/message/rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message m;
	msg_parse((const char *)data, size, &m);
	for (size_t i = 0; i < m.nf; i++) {
		const char *v = m.f[i].value;
		struct msg_mailbox *mb;
		long n = msg_mailboxes(v, &mb, NULL, 0);
		if (n >= 0)
			msg_mailboxes_free(mb, (size_t)n);
		time_t t;
		bool obs;
		msg_date(v, &t, &obs, NULL, 0);
		msg_id_valid(v, NULL, 0);
		char **u;
		n = msg_uri_list(v, &u);
		if (n >= 0)
			msg_strings_free(u, (size_t)n);
		char *h = msg_tag_new(v, "h");
		if (h)
			msg_list_has(h, "From");
		free(h);
	}
	char why[200];
	msg_mime_check(&m, why, sizeof why);
	struct msg_hints hints;
	msg_hints(&m, &hints);
	msg_hints_free(&hints);
	msg_free(&m);
	return 0;
}
