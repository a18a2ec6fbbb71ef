// SPDX-License-Identifier: GPL-2.0
/*
 * The klab_sched family's policies and messages, with requests klabctl
 * would never send: unknown and out-of-range attributes, incomplete
 * descriptions, deadline sets above the admission limit, unknown runs
 * and observations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <klab/sched.h>

#include "kselftest_harness.h"
#include "genl.h"

static int modules_cmd(const char *verb)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/scripts/modules %s sched_demo",
		 getenv("KLAB_ROOT") ?: ".", verb);
	return system(cmd);
}

/* Where an attribute (a nest, say) starts in the message, as extack counts */
static size_t offset_of(const struct genl_test_msg *m, const struct nlattr *nla)
{
	return (const unsigned char *)nla - m->buf;
}

static void put_u32(struct genl_test_msg *m, uint16_t type, uint32_t v)
{
	genl_test_put(m, type, &v, sizeof(v));
}

static void put_u64(struct genl_test_msg *m, uint16_t type, uint64_t v)
{
	genl_test_put(m, type, &v, sizeof(v));
}

/* A periodic deadline entity; returns the offset of its nest */
static size_t put_dl_entity(struct genl_test_msg *m, uint64_t runtime, uint64_t period)
{
	struct nlattr *ent = genl_test_nest_start(m, KLAB_SCHED_A_ENTITY), *step;

	put_u32(m, KLAB_SCHED_A_ENT_POLICY, KLAB_SCHED_POLICY_DEADLINE);
	put_u64(m, KLAB_SCHED_A_ENT_DL_RUNTIME_NS, runtime);
	put_u64(m, KLAB_SCHED_A_ENT_DL_PERIOD_NS, period);
	step = genl_test_nest_start(m, KLAB_SCHED_A_ENT_STEP);
	put_u32(m, KLAB_SCHED_A_STEP_OP, KLAB_SCHED_OP_RUN);
	put_u64(m, KLAB_SCHED_A_STEP_ARG, runtime);
	genl_test_nest_end(m, step);
	step = genl_test_nest_start(m, KLAB_SCHED_A_ENT_STEP);
	put_u32(m, KLAB_SCHED_A_STEP_OP, KLAB_SCHED_OP_SLEEP_PERIOD);
	put_u64(m, KLAB_SCHED_A_STEP_ARG, period);
	genl_test_nest_end(m, step);
	genl_test_nest_end(m, ent);
	return offset_of(m, ent);
}

FIXTURE(sched) {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

FIXTURE_SETUP(sched)
{
	if (geteuid())
		SKIP(return, "needs root to load sched_demo");
	ASSERT_EQ(0, modules_cmd("load"));
	ASSERT_EQ(0, genl_test_open(&self->sock));
	ASSERT_EQ(0, genl_test_resolve(&self->sock, KLAB_SCHED_FAMILY_NAME));
}

FIXTURE_TEARDOWN(sched)
{
	genl_test_close(&self->sock);
}

static void run_new(struct genl_test_msg *m, uint16_t family, uint64_t cpus)
{
	genl_test_msg_init(m, family, KLAB_SCHED_CMD_RUN_NEW, KLAB_SCHED_FAMILY_VERSION);
	put_u64(m, KLAB_SCHED_A_RUN_DURATION_NS, 100000000);
	put_u64(m, KLAB_SCHED_A_RUN_CPUS, cpus);
}

/* Strict policy: an attribute RUN_NEW does not take is refused, by offset */
TEST_F(sched, unknown_attribute)
{
	struct nlattr *ents;
	size_t bad;

	run_new(&self->msg, self->sock.family_id, 1);
	bad = genl_test_put(&self->msg, KLAB_SCHED_A_PP_ROUNDS, &(uint32_t){ 1 }, 4);
	ents = genl_test_nest_start(&self->msg, KLAB_SCHED_A_RUN_ENTITIES);
	put_dl_entity(&self->msg, 1000000, 10000000);
	genl_test_nest_end(&self->msg, ents);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_EQ((int)bad, self->reply.extack_offs);
}

/* nice 25 is outside the entity policy's range: ERANGE, at the attribute */
TEST_F(sched, nice_out_of_range)
{
	struct nlattr *ents, *ent, *step;
	size_t nice;

	run_new(&self->msg, self->sock.family_id, 1);
	ents = genl_test_nest_start(&self->msg, KLAB_SCHED_A_RUN_ENTITIES);
	ent = genl_test_nest_start(&self->msg, KLAB_SCHED_A_ENTITY);
	nice = genl_test_put(&self->msg, KLAB_SCHED_A_ENT_NICE, &(int32_t){ 25 }, 4);
	step = genl_test_nest_start(&self->msg, KLAB_SCHED_A_ENT_STEP);
	put_u32(&self->msg, KLAB_SCHED_A_STEP_OP, KLAB_SCHED_OP_RUN);
	genl_test_nest_end(&self->msg, step);
	genl_test_nest_end(&self->msg, ent);
	genl_test_nest_end(&self->msg, ents);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-ERANGE, self->reply.error);
	EXPECT_EQ((int)nice, self->reply.extack_offs);
	TH_LOG("extack: %s", self->reply.extack_msg);
}

