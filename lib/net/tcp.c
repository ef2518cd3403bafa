/* SPDX-License-Identifier: ISC */
/* tcp: non-blocking connect bounded by a deadline (see tcp.h). The socket
 * stays non-blocking: its users poll() with their own deadlines. */
#include "tcp.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "../proc/workpool.h"
#include "../util/clock.h"

int tcp_remaining(int64_t deadline)
{
	int64_t left = deadline - clock_mono_ms();
	return left > 0 ? (left > 0x7fffffff ? 0x7fffffff : (int)left) : 0;
}

int tcp_connect_sa(const struct sockaddr *sa, socklen_t len, int64_t deadline)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	struct pollfd p = {fd, POLLOUT, 0};
	int err = 0;
	socklen_t el = sizeof err;
	int n;
	do
		n = workpool_poll(&p, 1, tcp_remaining(deadline));
	while (n < 0 && errno == EINTR);
	if (n != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		close(fd);
		errno = err ? err : ETIMEDOUT;
		return -1;
	}
	return fd;
}

socklen_t tcp_sockaddr(const struct ipaddr *ip, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (ip->af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, ip->b, 4);
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	memcpy(&sin6->sin6_addr, ip->b, 16);
	return sizeof *sin6;
}

int tcp_connect_ip(const struct ipaddr *ip, int port, int64_t deadline)
{
	struct sockaddr_storage ss;
	socklen_t len = tcp_sockaddr(ip, port, &ss);
	return tcp_connect_sa((struct sockaddr *)&ss, len, deadline);
}
