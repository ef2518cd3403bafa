/* SPDX-License-Identifier: ISC */
/* receive: `senderaudit receive`, a test message over SMTP (lib/net/smtpd)
 * turned into audits: the client's address is the IP, its EHLO name the
 * HELO, the MAIL FROM domain the envelope domain, and the From: domain
 * (else the MAIL FROM domain) the audited domain. */
#ifndef SA_RECEIVE_H
#define SA_RECEIVE_H

#include <stdio.h>

#include "../lib/net/smtpd.h"
#include "options.h"

/* Listens where c says and receives up to c->count messages within
 * c->wait_ms, one line per session outcome on log. Returns how many
 * arrived (in *msgs, freed with receive_free), or -1 with a reason in why
 * when it could not listen. */
long receive_messages(const struct cli *c, FILE *log, struct smtpd_msg **msgs, char *why, size_t whylen);
void receive_free(struct smtpd_msg *msgs, size_t n);

/* Writes message i of n to c->save (message 1 to FILE, message k > 1 to
 * FILE.k). Returns 0, or -1 with a reason in why. */
int receive_save(const char *file, size_t i, const struct smtpd_msg *m, char *why, size_t whylen);

/* The audit's target for message m: t (release with target_free) and w
 * (borrowing from m). Returns 0, or -1 with a reason in why when no domain
 * can be told from the message. */
int receive_target(const struct cli *c, const struct smtpd_msg *m, struct target *t, struct target_wire *w,
                   char *why, size_t whylen);

/* The message file name a received message's report gives. */
#define RECEIVE_MESSAGE_NAME "(received over SMTP)"

/* The domain of the From: header's address, or NULL. Pure. */
char *receive_from_domain_new(const char *msg, size_t len);

#endif
