/* SPDX-License-Identifier: ISC */
/* target: the names of where a target's inputs came from (see target.h). */
#include "target.h"

const char *target_source_name(enum target_source s)
{
	switch (s) {
	case SRC_ARGUMENT: return "argument";
	case SRC_DEFAULT: return "default";
	case SRC_HEADER: return "header";
	case SRC_SMTP: return "smtp";
	}
	return "argument";
}
