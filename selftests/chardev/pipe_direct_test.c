// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/klab_pipe*: user data copied straight between user memory and the
 * ring.  A fault in the middle of a write publishes what was copied before
 * it and nothing else; a write stalled in its copy hides itself and the
 * bottom half's records appended behind it; and user writers racing the
 * interrupt source's bottom half (which appends to klab_pipe0) keep every
 * record and every atomic write whole and in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <klab/chardev.h>

#include "kselftest_harness.h"
#include "genl.h"
#include "klab_chr.h"

#define PAGE		4096

/* Two pages, the second inaccessible; the first filled with a pattern */
static uint8_t *half_mapped(void)
{
	uint8_t *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return NULL;
	for (i = 0; i < PAGE; i++)
		p[i] = i * 7 + 1;
	if (mprotect(p + PAGE, PAGE, PROT_NONE))
		return NULL;
	return p;
}

FIXTURE(fault) {
	int rfd, wfd;
	uint8_t *mem;
};

FIXTURE_SETUP(fault)
{
	char buf[4096];

	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	self->wfd = open("/dev/klab_pipe1", O_WRONLY);
	ASSERT_LE(0, self->wfd);
	self->rfd = open("/dev/klab_pipe1", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->rfd);
	while (read(self->rfd, buf, sizeof(buf)) > 0)
		;
	self->mem = half_mapped();
	ASSERT_NE(NULL, self->mem);
}

FIXTURE_TEARDOWN(fault)
{
	close(self->rfd);
	close(self->wfd);
	munmap(self->mem, 2 * PAGE);
}

TEST_F(fault, write_publishes_only_the_bytes_before_the_fault)
{
	uint8_t got[2 * PAGE];
	ssize_t n;

	/* a large write: the bytes up to the fault go in, and count */
	n = write(self->wfd, self->mem + 1000, 8192);
	ASSERT_LT(0, n);
	EXPECT_GE(PAGE - 1000, n);
	EXPECT_EQ(n, chr_sysfs("klab_pipe1", "used"));

	/* an atomic write goes in whole or not at all */
	EXPECT_EQ(-1, write(self->wfd, self->mem + 2048, 4096));
	EXPECT_EQ(EFAULT, errno);
	/* nothing readable at all */
	EXPECT_EQ(-1, write(self->wfd, self->mem + PAGE, 100));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, write(self->wfd, self->mem + PAGE, 8192));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(n, chr_sysfs("klab_pipe1", "used"));

	/* what follows comes right after, with nothing between */
	ASSERT_EQ(3, write(self->wfd, "end", 3));
	ASSERT_EQ(n + 3, read(self->rfd, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, self->mem + 1000, n));
	EXPECT_EQ(0, memcmp(got + n, "end", 3));
}

TEST_F(fault, read_leaves_the_bytes_it_could_not_copy)
{
	uint8_t data[3000], got[3000];
	ssize_t n;
	int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 13 + 5;
	ASSERT_EQ(sizeof(data), write(self->wfd, data, sizeof(data)));

	EXPECT_EQ(-1, read(self->rfd, self->mem + PAGE, 100));
	EXPECT_EQ(EFAULT, errno);
	n = read(self->rfd, self->mem + PAGE - 1000, sizeof(data));
	ASSERT_LT(0, n);
	EXPECT_GE(1000, n);
	EXPECT_EQ(0, memcmp(self->mem + PAGE - 1000, data, n));
	EXPECT_EQ(sizeof(data) - n, read(self->rfd, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, data + n, sizeof(data) - n));
}

/*
 * klab_pipe0 carries the bottom half's text records ("irq <seq> ...")
 * and, here, the user writers' lines.  Each writer writes atomic groups of
 * LINE-byte lines "u<writer> <seq> <part>/<parts>"; a reader parses the
 * stream and checks that every line arrives once, in each writer's order,
 * with the lines of a group adjacent (no record or other line inside an
 * atomic write), and every record whole with increasing sequence numbers.
 * A last writer's atomic writes fault half way: all must fail and none of
 * its lines may show.  The bottom half meanwhile appends behind the
 * writers' reservations, so appends are queued, published late and, for
 * the faulting writer, moved down over the dropped reservation.
 */
#define NWRITERS	4
#define LINE		64
#define MAX_PARTS	(4096 / LINE)
#define FAULTY		NWRITERS