TEST_F(sched, no_entities)
{
	run_new(&self->msg, self->sock.family_id, 1);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
}

/* The core's check: a program with only a wake step, message and place */
TEST_F(sched, program_without_progress)
{
	struct nlattr *ents, *ent, *step;

	run_new(&self->msg, self->sock.family_id, 1);
	ents = genl_test_nest_start(&self->msg, KLAB_SCHED_A_RUN_ENTITIES);
	put_dl_entity(&self->msg, 1000000, 10000000);
	ent = genl_test_nest_start(&self->msg, KLAB_SCHED_A_ENTITY);
	step = genl_test_nest_start(&self->msg, KLAB_SCHED_A_ENT_STEP);
	put_u32(&self->msg, KLAB_SCHED_A_STEP_OP, KLAB_SCHED_OP_WAKE);
	put_u64(&self->msg, KLAB_SCHED_A_STEP_ARG, 0);
	genl_test_nest_end(&self->msg, step);
	genl_test_nest_end(&self->msg, ent);
	genl_test_nest_end(&self->msg, ents);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	TH_LOG("extack: %s", self->reply.extack_msg);
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "needs a run, sleep or wait step"));
	/* the core names the steps: the extack points at them */
	EXPECT_EQ((int)offset_of(&self->msg, step), self->reply.extack_offs);
	EXPECT_LT(offset_of(&self->msg, ent), offset_of(&self->msg, step));
}

/* Deadline admission: 0.5 + 0.46 of one CPU is above 95%: EBUSY */
TEST_F(sched, admission_ebusy)
{
	struct nlattr *ents;

	run_new(&self->msg, self->sock.family_id, 1);
	ents = genl_test_nest_start(&self->msg, KLAB_SCHED_A_RUN_ENTITIES);
	put_dl_entity(&self->msg, 5000000, 10000000);
	put_dl_entity(&self->msg, 4600000, 10000000);
	genl_test_nest_end(&self->msg, ents);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EBUSY, self->reply.error);
	TH_LOG("extack: %s", self->reply.extack_msg);
	EXPECT_NE(NULL, strstr(self->reply.extack_msg,
			       "deadline bandwidth 0.96 CPUs exceeds the limit of 0.95"));
	EXPECT_EQ((int)offset_of(&self->msg, ents), self->reply.extack_offs);
}

TEST_F(sched, offline_cpu)
{
	struct nlattr *ents;

	run_new(&self->msg, self->sock.family_id, 1ULL << 63);
	ents = genl_test_nest_start(&self->msg, KLAB_SCHED_A_RUN_ENTITIES);
	put_dl_entity(&self->msg, 1000000, 10000000);
	genl_test_nest_end(&self->msg, ents);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_STREQ("CPU 63 is not online", self->reply.extack_msg);
}

TEST_F(sched, unknown_run)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_SCHED_CMD_RUN_GET,
			   KLAB_SCHED_FAMILY_VERSION);
	put_u32(&self->msg, KLAB_SCHED_A_RUN_ID, 999999);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-ENOENT, self->reply.error);
	EXPECT_STREQ("no such run", self->reply.extack_msg);

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_SCHED_CMD_RUN_DEL,
			   KLAB_SCHED_FAMILY_VERSION);
	put_u32(&self->msg, KLAB_SCHED_A_RUN_ID, 999999);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-ENOENT, self->reply.error);
}

TEST_F(sched, observation_checks)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_SCHED_CMD_OBS_NEW,
			   KLAB_SCHED_FAMILY_VERSION);
	put_u64(&self->msg, KLAB_SCHED_A_OBS_WINDOW_NS, 0);
	put_u32(&self->msg, KLAB_SCHED_A_OBS_PID, 1);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_STREQ("the window is 1 ns to 60 s", self->reply.extack_msg);

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_SCHED_CMD_OBS_GET,
			   KLAB_SCHED_FAMILY_VERSION);
	put_u32(&self->msg, KLAB_SCHED_A_OBS_ID, 424242);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-ENOENT, self->reply.error);
}

TEST_HARNESS_MAIN
