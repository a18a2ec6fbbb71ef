// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt source and the chr generic netlink commands: injected
 * interrupts counted exactly in /proc/interrupts, every bottom half run
 * (tasklet and workqueue), records in klab_pipe0, the device list, range
 * checks naming their attribute, and admin-only changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include <klab/chardev.h>

#include "kselftest_harness.h"
#include "genl.h"
#include "klab_chr.h"

/* Sum of the per-CPU counts of the klab_chardev line in /proc/interrupts */
static long long proc_interrupts(void)
{
	char line[1024], *p, *end;
	long long sum = -1, v;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "klab_chardev"))
			continue;
		p = strchr(line, ':');
		sum = 0;
		for (p = p ? p + 1 : line;; p = end) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

FIXTURE(irq) {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

FIXTURE_SETUP(irq)
{
	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	ASSERT_EQ(0, genl_test_open(&self->sock));
	ASSERT_EQ(0, genl_test_resolve(&self->sock, KLAB_CHARDEV_FAMILY_NAME));
}

FIXTURE_TEARDOWN(irq)
{
	genl_test_close(&self->sock);
}

static int irq_req(FIXTURE_DATA(irq) *self, uint8_t cmd, uint16_t type,
		   uint32_t val)
{
	genl_test_msg_init(&self->msg, self->sock.family_id, cmd, 1);
	if (type)
		genl_test_put(&self->msg, type, &val, sizeof(val));
	if (genl_test_request(&self->sock, &self->msg, &self->reply))
		return -EIO;
	return self->reply.error;
}

static uint64_t irq_stat(FIXTURE_DATA(irq) *self, uint16_t type)
{
	const void *v;
	uint16_t len;

	if (irq_req(self, KLAB_CHARDEV_CMD_IRQ_GET, 0, 0))
		return ~0ull;
	v = genl_test_reply_attr(&self->reply, type, &len);
	if (!v)
		return ~0ull;
	return len == 8 ? *(const uint64_t *)v : *(const uint32_t *)v;
}

/* Read klab_pipe0 dry; returns the number of records, checks their mode */
static int drain_records(const char *mode, uint64_t *first, uint64_t *last)
{
	static char buf[1 << 20];
	char *line, *save;
	ssize_t n, total = 0;
	int fd, count = 0;
	unsigned long long seq;
	char m[32];

	fd = open("/dev/klab_pipe0", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "irq %llu mode %31s", &seq, m) != 2)
			return -1;
		if (mode && strcmp(m, mode))
			return -1;
		if (!count && first)
			*first = seq;
		if (last) {
			if (count && seq != *last + 1)
				return -1;
			*last = seq;
		}
		count++;
	}
	return count;
}

static void fire_and_count(struct __test_metadata *_metadata,
			   FIXTURE_DATA(irq) *self, uint32_t mode,
			   const char *name, uint32_t n)
{
	long long proc0, proc1;
	uint64_t top0, bot0, runs0, over0, first = 0, last = 0;

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_MODE, mode));
	EXPECT_EQ(mode, irq_stat(self, KLAB_CHARDEV_A_IRQ_MODE));
	ASSERT_LE(0, drain_records(NULL, NULL, NULL));

	proc0 = proc_interrupts();
	ASSERT_LE(0, proc0);
	top0 = irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP);
	bot0 = irq_stat(self, KLAB_CHARDEV_A_IRQ_BOTTOM);
	runs0 = irq_stat(self, KLAB_CHARDEV_A_IRQ_BH_RUNS);
	over0 = irq_stat(self, KLAB_CHARDEV_A_IRQ_OVERRUNS);

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_FIRE,
			     KLAB_CHARDEV_A_IRQ_COUNT, n));

	proc1 = proc_interrupts();
	EXPECT_EQ(n, proc1 - proc0);
	EXPECT_EQ(n, irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP) - top0);
	EXPECT_EQ(n, irq_stat(self, KLAB_CHARDEV_A_IRQ_BOTTOM) - bot0);
	EXPECT_EQ(0, irq_stat(self, KLAB_CHARDEV_A_IRQ_OVERRUNS) - over0);
	EXPECT_LT(runs0, irq_stat(self, KLAB_CHARDEV_A_IRQ_BH_RUNS));
	EXPECT_EQ(n, drain_records(name, &first, &last));
	EXPECT_EQ(n - 1, last - first);
	EXPECT_EQ(irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP),
		  chr_sysfs("klab_irq", "top"));
	EXPECT_EQ(irq_stat(self, KLAB_CHARDEV_A_IRQ_BOTTOM),
		  chr_sysfs("klab_irq", "bottom"));
}

TEST_F(irq, fire_tasklet_counts_exactly)
{
	fire_and_count(_metadata, self, KLAB_CHARDEV_IRQ_TASKLET, "tasklet",
		       500);
}

TEST_F(irq, fire_workqueue_counts_exactly)
{
	fire_and_count(_metadata, self, KLAB_CHARDEV_IRQ_WORKQUEUE,
		       "workqueue", 500);
	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_MODE, KLAB_CHARDEV_IRQ_TASKLET));
}

