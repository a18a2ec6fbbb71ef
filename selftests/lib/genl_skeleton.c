// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink contract every klab family keeps (<klab/klab.h>):
 * strict policies, extack messages naming the attribute, admin-only
 * changes, and a socket that outlives the module.
 *
 * Built once per module with KLAB_MODULE and KLAB_FAMILY defined.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <klab/klab.h>

#include "kselftest_harness.h"
#include "genl.h"

#ifndef KLAB_MODULE
#error "build with -DKLAB_MODULE=\"name\" -DKLAB_FAMILY=\"family\""
#endif

static int modules_cmd(const char *verb)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/scripts/modules %s %s",
		 getenv("KLAB_ROOT") ?: ".", verb, KLAB_MODULE);
	return system(cmd);
}

FIXTURE(family) {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

FIXTURE_SETUP(family)
{
	if (geteuid())
		SKIP(return, "needs root to load " KLAB_MODULE);
	ASSERT_EQ(0, modules_cmd("load"));
	ASSERT_EQ(0, genl_test_open(&self->sock));
	ASSERT_EQ(0, genl_test_resolve(&self->sock, KLAB_FAMILY));
}

FIXTURE_TEARDOWN(family)
{
	genl_test_close(&self->sock);
}

static int set_debug(struct __test_metadata *_metadata,
		     FIXTURE_DATA(family) *self, uint32_t level)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_SET, 1);
	genl_test_put(&self->msg, KLAB_A_DEBUG_LEVEL, &level, sizeof(level));
	EXPECT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	return self->reply.error;
}

static uint32_t get_debug(struct __test_metadata *_metadata,
			  FIXTURE_DATA(family) *self)
{
	const uint32_t *level;

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_INFO, 1);
	EXPECT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(0, self->reply.error);
	level = genl_test_reply_attr(&self->reply, KLAB_A_DEBUG_LEVEL, NULL);
	EXPECT_NE(NULL, level);
	return level ? *level : ~0u;
}

TEST_F(family, info_reports_version)
{
	const char *version;
	uint16_t len;

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_INFO, 1);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	ASSERT_EQ(0, self->reply.error);
	version = genl_test_reply_attr(&self->reply, KLAB_A_VERSION, &len);
	ASSERT_NE(NULL, version);
	EXPECT_STREQ(KLAB_VERSION, version);
	EXPECT_NE(NULL, genl_test_reply_attr(&self->reply, KLAB_A_UPTIME_NS,
					     NULL));
}

TEST_F(family, set_then_info_round_trips)
{
	ASSERT_EQ(0, set_debug(_metadata, self, 5));
	EXPECT_EQ(5, get_debug(_metadata, self));
	ASSERT_EQ(0, set_debug(_metadata, self, 0));
	EXPECT_EQ(0, get_debug(_metadata, self));
}

TEST_F(family, out_of_range_names_attribute)
{
	size_t offs;
	uint32_t level = KLAB_DEBUG_MAX + 1;

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_SET, 1);
	offs = genl_test_put(&self->msg, KLAB_A_DEBUG_LEVEL, &level,
			     sizeof(level));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "debug-level"))
		TH_LOG("extack: \"%s\"", self->reply.extack_msg);
	EXPECT_EQ((int)offs, self->reply.extack_offs);
	EXPECT_EQ(0, get_debug(_metadata, self));
}

TEST_F(family, malformed_attribute_is_rejected)
{
	uint8_t level = 1;
	size_t offs;

	/* a u32 attribute one byte long */
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_SET, 1);
	offs = genl_test_put(&self->msg, KLAB_A_DEBUG_LEVEL, &level,
			     sizeof(level));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_STRNE("", self->reply.extack_msg);
	EXPECT_EQ((int)offs, self->reply.extack_offs)
		TH_LOG("extack: \"%s\"", self->reply.extack_msg);
	EXPECT_EQ(0, get_debug(_metadata, self));
}

TEST_F(family, unknown_attribute_is_rejected)
{
	uint32_t v = 1;

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_SET, 1);
	genl_test_put(&self->msg, KLAB_A_DEBUG_LEVEL, &v, sizeof(v));
	genl_test_put(&self->msg, KLAB_A_MODULE_FIRST - 1, &v, sizeof(v));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_EQ(0, get_debug(_metadata, self));
}

TEST_F(family, info_takes_no_attributes)
{
	uint32_t v = 1;

	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_INFO, 1);
	genl_test_put(&self->msg, KLAB_A_DEBUG_LEVEL, &v, sizeof(v));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
}

TEST_F(family, set_without_attributes_says_why)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_SET, 1);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "debug-level"));
}

TEST_F(family, unprivileged_set_is_refused)
{
	ASSERT_EQ(0, setresuid(65534, 65534, 0));
	EXPECT_EQ(-EPERM, set_debug(_metadata, self, 3));
	ASSERT_EQ(0, setresuid(0, 0, 0));
	EXPECT_EQ(0, get_debug(_metadata, self));
}

TEST_F(family, socket_outlives_rmmod)
{
	/* the socket stays open and bound while the module goes away */
	ASSERT_EQ(0, modules_cmd("unload"));
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_CMD_INFO, 1);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_NE(0, self->reply.error);
	EXPECT_EQ(-ENOENT, genl_test_resolve(&self->sock, KLAB_FAMILY));

	ASSERT_EQ(0, modules_cmd("load"));
	EXPECT_EQ(0, genl_test_resolve(&self->sock, KLAB_FAMILY));
	EXPECT_EQ(0, get_debug(_metadata, self));
}

TEST_HARNESS_MAIN
