// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/klab_pipe*: blocking, EINTR, EAGAIN, poll and epoll, POLLHUP, end
 * of file, EPIPE and SIGPIPE, SIGIO, and a concurrent stress checking
 * that no byte is lost, duplicated or reordered.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "klab_chr.h"

#define DEV "/dev/klab_pipe1"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(pipe) {
	int rfd, wfd;
	long long cap;
};

FIXTURE_SETUP(pipe)
{
	char buf[4096];

	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	self->cap = chr_sysfs("klab_pipe1", "capacity");
	ASSERT_LT(0, self->cap);
	/* the writer first: a reader alone sees end of file */
	self->wfd = open(DEV, O_WRONLY);
	ASSERT_LE(0, self->wfd);
	self->rfd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->rfd);
	while (read(self->rfd, buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(0, fcntl(self->rfd, F_SETFL, 0));
}

FIXTURE_TEARDOWN(pipe)
{
	if (self->rfd >= 0)
		close(self->rfd);
	if (self->wfd >= 0)
		close(self->wfd);
}

static void *late_writer(void *arg)
{
	usleep(200 * 1000);
	if (write(*(int *)arg, "late", 4) != 4)
		return (void *)1;
	return NULL;
}

TEST_F(pipe, blocking_read_waits_for_data)
{
	pthread_t t;
	char buf[16];
	double t0 = now_s();

	ASSERT_EQ(0, pthread_create(&t, NULL, late_writer, &self->wfd));
	EXPECT_EQ(4, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	EXPECT_LE(0.15, now_s() - t0);
	pthread_join(t, NULL);
}

static void *late_reader(void *arg)
{
	static char buf[65536];

	usleep(200 * 1000);
	if (read(*(int *)arg, buf, sizeof(buf)) <= 0)
		return (void *)1;
	return NULL;
}

TEST_F(pipe, blocking_write_waits_for_room)
{
	char *buf = calloc(1, self->cap);
	pthread_t t;
	double t0;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(self->cap, write(self->wfd, buf, self->cap));
	EXPECT_EQ(self->cap, chr_sysfs("klab_pipe1", "used"));
	t0 = now_s();
	ASSERT_EQ(0, pthread_create(&t, NULL, late_reader, &self->rfd));
	EXPECT_EQ(100, write(self->wfd, buf, 100));
	EXPECT_LE(0.15, now_s() - t0);
	pthread_join(t, NULL);
	free(buf);
}

static void on_alarm(int sig)
{
}

/* SIGALRM after 200 ms, without SA_RESTART */
static void arm_alarm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 200 * 1000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(pipe, signal_interrupts_blocked_read_and_write)
{
	char *buf = calloc(1, self->cap + 1);

	ASSERT_NE(NULL, buf);
	arm_alarm();
	EXPECT_EQ(-1, read(self->rfd, buf, 16));
	EXPECT_EQ(EINTR, errno);

	ASSERT_EQ(self->cap, write(self->wfd, buf, self->cap));
	arm_alarm();
	EXPECT_EQ(-1, write(self->wfd, buf, 16));
	EXPECT_EQ(EINTR, errno);
	signal(SIGALRM, SIG_DFL);
	free(buf);
}

TEST_F(pipe, nonblocking_gives_eagain)
{
	char *buf = calloc(1, self->cap);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fcntl(self->rfd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, fcntl(self->wfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->rfd, buf, 16));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(self->cap - 10, write(self->wfd, buf, self->cap - 10));
	/* an atomic write does not fit: nothing of it goes in */
	EXPECT_EQ(-1, write(self->wfd, buf, 100));
	EXPECT_EQ(EAGAIN, errno);
	/* a large one goes in partly */
	EXPECT_EQ(10, write(self->wfd, buf, 8192));
	EXPECT_EQ(-1, write(self->wfd, buf, 1));
	EXPECT_EQ(EAGAIN, errno);
	free(buf);
}

TEST_F(pipe, poll_in_out_hup_and_eof)
{
	struct pollfd pr = { .fd = self->rfd, .events = POLLIN };
	struct pollfd pw = { .fd = self->wfd, .events = POLLOUT };
	char *buf = calloc(1, self->cap);
	ssize_t n, got;
	int epfd;

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(0, poll(&pr, 1, 0));
	EXPECT_EQ(1, poll(&pw, 1, 0));
	EXPECT_EQ(POLLOUT, pw.revents);

	ASSERT_EQ(self->cap, write(self->wfd, buf, self->cap));
	EXPECT_EQ(1, poll(&pr, 1, 0));
	EXPECT_EQ(POLLIN, pr.revents);
	EXPECT_EQ(0, poll(&pw, 1, 0));
	/* a read returns what one critical section moved: loop */
	for (got = 0; got < self->cap; got += n) {
		n = read(self->rfd, buf, self->cap);
		ASSERT_LT(0, n);
	}
	EXPECT_EQ(self->cap, got);
	EXPECT_EQ(0, poll(&pr, 1, 0));

	/* a poll that sleeps is woken by a write */
	epfd = fork();
	ASSERT_LE(0, epfd);
	if (!epfd) {
		usleep(100 * 1000);
		_exit(write(self->wfd, "x", 1) != 1);
	}
	EXPECT_EQ(1, poll(&pr, 1, 5000));
	EXPECT_EQ(POLLIN, pr.revents);
	waitpid(epfd, NULL, 0);

	/* the last writer goes: POLLHUP, then the data, then end of file */
	close(self->wfd);
	self->wfd = -1;
	EXPECT_EQ(1, poll(&pr, 1, 0));
	EXPECT_EQ(POLLIN | POLLHUP, pr.revents);
	EXPECT_EQ(1, read(self->rfd, buf, 16));
	EXPECT_EQ(0, read(self->rfd, buf, 16));
	EXPECT_EQ(1, poll(&pr, 1, 0));
	EXPECT_EQ(POLLHUP, pr.revents);
	free(buf);
}

static void *close_later(void *arg)
{
	usleep(200 * 1000);
	close(*(int *)arg);
	return NULL;
}

TEST_F(pipe, last_writer_close_wakes_blocked_reader_with_eof)
{
	pthread_t t;
	char buf[8];

	ASSERT_EQ(0, pthread_create(&t, NULL, close_later, &self->wfd));
	EXPECT_EQ(0, read(self->rfd, buf, sizeof(buf)));
	pthread_join(t, NULL);
	self->wfd = -1;
}

/* The first line of /proc/@pid/@name into @line; 0 or -1 */
static int proc_line(pid_t pid, const char *name, char *line, int size)
{
	char path[64];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(line, size, f);
	fclose(f);
	return p ? 0 : -1;
}

/*
 * /proc/@pid/stat's state letter and utime + stime in ticks; the command
 * name (field 2) may hold spaces, so the fields start after its ')'.
 */
static int proc_state(pid_t pid, char *state, unsigned long long *ticks)
{
	unsigned long long ut, st;
	char line[1024], *p;
	int n;

	if (proc_line(pid, "stat", line, sizeof(line)))
		return -1;
	p = strrchr(line, ')');
	if (!p)
		return -1;
	n = sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   state, &ut, &st);
	*ticks = ut + st;
	return n == 3 ? 0 : -1;
}

/* /proc/@pid/syscall: the number and first argument of a blocked call */
static int proc_syscall(pid_t pid, long *nr, unsigned long *arg0)
{
	char line[256];

	if (proc_line(pid, "syscall", line, sizeof(line)))
		return -1;
	return sscanf(line, "%ld %lx", nr, arg0) == 2 ? 0 : -1;
}

/*
 * A reader of an empty pipe sleeps interruptibly on the pipe's wait
 * queue: state S in /proc/PID/stat, in read(2) of the pipe, using no CPU,
 * until a write wakes it.
 */
TEST_F(pipe, blocked_reader_sleeps_in_state_s)
{
	unsigned long long ticks0, ticks;
	unsigned long arg0 = 0;
	int status, i;
	char state = '?';
	long nr = -1;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c;

		_exit(read(self->rfd, &c, 1) == 1 && c == 'w' ? 0 : 1);
	}
	/* until it is blocked in read(rfd) */
	for (i = 0; i < 500; i++) {
		if (!proc_syscall(pid, &nr, &arg0) && nr == SYS_read &&
		    arg0 == (unsigned long)self->rfd &&
		    !proc_state(pid, &state, &ticks0) && state != 'R')
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(SYS_read, nr);
	EXPECT_EQ('S', state) TH_LOG("a reader blocked on an empty pipe is '%c'", state);
	usleep(300 * 1000);
	ASSERT_EQ(0, proc_state(pid, &state, &ticks));
	EXPECT_EQ('S', state);
	EXPECT_EQ(ticks0, ticks) TH_LOG("the sleeping reader used CPU time");

	ASSERT_EQ(1, write(self->wfd, "w", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

static void *close_fd(void *arg)
{
	return (void *)(long)close(*(int *)arg);
}

/*
 * Threads share one descriptor table: a sibling's close() of the only
 * writer is seen by the whole process (EBADF, end of file for the
 * reader).  A forked child has a copy of the table: its close() of a
 * writer leaves the parent's descriptor, and the pipe, open.
 */
TEST_F(pipe, sibling_thread_close_is_seen_forked_child_close_is_not)
{
	int sync[2], status, wfd2;
	pthread_t t;
	void *ret;
	char c;
	pid_t pid;

	/* fork: the child closes its copy of a second writer */
	wfd2 = open(DEV, O_WRONLY);
	ASSERT_LE(0, wfd2);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sync[0]);
		if (close(wfd2) || close(self->wfd))
			_exit(1);
		if (write(sync[1], "c", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	ASSERT_EQ(1, read(sync[0], &c, 1));
	close(sync[0]);
	EXPECT_LE(0, fcntl(wfd2, F_GETFD)) TH_LOG("the child's close() closed ours");
	EXPECT_LE(0, fcntl(self->wfd, F_GETFD));
	ASSERT_EQ(0, fcntl(self->rfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->rfd, &c, 1)) TH_LOG("end of file while our writers are open");
	EXPECT_EQ(EAGAIN, errno);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, close(wfd2));

	/* a thread: its close() of the last writer is the process's */
	ASSERT_EQ(0, pthread_create(&t, NULL, close_fd, &self->wfd));
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(NULL, ret);
	EXPECT_EQ(-1, fcntl(self->wfd, F_GETFD));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, read(self->rfd, &c, 1)) TH_LOG("no end of file after the last writer's close");
	self->wfd = -1;
}

/* Ready events of @fd from a non-blocking epoll_wait on @ep, 0 if none */
static uint32_t epoll_ready(int ep, int fd, int timeout_ms)
{
	struct epoll_event ev[2];
	int i, n = epoll_wait(ep, ev, 2, timeout_ms);

	for (i = 0; i < n; i++)
		if (ev[i].data.fd == fd)
			return ev[i].events;
	return 0;
}

static int epoll_watch(int ep, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(ep, op, fd, &ev);
}

TEST_F(pipe, epoll_in_out_hup)
{
	char *buf = calloc(1, self->cap);
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	ssize_t n, got;
	pthread_t t;
	double t0;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_watch(ep, EPOLL_CTL_ADD, self->rfd, EPOLLIN));
	ASSERT_EQ(0, epoll_watch(ep, EPOLL_CTL_ADD, self->wfd, EPOLLOUT));

	/* empty: only the writer is ready */
	EXPECT_EQ(1, epoll_wait(ep, ev, 2, 0));
	EXPECT_EQ(EPOLLOUT, epoll_ready(ep, self->wfd, 0));
	EXPECT_EQ(0, epoll_ready(ep, self->rfd, 0));

	/* full: only the reader */
	ASSERT_EQ(self->cap, write(self->wfd, buf, self->cap));
	EXPECT_EQ(1, epoll_wait(ep, ev, 2, 0));
	EXPECT_EQ(EPOLLIN, epoll_ready(ep, self->rfd, 0));

	/* a sleeping epoll_wait on the writer is woken by a read */
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, self->rfd, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(100 * 1000);
		_exit(read(self->rfd, buf, 4096) != 4096);
	}
	t0 = now_s();
	EXPECT_EQ(EPOLLOUT, epoll_ready(ep, self->wfd, 5000));
	EXPECT_LE(0.05, now_s() - t0);
	waitpid(pid, NULL, 0);
	for (got = 4096; got < self->cap; got += n) {
		n = read(self->rfd, buf, self->cap);
		ASSERT_LT(0, n);
	}

	/* a sleeping epoll_wait on the reader is woken by a write */
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, self->wfd, NULL));
	ASSERT_EQ(0, epoll_watch(ep, EPOLL_CTL_ADD, self->rfd, EPOLLIN));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(100 * 1000);
		_exit(write(self->wfd, "x", 1) != 1);
	}
	t0 = now_s();
	EXPECT_EQ(EPOLLIN, epoll_ready(ep, self->rfd, 5000));
	EXPECT_LE(0.05, now_s() - t0);
	waitpid(pid, NULL, 0);

	EXPECT_EQ(1, read(self->rfd, buf, 16));

	/* and by the last writer's close, with EPOLLHUP (reported unasked) */
	ASSERT_EQ(0, pthread_create(&t, NULL, close_later, &self->wfd));
	t0 = now_s();
	EXPECT_EQ(EPOLLHUP, epoll_ready(ep, self->rfd, 5000));
	EXPECT_LE(0.1, now_s() - t0);
	pthread_join(t, NULL);
	self->wfd = -1;
	EXPECT_EQ(0, read(self->rfd, buf, 16));
	close(ep);
	free(buf);
}