struct mixed {
	int wfd[NWRITERS + 1];
	int rfd;
	long long lines;		/* per writer */
	uint8_t *mem;			/* for the faulting writer */
	volatile int writing;		/* writers not done yet */
	long long next[NWRITERS];	/* the next line expected */
	long long records, faulted;
	int errors, torn, garbage;
};

struct mixed_arg {
	struct mixed *m;
	int idx;
};

static void make_line(char *line, int w, long long seq, int part, int parts)
{
	int n = snprintf(line, LINE, "u%d %012lld %02d/%02d ", w, seq, part,
			 parts);

	memset(line + n, '-', LINE - 1 - n);
	line[LINE - 1] = '\n';
}

static void *mixed_writer(void *p)
{
	struct mixed_arg *a = p;
	struct mixed *m = a->m;
	char buf[MAX_PARTS * LINE];
	unsigned int rnd = a->idx + 7;
	long long seq = 0;
	int i, parts;

	while (seq < m->lines) {
		parts = 1 + rand_r(&rnd) % MAX_PARTS;
		if (parts > m->lines - seq)
			parts = m->lines - seq;
		for (i = 0; i < parts; i++)
			make_line(buf + i * LINE, a->idx, seq + i, i, parts);
		if (write(m->wfd[a->idx], buf, parts * LINE) != parts * LINE) {
			__sync_fetch_and_add(&m->errors, 1);
			break;
		}
		seq += parts;
	}
	__sync_fetch_and_sub(&m->writing, 1);
	return NULL;
}

/* Atomic writes running into an inaccessible page, until the others end */
static void *faulty_writer(void *p)
{
	struct mixed *m = ((struct mixed_arg *)p)->m;
	uint8_t *buf = m->mem + PAGE - MAX_PARTS / 2 * LINE;
	int i;

	for (i = 0; i < MAX_PARTS / 2; i++)
		make_line((char *)buf + i * LINE, FAULTY, i, i, MAX_PARTS);
	while (m->writing) {
		if (write(m->wfd[FAULTY], buf, MAX_PARTS * LINE) != -1 ||
		    errno != EFAULT)
			__sync_fetch_and_add(&m->errors, 1);
		m->faulted++;
	}
	return NULL;
}

/* Check one complete line; @pend is the line an atomic group owes next */
static void mixed_line(struct mixed *m, const char *line, size_t len,
		       char *pend, long long *last_irq)
{
	unsigned long long seq;
	int w, part, parts, n = 0;
	char expect[LINE];

	if (sscanf(line, "irq %llu mode %*s top_ns %*u lat_ns %*u%n", &seq,
		   &n) == 1 && n == (int)len - 1) {
		if (pend[0])
			m->torn++;
		if ((long long)seq <= *last_irq)
			__sync_fetch_and_add(&m->errors, 1);
		*last_irq = seq;
		m->records++;
		pend[0] = 0;
		return;
	}
	if (len != LINE ||
	    sscanf(line, "u%d %llu %d/%d", &w, &seq, &part, &parts) != 4 ||
	    w < 0 || w >= NWRITERS || part >= parts) {
		m->garbage++;
		pend[0] = 0;
		return;
	}
	make_line(expect, w, seq, part, parts);
	if (memcmp(line, expect, LINE))
		m->garbage++;
	else if (pend[0] ? memcmp(line, pend, LINE) : part != 0)
		m->torn++;
	if ((long long)seq != m->next[w])
		__sync_fetch_and_add(&m->errors, 1);
	m->next[w] = seq + 1;
	pend[0] = 0;
	if (part + 1 < parts)
		make_line(pend, w, seq + 1, part + 1, parts);
}

