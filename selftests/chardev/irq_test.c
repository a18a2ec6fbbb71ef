// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt source and the chr generic netlink commands: injected
 * interrupts counted exactly in /proc/interrupts, every bottom half run
 * (tasklet and workqueue), records in klab_pipe0, the device list, range
 * checks naming their attribute, and admin-only changes.  The notes'
 * interrupt facts (A13): a tasklet raised on two CPUs at once never runs
 * on both at once; a work item sleeps in task context, a tasklet does
 * not; a shared line calls all its handlers and stays requested until
 * its last free_irq; /proc/softirqs has the fixed set of rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stddef.h>
#include <unistd.h>

#include <klab/chardev.h>

#include "kselftest_harness.h"
#include "genl.h"
#include "klab_chr.h"

/* Sum of the numbers after the "NAME:" of a /proc/interrupts line */
static long long line_sum(const char *line)
{
	const char *p = strchr(line, ':');
	long long sum = 0, v;
	char *end;

	for (p = p ? p + 1 : line;; p = end) {
		v = strtoll(p, &end, 10);
		if (end == p)
			break;
		sum += v;
	}
	return sum;
}

/* Sum of the per-CPU counts of the klab_chardev line in /proc/interrupts */
static long long proc_interrupts(void)
{
	char line[1024];
	long long sum = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "klab_chardev"))
			sum = line_sum(line);
	fclose(f);
	return sum;
}

/* The /proc/interrupts line of IRQ @irq into @line; empty when none */
static void irq_line(unsigned int irq, char *line, size_t size)
{
	char want[16];
	FILE *f = fopen("/proc/interrupts", "r");
	char *p;

	line[0] = 0;
	if (!f)
		return;
	snprintf(want, sizeof(want), "%u:", irq);
	while (fgets(line, size, f)) {
		for (p = line; *p == ' '; p++)
			;
		if (!strncmp(p, want, strlen(want)))
			break;
		line[0] = 0;
	}
	fclose(f);
}

/*
 * The rows of /proc/softirqs: up to @max names into @names and, for the
 * first two CPUs, the row's counts into @counts.  Returns the rows.
 */
static int softirq_rows(char names[][16], long long counts[][2], int max)
{
	char line[1024], *p, *end;
	FILE *f = fopen("/proc/softirqs", "r");
	int n = 0, cpu;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))	/* "CPU0 CPU1 ..." */
		n = -1;
	while (n >= 0 && n < max && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %15[^:]:", names[n]) != 1)
			break;
		p = strchr(line, ':') + 1;
		for (cpu = 0; cpu < 2; cpu++, p = end) {
			counts[n][cpu] = strtoll(p, &end, 10);
			if (end == p)
				counts[n][cpu] = -1;
		}
		n++;
	}
	fclose(f);
	return n;
}

static const char *const softirq_names[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET",
	"SCHED", "HRTIMER", "RCU",
};

#define NR_SOFTIRQ_NAMES (sizeof(softirq_names) / sizeof(softirq_names[0]))
#define SOFTIRQ_TASKLET 6

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

/* The counters of one IRQ_GET reply: read together, they agree */
struct irq_counts {
	uint64_t top, bottom, bh_runs, overruns, merged, overlaps, in_task;
	uint64_t slept, shared_calls;
	uint32_t shared, shared_irq;
};