/*
 * Opening never waits for the other side, so a reader alone has no hang
 * up to report yet (a FIFO opened O_RDONLY | O_NONBLOCK behaves the same):
 * read() says end of file, poll() says nothing until a writer came and
 * went.
 */
TEST_F(pipe, pollhup_only_after_a_writer_came_and_went)
{
	struct pollfd pr = { .events = POLLIN };
	char buf[8];
	int w;

	close(self->wfd);
	close(self->rfd);
	self->wfd = -1;
	pr.fd = self->rfd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->rfd);
	EXPECT_EQ(0, poll(&pr, 1, 0));
	EXPECT_EQ(0, read(self->rfd, buf, sizeof(buf)));

	w = open(DEV, O_WRONLY);
	ASSERT_LE(0, w);
	EXPECT_EQ(0, poll(&pr, 1, 0));
	EXPECT_EQ(-1, read(self->rfd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(w);
	EXPECT_EQ(1, poll(&pr, 1, 0));
	EXPECT_EQ(POLLHUP, pr.revents);
	EXPECT_EQ(0, read(self->rfd, buf, sizeof(buf)));
}

static void *close_reader_later(void *arg)
{
	usleep(200 * 1000);
	close(*(int *)arg);
	*(int *)arg = -1;
	return NULL;
}

/*
 * pipe(7): writing with no reader left raises SIGPIPE and fails with
 * EPIPE.  A writer that has not seen a reader yet may fill the FIFO.
 */
TEST_F(pipe, epipe_and_sigpipe_once_the_last_reader_left)
{
	struct pollfd pw = { .fd = self->wfd, .events = POLLOUT };
	char *buf = calloc(1, self->cap);
	pthread_t t;
	int status;
	pid_t pid;
	int w;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	close(self->rfd);
	self->rfd = -1;
	EXPECT_EQ(-1, write(self->wfd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, poll(&pw, 1, 0));
	EXPECT_EQ(POLLOUT | POLLERR, pw.revents);

	/* the default action kills the writer */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		signal(SIGPIPE, SIG_DFL);
		_exit(write(self->wfd, "x", 1) == -1 ? 1 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGPIPE, WTERMSIG(status));

	/* a writer that never saw a reader fills the FIFO */
	w = open(DEV, O_WRONLY);
	ASSERT_LE(0, w);
	pw.fd = w;
	EXPECT_EQ(1, poll(&pw, 1, 0));
	EXPECT_EQ(POLLOUT, pw.revents);
	EXPECT_EQ(self->cap, write(w, buf, self->cap));

	/* a writer blocked on a full FIFO is woken by the last reader's close */
	self->rfd = open(DEV, O_RDONLY);
	ASSERT_LE(0, self->rfd);
	ASSERT_EQ(0, pthread_create(&t, NULL, close_reader_later, &self->rfd));
	EXPECT_EQ(-1, write(w, buf, 16));
	EXPECT_EQ(EPIPE, errno);
	pthread_join(t, NULL);
	close(w);
	signal(SIGPIPE, SIG_DFL);
	free(buf);
}

static volatile sig_atomic_t sigio_seen;

static void on_sigio(int sig)
{
	sigio_seen++;
}

TEST_F(pipe, sigio_on_new_data)
{
	struct sigaction sa = { .sa_handler = on_sigio };
	char buf[8];
	int i;

	ASSERT_EQ(0, sigaction(SIGIO, &sa, NULL));
	ASSERT_EQ(0, fcntl(self->rfd, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->rfd, F_SETFL, O_ASYNC));
	sigio_seen = 0;
	usleep(50 * 1000);
	EXPECT_EQ(0, sigio_seen);
	ASSERT_EQ(3, write(self->wfd, "abc", 3));
	for (i = 0; i < 100 && !sigio_seen; i++)
		usleep(10 * 1000);
	EXPECT_LT(0, sigio_seen);
	EXPECT_EQ(3, read(self->rfd, buf, sizeof(buf)));
	ASSERT_EQ(0, fcntl(self->rfd, F_SETFL, 0));
	signal(SIGIO, SIG_DFL);
}

/*
 * Stress: NWRITERS threads write records carrying (writer, sequence) in
 * atomic 4096-byte writes; NREADERS threads read.  Every record must be
 * seen exactly once, each reader must see each writer's records in
 * increasing order, and no atomic write may be interleaved with another.
 */
#define NWRITERS	4
#define NREADERS	4
#define REC_SIZE	16
#define BATCH		(4096 / REC_SIZE)

struct rec {
	uint32_t writer;
	uint32_t magic;
	uint64_t seq;
};

struct stress {
	int wfd[NWRITERS];
	int rfd[NREADERS];
	uint64_t per_writer;
	uint8_t *seen[NWRITERS];	/* times each record was read */
	int errors;
	int torn;			/* atomic writes found interleaved */
};

struct stress_arg {
	struct stress *st;
	int idx;
};

static void *stress_writer(void *p)
{
	struct stress_arg *a = p;
	struct rec batch[BATCH];
	uint64_t seq = 0;
	int i;

	while (seq < a->st->per_writer) {
		for (i = 0; i < BATCH; i++) {
			batch[i].writer = a->idx;
			batch[i].magic = 0x6b6c6162;
			batch[i].seq = seq++;
		}
		if (write(a->st->wfd[a->idx], batch, sizeof(batch)) !=
		    sizeof(batch)) {
			__sync_fetch_and_add(&a->st->errors, 1);
			break;
		}
	}
	close(a->st->wfd[a->idx]);
	return NULL;
}

static void *stress_reader(void *p)
{
	struct stress_arg *a = p;
	struct stress *st = a->st;
	int64_t last[NWRITERS];
	struct rec buf[BATCH * 2];
	unsigned int rnd = a->idx + 1;
	ssize_t n;
	int i;

	for (i = 0; i < NWRITERS; i++)
		last[i] = -1;
	/*
	 * Reads of varying whole-record sizes keep the free space from being
	 * a multiple of the writers' 4096 bytes, so that an atomic write
	 * that the kernel split would show up as a torn record.
	 */
	while ((n = read(st->rfd[a->idx], buf,
			 REC_SIZE * (1 + rand_r(&rnd) % (2 * BATCH)))) > 0) {
		if (n % REC_SIZE) {
			__sync_fetch_and_add(&st->errors, 1);
			break;
		}
		for (i = 0; i < n / REC_SIZE; i++) {
			struct rec *r = &buf[i];

			if (r->writer >= NWRITERS || r->magic != 0x6b6c6162 ||
			    r->seq >= st->per_writer ||
			    (int64_t)r->seq <= last[r->writer]) {
				__sync_fetch_and_add(&st->errors, 1);
				continue;
			}
			/*
			 * A batch is one atomic write, contiguous in the FIFO:
			 * within one read, a record not ending its batch is
			 * followed by the next one of the same writer.
			 */
			if (i + 1 < n / REC_SIZE && r->seq % BATCH != BATCH - 1 &&
			    (r[1].writer != r->writer || r[1].seq != r->seq + 1))
				__sync_fetch_and_add(&st->torn, 1);
			last[r->writer] = r->seq;
			__sync_fetch_and_add(&st->seen[r->writer][r->seq], 1);
		}
	}
	if (n < 0)
		__sync_fetch_and_add(&st->errors, 1);
	return NULL;
}

TEST(stress_no_loss_duplication_or_reordering)
{
	struct stress st = { 0 };
	struct stress_arg wa[NWRITERS], ra[NREADERS];
	pthread_t wt[NWRITERS], rt[NREADERS];
	const char *mib = getenv("KLAB_PIPE_STRESS_MIB");
	uint64_t total = (mib ? atoll(mib) : 64) << 20, w, s;
	uint64_t missing = 0, dups = 0;
	double t0;
	int i;

	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	st.per_writer = total / REC_SIZE / NWRITERS / BATCH * BATCH;
	for (i = 0; i < NWRITERS; i++) {
		st.seen[i] = calloc(st.per_writer, 1);
		ASSERT_NE(NULL, st.seen[i]);
		st.wfd[i] = open(DEV, O_WRONLY);
		ASSERT_LE(0, st.wfd[i]);
	}
	for (i = 0; i < NREADERS; i++) {
		st.rfd[i] = open(DEV, O_RDONLY);
		ASSERT_LE(0, st.rfd[i]);
	}

	t0 = now_s();
	for (i = 0; i < NREADERS; i++) {
		ra[i] = (struct stress_arg){ &st, i };
		ASSERT_EQ(0, pthread_create(&rt[i], NULL, stress_reader, &ra[i]));
	}
	for (i = 0; i < NWRITERS; i++) {
		wa[i] = (struct stress_arg){ &st, i };
		ASSERT_EQ(0, pthread_create(&wt[i], NULL, stress_writer, &wa[i]));
	}
	for (i = 0; i < NWRITERS; i++)
		pthread_join(wt[i], NULL);
	for (i = 0; i < NREADERS; i++) {
		pthread_join(rt[i], NULL);
		close(st.rfd[i]);
	}

	for (w = 0; w < NWRITERS; w++) {
		for (s = 0; s < st.per_writer; s++) {
			missing += st.seen[w][s] == 0;
			dups += st.seen[w][s] > 1;
		}
		free(st.seen[w]);
	}
	TH_LOG("%llu MiB through %s by %d writers and %d readers in %.1f s",
	       (unsigned long long)(st.per_writer * NWRITERS * REC_SIZE >> 20),
	       DEV, NWRITERS, NREADERS, now_s() - t0);
	EXPECT_EQ(0, st.errors);
	EXPECT_EQ(0, st.torn);
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dups);
}

TEST_HARNESS_MAIN
