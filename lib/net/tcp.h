/* SPDX-License-Identifier: ISC */
/* tcp: a TCP connection that never blocks past a deadline, for the clients
 * that speak their own protocol over it (WHOIS, SMTP). Addresses come from
 * the caller (resolved through the audit's resolver), never from here. */
#ifndef SA_TCP_H
#define SA_TCP_H

#include <stdint.h>
#include <sys/socket.h>

#include "../util/names.h"

/* The milliseconds left until deadline (a clock_mono_ms() time), 0 when
 * it has passed: for poll(). */
int tcp_remaining(int64_t deadline);

/* Connects to sa without blocking past deadline. Returns a non-blocking
 * socket, or -1 with errno set (ETIMEDOUT when the deadline passed). */
int tcp_connect_sa(const struct sockaddr *sa, socklen_t len, int64_t deadline);

/* The same for ip, port. */
int tcp_connect_ip(const struct ipaddr *ip, int port, int64_t deadline);

/* Fills ss with ip, port; returns its length. */
socklen_t tcp_sockaddr(const struct ipaddr *ip, int port, struct sockaddr_storage *ss);

#endif
