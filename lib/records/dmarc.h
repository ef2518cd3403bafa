/* SPDX-License-Identifier: ISC */
/* dmarc: DMARC policy records (RFC 9989, which obsoletes RFC 7489) and the
 * DNS Tree Walk's list of names. Pure functions; no lookups.
 *
 * Grammar choices (the sources disagree, see tests/unit/test_dmarc.c):
 * v=DMARC1 first with nothing before it; tag names and keyword values are
 * case-insensitive, white space around '=' and ';' is allowed; duplicate
 * tags make the record invalid; unknown tags are ignored (noted). The tags
 * RFC 9989 dropped (pct, rf, ri) are checked as RFC 7489 defines them, but
 * a bad value is only noted, since current receivers ignore them. */
#ifndef SA_DMARC_H
#define SA_DMARC_H

#include <stdbool.h>
#include <stddef.h>

enum dmarc_pol {
	DMARC_POL_ABSENT,
	DMARC_POL_NONE,
	DMARC_POL_QUARANTINE,
	DMARC_POL_REJECT,
	DMARC_POL_INVALID
};

struct dmarc_uri {
	char *text; /* as written, trimmed */
	bool valid;
	char why[120];                /* why not valid */
	char *scheme;                 /* lower-case ("mailto"), NULL when invalid */
	char *domain;                 /* mailto: the address's domain, lower-case */
	unsigned long long max_bytes; /* "!10m" size limit (RFC 7489), 0: none */
};

struct dmarc_record {
	enum dmarc_pol p, sp, np;
	bool p_as_none;   /* p (or sp/np) missing or invalid, but a valid rua:
	                     receivers act as if p=none (RFC 9989 4.10.1) */
	bool usable;      /* receivers apply it (possibly as p=none) */
	char adkim, aspf; /* 'r' or 's' */
	bool testing;     /* t=y */
	char psd;         /* 'y', 'n' or 'u' (default) */
	int pct;          /* historic pct=, -1 when absent or invalid */
	char *fo;         /* as written, or NULL */
	struct dmarc_uri *rua, *ruf;
	size_t rua_count, ruf_count;
	char **errors; /* record syntax errors (invalid values, duplicates) */
	size_t error_count;
	char **notes; /* things worth saying that do not invalidate it */
	size_t note_count;
};

/* True when a TXT record starts with the DMARC version tag ("v=DMARC1"
 * followed by ';', white space or the end; "v" in any case, white space
 * around '='): the test RFC 9989 4.10 applies before counting records. */
bool dmarc_is_record(const char *txt, size_t len);

/* Parses a record. Always fills out (release it with dmarc_record_free);
 * returns -1 when txt is not a DMARC record at all, else 0 (out->errors,
 * out->usable say how good it is). */
int dmarc_parse(const char *txt, size_t len, struct dmarc_record *out);
void dmarc_record_free(struct dmarc_record *r);

/* "none", "quarantine", "reject", "absent", "invalid". */
const char *dmarc_pol_name(enum dmarc_pol p);

/* Strength for comparisons: none 0, quarantine 1, reject 2 (absent and
 * invalid count as none). */
int dmarc_pol_rank(enum dmarc_pol p);

/* The names the DNS Tree Walk queries (RFC 9989 4.10), longest first:
 * the domain itself, then its ancestors, shortened to 7 labels at once when
 * it has 8 or more, down to the top-level label. Writes at most 8 new
 * strings to names; returns the count. */
size_t dmarc_walk_names_new(const char *domain, char *names[8]);

#endif
