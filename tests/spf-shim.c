/* SPDX-License-Identifier: ISC */
/* spf-shim.c: an LD_PRELOAD library for suite_spf.sh that makes libspf2's
 * evaluation crash or hang, to show that the audit survives both (the
 * second opinion runs in a child process). SA_SHIM=crash|hang picks. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct SPF_request_struct;
struct SPF_response_struct;

int SPF_request_query_mailfrom(struct SPF_request_struct *req, struct SPF_response_struct **resp);

int SPF_request_query_mailfrom(struct SPF_request_struct *req, struct SPF_response_struct **resp)
{
	(void)req;
	(void)resp;
	const char *m = getenv("SA_SHIM");
	if (m && strcmp(m, "hang") == 0)
		for (;;)
			pause();
	raise(SIGSEGV);
	abort();
}
