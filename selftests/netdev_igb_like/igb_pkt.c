// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic for netdev_igb_like's selftests and benchmark.
 *
 *   igb_pkt xfer [options] TXIF DSTIF
 *	N numbered UDP frames out of TXIF to DSTIF's MAC, received back
 *	through packet sockets on DSTIF (or -r RXIF) in one
 *	PACKET_FANOUT_QM group of -q sockets, one per RX queue (6.1 demuxes
 *	on skb->queue_mapping, which skb_record_rx_queue() sets to the RX
 *	queue + 1: socket i gets RX queue i - 1, modulo Q).  Prints what
 *	arrived, lost and duplicated, per RX queue,
 *	and the microseconds from the first frame sent to the last
 *	received; exits 1 unless every frame arrived exactly once (or -e
 *	COUNT arrived), on one queue per flow with -p.  A frame the qdisc
 *	refuses for SEND_STALL_MS ends the sending: the frames sent so far
 *	are counted, and it fails.  Both interfaces
 *	are in the caller's network namespace.
 *	  -n N      frames (1000)          -f FLOWS  UDP source ports (1)
 *	  -q Q      RX queues (1)          -p        each flow on one queue
 *	  -e COUNT  expect COUNT frames    -r RXIF   receive there instead
 *	  -w MS     give up after MS without a frame (1000)
 *   igb_pkt burst IFACE DSTMAC N [FLOWS]
 *	N numbered frames, nothing received (another namespace, floods)
 *   igb_pkt badcsum IFACE DSTMAC	an IPv4 header with a wrong checksum
 *   igb_pkt badihl IFACE DSTMAC	an IPv4 header with ihl 4
 *   igb_pkt badver IFACE DSTMAC	version 6 in an IPv4 frame, checksum right
 *   igb_pkt good IFACE DSTMAC		the same frame, unharmed
 *   igb_pkt sized IFACE DSTMAC LEN	one frame of LEN bytes (42-9018)
 *   igb_pkt server PORT BYTES		accept one TCP connection, check
 *					BYTES of the pattern stream
 *   igb_pkt client ADDR PORT BYTES	send BYTES of the pattern stream
 *
 * Frames go out through an AF_PACKET socket, so they take the device's
 * qdisc and ndo_start_xmit like any other traffic and cross the wire
 * without checksum offload.  A qdisc that cannot take a frame makes
 * sendto() fail with ENOBUFS (the frame was not queued), a full send
 * buffer with EAGAIN (sends do not block); it is sent again once the ring
 * drains, for SEND_STALL_MS at most (a TX queue that
 * never wakes fails the run, not hangs it).  A qdisc that drops what it had queued
 * (CoDel does, for frames queued over 5 ms) loses frames silently, so the
 * tests that count frames put pfifo on the sender.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN	ETH_ZLEN	/* 14 + 20 + 8 + 18 bytes of payload */
#define MAGIC		0x6b696762	/* "kigb" */
#define MAX_QUEUES	8
#define MAX_FLOWS	1024
/*
 * A qdisc full for this long has a TX queue that never woke: the stack's
 * own TX watchdog fires after 5 s, and TCG under load drains a ring in
 * milliseconds to a second.
 */
#define SEND_STALL_MS	10000

/* The UDP payload: which run, which frame, which flow */
struct payload {
	uint32_t magic;
	uint32_t run;
	uint32_t seq;
	uint16_t flow;
} __attribute__((packed));

#define PAYLOAD_OFF	(ETH_HLEN + 20 + 8)

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int ifindex(const char *iface)
{
	int idx = if_nametoindex(iface);

	if (!idx) {
		fprintf(stderr, "no interface %s\n", iface);
		exit(1);
	}
	return idx;
}

static void ifmac(const char *iface, uint8_t *mac)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR");
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
}

static void parse_mac(const char *s, uint8_t *mac)
{
	unsigned int m[ETH_ALEN], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != ETH_ALEN) {
		fprintf(stderr, "bad MAC %s\n", s);
		exit(1);
	}
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = m[i];
}

static int tx_open(const char *iface, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		die("socket(AF_PACKET)");
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = ifindex(iface);
	sll->sll_halen = ETH_ALEN;
	return fd;
}

