// SPDX-License-Identifier: GPL-2.0
/*
 * Commits under load: while UDP flows run on lo (two per CPU, plus a
 * probe flow), 1,000 commits alternate rule 2 of INPUT between two rule
 * sets that give every flow the same verdict:
 *
 *   1  -p udp --dport 9000:9004                  (counts, never changes)
 *   2  A: -p udp --dport 9000:9003 -j ACCEPT
 *      B: -p udp -s 127.0.0.1 --dport 9000:9003 -j ACCEPT
 *   3  -p udp --dport 9004 -j DROP                (the probe; never changes)
 *   policy DROP
 *
 * A packet classified by a tree half built or half freed, or by no tree
 * while the trees are swapped, gets a verdict neither set gives: the
 * policy's, or the probe delivered.  So: every datagram of the flows
 * arrives, no probe arrives, the policy counts nothing, and rules 1 and
 * 3, left alone by every commit, count every packet sent across all the
 * commits (their counters survive the swaps).
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kselftest_harness.h"
#include "hipac_nl.h"

#define N_FLOWS		4	/* two per CPU of the test VM */
#define PORT_BASE	9000
#define PORT_PROBE	(PORT_BASE + N_FLOWS)
#define N_COMMITS	1000
#define PAYLOAD		64
#define RCVBUF		(8 << 20)

struct load {
	atomic_bool stop_send, stop_recv;
	atomic_ulong sent[N_FLOWS + 1];
	unsigned long received[N_FLOWS + 1];
	int rx[N_FLOWS + 1];
};

struct flow {
	struct load *l;
	int i;
};

static void *send_flow(void *arg)
{
	struct flow *f = arg;
	struct sockaddr_storage ss;
	socklen_t len = lo_addr(AF_INET, PORT_BASE + f->i, &ss);
	char payload[PAYLOAD] = { 0 };
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	while (!atomic_load(&f->l->stop_send)) {
		if (sendto(fd, payload, PAYLOAD, 0, (void *)&ss, len) == PAYLOAD)
			atomic_fetch_add(&f->l->sent[f->i], 1);
		/* paced, so that the receiver keeps up under TCG */
		usleep(300);
	}
	close(fd);
	return NULL;
}

static void drain_all(struct load *l)
{
	int i;

	for (i = 0; i <= N_FLOWS; i++)
		l->received[i] += udp_drain(l->rx[i]);
}

static void *receive(void *arg)
{
	struct pollfd pfd[N_FLOWS + 1];
	struct load *l = arg;
	int i;

	for (i = 0; i <= N_FLOWS; i++)
		pfd[i] = (struct pollfd){ .fd = l->rx[i], .events = POLLIN };
	while (!atomic_load(&l->stop_recv)) {
		poll(pfd, N_FLOWS + 1, 50);
		drain_all(l);
	}
	drain_all(l);
	return NULL;
}

/* -p udp [-s 127.0.0.1] --dport @lo:@hi [-j @verdict] */
static struct hrule udp_rule(uint16_t lo, uint16_t hi, bool src,
			     uint32_t verdict)
{
	struct hrule r = r_port(IPPROTO_UDP, lo, verdict);
	uint32_t addr = htonl(INADDR_LOOPBACK);

	r_u16(&r, NF_HIPAC_R_DPORT_HI, hi);
	if (src)
		r_put(&r, NF_HIPAC_R_SRC, &addr, 4);
	return r;
}

static int replace_rule2(struct hctx *h, const struct hrule *r)
{
	h_start(h, NF_HIPAC_CMD_RULE_REPLACE, AF_INET);
	h_str(h, NF_HIPAC_A_CHAIN, "INPUT");
	h_u32(h, NF_HIPAC_A_POS, 2);
	h_rule(h, r);
	return h_send(h);
}

FIXTURE(load) {
	struct hctx h;
};

FIXTURE_SETUP(load)
{
	hipac_test_enter(_metadata, &self->h);
}

FIXTURE_TEARDOWN(load)
{
	genl_test_close(&self->h.sock);
}

