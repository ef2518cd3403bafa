/* SPDX-License-Identifier: ISC */
/* mta_sts: MTA-STS (RFC 8461): the _mta-sts TXT record (3.1), the policy
 * file served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (3.2), and
 * the matching of MX host names against its mx: patterns (4.1). Pure
 * functions; no lookups, no fetches.
 *
 * Grammar choices: the record is the RFC's ABNF to the letter (v=STSv1
 * first and case-sensitive, id= of 1 to 32 letters and digits, extension
 * fields well-formed; a second id= is noted, the first counts). The policy
 * takes LF or CRLF line ends (erratum 6253) and ignores blank lines; a line
 * that is no "key: value" is an error; a repeated version, mode or max_age
 * is noted and the first counts; unknown keys are noted. */
#ifndef SA_MTA_STS_H
#define SA_MTA_STS_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 8461 3.2: max_age is at most a year. */
#define MTA_STS_MAX_AGE_MAX 31557600LL

/* True when a TXT record starts with "v=STSv1" followed by ';', white space
 * or its end: the records that count (3.1: others are discarded). */
bool mta_sts_is_record(const char *txt, size_t len);

struct mta_sts_record {
	bool valid;
	char error[160]; /* why not valid */
	char id[33];     /* the id= value when valid */
};

/* Parses a TXT record; returns 0 when valid, -1 with out->error set. */
int mta_sts_record_parse(const char *txt, size_t len, struct mta_sts_record *out);

enum mta_sts_mode {
	MTA_STS_MODE_ABSENT,
	MTA_STS_ENFORCE,
	MTA_STS_TESTING,
	MTA_STS_NONE,
	MTA_STS_MODE_INVALID
};

struct mta_sts_policy {
	bool valid;    /* version, mode and max_age valid, an mx: line
	                  unless mode is none, and no error below */
	char **errors; /* each problem (at most MTA_STS_MAX_MSGS) */
	size_t error_count;
	size_t errors_dropped; /* problems beyond that */
	char **notes;          /* repeated or unknown keys, ... */
	size_t note_count;
	bool version_ok; /* version: STSv1 */
	enum mta_sts_mode mode;
	long long max_age; /* seconds, -1 when absent or invalid */
	char **mx;         /* the mx: patterns, lower-case, in order */
	size_t mx_count;
	size_t lines; /* non-blank lines */
};
#define MTA_STS_MAX_MSGS 20

/* Parses a policy body (any bytes). Always fills out; release it with
 * mta_sts_policy_free. Returns 0 when valid, else -1. */
int mta_sts_policy_parse(const char *body, size_t len, struct mta_sts_policy *out);
void mta_sts_policy_free(struct mta_sts_policy *p);

/* "enforce", "testing", "none", "absent", "invalid". */
const char *mta_sts_mode_name(enum mta_sts_mode m);

/* True when host matches pattern (4.1): equal, or "*.rest" and host is one
 * label followed by ".rest". Case-insensitive, a trailing dot ignored. */
bool mta_sts_mx_match(const char *pattern, const char *host);

/* The index of the first pattern of p that host matches, or -1. */
long mta_sts_policy_match(const struct mta_sts_policy *p, const char *host);

#endif