static uint16_t ip_csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	while (len > 1) {
		sum += *p++;
		len -= 2;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An Ethernet/IPv4/UDP frame 10.99.0.1:sport -> 10.99.0.2:9 */
static void build(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		  uint16_t sport)
{
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = 0x08;		/* ETH_P_IP */
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(FRAME_LEN - ETH_HLEN);
	ip->saddr = htonl(0x0a630001);
	ip->daddr = htonl(0x0a630002);
	ip->check = ip_csum(ip, 20);
	udp->source = htons(sport);
	udp->dest = htons(9);
	udp->len = htons(FRAME_LEN - ETH_HLEN - 20);
}

static void stamp(uint8_t *f, uint32_t run, uint32_t seq, uint16_t flow)
{
	struct payload p = { htonl(MAGIC), run, htonl(seq), htons(flow) };

	memcpy(f + PAYLOAD_OFF, &p, sizeof(p));
}

/*
 * Send one frame; false when the qdisc is full (ENOBUFS) or the socket's
 * send buffer is (EAGAIN: the frames it holds wait in a qdisc whose queue
 * is stopped; a blocking send would wait for them without end)
 */
static int try_send(int fd, struct sockaddr_ll *sll, const uint8_t *f)
{
	if (sendto(fd, f, FRAME_LEN, MSG_DONTWAIT, (struct sockaddr *)sll,
		   sizeof(*sll)) == FRAME_LEN)
		return 1;
	if (errno != ENOBUFS && errno != EAGAIN)
		die("sendto");
	return 0;
}

struct rx_state {
	int fd[MAX_QUEUES];
	int nq;
	uint32_t run;
	unsigned long n, received, dups, foreign;
	unsigned long per_queue[MAX_QUEUES];
	uint8_t *seen;			/* per frame */
	int8_t flow_queue[MAX_FLOWS];	/* -1 unseen, else the queue */
	unsigned long flow_split;
	uint64_t last_us;
};

static void rx_open(struct rx_state *rx, const char *iface, int nq)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ifindex(iface),
	};
	int fanout = (getpid() & 0xffff) | (PACKET_FANOUT_QM << 16);
	int size = 8 << 20, i;

	rx->nq = nq;
	for (i = 0; i < nq; i++) {
		int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));

		if (fd < 0)
			die("socket(AF_PACKET)");
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)))
			die("SO_RCVBUFFORCE");
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
			die("bind");
		if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &fanout,
			       sizeof(fanout)))
			die("PACKET_FANOUT");
		rx->fd[i] = fd;
	}
}

/* Read what the sockets hold; wait up to @timeout_ms for a first frame */
static void rx_drain(struct rx_state *rx, int timeout_ms)
{
	struct pollfd pfd[MAX_QUEUES];
	uint8_t buf[2048];
	int i;

	for (i = 0; i < rx->nq; i++) {
		pfd[i].fd = rx->fd[i];
		pfd[i].events = POLLIN;
	}
	while (poll(pfd, rx->nq, timeout_ms) > 0) {
		timeout_ms = 0;
		for (i = 0; i < rx->nq; i++) {
			/* the RX queue: queue_mapping - 1 (see the top) */
			int q = (i + rx->nq - 1) % rx->nq;
			struct payload p;
			uint32_t seq;
			ssize_t len;
			uint16_t flow;

			while ((len = recv(rx->fd[i], buf, sizeof(buf),
					   MSG_DONTWAIT)) > 0) {
				memcpy(&p, buf + PAYLOAD_OFF, sizeof(p));
				if (len < PAYLOAD_OFF + (ssize_t)sizeof(p) ||
				    p.magic != htonl(MAGIC) || p.run != rx->run) {
					rx->foreign++;
					continue;
				}
				seq = ntohl(p.seq);
				flow = ntohs(p.flow) % MAX_FLOWS;
				rx->last_us = now_us();
				if (seq >= rx->n || rx->seen[seq]++) {
					rx->dups++;
					continue;
				}
				rx->received++;
				rx->per_queue[q]++;
				if (rx->flow_queue[flow] < 0)
					rx->flow_queue[flow] = q;
				else if (rx->flow_queue[flow] != q)
					rx->flow_split++;
			}
		}
	}
}

/*
 * Send one frame, again while the qdisc is full, draining @rx meanwhile
 * (if any); false if it was still refused after SEND_STALL_MS
 */
static int send_frame(int fd, struct sockaddr_ll *sll, const uint8_t *f,
		      struct rx_state *rx)
{
	uint64_t t0 = now_us();