/* 1,000 commits took 38 s under TCG with slub_debug at load 20 on 2 CPUs */
TEST_F_TIMEOUT(load, commits_under_load_lose_nothing, 280)
{
	struct hrule count = udp_rule(PORT_BASE, PORT_PROBE, false,
				      NF_HIPAC_V_NONE);
	struct hrule set_a = udp_rule(PORT_BASE, PORT_PROBE - 1, false,
				      NF_HIPAC_V_ACCEPT);
	struct hrule set_b = udp_rule(PORT_BASE, PORT_PROBE - 1, true,
				      NF_HIPAC_V_ACCEPT);
	struct hrule probe = udp_rule(PORT_PROBE, PORT_PROBE, false,
				      NF_HIPAC_V_DROP);
	const struct hentry *policy, *r1, *r3;
	pthread_t tx[N_FLOWS + 1], rx;
	struct flow flows[N_FLOWS + 1];
	unsigned long total = 0;
	struct load l = { 0 };
	int i, n, bufsz = RCVBUF;
	struct hctx *h = &self->h;
	struct timespec t0, t1;
	struct hdump d;

	ASSERT_EQ(0, h_append(h, AF_INET, "INPUT", &count));
	ASSERT_EQ(0, h_append(h, AF_INET, "INPUT", &set_a));
	ASSERT_EQ(0, h_append(h, AF_INET, "INPUT", &probe));
	ASSERT_EQ(0, h_policy(h, AF_INET, "INPUT", NF_HIPAC_V_DROP));

	for (i = 0; i <= N_FLOWS; i++) {
		l.rx[i] = udp_bind(AF_INET, PORT_BASE + i);
		ASSERT_LE(0, l.rx[i]);
		ASSERT_EQ(0, setsockopt(l.rx[i], SOL_SOCKET, SO_RCVBUFFORCE,
					&bufsz, sizeof(bufsz)));
	}
	ASSERT_EQ(0, pthread_create(&rx, NULL, receive, &l));
	for (i = 0; i <= N_FLOWS; i++) {
		flows[i] = (struct flow){ .l = &l, .i = i };
		ASSERT_EQ(0, pthread_create(&tx[i], NULL, send_flow, &flows[i]));
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < N_COMMITS; n++)
		if (replace_rule2(h, n % 2 ? &set_a : &set_b))
			break;
	clock_gettime(CLOCK_MONOTONIC, &t1);

	atomic_store(&l.stop_send, true);
	for (i = 0; i <= N_FLOWS; i++)
		pthread_join(tx[i], NULL);
	/* what is still queued on lo or in the sockets */
	usleep(500 * 1000);
	atomic_store(&l.stop_recv, true);
	pthread_join(rx, NULL);
	EXPECT_EQ(N_COMMITS, n);

	ASSERT_EQ(0, h_dump(h, AF_INET, &d));
	policy = h_find(&d, "INPUT", 0);
	r1 = h_find(&d, "INPUT", 1);
	r3 = h_find(&d, "INPUT", 3);
	ASSERT_TRUE(policy && r1 && r3);
	for (i = 0; i <= N_FLOWS; i++) {
		total += l.sent[i];
		TH_LOG("port %d: sent %lu, received %lu", PORT_BASE + i,
		       (unsigned long)l.sent[i], l.received[i]);
	}
	TH_LOG("%d commits in %.1f s; rule 1 %llu, rule 3 %llu, policy %llu packets",
	       n, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (unsigned long long)r1->packets,
	       (unsigned long long)r3->packets,
	       (unsigned long long)policy->packets);
	/* enough traffic that the commits happened under it */
	EXPECT_LT(100 * N_FLOWS, total);
	for (i = 0; i < N_FLOWS; i++)
		EXPECT_EQ(l.sent[i], l.received[i]);
	EXPECT_EQ(0, l.received[N_FLOWS]);
	EXPECT_EQ(0, policy->packets);
	EXPECT_EQ(total, r1->packets);
	EXPECT_EQ(l.sent[N_FLOWS], r3->packets);

	h_dump_free(&d);
	for (i = 0; i <= N_FLOWS; i++)
		close(l.rx[i]);
}

TEST_HARNESS_MAIN
