#include "spf_second.h"

#include <string.h>

#include "../lib/xalloc.h"

void spf_second_run(struct dns *d, const struct spf_request *rq, int timeout_ms, struct spf_second *out)
{
	(void)d;
	(void)rq;
	(void)timeout_ms;
	memset(out, 0, sizeof *out);
	out->why = xstrdup("not run");
}
