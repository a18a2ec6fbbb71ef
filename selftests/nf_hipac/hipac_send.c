// SPDX-License-Identifier: GPL-2.0
/*
 * Send the packets of a hipac_gen packet file and report each one's fate.
 *
 *   hipac_send [-m MAC] [-w MSEC] PKT_FILE ORIGIN[@NETNS]...
 *
 * For each ORIGIN ("out" or "peer"), in the order given, the packets of
 * that origin are sent, from network namespace NETNS (a name of `ip netns`)
 * if given: "out" in the namespace under test, "peer" in its peer.  MSEC:
 * a pause at the end for the receiving side to finish.
 *
 * A line is hipac_gen's: origin, interface, addresses, protocol, ports, TCP
 * flags, ICMP type and code, TTL, fragment field, mark, payload length
 * (negative: the transport header that many bytes short) and, optionally,
 * the value of an MSS option in the TCP header (-m tcpmss).
 *
 * "out" lines go through raw IP sockets (the IP header as written: TTL,
 * fragment offset, addresses) with SO_MARK set, so they traverse the
 * OUTPUT hook; sendmsg fails with EPERM when a rule drops (or rejects)
 * them.  Each is reported as "ORIGIN[@NETNS] INDEX ok" or "... <errno name>".
 * "peer" lines go out of the named interface as Ethernet frames to MAC
 * (default 02:6b:6c:61:62:01, the namespace under test's end of the
 * veth pairs) and so arrive at its INPUT or FORWARD hook; they are
 * reported as "... INDEX sent".  INDEX counts every line of the file.
 *
 * Every checksum is correct, so that REJECT answers TCP with a reset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct pkt {
	char origin[8], ifname[IFNAMSIZ], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int proto, sport, dport, tflags, itype, icode, ttl, frag, paylen;
	unsigned int mark;
	int mss;	/* a TCP MSS option (0: none) */
};

struct out_socks {
	int v4, v6;
	unsigned int mark;
};

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The transport header and payload at @l4; returns their length. */
static size_t build_l4(const struct pkt *p, uint8_t *l4, int *csum_off)
{
	size_t hlen = 0, i;

	switch (p->proto) {
	case 6:
		hlen = p->mss ? 24 : 20;
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		l4[7] = 1;			/* sequence number 1 */
		l4[12] = hlen / 4 << 4;		/* data offset */
		if (p->mss) {
			l4[20] = 2;		/* MSS, 4 bytes */
			l4[21] = 4;
			put16(l4 + 22, p->mss);
		}
		l4[13] = p->tflags;
		put16(l4 + 14, 8192);		/* window */
		*csum_off = 16;
		break;
	case 17:
		hlen = 8;
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put16(l4 + 4, 8 + p->paylen);
		*csum_off = 6;
		break;
	case 33:	/* DCCP: ports, data offset in words; no checksum */
		hlen = 12;
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		l4[4] = 3;
		*csum_off = -1;
		break;
	case 132:	/* SCTP common header; no CRC32c */
		hlen = 12;
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		*csum_off = -1;
		break;
	case 1:
	case 58:
		hlen = 8;
		l4[0] = p->itype;
		l4[1] = p->icode;
		*csum_off = 2;
		break;
	default:
		*csum_off = -1;
	}
	if (p->paylen < 0) {
		/* a truncated header: -paylen bytes short, no payload */
		hlen = (size_t)-p->paylen < hlen ? hlen + p->paylen : 0;
		if (*csum_off + 2 > (int)hlen)
			*csum_off = -1;
		return hlen;
	}
	for (i = 0; i < (size_t)p->paylen; i++)
		l4[hlen + i] = 'a' + i % 26;
	return hlen + p->paylen;
}

static size_t build_v4(const struct pkt *p, uint8_t *buf, unsigned int id)
{
	struct in_addr s, d;
	size_t len;
	uint32_t sum;
	int off;

	inet_pton(AF_INET, p->src, &s);
	inet_pton(AF_INET, p->dst, &d);
	memset(buf, 0, 60 + 128);
	len = build_l4(p, buf + 20, &off);
	if (p->frag & 0x1fff) {		/* a later fragment: payload only */
		len = 16 + p->paylen;
		off = -1;
	}
	buf[0] = 0x45;
	put16(buf + 2, 20 + len);
	put16(buf + 4, id);
	put16(buf + 6, p->frag);
	buf[8] = p->ttl;
	buf[9] = p->proto;
	memcpy(buf + 12, &s, 4);
	memcpy(buf + 16, &d, 4);
	memcpy(buf + 10, (uint16_t[]){ csum_fold(csum_add(0, buf, 20)) }, 2);
	if (off >= 0) {
		sum = 0;
		if (p->proto != 1) {	/* the pseudo-header */
			sum = csum_add(sum, buf + 12, 8);
			sum += p->proto + len;
		}
		sum = csum_add(sum, buf + 20, len);
		memcpy(buf + 20 + off, (uint16_t[]){ csum_fold(sum) }, 2);
	}
	return 20 + len;
}

static size_t build_v6(const struct pkt *p, uint8_t *buf)
{
	size_t len;
	uint32_t sum;
	int off;

	memset(buf, 0, 40 + 128);
	inet_pton(AF_INET6, p->src, buf + 8);
	inet_pton(AF_INET6, p->dst, buf + 24);
	len = build_l4(p, buf + 40, &off);
	buf[0] = 0x60;
	put16(buf + 4, len);
	buf[6] = p->proto;
	buf[7] = p->ttl;
	if (off >= 0) {
		sum = csum_add(0, buf + 8, 32);
		sum += len + p->proto;
		sum = csum_add(sum, buf + 40, len);
		memcpy(buf + 40 + off, (uint16_t[]){ csum_fold(sum) }, 2);
	}
	return 40 + len;
}

