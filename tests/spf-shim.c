/* SPDX-License-Identifier: ISC */
/* spf-shim.c: an LD_PRELOAD library for suite_spf.sh that makes libspf2's
 * evaluation crash or hang, to show that the audit survives both (the
 * second opinion runs in a child process). SA_SHIM=crash|hang picks; with
 * SA_SHIM_DOMAIN set, only the evaluation for that domain does (the other
 * identity's, asked in the same message, must still come back). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* spf2/spf.h is not self-contained */
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <spf2/spf.h>

SPF_errcode_t SPF_request_query_mailfrom(SPF_request_t *req, SPF_response_t **resp)
{
	const char *only = getenv("SA_SHIM_DOMAIN");
	/* the MAIL FROM's domain: set with the sender, before the query */
	const char *dom = req->env_from_dp;
	if (only && (!dom || strcmp(dom, only) != 0)) {
		SPF_errcode_t (*real)(SPF_request_t *, SPF_response_t **) =
		    (SPF_errcode_t(*)(SPF_request_t *, SPF_response_t **))dlsym(RTLD_NEXT,
		                                                                "SPF_request_query_mailfrom");
		return real(req, resp);
	}
	const char *m = getenv("SA_SHIM");
	if (m && strcmp(m, "hang") == 0)
		for (;;)
			pause();
	raise(SIGSEGV);
	abort();
}