	while (!try_send(fd, sll, f)) {
		if (now_us() - t0 > SEND_STALL_MS * 1000ULL) {
			printf("send stalled: the qdisc refused a frame for %d ms (a TX queue that never wakes)\n",
			       SEND_STALL_MS);
			return 0;
		}
		if (rx)
			rx_drain(rx, 1);
		else
			usleep(1000);
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of igb_pkt.c\n");
	exit(2);
}

static int cmd_xfer(int argc, char **argv)
{
	unsigned long flows = 1, expect = ~0UL, i, lost, sent;
	int nq = 1, pinned = 0, wait_ms = 1000, opt, fd, ok;
	const char *rxif = NULL;
	uint8_t dst[ETH_ALEN], src[ETH_ALEN], f[FRAME_LEN];
	struct tpacket_stats st;
	socklen_t stlen;
	struct rx_state rx = { .n = 1000 };
	struct sockaddr_ll sll;
	uint64_t t0;

	while ((opt = getopt(argc, argv, "n:f:q:pe:r:w:")) != -1) {
		switch (opt) {
		case 'n': rx.n = strtoul(optarg, NULL, 0); break;
		case 'f': flows = strtoul(optarg, NULL, 0); break;
		case 'q': nq = atoi(optarg); break;
		case 'p': pinned = 1; break;
		case 'e': expect = strtoul(optarg, NULL, 0); break;
		case 'r': rxif = optarg; break;
		case 'w': wait_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || nq < 1 || nq > MAX_QUEUES || !flows ||
	    flows > MAX_FLOWS)
		usage();
	if (expect == ~0UL)
		expect = rx.n;

	ifmac(argv[optind], src);
	ifmac(argv[optind + 1], dst);
	rx.seen = calloc(rx.n ? rx.n : 1, 1);
	if (!rx.seen)
		die("calloc");
	memset(rx.flow_queue, -1, sizeof(rx.flow_queue));
	srand(now_us() ^ getpid());
	rx.run = rand();
	rx_open(&rx, rxif ? rxif : argv[optind + 1], nq);
	fd = tx_open(argv[optind], &sll);

	t0 = now_us();
	rx.last_us = t0;
	for (i = 0; i < rx.n; i++) {
		build(f, dst, src, 10000 + i % flows);
		stamp(f, rx.run, i, i % flows);
		/* while the qdisc is full, receive what the ring drains */
		if (!send_frame(fd, &sll, f, &rx))
			break;
		if (!(i % 16))
			rx_drain(&rx, 0);
	}
	sent = i;
	while (rx.received < expect) {
		unsigned long before = rx.received;

		rx_drain(&rx, wait_ms);
		if (rx.received == before)
			break;
	}
	/* anything beyond what was expected shows up here */
	if (expect < rx.n)
		rx_drain(&rx, wait_ms);

	lost = rx.n - rx.received;
	printf("sent %lu received %lu lost %lu duplicated %lu us %llu",
	       sent, rx.received, lost, rx.dups,
	       (unsigned long long)(rx.last_us - t0));
	for (i = 0; i < (unsigned long)nq; i++)
		printf(" q%lu %lu", i, rx.per_queue[i]);
	printf("\n");
	/* which frames: the first or the last of a run, or scattered */
	if (lost && expect == rx.n) {
		unsigned long shown = 0;

		printf("lost:");
		for (i = 0; i < rx.n && shown < 16; i++)
			if (!rx.seen[i]) {
				printf(" %lu", i);
				shown++;
			}
		printf("\n");
	}

	ok = sent == rx.n && rx.received == expect && !rx.dups;
	for (i = 0; i < (unsigned long)nq; i++) {
		stlen = sizeof(st);
		if (!getsockopt(rx.fd[i], SOL_PACKET, PACKET_STATISTICS, &st,
				&stlen) && st.tp_drops) {
			printf("packet socket %lu dropped %u (test, not driver)\n",
			       i, st.tp_drops);
			ok = 0;
		}
	}
	if (pinned) {
		unsigned long used = 0;

		for (i = 0; i < (unsigned long)nq; i++)
			used += rx.per_queue[i] != 0;
		printf("flows %lu on %lu queues, %lu frames off their flow's queue\n",
		       flows, used, rx.flow_split);
		ok &= !rx.flow_split;
	}
	return ok ? 0 : 1;
}

static int cmd_burst(char **argv, int argc)
{
	unsigned long n = strtoul(argv[4], NULL, 0), flows = 1, i;
	uint8_t f[FRAME_LEN], dst[ETH_ALEN], src[ETH_ALEN];
	struct sockaddr_ll sll;
	int fd = tx_open(argv[2], &sll);

	if (argc > 5)
		flows = strtoul(argv[5], NULL, 0);
	if (!flows)
		usage();
	parse_mac(argv[3], dst);
	ifmac(argv[2], src);
	for (i = 0; i < n; i++) {
		build(f, dst, src, 10000 + i % flows);
		stamp(f, 0, i, i % flows);
		if (!send_frame(fd, &sll, f, NULL))
			return 1;
	}
	return 0;
}

/* What cmd_bad() does to the IPv4 header */
enum harm { HARM_NONE, HARM_CSUM, HARM_IHL, HARM_VERSION };

static int cmd_bad(char **argv, enum harm harm)
{
	uint8_t f[FRAME_LEN], dst[ETH_ALEN], src[ETH_ALEN];
	struct sockaddr_ll sll;
	int fd = tx_open(argv[2], &sll);
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);

	parse_mac(argv[3], dst);
	ifmac(argv[2], src);
	build(f, dst, src, 10000);
	switch (harm) {
	case HARM_CSUM:
		ip->check ^= htons(0x0101);
		break;
	case HARM_IHL:
		ip->ihl = 4;	/* checksum over the 16 bytes ip_rcv would use */
		ip->check = 0;
		ip->check = ip_csum(ip, 16);
		break;
	case HARM_VERSION:
		ip->version = 6;	/* only the version is wrong */
		ip->check = 0;
		ip->check = ip_csum(ip, 20);
		break;
	case HARM_NONE:
		break;
	}
	return send_frame(fd, &sll, f, NULL) ? 0 : 1;
}

/* One frame of LEN bytes, its IPv4 and UDP lengths to match */
static int cmd_sized(char **argv)
{
	static uint8_t f[9018];
	unsigned long len = strtoul(argv[4], NULL, 0);
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	struct sockaddr_ll sll;
	int fd;

	if (len < ETH_HLEN + 28 || len > sizeof(f))
		usage();
	fd = tx_open(argv[2], &sll);
	parse_mac(argv[3], dst);
	ifmac(argv[2], src);
	build(f, dst, src, 10000);
	ip->tot_len = htons(len - ETH_HLEN);
	ip->check = 0;
	ip->check = ip_csum(ip, 20);
	udp->len = htons(len - ETH_HLEN - 20);
	if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) !=
	    (ssize_t)len)
		die("sendto");
	return 0;
}

