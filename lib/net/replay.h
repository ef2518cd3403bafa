/* SPDX-License-Identifier: ISC */
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
 *   NAME TYPE ad                          the resolver set AD (authentic)
 *   NAME TYPE cname TARGET                the CNAMEs followed, in order
 *   NAME TYPE rr TTL DATA                 each record: A/AAAA address, MX
 *                                         "PREF HOST", PTR/NS/CNAME host,
 *                                         TXT one quoted string, other types
 *                                         (SOA, DS, DNSKEY, TLSA...) RFC 3597
 *                                         "\# LENGTH HEX" ("-" for no bytes)
 *   NAME TYPE sig TTL \# LENGTH HEX       an RRSIG over the records
 * NAME is the question (lower-case, no trailing dot), TYPE "A", "MX", ...
 * or "TYPEnn", with "+do" and "+cd" for a question asked with DNSSEC OK or
 * checking disabled (each its own question), STATUS lib/dns's grade (OK,
 * NXDOMAIN, SERVFAIL, ...). A token holding a space, a quote, a backslash
 * or a byte outside printable ASCII is quoted, with \" \\ and \DDD
 * (decimal) escapes. */
#ifndef SA_REPLAY_H
#define SA_REPLAY_H

#include <stdio.h>

#include "resolver.h"

/* The answers a run used, for --save-dns: each question once, its answer
 * copied (the cache may let the original go once an audit is over). */
struct dns_recorder;
struct dns_recorder *dns_recorder_new(void);
/* Keeps a copy of a as the answer to name/type asked with the DNS_Q_*
 * flags, unless one is kept already. */
void dns_recorder_keep(struct dns_recorder *r, const char *name, uint16_t type, unsigned flags,
                       const struct dns_answer *a);
/* Writes every answer kept, sorted, with servers (the resolver they came
 * from) on the servers line. Returns 0, or -1 (errno set). */
int dns_recorder_write(struct dns_recorder *r, const char *servers, FILE *out);
void dns_recorder_free(struct dns_recorder *r);

struct dns_replay;

/* Loads a file written by dns_recorder_write. Returns NULL with a reason
 * ("FILE:LINE: ...") in err when it cannot be read or parsed. */
struct dns_replay *dns_replay_load(const char *path, char *err, size_t errlen);
/* The same from text in memory (for tests and fuzzing); name is used in
 * messages. */
struct dns_replay *dns_replay_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
/* Its answers; one it made up for a question the file lacks lives until
 * every tap it was given to is freed (the resolver's release). */
struct resolver dns_replay_resolver(struct dns_replay *r);
/* How many made-up answers are held now. */
size_t dns_replay_made_up(struct dns_replay *r);
void dns_replay_free(struct dns_replay *r);

/* A tap: a resolver over below (which must outlive it) that counts the
 * distinct questions asked through it (one audit's "lookups") and, with a
 * recorder, keeps each answer in it; freed, it gives below's answers back. */
struct dns_tap;
struct dns_tap *dns_tap_new(const struct resolver *below, struct dns_recorder *rec);
struct resolver dns_tap_resolver(struct dns_tap *t);
unsigned long dns_tap_count(struct dns_tap *t);
void dns_tap_free(struct dns_tap *t);

#endif
