// SPDX-License-Identifier: GPL-2.0
/*
 * klab_slab's strict policies, as klabctl never exercises them: attributes
 * of the wrong size or unknown are refused with EINVAL, values out of range
 * with ERANGE, each with an extended ack naming the attribute; the cache
 * list dumps every cache, magazine caches included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "slab_test.h"

FIXTURE(slab) {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

FIXTURE_SETUP(slab)
{
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, slab_genl_open(&self->sock));
}

FIXTURE_TEARDOWN(slab)
{
	genl_test_close(&self->sock);
}

static void create_msg(FIXTURE_DATA(slab) *self, const char *name)
{
	uint32_t size = 64;

	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_CREATE, KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, strlen(name) + 1);
	genl_test_put(&self->msg, KLAB_SLAB_A_OBJECT_SIZE, &size, sizeof(size));
}

/* Send the message, expect @err with an extack pointing at @offs */
static void expect_bad_attr(struct __test_metadata *_metadata,
			    FIXTURE_DATA(slab) *self, size_t offs, int err)
{
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(err, self->reply.error);
	EXPECT_EQ((int)offs, self->reply.extack_offs)
		TH_LOG("extack: \"%s\"", self->reply.extack_msg);
}

TEST_F(slab, flags_outside_the_mask)
{
	uint32_t flags = 0x100;
	size_t offs;

	create_msg(self, "pol_flags");
	offs = genl_test_put(&self->msg, KLAB_SLAB_A_FLAGS, &flags,
			     sizeof(flags));
	expect_bad_attr(_metadata, self, offs, -EINVAL);
}

TEST_F(slab, zero_object_size)
{
	uint32_t zero = 0;
	const char name[] = "pol_zero";
	size_t offs;

	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_CREATE, KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, sizeof(name));
	offs = genl_test_put(&self->msg, KLAB_SLAB_A_OBJECT_SIZE, &zero,
			     sizeof(zero));
	/* a value outside a policy's range is ERANGE */
	expect_bad_attr(_metadata, self, offs, -ERANGE);
}

TEST_F(slab, magazine_size_above_the_maximum)
{
	uint32_t rounds = 255;
	size_t offs;

	create_msg(self, "pol_mag");
	offs = genl_test_put(&self->msg, KLAB_SLAB_A_MAG_SIZE, &rounds,
			     sizeof(rounds));
	expect_bad_attr(_metadata, self, offs, -ERANGE);
}

TEST_F(slab, short_u32)
{
	uint16_t half = 64;
	const char name[] = "pol_short";
	size_t offs;

	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_CREATE, KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, sizeof(name));
	offs = genl_test_put(&self->msg, KLAB_SLAB_A_OBJECT_SIZE, &half,
			     sizeof(half));
	expect_bad_attr(_metadata, self, offs, -EINVAL);
}

TEST_F(slab, name_too_long)
{
	char name[KLAB_SLAB_NAME_LEN + 8];
	uint32_t size = 64;
	size_t offs;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_CREATE, KLAB_SLAB_FAMILY_VERSION);
	offs = genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, sizeof(name));
	genl_test_put(&self->msg, KLAB_SLAB_A_OBJECT_SIZE, &size, sizeof(size));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_NE(0, self->reply.error);
	EXPECT_EQ((int)offs, self->reply.extack_offs);
}

TEST_F(slab, attribute_of_another_command)
{
	uint32_t bug = KLAB_SLAB_BUG_DOUBLE_FREE;
	const char name[] = "kslab-mag-6";

	/* GET takes a name only: strict parsing refuses the rest */
	genl_test_msg_init(&self->msg, self->sock.family_id, KLAB_SLAB_CMD_GET,
			   KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, sizeof(name));
	genl_test_put(&self->msg, KLAB_SLAB_A_BUG, &bug, sizeof(bug));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
}

TEST_F(slab, missing_name)
{
	uint32_t size = 64;

	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_CREATE, KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_OBJECT_SIZE, &size, sizeof(size));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	EXPECT_EQ(-EINVAL, self->reply.error);
	EXPECT_STREQ("cache name missing", self->reply.extack_msg);
}

static int count_cache(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[KLAB_SLAB_A_MAX + 1];
	const struct nlattr *cache[KLAB_SLAB_A_MAX + 1];
	int *n = data;

	if (genl_test_parse(nlh, tb, KLAB_SLAB_A_MAX) || !tb[KLAB_SLAB_A_CACHE] ||
	    genl_test_parse_nested(tb[KLAB_SLAB_A_CACHE], cache,
				   KLAB_SLAB_A_MAX) ||
	    !cache[KLAB_SLAB_A_NAME] || !cache[KLAB_SLAB_A_OBJS_PER_SLAB]) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	(*n)++;
	return MNL_CB_OK;
}

TEST_F(slab, list_dumps_every_cache)
{
	int n = 0;

	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_LIST, KLAB_SLAB_FAMILY_VERSION);
	ASSERT_EQ(0, genl_test_dump(&self->sock, &self->msg, count_cache, &n));
	/* the six magazine caches at least */
	EXPECT_LE(6, n);
}

TEST_HARNESS_MAIN