/* The pattern stream: byte i is a function of i that does not repeat soon */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13 ^ i >> 8);
}

static int cmd_server(char **argv)
{
	uint64_t want = strtoull(argv[3], NULL, 0), got = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1, s, c;
	uint8_t buf[65536];
	ssize_t n, k;

	sin.sin_port = htons(atoi(argv[2]));
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) || listen(s, 1)) {
		perror("bind/listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	c = accept(s, NULL, NULL);
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		for (k = 0; k < n; k++, got++)
			if (buf[k] != pattern(got)) {
				printf("mismatch at byte %llu\n",
				       (unsigned long long)got);
				return 1;
			}
	}
	printf("received %llu bytes, %s\n", (unsigned long long)got,
	       got == want ? "all match" : "short");
	return got == want ? 0 : 1;
}

static int cmd_client(char **argv)
{
	uint64_t total = strtoull(argv[4], NULL, 0), sent = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t buf[65536];
	int s, tries;

	sin.sin_port = htons(atoi(argv[3]));
	inet_pton(AF_INET, argv[2], &sin.sin_addr);
	for (tries = 0;; tries++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (!connect(s, (struct sockaddr *)&sin, sizeof(sin)))
			break;
		close(s);
		if (tries == 50) {
			perror("connect");
			return 1;
		}
		usleep(100000);
	}
	while (sent < total) {
		size_t n = total - sent < sizeof(buf) ? total - sent : sizeof(buf);
		size_t k;
		ssize_t w;

		for (k = 0; k < n; k++)
			buf[k] = pattern(sent + k);
		w = write(s, buf, n);
		if (w <= 0) {
			perror("write");
			return 1;
		}
		sent += w;
	}
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "xfer"))
		return cmd_xfer(argc - 1, argv + 1);
	if (argc >= 5 && !strcmp(argv[1], "burst"))
		return cmd_burst(argv, argc);
	if (argc == 4 && !strcmp(argv[1], "badcsum"))
		return cmd_bad(argv, HARM_CSUM);
	if (argc == 4 && !strcmp(argv[1], "badihl"))
		return cmd_bad(argv, HARM_IHL);
	if (argc == 4 && !strcmp(argv[1], "badver"))
		return cmd_bad(argv, HARM_VERSION);
	if (argc == 4 && !strcmp(argv[1], "good"))
		return cmd_bad(argv, HARM_NONE);
	if (argc == 5 && !strcmp(argv[1], "sized"))
		return cmd_sized(argv);
	if (argc == 4 && !strcmp(argv[1], "server"))
		return cmd_server(argv);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return cmd_client(argv);
	usage();
	return 2;
}
