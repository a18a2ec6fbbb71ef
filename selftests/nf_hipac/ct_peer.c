// SPDX-License-Identifier: GPL-2.0
/*
 * Both ends of the connections the conntrack and NAT tests make, so that
 * each end can say what it saw of the other (what NAT made of it).
 *
 *   ct_peer serve tcp|udp [-4|-6] [-a ADDR] PORT
 *	Answer every TCP connection or UDP datagram on PORT with one line,
 *	"peer ADDR PORT": the source the server saw.  Runs until killed;
 *	prints "ready" to stdout once it listens.
 *   ct_peer connect tcp|udp [-s SPORT] [-b ADDR] [-n COUNT] [-w MS] [-t] ADDR PORT
 *	Send COUNT (1) messages over one TCP connection or from one UDP
 *	socket (bound to ADDR:SPORT if given), and print each answer line
 *	("peer ...").  Exit 0 if every message was answered, 1 if not (refused,
 *	timed out after MS milliseconds, default 1000), 2 on a usage error.
 *	-t: then print "elapsed_ms N", the time from just before the first
 *	message was sent to just after the last answer was read (an upper
 *	bound on the age of the connection's last message).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int tcp;
	int family;
	const char *bind_addr;
	int sport;
	int count;
	int wait_ms;
	int timed;
};

static void usage(void)
{
	fputs("usage: ct_peer serve tcp|udp [-4|-6] [-a ADDR] PORT\n"
	      "       ct_peer connect tcp|udp [-s SPORT] [-b ADDR] [-n COUNT] [-w MS] [-t] ADDR PORT\n",
	      stderr);
	exit(2);
}

/* @addr:@port into @ss; the family from the address */
static socklen_t sockaddr_of(const char *addr, int port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	}
	fprintf(stderr, "ct_peer: bad address %s\n", addr);
	exit(2);
}

/* "peer ADDR PORT\n" for @ss */
static int describe(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	int port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	}
	return snprintf(buf, len, "peer %s %d\n", host, port);
}

static int serve(const struct opts *o, int port)
{
	const char *any = o->family == AF_INET6 ? "::" : "0.0.0.0";
	struct sockaddr_storage ss, from;
	socklen_t len, flen;
	char buf[256];
	int fd, c, n, one = 1;

	len = sockaddr_of(o->bind_addr ?: any, port, &ss);
	fd = socket(ss.ss_family, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || (o->tcp && listen(fd, 64))) {
		perror("ct_peer: serve");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		flen = sizeof(from);
		if (!o->tcp) {
			if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
				     &flen) < 0)
				continue;
			n = describe(&from, buf, sizeof(buf));
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen);
			continue;
		}
		c = accept(fd, (struct sockaddr *)&from, &flen);
		if (c < 0)
			continue;
		n = describe(&from, buf, sizeof(buf));
		/* one answer per message, until the client closes */
		while (recv(c, buf + n, sizeof(buf) - n, 0) > 0)
			if (send(c, buf, n, MSG_NOSIGNAL) < 0)
				break;
		close(c);
	}
}

/* Wait up to @ms for @fd to be readable */
static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* connect() that gives up after @ms: a SYN the firewall drops */
static int connect_wait(int fd, const struct sockaddr *to, socklen_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t elen = sizeof(err);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, to, len) && errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, ms) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err)
		return -1;
	fcntl(fd, F_SETFL, flags);
	return 0;
}

static int connect_to(const struct opts *o, const char *addr, int port)
{
	struct sockaddr_storage to, local;
	socklen_t len, llen;
	char buf[256];
	int fd, i, n, one = 1;
	long t0;

	len = sockaddr_of(addr, port, &to);
	fd = socket(to.ss_family, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	if (o->sport || o->bind_addr) {
		llen = sockaddr_of(o->bind_addr ?: (to.ss_family == AF_INET6 ? "::" : "0.0.0.0"),
				   o->sport, &local);
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&local, llen)) {
			perror("ct_peer: bind");
			return 1;
		}
	}
	if (o->tcp) {
		if (connect_wait(fd, (struct sockaddr *)&to, len, o->wait_ms))
			return 1;
	} else if (connect(fd, (struct sockaddr *)&to, len)) {
		return 1;
	}
	t0 = now_ms();
	for (i = 0; i < o->count; i++) {
		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1 || !readable(fd, o->wait_ms))
			return 1;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return 1;
		buf[n] = '\0';
		fputs(buf, stdout);
		fflush(stdout);
	}
	if (o->timed)
		printf("elapsed_ms %ld\n", now_ms() - t0);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .family = AF_INET, .count = 1, .wait_ms = 1000 };
	int serving, opt;

	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "serve"))
		serving = 1;
	else if (!strcmp(argv[1], "connect"))
		serving = 0;
	else
		usage();
	if (!strcmp(argv[2], "tcp"))
		o.tcp = 1;
	else if (strcmp(argv[2], "udp"))
		usage();
	optind = 3;
	while ((opt = getopt(argc, argv, "46a:b:s:n:tw:")) != -1) {
		switch (opt) {
		case '4':
			o.family = AF_INET;
			break;
		case '6':
			o.family = AF_INET6;
			break;
		case 'a':
		case 'b':
			o.bind_addr = optarg;
			break;
		case 's':
			o.sport = atoi(optarg);
			break;
		case 'n':
			o.count = atoi(optarg);
			break;
		case 't':
			o.timed = 1;
			break;
		case 'w':
			o.wait_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (serving) {
		if (optind != argc - 1)
			usage();
		return serve(&o, atoi(argv[optind]));
	}
	if (optind != argc - 2)
		usage();
	return connect_to(&o, argv[optind], atoi(argv[optind + 1]));
}