static int irq_counts(FIXTURE_DATA(irq) *self, struct irq_counts *c)
{
	static const struct {
		uint16_t type;
		size_t offs;
	} u64s[] = {
		{ KLAB_CHARDEV_A_IRQ_TOP, offsetof(struct irq_counts, top) },
		{ KLAB_CHARDEV_A_IRQ_BOTTOM, offsetof(struct irq_counts, bottom) },
		{ KLAB_CHARDEV_A_IRQ_BH_RUNS, offsetof(struct irq_counts, bh_runs) },
		{ KLAB_CHARDEV_A_IRQ_OVERRUNS, offsetof(struct irq_counts, overruns) },
		{ KLAB_CHARDEV_A_IRQ_MERGED, offsetof(struct irq_counts, merged) },
		{ KLAB_CHARDEV_A_IRQ_BH_OVERLAPS, offsetof(struct irq_counts, overlaps) },
		{ KLAB_CHARDEV_A_IRQ_BH_IN_TASK, offsetof(struct irq_counts, in_task) },
		{ KLAB_CHARDEV_A_IRQ_BH_SLEPT, offsetof(struct irq_counts, slept) },
		{ KLAB_CHARDEV_A_IRQ_SHARED_CALLS, offsetof(struct irq_counts, shared_calls) },
	};
	const void *v;
	uint16_t len;
	size_t i;

	if (irq_req(self, KLAB_CHARDEV_CMD_IRQ_GET, 0, 0))
		return -1;
	for (i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++) {
		v = genl_test_reply_attr(&self->reply, u64s[i].type, &len);
		if (!v || len != 8)
			return -1;
		memcpy((char *)c + u64s[i].offs, v, 8);
	}
	v = genl_test_reply_attr(&self->reply, KLAB_CHARDEV_A_IRQ_SHARED, &len);
	if (!v || len != 4)
		return -1;
	memcpy(&c->shared, v, 4);
	v = genl_test_reply_attr(&self->reply, KLAB_CHARDEV_A_IRQ_SHARED_NUM, &len);
	if (!v || len != 4)
		return -1;
	memcpy(&c->shared_irq, v, 4);
	return 0;
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

static int fire_all_cpus(FIXTURE_DATA(irq) *self, uint32_t n)
{
	genl_test_msg_init(&self->msg, self->sock.family_id,
			   KLAB_CHARDEV_CMD_IRQ_FIRE, 1);
	genl_test_put(&self->msg, KLAB_CHARDEV_A_IRQ_COUNT, &n, sizeof(n));
	genl_test_put(&self->msg, KLAB_CHARDEV_A_IRQ_ALL_CPUS, NULL, 0);
	if (genl_test_request(&self->sock, &self->msg, &self->reply))
		return -EIO;
	return self->reply.error;
}

/*
 * FIRE @n times on every CPU with the request made from CPU @cpu.
 * on_each_cpu() raises on the other CPUs first and on the caller's last,
 * so the caller's raise mostly finds the tasklet scheduled elsewhere
 * (merged): half the raises are made from each CPU so that the tasklet
 * is scheduled on, and runs on, both.
 */
static int fire_all_cpus_from(FIXTURE_DATA(irq) *self, int cpu, uint32_t n)
{
	cpu_set_t set, old;
	int ret;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_getaffinity(0, sizeof(old), &old) ||
	    sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	ret = fire_all_cpus(self, n);
	if (sched_setaffinity(0, sizeof(old), &old))
		return -errno;
	return ret;
}

/*
 * Every CPU raises the interrupt at once, 1000 times, and each raise that
 * the flow handler lets through schedules the tasklet.  A raise finding
 * it still scheduled is merged (counted by the module, which schedules it
 * as tasklet_schedule() does); every other one gives exactly one run, and
 * no run starts while another runs (bh_overlaps), though the tasklet
 * softirq ran on both CPUs.  The tasklet's last run may end after FIRE
 * returns: the runs are read until they add up, for up to 5 s.
 */
TEST_F(irq, tasklet_never_runs_on_two_cpus_at_once)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char names[16][16];
	long long tl0[16][2], tl1[16][2];
	struct irq_counts c0, c;
	uint64_t raises, merged, runs;
	int i;

	if (cpus < 2)
		SKIP(return, "needs two CPUs, has %ld (scripts/vm-run -s 2)", cpus);
	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_MODE, KLAB_CHARDEV_IRQ_TASKLET));
	ASSERT_LE(0, drain_records(NULL, NULL, NULL));
	ASSERT_LT(SOFTIRQ_TASKLET, softirq_rows(names, tl0, 16));
	ASSERT_EQ(0, irq_counts(self, &c0));

	ASSERT_EQ(0, fire_all_cpus_from(self, 0, 500));
	ASSERT_EQ(0, fire_all_cpus_from(self, 1, 500));
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, irq_counts(self, &c));
		if (c.bh_runs - c0.bh_runs == (c.top - c0.top) - (c.merged - c0.merged))
			break;
		usleep(100 * 1000);
	}
	ASSERT_LT(SOFTIRQ_TASKLET, softirq_rows(names, tl1, 16));
	raises = c.top - c0.top;
	merged = c.merged - c0.merged;
	runs = c.bh_runs - c0.bh_runs;
	TH_LOG("raises %llu merged %llu runs %llu overlaps %llu; TASKLET softirqs cpu0 +%lld cpu1 +%lld",
	       (unsigned long long)raises, (unsigned long long)merged,
	       (unsigned long long)runs,
	       (unsigned long long)(c.overlaps - c0.overlaps),
	       tl1[SOFTIRQ_TASKLET][0] - tl0[SOFTIRQ_TASKLET][0],
	       tl1[SOFTIRQ_TASKLET][1] - tl0[SOFTIRQ_TASKLET][1]);
	EXPECT_LE(1000, raises);
	EXPECT_EQ(0, c.overlaps - c0.overlaps);
	EXPECT_EQ(raises - merged, runs);
	EXPECT_LT(tl0[SOFTIRQ_TASKLET][0], tl1[SOFTIRQ_TASKLET][0]);
	EXPECT_LT(tl0[SOFTIRQ_TASKLET][1], tl1[SOFTIRQ_TASKLET][1]);
	EXPECT_EQ(c.overlaps, chr_sysfs("klab_irq", "bh_overlaps"));
	drain_records(NULL, NULL, NULL);
}