static void *mixed_reader(void *p)
{
	struct mixed *m = p;
	static char buf[65536 + LINE * 4];
	char pend[LINE] = "";
	long long last_irq = -1;
	unsigned int rnd = 3;
	size_t have = 0, off;
	char *nl;
	ssize_t n;

	/* reads of any size: lines and records straddle them */
	while ((n = read(m->rfd, buf + have, 1 + rand_r(&rnd) % 65536)) > 0) {
		have += n;
		for (off = 0; (nl = memchr(buf + off, '\n', have - off));
		     off = nl + 1 - buf) {
			mixed_line(m, buf + off, nl + 1 - (buf + off), pend,
				   &last_irq);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (have > LINE * 2) {
			m->garbage++;
			have = 0;
		}
	}
	if (n < 0 || have)
		__sync_fetch_and_add(&m->errors, 1);
	return NULL;
}

/* A chr generic netlink request with up to two u32 attributes (type 0: none) */
static int irq_request(uint8_t cmd, uint16_t t1, uint32_t v1, uint16_t t2,
		       uint32_t v2)
{
	struct genl_test_reply *r = malloc(sizeof(*r));
	struct genl_test_msg msg;
	struct genl_test_sock s;
	int err = -EIO;

	if (!r || genl_test_open(&s)) {
		free(r);
		return -EIO;
	}
	if (!genl_test_resolve(&s, KLAB_CHARDEV_FAMILY_NAME)) {
		genl_test_msg_init(&msg, s.family_id, cmd, 1);
		if (t1)
			genl_test_put(&msg, t1, &v1, sizeof(v1));
		if (t2)
			genl_test_put(&msg, t2, &v2, sizeof(v2));
		if (!genl_test_request(&s, &msg, r))
			err = r->error;
	}
	genl_test_close(&s);
	free(r);
	return err;
}

/* Set the bottom half and the timer rate */
static int irq_set(uint32_t mode, uint32_t rate_hz)
{
	return irq_request(KLAB_CHARDEV_CMD_IRQ_SET, KLAB_CHARDEV_A_IRQ_MODE,
			   mode, KLAB_CHARDEV_A_IRQ_RATE_HZ, rate_hz);
}

static void mixed_run(struct __test_metadata *_metadata, uint32_t mode)
{
	const char *mib = getenv("KLAB_PIPE_MIXED_MIB");
	struct mixed m = { .lines = (mib ? atoll(mib) : 8) << 20 };
	struct mixed_arg wa[NWRITERS + 1];
	pthread_t wt[NWRITERS + 1], rt;
	long long bottom, dropped;
	char buf[4096];
	int i;

	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	ASSERT_EQ(0, irq_set(mode, 0));
	m.lines /= NWRITERS * LINE;
	m.mem = half_mapped();
	ASSERT_NE(NULL, m.mem);
	/* the writers first: a reader alone sees end of file */
	for (i = 0; i <= NWRITERS; i++) {
		m.wfd[i] = open("/dev/klab_pipe0", O_WRONLY);
		ASSERT_LE(0, m.wfd[i]);
	}
	m.rfd = open("/dev/klab_pipe0", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, m.rfd);
	while (read(m.rfd, buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(0, fcntl(m.rfd, F_SETFL, 0));
	bottom = chr_sysfs("klab_irq", "bottom");
	dropped = chr_sysfs("klab_irq", "records_dropped");

	ASSERT_EQ(0, irq_set(mode, 10000));
	m.writing = NWRITERS;
	ASSERT_EQ(0, pthread_create(&rt, NULL, mixed_reader, &m));
	for (i = 0; i <= NWRITERS; i++) {
		wa[i] = (struct mixed_arg){ &m, i };
		ASSERT_EQ(0, pthread_create(&wt[i], NULL,
					    i == FAULTY ? faulty_writer :
					    mixed_writer, &wa[i]));
	}
	for (i = 0; i <= NWRITERS; i++)
		pthread_join(wt[i], NULL);
	/* no record after the reader's end of file: stop, let BHs finish */
	ASSERT_EQ(0, irq_set(mode, 0));
	for (i = 0; i < 500 && chr_sysfs("klab_irq", "top") !=
	     chr_sysfs("klab_irq", "bottom") + chr_sysfs("klab_irq", "overruns");
	     i++)
		usleep(10 * 1000);
	EXPECT_GT(500, i);
	for (i = 0; i <= NWRITERS; i++)
		close(m.wfd[i]);
	pthread_join(rt, NULL);
	close(m.rfd);
	munmap(m.mem, 2 * PAGE);

	bottom = chr_sysfs("klab_irq", "bottom") - bottom;
	dropped = chr_sysfs("klab_irq", "records_dropped") - dropped;
	TH_LOG("%lld lines from each of %d writers, %lld of %lld records (%lld dropped when full), %lld faulting writes",
	       m.lines, NWRITERS, m.records, bottom, dropped, m.faulted);
	EXPECT_EQ(0, m.errors);
	EXPECT_EQ(0, m.torn);
	EXPECT_EQ(0, m.garbage);
	for (i = 0; i < NWRITERS; i++)
		EXPECT_EQ(m.lines, m.next[i]);
	EXPECT_LT(0, m.records);
	EXPECT_LT(0, m.faulted);
	EXPECT_EQ(bottom - dropped, m.records);
}

TEST(writers_and_tasklet_appends_stay_whole_and_in_order)
{
	mixed_run(_metadata, KLAB_CHARDEV_IRQ_TASKLET);
}

TEST(writers_and_workqueue_appends_stay_whole_and_in_order)
{
	mixed_run(_metadata, KLAB_CHARDEV_IRQ_WORKQUEUE);
	ASSERT_EQ(0, irq_set(KLAB_CHARDEV_IRQ_TASKLET, 0));
}

/*
 * Deterministically, with userfaultfd: a write stalls in the middle of its
 * copy (on a page not yet there) while holding its reservation.  Nothing
 * of it may be readable, nor the bottom half's records appended meanwhile.
 * Once the page arrives the copy runs into an inaccessible page: the
 * bytes before it and then the records must come out, nothing else.
 */
struct stalled {
	int wfd;
	uint8_t *buf;
	size_t len;
	ssize_t ret;
};

static void *stalled_writer(void *p)
{
	struct stalled *s = p;

	s->ret = write(s->wfd, s->buf, s->len);
	return NULL;
}

TEST(stalled_write_hides_itself_and_later_appends)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { .len = PAGE };
	struct pollfd pfd = { .events = POLLIN };
	static uint8_t page[PAGE], got[2 * PAGE + 1024];
	struct uffd_msg msg;
	struct stalled s;
	int uffd, rfd, i, lines = 0;
	uint8_t *mem;
	pthread_t t;
	char *line, *save;
	ssize_t n;

	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	ASSERT_EQ(0, irq_set(KLAB_CHARDEV_IRQ_TASKLET, 0));
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	ASSERT_LE(0, uffd);
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));

	/* a page of data, one to come from userfaultfd, one inaccessible */
	mem = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	for (i = 0; i < PAGE; i++) {
		mem[i] = i * 7 + 1;
		page[i] = i * 11 + 2;
	}
	ASSERT_EQ(0, mprotect(mem + 2 * PAGE, PAGE, PROT_NONE));
	reg.range.start = (unsigned long)(mem + PAGE);
	reg.range.len = PAGE;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	s.wfd = open("/dev/klab_pipe0", O_WRONLY);
	ASSERT_LE(0, s.wfd);
	rfd = open("/dev/klab_pipe0", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, rfd);
	while (read(rfd, got, sizeof(got)) > 0)
		;
	s.buf = mem + PAGE - 1000;
	s.len = 1000 + PAGE + 500;
	ASSERT_EQ(0, pthread_create(&t, NULL, stalled_writer, &s));

	/* the writer has reserved and copied 1000 bytes, and waits */
	pfd.fd = uffd;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	EXPECT_EQ(-1, read(rfd, got, sizeof(got)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, chr_sysfs("klab_pipe0", "used"));

	/* records appended now queue behind the reservation */
	ASSERT_EQ(0, irq_request(KLAB_CHARDEV_CMD_IRQ_FIRE,
				 KLAB_CHARDEV_A_IRQ_COUNT, 3, 0, 0));
	EXPECT_EQ(-1, read(rfd, got, sizeof(got)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, chr_sysfs("klab_pipe0", "used"));

	copy.dst = (unsigned long)(mem + PAGE);
	copy.src = (unsigned long)page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	pthread_join(t, NULL);
	EXPECT_EQ(1000 + PAGE, s.ret);

	n = read(rfd, got, sizeof(got) - 1);
	ASSERT_LT(1000 + PAGE, n);
	EXPECT_EQ(0, memcmp(got, mem + PAGE - 1000, 1000));
	EXPECT_EQ(0, memcmp(got + 1000, page, PAGE));
	got[n] = 0;
	/* only the records follow, whole: no NUL, no garbage */
	EXPECT_EQ(n, 1000 + PAGE + strlen((char *)got + 1000 + PAGE));
	for (line = strtok_r((char *)got + 1000 + PAGE, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		EXPECT_EQ(0, strncmp(line, "irq ", 4)) TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " lat_ns ")) TH_LOG("%s", line);
		lines++;
	}
	EXPECT_EQ(3, lines);
	close(rfd);
	close(s.wfd);
	close(uffd);
	munmap(mem, 3 * PAGE);
}

TEST_HARNESS_MAIN