TEST_F(irq, timer_raises_the_interrupt)
{
	long long proc0 = proc_interrupts();
	uint64_t top0 = irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP), top, bot;
	uint64_t over;

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_RATE_HZ, 1000));
	EXPECT_EQ(1000, chr_sysfs("klab_irq", "rate_hz"));
	usleep(500 * 1000);
	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_RATE_HZ, 0));
	usleep(200 * 1000);	/* let the last bottom halves run */
	top = irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP) - top0;
	bot = irq_stat(self, KLAB_CHARDEV_A_IRQ_BOTTOM);
	over = irq_stat(self, KLAB_CHARDEV_A_IRQ_OVERRUNS);
	EXPECT_LT(50, top);
	EXPECT_EQ(top, proc_interrupts() - proc0);
	EXPECT_EQ(irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP), bot + over);
	EXPECT_LT(0, irq_stat(self, KLAB_CHARDEV_A_IRQ_LAT_MAX_NS));
	drain_records(NULL, NULL, NULL);
}

TEST_F(irq, out_of_range_names_the_attribute)
{
	uint32_t bad[] = { 0, KLAB_CHARDEV_IRQ_FIRE_MAX + 1 };
	size_t offs, i;

	for (i = 0; i < 2; i++) {
		genl_test_msg_init(&self->msg, self->sock.family_id,
				   KLAB_CHARDEV_CMD_IRQ_FIRE, 1);
		offs = genl_test_put(&self->msg, KLAB_CHARDEV_A_IRQ_COUNT,
				     &bad[i], sizeof(bad[i]));
		ASSERT_EQ(0, genl_test_request(&self->sock, &self->msg,
					       &self->reply));
		EXPECT_EQ(-EINVAL, self->reply.error);
		EXPECT_NE(NULL, strstr(self->reply.extack_msg, "irq-count"))
			TH_LOG("extack: \"%s\"", self->reply.extack_msg);
		EXPECT_EQ((int)offs, self->reply.extack_offs);
	}
	EXPECT_EQ(-EINVAL, irq_req(self, KLAB_CHARDEV_CMD_IRQ_FIRE, 0, 0));
	EXPECT_EQ(-EINVAL, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
				   KLAB_CHARDEV_A_IRQ_MODE, 2));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "irq-mode"));
	EXPECT_EQ(-EINVAL, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
				   KLAB_CHARDEV_A_IRQ_RATE_HZ,
				   KLAB_CHARDEV_IRQ_RATE_MAX + 1));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "irq-rate-hz"));
	/* LIST takes no attributes */
	EXPECT_EQ(-EINVAL, irq_req(self, KLAB_CHARDEV_CMD_LIST,
				   KLAB_CHARDEV_A_IRQ_COUNT, 1));
	EXPECT_EQ(0, irq_stat(self, KLAB_CHARDEV_A_IRQ_RATE_HZ));
}

TEST_F(irq, unprivileged_changes_are_refused)
{
	uint64_t top0 = irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP);

	ASSERT_EQ(0, setresuid(65534, 65534, 0));
	EXPECT_EQ(-EPERM, irq_req(self, KLAB_CHARDEV_CMD_IRQ_FIRE,
				  KLAB_CHARDEV_A_IRQ_COUNT, 1));
	EXPECT_EQ(-EPERM, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
				  KLAB_CHARDEV_A_IRQ_RATE_HZ, 10));
	/* reading is allowed */
	EXPECT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_GET, 0, 0));
	EXPECT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_LIST, 0, 0));
	ASSERT_EQ(0, setresuid(0, 0, 0));
	EXPECT_EQ(top0, irq_stat(self, KLAB_CHARDEV_A_IRQ_TOP));
	EXPECT_EQ(0, irq_stat(self, KLAB_CHARDEV_A_IRQ_RATE_HZ));
}

/* The name of one KLAB_CHARDEV_A_DEV nest into @name ("" if none) */
static void dev_name(const struct nlattr *dev, char *name, size_t size)
{
	const struct nlattr *tb[KLAB_CHARDEV_A_MAX + 1];

	name[0] = 0;
	if (!genl_test_parse_nested(dev, tb, KLAB_CHARDEV_A_MAX) &&
	    tb[KLAB_CHARDEV_A_DEV_NAME] &&
	    !mnl_attr_validate(tb[KLAB_CHARDEV_A_DEV_NAME], MNL_TYPE_NUL_STRING))
		snprintf(name, size, "%s",
			 mnl_attr_get_str(tb[KLAB_CHARDEV_A_DEV_NAME]));
}

TEST_F(irq, list_nests_one_entry_per_device)
{
	const struct nlattr *tb[KLAB_CHARDEV_A_MAX + 1];
	const struct nlattr *dev;
	char names[64][32];
	int n = 0, i;

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_LIST, 0, 0));
	ASSERT_EQ(0, genl_test_reply_parse(&self->reply, tb,
					   KLAB_CHARDEV_A_MAX));
	ASSERT_NE(NULL, tb[KLAB_CHARDEV_A_DEVS]);
	mnl_attr_for_each_nested(dev, tb[KLAB_CHARDEV_A_DEVS]) {
		ASSERT_EQ(KLAB_CHARDEV_A_DEV, mnl_attr_get_type(dev));
		dev_name(dev, names[n], sizeof(names[n]));
		n++;
		ASSERT_GT(64, n);
	}
	EXPECT_EQ(chr_sysfs("../../module/chardev/parameters", "nr_scull") +
		  chr_sysfs("../../module/chardev/parameters", "nr_pipe"), n);
	for (i = 0; i < n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/%.31s", names[i]);
		EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s", path);
	}
}

TEST_HARNESS_MAIN
