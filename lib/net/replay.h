/* replay: DNS answers saved to a file and answered from it (--save-dns,
 * --replay-dns), as resolvers: a recorder wraps the real one and keeps
 * every graded answer the audit read; a replay answers only from a file,
 * and a question the file does not hold gets a failure (DNS_NETWORK) whose
 * reason names it, never "does not exist". So a report can be reproduced
 * offline, and a user's saved answers become a regression test.
 *
 * The file is text, one line per fact, sorted by question (diffable):
 *   # comment
 *   servers TOKEN                         the resolver the answers came from
 *   NAME TYPE status STATUS RCODE [WHY]   one per question: the graded status
 *   NAME TYPE cname TARGET                the CNAMEs followed, in order
 *   NAME TYPE rr TTL DATA                 each record: A/AAAA address, MX
 *                                         "PREF HOST", PTR/NS/CNAME host,
 *                                         TXT one quoted string
 * NAME is the question (lower-case, no trailing dot), TYPE "A", "MX", ...
 * or "TYPEnn", STATUS lib/dns's grade (OK, NXDOMAIN, SERVFAIL, ...). A
 * token holding a space, a quote, a backslash or a byte outside printable
 * ASCII is quoted, with \" \\ and \DDD (decimal) escapes. */
#ifndef SA_REPLAY_H
#define SA_REPLAY_H

#include <stdio.h>

#include "resolver.h"

struct dns_recorder;

/* A recorder over below (which must outlive it). */
struct dns_recorder *dns_recorder_new(const struct resolver *below);
struct resolver dns_recorder_resolver(struct dns_recorder *r);
/* Writes every answer recorded so far. Returns 0, or -1 (errno set). */
int dns_recorder_write(struct dns_recorder *r, FILE *out);
void dns_recorder_free(struct dns_recorder *r);

struct dns_replay;

/* Loads a file written by dns_recorder_write. Returns NULL with a reason
 * ("FILE:LINE: ...") in err when it cannot be read or parsed. */
struct dns_replay *dns_replay_load(const char *path, char *err, size_t errlen);
/* The same from text in memory (for tests and fuzzing); name is used in
 * messages. */
struct dns_replay *dns_replay_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
struct resolver dns_replay_resolver(struct dns_replay *r);
void dns_replay_free(struct dns_replay *r);

/* A resolver over below that counts the distinct questions asked through
 * it (one audit's "lookups"). */
struct dns_counter;
struct dns_counter *dns_counter_new(const struct resolver *below);
struct resolver dns_counter_resolver(struct dns_counter *c);
unsigned long dns_counter_count(struct dns_counter *c);
void dns_counter_free(struct dns_counter *c);

#endif
