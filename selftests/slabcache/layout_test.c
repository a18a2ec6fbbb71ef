// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache's geometry against the documented rule (modules/slabcache/
 * README.md), for a table of sizes from 8 B to 8 KiB, odd sizes, large
 * alignments, constructed and cache-line-aligned objects: the rule is
 * written out here again, independently of the module's code, and every
 * cache klab_slab creates must have the stride, order, objects per slab
 * and colours it gives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "slab_test.h"

#define PAGE		4096u
#define LINE		64u
#define WASTE_FRACT	32u
#define MAX_ORDER	3u

struct geometry {
	unsigned int stride, order, objects, colours;
};

static unsigned int align_up(unsigned int x, unsigned int a)
{
	return (x + a - 1) / a * a;
}

/* The rule of the README */
static struct geometry rule(unsigned int size, unsigned int align,
			    unsigned int flags)
{
	unsigned int a = align > 8 ? align : 8, base, min = 0, max, o;
	unsigned long long best_slack = 0, best_bytes = 1;
	struct geometry g = { 0 };
	int best = -1;

	if (flags & KLAB_SLAB_F_HWCACHE_ALIGN) {
		unsigned int ralign = LINE;

		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > a)
			a = ralign;
	}
	base = align_up(size, 8);
	if (flags & KLAB_SLAB_F_CTOR)
		base += 8;		/* the free link after the object */
	g.stride = align_up(base, a);
	while ((PAGE << min) < g.stride)
		min++;
	max = min > MAX_ORDER ? min : MAX_ORDER;
	for (o = min; o <= max; o++) {
		unsigned int bytes = PAGE << o;
		unsigned int slack = bytes - bytes / g.stride * g.stride;

		if (slack * WASTE_FRACT <= bytes) {
			best = o;
			best_slack = slack;
			break;
		}
		if (best < 0 || slack * best_bytes < best_slack * bytes) {
			best = o;
			best_slack = slack;
			best_bytes = bytes;
		}
	}
	g.order = best;
	g.objects = (PAGE << g.order) / g.stride;
	g.colours = best_slack / (a > LINE ? a : LINE) + 1;
	return g;
}

FIXTURE(layout) {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

FIXTURE_SETUP(layout)
{
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, slab_genl_open(&self->sock));
}

FIXTURE_TEARDOWN(layout)
{
	genl_test_close(&self->sock);
}

static uint32_t get_u32(const struct nlattr *const *tb, int attr)
{
	return tb[attr] ? mnl_attr_get_u32(tb[attr]) : ~0u;
}

/* Create a cache, check its geometry, destroy it */
static void check(struct __test_metadata *_metadata,
		  FIXTURE_DATA(layout) *self, unsigned int size,
		  unsigned int align, unsigned int flags)
{
	const struct nlattr *tb[KLAB_SLAB_A_MAX + 1];
	const struct nlattr *c[KLAB_SLAB_A_MAX + 1];
	struct geometry want = rule(size, align, flags), got;
	char name[32];

	snprintf(name, sizeof(name), "lt_%u_%u_%u", size, align, flags);
	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_CREATE, KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, strlen(name) + 1);
	genl_test_put(&self->msg, KLAB_SLAB_A_OBJECT_SIZE, &size, sizeof(size));
	genl_test_put(&self->msg, KLAB_SLAB_A_ALIGN, &align, sizeof(align));
	genl_test_put(&self->msg, KLAB_SLAB_A_FLAGS, &flags, sizeof(flags));
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	ASSERT_EQ(0, self->reply.error) TH_LOG("%s: %s", name,
					       self->reply.extack_msg);
	ASSERT_EQ(0, genl_test_reply_parse(&self->reply, tb, KLAB_SLAB_A_MAX));
	ASSERT_NE(NULL, tb[KLAB_SLAB_A_CACHE]);
	ASSERT_EQ(0, genl_test_parse_nested(tb[KLAB_SLAB_A_CACHE], c,
					    KLAB_SLAB_A_MAX));
	got.stride = get_u32(c, KLAB_SLAB_A_STRIDE);
	got.order = get_u32(c, KLAB_SLAB_A_ORDER);
	got.objects = get_u32(c, KLAB_SLAB_A_OBJS_PER_SLAB);
	got.colours = get_u32(c, KLAB_SLAB_A_COLOURS);
	TH_LOG("%u bytes, align %u, flags %#x: stride %u order %u, %u objects, %u colours",
	       size, align, flags, got.stride, got.order, got.objects,
	       got.colours);
	EXPECT_EQ(want.stride, got.stride);
	EXPECT_EQ(want.order, got.order);
	EXPECT_EQ(want.objects, got.objects);
	EXPECT_EQ(want.colours, got.colours);
	/* the notes: objperslab = floor(pagesperslab * 4096 / objsize) */
	EXPECT_EQ((PAGE << got.order) / got.stride, got.objects);

	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_SLAB_CMD_DESTROY, KLAB_SLAB_FAMILY_VERSION);
	genl_test_put(&self->msg, KLAB_SLAB_A_NAME, name, strlen(name) + 1);
	ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg, &self->reply));
	ASSERT_EQ(0, self->reply.error);
}

TEST_F(layout, sizes_from_8_bytes_to_8_kib)
{
	static const unsigned int sizes[] = {
		8, 16, 24, 32, 40, 64, 96, 100, 128, 192, 256, 300, 512, 700,
		1000, 1024, 1100, 2000, 2048, 3000, 4096, 5000, 8192,
	};
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check(_metadata, self, sizes[i], 0, 0);
}

TEST_F(layout, odd_sizes)
{
	unsigned int size;

	for (size = 1; size < 8200; size = size * 3 + 7)
		check(_metadata, self, size, 0, 0);
	check(_metadata, self, 4097, 0, 0);
}

TEST_F(layout, large_alignments)
{
	static const unsigned int spec[][2] = {
		{ 24, 64 }, { 100, 256 }, { 700, 1024 }, { 3000, 4096 },
		{ 8, 4096 }, { 5000, 2048 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(spec) / sizeof(spec[0]); i++)
		check(_metadata, self, spec[i][0], spec[i][1], 0);
}

TEST_F(layout, constructed_and_cache_aligned_objects)
{
	check(_metadata, self, 200, 0, KLAB_SLAB_F_CTOR);
	check(_metadata, self, 700, 0, KLAB_SLAB_F_CTOR);
	check(_metadata, self, 20, 0, KLAB_SLAB_F_HWCACHE_ALIGN);
	check(_metadata, self, 100, 0, KLAB_SLAB_F_HWCACHE_ALIGN);
}

TEST_HARNESS_MAIN
