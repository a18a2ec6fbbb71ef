// SPDX-License-Identifier: GPL-2.0
/*
 * The klab_rcu family's run control: out-of-range parameters are EINVAL
 * with an extack message naming the attribute and pointing at it, an
 * unknown type or harness likewise, a second START while a run is active
 * is EBUSY, STOP without a run is ENOENT, STATUS follows a run to its end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klab/rcu.h>

#include "kselftest_harness.h"
#include "genl.h"

FIXTURE(rcu) {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

FIXTURE_SETUP(rcu)
{
	char cmd[512];

	if (geteuid())
		SKIP(return, "needs root to load rcu_demo");
	snprintf(cmd, sizeof(cmd), "%s/scripts/modules load rcu_demo",
		 getenv("KLAB_ROOT") ?: ".");
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, genl_test_open(&self->sock));
	ASSERT_EQ(0, genl_test_resolve(&self->sock, KLAB_RCU_FAMILY_NAME));
}

FIXTURE_TEARDOWN(rcu)
{
	genl_test_close(&self->sock);
}

static void start_msg(FIXTURE_DATA(rcu) *self, uint32_t harness,
		      const char *type)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_RCU_CMD_START,
			   KLAB_RCU_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_RCU_A_HARNESS_ID, &harness,
		      sizeof(harness));
	if (type)
		genl_test_put(&self->msg, KLAB_RCU_A_TYPE, type,
			      strlen(type) + 1);
}

static size_t put_u32(FIXTURE_DATA(rcu) *self, uint16_t type, uint32_t v)
{
	return genl_test_put(&self->msg, type, &v, sizeof(v));
}

static int request(FIXTURE_DATA(rcu) *self)
{
	if (genl_test_request(&self->sock, &self->msg, &self->reply))
		return -EIO;
	return self->reply.error;
}

static int simple(FIXTURE_DATA(rcu) *self, uint8_t cmd)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, cmd,
			   KLAB_RCU_FAMILY_VERSION);
	return request(self);
}

static uint32_t run_state(FIXTURE_DATA(rcu) *self)
{
	const uint32_t *v;
	uint16_t len;

	if (simple(self, KLAB_RCU_CMD_STATUS))
		return ~0U;
	v = genl_test_reply_attr(&self->reply, KLAB_RCU_A_RUN_STATE, &len);
	return v && len == sizeof(*v) ? *v : ~0U;
}

/* Every out-of-range parameter names itself and is pointed at */
TEST_F(rcu, param_out_of_range)
{
	static const struct {
		uint16_t attr;
		uint32_t value;
		const char *name;
	} bad[] = {
		{ KLAB_RCU_A_READERS, KLAB_RCU_READERS_MAX + 1, "readers" },
		{ KLAB_RCU_A_WRITERS, KLAB_RCU_WRITERS_MAX + 1, "writers" },
		{ KLAB_RCU_A_DURATION_S, KLAB_RCU_DURATION_MAX_S + 1, "duration" },
		{ KLAB_RCU_A_READER_DELAY_US, KLAB_RCU_READER_DELAY_MAX_US + 1,
		  "reader-delay" },
		{ KLAB_RCU_A_LOOPS, KLAB_RCU_LOOPS_MAX + 1, "loops" },
		{ KLAB_RCU_A_NRUNS, KLAB_RCU_NRUNS_MAX + 1, "nruns" },
		{ KLAB_RCU_A_SAMPLES, KLAB_RCU_SAMPLES_MAX + 1, "samples" },
		{ KLAB_RCU_A_STAT_INTERVAL_S, KLAB_RCU_STAT_INTERVAL_MAX_S + 1,
		  "stat-interval" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t offs;

		start_msg(self, KLAB_RCU_HARNESS_TORTURE, "klab_rcu");
		offs = put_u32(self, bad[i].attr, bad[i].value);
		EXPECT_EQ(-EINVAL, request(self));
		EXPECT_NE(NULL, strstr(self->reply.extack_msg, bad[i].name))
			TH_LOG("%s: extack \"%s\"", bad[i].name,
			       self->reply.extack_msg);
		EXPECT_EQ((int)offs, self->reply.extack_offs);
	}
}

TEST_F(rcu, unknown_type_and_harness)
{
	uint32_t harness = __KLAB_RCU_HARNESS_END;
	size_t offs;

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_RCU_CMD_START,
			   KLAB_RCU_FAMILY_VERSION);
	offs = genl_test_put(&self->msg, KLAB_RCU_A_HARNESS_ID, &harness,
			     sizeof(harness));
	EXPECT_EQ(-EINVAL, request(self));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "harness"));
	EXPECT_EQ((int)offs, self->reply.extack_offs);

	start_msg(self, KLAB_RCU_HARNESS_SEQLOCK, NULL);
	offs = genl_test_put(&self->msg, KLAB_RCU_A_TYPE, "klab_rcu", 9);
	EXPECT_EQ(-EINVAL, request(self));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "type"));
	EXPECT_EQ((int)offs, self->reply.extack_offs);

	start_msg(self, KLAB_RCU_HARNESS_TORTURE, NULL);
	EXPECT_EQ(-EINVAL, request(self));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "type missing"));

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_RCU_CMD_START,
			   KLAB_RCU_FAMILY_VERSION);
	EXPECT_EQ(-EINVAL, request(self));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "harness missing"));
}

/* The policy is strict: an attribute START does not take is refused */
TEST_F(rcu, strict_policy)
{
	start_msg(self, KLAB_RCU_HARNESS_TORTURE, "klab_rcu");
	put_u32(self, KLAB_RCU_A_RUN_STATE, 1);
	EXPECT_EQ(-EINVAL, request(self));
}

TEST_F(rcu, busy_stop_status)
{
	int i;

	ASSERT_NE(KLAB_RCU_RUN_RUNNING, run_state(self));
	EXPECT_EQ(-ENOENT, simple(self, KLAB_RCU_CMD_STOP));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "no run is active"));

	start_msg(self, KLAB_RCU_HARNESS_TORTURE, "klab_rcu");
	put_u32(self, KLAB_RCU_A_DURATION_S, 30);
	ASSERT_EQ(0, request(self));
	EXPECT_EQ(KLAB_RCU_RUN_RUNNING, run_state(self));

	start_msg(self, KLAB_RCU_HARNESS_SEQLOCK, "klab_seqlock");
	EXPECT_EQ(-EBUSY, request(self));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "already active"));

	EXPECT_EQ(0, simple(self, KLAB_RCU_CMD_STOP));
	for (i = 0; i < 100 && run_state(self) == KLAB_RCU_RUN_RUNNING; i++)
		usleep(100000);
	EXPECT_EQ(KLAB_RCU_RUN_DONE, run_state(self));
	EXPECT_NE(NULL, genl_test_reply_attr(&self->reply, KLAB_RCU_A_STOPPED,
					     NULL));
}

TEST_HARNESS_MAIN
