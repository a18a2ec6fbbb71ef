// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic for netdev_igb_like's selftests:
 *
 *   igb_pkt burst IFACE DSTMAC N [FLOWS]   N UDP frames 10.99.0.1 -> .2,
 *                                          source ports cycling over FLOWS
 *   igb_pkt flow IFACE DSTMAC SPORT N      N UDP frames of one flow
 *   igb_pkt badcsum IFACE DSTMAC           an IPv4 header with a wrong checksum
 *   igb_pkt badihl IFACE DSTMAC            an IPv4 header with ihl 4
 *   igb_pkt server PORT BYTES              accept one TCP connection, check
 *                                          BYTES of the pattern stream
 *   igb_pkt client ADDR PORT BYTES         send BYTES of the pattern stream
 *
 * Raw frames go out through an AF_PACKET socket, so they take the device's
 * qdisc and ndo_start_xmit like any other traffic and cross the wire
 * without checksum offload.  Exit 0 on success.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_LEN	(ETH_HLEN + 20 + 8 + 18)

static int raw_open(const char *iface, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0) {
		perror("socket(AF_PACKET)");
		exit(1);
	}
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = if_nametoindex(iface);
	sll->sll_halen = ETH_ALEN;
	if (!sll->sll_ifindex) {
		fprintf(stderr, "no interface %s\n", iface);
		exit(1);
	}
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
static void build(uint8_t *f, const char *dstmac, uint16_t sport)
{
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	unsigned int m[6], i;

	memset(f, 0, FRAME_LEN);
	if (sscanf(dstmac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != 6) {
		fprintf(stderr, "bad MAC %s\n", dstmac);
		exit(1);
	}
	for (i = 0; i < 6; i++)
		f[i] = m[i];
	f[6] = 0x02;		/* a locally administered source */
	f[11] = 0x01;
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

static void send_frame(int fd, struct sockaddr_ll *sll, const uint8_t *f)
{
	/* ENOBUFS: the qdisc is full; wait for the ring to drain, retry */
	while (sendto(fd, f, FRAME_LEN, 0, (struct sockaddr *)sll,
		      sizeof(*sll)) < 0) {
		if (errno != ENOBUFS) {
			perror("sendto");
			exit(1);
		}
		usleep(1000);
	}
}

static int cmd_burst(char **argv, int argc)
{
	unsigned long n = strtoul(argv[4], NULL, 0), flows = 1, i;
	uint8_t f[FRAME_LEN];
	struct sockaddr_ll sll;
	int fd = raw_open(argv[2], &sll);

	if (argc > 5)
		flows = strtoul(argv[5], NULL, 0);
	for (i = 0; i < n; i++) {
		build(f, argv[3], 10000 + i % flows);
		send_frame(fd, &sll, f);
	}
	return 0;
}

static int cmd_flow(char **argv)
{
	unsigned long n = strtoul(argv[5], NULL, 0), i;
	uint8_t f[FRAME_LEN];
	struct sockaddr_ll sll;
	int fd = raw_open(argv[2], &sll);

	build(f, argv[3], strtoul(argv[4], NULL, 0));
	for (i = 0; i < n; i++)
		send_frame(fd, &sll, f);
	return 0;
}

static int cmd_bad(char **argv, int ihl)
{
	uint8_t f[FRAME_LEN];
	struct sockaddr_ll sll;
	int fd = raw_open(argv[2], &sll);
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);

	build(f, argv[3], 10000);
	if (ihl) {
		ip->ihl = 4;	/* checksum over the 16 bytes ip_rcv would use */
		ip->check = 0;
		ip->check = ip_csum(ip, 16);
	} else {
		ip->check ^= htons(0x0101);
	}
	send_frame(fd, &sll, f);
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
	if (argc >= 5 && !strcmp(argv[1], "burst"))
		return cmd_burst(argv, argc);
	if (argc == 6 && !strcmp(argv[1], "flow"))
		return cmd_flow(argv);
	if (argc == 4 && !strcmp(argv[1], "badcsum"))
		return cmd_bad(argv, 0);
	if (argc == 4 && !strcmp(argv[1], "badihl"))
		return cmd_bad(argv, 1);
	if (argc == 4 && !strcmp(argv[1], "server"))
		return cmd_server(argv);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return cmd_client(argv);
	fprintf(stderr, "usage: see the comment at the top of igb_pkt.c\n");
	return 2;
}