/*
 * The work item sleeps (usleep_range) after draining the queue: every run is in
 * task context and its worker switched out voluntarily; no tasklet run is
 * in task context or sleeps.  Every event is still handled.
 */
TEST_F(irq, work_item_sleeps_in_task_context_tasklet_does_not)
{
	static const uint32_t modes[] = { KLAB_CHARDEV_IRQ_WORKQUEUE,
					  KLAB_CHARDEV_IRQ_TASKLET };
	struct irq_counts c0, c;
	uint64_t runs;
	size_t i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
				     KLAB_CHARDEV_A_IRQ_MODE, modes[i]));
		ASSERT_EQ(0, irq_counts(self, &c0));
		ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_FIRE,
				     KLAB_CHARDEV_A_IRQ_COUNT, 20));
		ASSERT_EQ(0, irq_counts(self, &c));
		runs = c.bh_runs - c0.bh_runs;
		TH_LOG("%s: events %llu runs %llu in task %llu slept %llu",
		       modes[i] ? "workqueue" : "tasklet",
		       (unsigned long long)(c.bottom - c0.bottom),
		       (unsigned long long)runs,
		       (unsigned long long)(c.in_task - c0.in_task),
		       (unsigned long long)(c.slept - c0.slept));
		EXPECT_EQ(20, c.bottom - c0.bottom);
		EXPECT_LT(0, runs);
		EXPECT_EQ(modes[i] ? runs : 0, c.in_task - c0.in_task);
		EXPECT_EQ(modes[i] ? runs : 0, c.slept - c0.slept);
		ASSERT_LE(0, drain_records(NULL, NULL, NULL));
	}
	EXPECT_EQ(c.slept, chr_sysfs("klab_irq", "bh_slept"));
}

/*
 * Two IRQF_SHARED handlers on the shared line: one interrupt (counted
 * once in /proc/interrupts) calls both, and the line lists both names.
 * Freeing one leaves the line requested with the other; after the last
 * free_irq no handler is named on it.
 */
TEST_F(irq, shared_line_requested_until_last_free_irq)
{
	struct irq_counts c0, c;
	char line[1024];
	long long n0;

	ASSERT_EQ(0, irq_counts(self, &c0));
	ASSERT_EQ(0, c0.shared);
	irq_line(c0.shared_irq, line, sizeof(line));
	n0 = line[0] ? line_sum(line) : 0;

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_SHARED, 2));
	ASSERT_EQ(0, irq_counts(self, &c));
	irq_line(c.shared_irq, line, sizeof(line));
	TH_LOG("two handlers: %s", line);
	EXPECT_EQ(2, c.shared);
	EXPECT_EQ(2, c.shared_calls - c0.shared_calls);
	EXPECT_EQ(n0 + 1, line_sum(line));
	EXPECT_NE(NULL, strstr(line, "klab_shared_a, klab_shared_b"));

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_SHARED, 1));
	ASSERT_EQ(0, irq_counts(self, &c));
	irq_line(c.shared_irq, line, sizeof(line));
	TH_LOG("one freed: %s", line);
	EXPECT_EQ(3, c.shared_calls - c0.shared_calls);
	EXPECT_EQ(n0 + 2, line_sum(line));
	EXPECT_NE(NULL, strstr(line, "klab_shared_a"));
	EXPECT_EQ(NULL, strstr(line, "klab_shared_b"));

	ASSERT_EQ(0, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
			     KLAB_CHARDEV_A_IRQ_SHARED, 0));
	ASSERT_EQ(0, irq_counts(self, &c));
	irq_line(c.shared_irq, line, sizeof(line));
	TH_LOG("last freed: %s", line[0] ? line : "(no line)\n");
	EXPECT_EQ(0, c.shared);
	EXPECT_EQ(3, c.shared_calls - c0.shared_calls);
	EXPECT_EQ(NULL, strstr(line, "klab_shared"));
	EXPECT_EQ(c.shared_calls, chr_sysfs("klab_irq", "shared_calls"));
}

/* The softirqs are a fixed, compiled-in set: these ten rows, in order */
TEST_F(irq, softirq_rows_are_the_fixed_set)
{
	char names[16][16];
	long long counts[16][2];
	size_t i;

	ASSERT_EQ((int)NR_SOFTIRQ_NAMES, softirq_rows(names, counts, 16));
	for (i = 0; i < NR_SOFTIRQ_NAMES; i++)
		EXPECT_STREQ(softirq_names[i], names[i]);
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
	EXPECT_EQ(-EINVAL, irq_req(self, KLAB_CHARDEV_CMD_IRQ_SET,
				   KLAB_CHARDEV_A_IRQ_SHARED,
				   KLAB_CHARDEV_IRQ_SHARED_MAX + 1));
	EXPECT_NE(NULL, strstr(self->reply.extack_msg, "irq-shared"));
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