static int is_v6(const struct pkt *p)
{
	return strchr(p->dst, ':') != NULL;
}

static size_t build(const struct pkt *p, uint8_t *buf, unsigned int id)
{
	return is_v6(p) ? build_v6(p, buf) : build_v4(p, buf, id);
}

static int send_out(struct out_socks *s, const struct pkt *p, const uint8_t *buf, size_t len)
{
	struct sockaddr_in6 d6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in d4 = { .sin_family = AF_INET };
	int fd = is_v6(p) ? s->v6 : s->v4;
	ssize_t n;

	if (p->mark != s->mark) {
		if (setsockopt(s->v4, SOL_SOCKET, SO_MARK, &p->mark, sizeof(p->mark)) ||
		    setsockopt(s->v6, SOL_SOCKET, SO_MARK, &p->mark, sizeof(p->mark)))
			return -errno;
		s->mark = p->mark;
	}
	if (is_v6(p)) {
		inet_pton(AF_INET6, p->dst, &d6.sin6_addr);
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&d6, sizeof(d6));
	} else {
		inet_pton(AF_INET, p->dst, &d4.sin_addr);
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&d4, sizeof(d4));
	}
	return n < 0 ? -errno : 0;
}

static int send_peer(int fd, const unsigned char *mac, const struct pkt *p,
		     const uint8_t *buf, size_t len)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(is_v6(p) ? ETH_P_IPV6 : ETH_P_IP),
		.sll_halen = ETH_ALEN,
	};

	ll.sll_ifindex = if_nametoindex(p->ifname);
	if (!ll.sll_ifindex)
		return -ENODEV;
	memcpy(ll.sll_addr, mac, ETH_ALEN);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		return -errno;
	return 0;
}

/* 14 fields, and a 15th, the MSS option, on some TCP lines */
static int parse(const char *line, struct pkt *p)
{
	int n;

	p->mss = 0;
	n = sscanf(line, "%7s %15s %45s %45s %d %d %d %i %d %d %d %i %i %d %d", p->origin,
		   p->ifname, p->src, p->dst, &p->proto, &p->sport, &p->dport, &p->tflags,
		   &p->itype, &p->icode, &p->ttl, &p->frag, &p->mark, &p->paylen, &p->mss);
	return (n == 14 || n == 15) && p->paylen >= -24 && p->paylen <= 64 &&
	       p->mss >= 0 && p->mss <= 0xffff;
}

static int usage(void)
{
	fputs("usage: hipac_send [-m MAC] [-w MSEC] PKT_FILE ORIGIN[@NETNS]...\n", stderr);
	return 2;
}

/* Enter network namespace @name (as `ip netns` names them), if any. */
static int enter_netns(const char *name)
{
	char path[256];
	int fd, rc;

	if (!name)
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	rc = setns(fd, CLONE_NEWNET);
	if (rc)
		perror("setns");
	close(fd);
	return rc;
}

/* Send the packets of one origin ("out" or "peer"); 0 if all went as expected. */
static int send_job(FILE *f, const char *job, const unsigned char *mac)
{
	struct out_socks s = { .v4 = -1, .v6 = -1 };
	char line[512], origin[16];
	const char *at = strchr(job, '@');
	int peer, pfd = -1, idx = 0, err, failed = 0;
	uint8_t buf[256];
	struct pkt p;
	size_t len;

	snprintf(origin, sizeof(origin), "%.*s", at ? (int)(at - job) : (int)strlen(job), job);
	peer = !strcmp(origin, "peer");
	if ((!peer && strcmp(origin, "out")) || enter_netns(at ? at + 1 : NULL))
		return -1;
	if (peer) {
		pfd = socket(AF_PACKET, SOCK_DGRAM, 0);
	} else {
		s.v4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		s.v6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	}
	if (peer ? pfd < 0 : s.v4 < 0 || s.v6 < 0) {
		perror("socket");
		return -1;
	}
	rewind(f);
	for (; fgets(line, sizeof(line), f); idx++) {
		if (!parse(line, &p)) {
			fprintf(stderr, "hipac_send: line %d: bad packet: %s", idx + 1, line);
			failed = -1;
			break;
		}
		if (strcmp(p.origin, origin))
			continue;
		len = build(&p, buf, idx + 1);
		err = peer ? send_peer(pfd, mac, &p, buf, len) : send_out(&s, &p, buf, len);
		printf("%s %d %s\n", job, idx, err ? strerrorname_np(-err) : peer ? "sent" : "ok");
		/* only a rule may refuse a packet; anything else is the harness's fault */
		if (err && (peer || err != -EPERM)) {
			fprintf(stderr, "hipac_send: %s line %d: %s\n", job, idx + 1, strerror(-err));
			failed = -1;
		}
	}
	if (peer)
		close(pfd);
	else if (close(s.v4) | close(s.v6))
		failed = -1;
	return failed;
}

int main(int argc, char **argv)
{
	unsigned char mac[ETH_ALEN] = { 0x02, 0x6b, 0x6c, 0x61, 0x62, 0x01 };
	int opt, i, wait_ms = 0, failed = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "m:w:")) != -1) {
		switch (opt) {
		case 'm':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
				   &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
				return usage();
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2)
		return usage();
	f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return 1;
	}
	for (i = optind + 1; i < argc; i++)
		if (send_job(f, argv[i], mac))
			failed = 1;
	fclose(f);
	/* let the softirqs drain what the veth pairs and lo queued */
	fflush(stdout);
	usleep(wait_ms * 1000);
	return failed;
}
