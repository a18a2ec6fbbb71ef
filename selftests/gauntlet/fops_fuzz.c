// SPDX-License-Identifier: GPL-2.0
/*
 * File-operation and ioctl fuzzer for device nodes.
 *
 *   fops_fuzz [-s SEED] [-n CALLS] [-t SECONDS] NODE...
 *	CALLS random operations on each NODE (3000), then CALLS / 2 more
 *	from two threads sharing one descriptor, one of them closing and
 *	reopening it under the other's read/mmap/ioctl.  Operations: ioctl
 *	with random commands, the real ones of klab_ioctls.h and those with
 *	a random direction or size; read/write/pread/pwrite with huge
 *	lengths; lseek to the extremes with every whence; mmap of odd sizes
 *	and offsets, touched; poll, fsync; and the pointers NULL, a kernel
 *	address, an unmapped page, a read-only page or a valid buffer.
 *	Every call must return: a blocked one is interrupted by a 20 ms
 *	timer (EINTR), and a node whose calls do not end within SECONDS (60)
 *	fails, with the call it was in.  The seed (the time unless -s) is
 *	printed; a run with the same seed makes the same calls in the
 *	single-threaded part.
 *   fops_fuzz -l	the names of the ioctls it knows, one a line
 *
 * Exits 0 when every node's calls returned; the kernel's health is the
 * VM's splat gate's (panic_on_warn) and the caller's unload check.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "klab_ioctls.h"

#define BUF_SIZE	(1 << 20)
#define PAGE		4096UL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* what the node's child is doing, for the parent to report a hang */
struct fz_shared {
	char op[160];
	unsigned long calls;
	unsigned long ok;	/* calls that succeeded */
};

static struct fz_shared *shared;
static char *buf;		/* BUF_SIZE bytes, read-write, then a guard */
static void *ro_page;		/* PROT_READ */
static void *gone_page;		/* unmapped */
static const char *node;
static int shared_fd;		/* the racing threads' descriptor */
static __thread sigjmp_buf touch_jmp;
static __thread int touching;

/* xorshift64*: one state per thread, so a seed replays the calls */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return next(s) % n;
}

static void note(const char *fmt, unsigned long a, unsigned long b)
{
	snprintf(shared->op, sizeof(shared->op), fmt, a, b);
	__atomic_add_fetch(&shared->calls, 1, __ATOMIC_RELAXED);
}

static void done(long ret)
{
	if (ret >= 0)
		__atomic_add_fetch(&shared->ok, 1, __ATOMIC_RELAXED);
}

static void *any_pointer(uint64_t *s)
{
	switch (below(s, 6)) {
	case 0: return NULL;
	case 1: return (void *)0xffff888000000000UL;	/* the direct map */
	case 2: return gone_page;
	case 3: return ro_page;
	case 4: return (void *)(uintptr_t)next(s);
	default: return buf + below(s, PAGE);
	}
}

static size_t any_length(uint64_t *s)
{
	static const size_t huge[] = {
		0, 1, PAGE - 1, PAGE + 1, BUF_SIZE, 1UL << 31, SIZE_MAX, SIZE_MAX >> 1,
	};

	if (below(s, 2))
		return below(s, 3 * PAGE);
	return huge[below(s, ARRAY_SIZE(huge))];
}

static off_t any_offset(uint64_t *s)
{
	static const off_t edge[] = {
		0, -1, 1, INT64_MAX, INT64_MIN, INT64_MAX - 1, 1LL << 32, 1LL << 40,
	};

	if (below(s, 2))
		return below(s, 4 * BUF_SIZE);
	return edge[below(s, ARRAY_SIZE(edge))];
}

static unsigned long any_ioctl_cmd(uint64_t *s)
{
	const struct klab_ioctl *k = &klab_ioctls[below(s, KLAB_NR_IOCTLS)];

	switch (below(s, 4)) {
	case 0:
		return k->cmd;
	case 1:	/* a real command with another direction and size */
		return _IOC(below(s, 4), _IOC_TYPE(k->cmd), _IOC_NR(k->cmd),
			    below(s, _IOC_SIZEMASK + 1));
	case 2:	/* the real type, any number */
		return _IOC(below(s, 4), _IOC_TYPE(k->cmd), below(s, 32), below(s, 64));
	default:
		return (uint32_t)next(s);
	}
}

static void do_ioctl(uint64_t *s, int fd)
{
	unsigned long cmd = any_ioctl_cmd(s);
	void *arg = any_pointer(s);

	/* a valid pointer to a value that real setters may accept */
	if (arg == buf)
		*(uint32_t *)buf = 1U << below(s, 20);
	note("ioctl cmd %#lx arg %#lx", cmd, (unsigned long)arg);
	done(ioctl(fd, cmd, arg));
}

static void touch(char *p, size_t len, int write)
{
	size_t i;

	touching = 1;
	if (!sigsetjmp(touch_jmp, 1)) {
		for (i = 0; i < len; i += PAGE) {
			if (write)
				p[i] = 1;
			else
				(void)*(volatile char *)(p + i);
		}
	}
	touching = 0;
}

static void do_mmap(uint64_t *s, int fd)
{
	static const size_t lens[] = { 0, 1, PAGE - 1, PAGE, 3 * PAGE + 7, 1 << 20, 1UL << 40 };
	size_t len = lens[below(s, ARRAY_SIZE(lens))];
	off_t off = below(s, 3) ? (off_t)(below(s, 300) * PAGE) : any_offset(s);
	int prot = below(s, 2) ? PROT_READ | PROT_WRITE : PROT_READ;
	int flags = below(s, 4) ? MAP_SHARED : MAP_PRIVATE;
	char *p;

	note("mmap len %#lx off %#lx", len, off);
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return;
	done(0);
	touch(p, len < BUF_SIZE ? len : BUF_SIZE, prot & PROT_WRITE);
	munmap(p, len);
}

/* one random operation on @fd */
static void one_op(uint64_t *s, int fd)
{
	size_t len;
	off_t off;

	switch (below(s, 10)) {
	case 0: case 1: case 2:
		do_ioctl(s, fd);
		break;
	case 3:
		len = any_length(s);
		note("read len %#lx", len, 0);
		done(read(fd, below(s, 2) ? buf : any_pointer(s), len));
		break;
	case 4:
		len = any_length(s);
		note("write len %#lx", len, 0);
		done(write(fd, below(s, 2) ? buf : any_pointer(s), len));
		break;
	case 5:
		len = any_length(s);
		off = any_offset(s);
		note("pread/pwrite len %#lx off %#lx", len, off);
		done(below(s, 2) ? pread(fd, buf, len, off) : pwrite(fd, buf, len, off));
		break;
	case 6:
		off = any_offset(s);
		note("lseek off %#lx whence %lu", off, below(s, 6));
		done(lseek(fd, off, below(s, 6)));
		break;
	case 7:
		do_mmap(s, fd);
		break;
	case 8: {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

		note("poll", 0, 0);
		done(poll(&p, 1, 0));
		break;
	}
	default:
		note("fsync", 0, 0);
		done(fsync(fd));
		break;
	}
}

/*
 * Blocking opens only where SIGALRM interrupts (the single thread): the
 * timer's signal goes to any thread, not to a racer blocked in a read
 */
static int open_node(uint64_t *s, int may_block)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	int flags = modes[below(s, 4)] | (may_block && below(s, 4) ? 0 : O_NONBLOCK);

	note("open flags %#lx", flags, 0);
	return open(node, flags);
}

static void on_signal(int sig)
{
	if ((sig == SIGSEGV || sig == SIGBUS) && touching)
		siglongjmp(touch_jmp, 1);
	if (sig != SIGALRM)
		_exit(3);	/* a fault outside a touch: the fuzzer's bug */
}

/*
 * SIGALRM every 20 ms: a call blocked in the driver returns EINTR;
 * SIGPIPE ignored
 */
static void setup_signals(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* a write to a FIFO without readers must give EPIPE, not kill us */
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void sequential(uint64_t seed, unsigned long calls)
{
	uint64_t s = seed | 1;
	unsigned long i;
	int fd = -1;

	for (i = 0; i < calls; i++) {
		if (fd < 0 || !below(&s, 50)) {
			if (fd >= 0)
				close(fd);
			fd = open_node(&s, 1);
			if (fd < 0)
				continue;
		}
		one_op(&s, fd);
	}
	if (fd >= 0)
		close(fd);
}

struct racer {
	uint64_t seed;
	unsigned long calls;
	int closer;
};

/* racing: both use shared_fd; the closer closes and reopens it */
static void *race(void *arg)
{
	struct racer *r = arg;
	uint64_t s = r->seed | 1;
	unsigned long i;
	int fd;

	for (i = 0; i < r->calls; i++) {
		if (r->closer && below(&s, 3) == 0) {
			close(__atomic_load_n(&shared_fd, __ATOMIC_RELAXED));
			fd = open_node(&s, 0);
			if (fd >= 0 && fd != shared_fd) {
				dup2(fd, shared_fd);
				close(fd);
			}
			continue;
		}
		switch (below(&s, 3)) {
		case 0:
			do_ioctl(&s, shared_fd);
			break;
		case 1:
			do_mmap(&s, shared_fd);
			break;
		default:
			one_op(&s, shared_fd);
			break;
		}
	}
	return NULL;
}

static int racing(uint64_t seed, unsigned long calls)
{
	struct racer r[2] = { { seed ^ 0x5a5a, calls, 0 }, { seed ^ 0xa5a5, calls, 1 } };
	pthread_t t[2];
	int i;

	shared_fd = open(node, O_RDWR | O_NONBLOCK);
	if (shared_fd < 0)
		shared_fd = open(node, O_RDONLY | O_NONBLOCK);
	if (shared_fd < 0)
		return 0;	/* nothing to race on: the sequential part said why */
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, race, &r[i]))
			return -1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	close(shared_fd);
	return 0;
}

/* the child: fuzz the node; exit 0 when every call returned */
static int fuzz_node(uint64_t seed, unsigned long calls)
{
	setup_signals();
	sequential(seed, calls);
	return racing(seed, calls / 4) ? 2 : 0;
}

/* the parent: run the child with a deadline */
static int run_node(uint64_t seed, unsigned long calls, int seconds)
{
	int status, waited;
	pid_t pid;

	memset(shared, 0, sizeof(*shared));
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fuzz_node(seed, calls));
	for (waited = 0; waited < seconds * 10; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			printf("%s: %lu calls, %lu succeeded\n", node, shared->calls,
			       shared->ok);
			if (WIFEXITED(status) && !WEXITSTATUS(status))
				return 0;
			printf("%s: fuzzer child ended with status %#x in %s\n",
			       node, status, shared->op);
			return -1;
		}
		usleep(100000);
	}
	printf("%s: HUNG after %lu calls, in: %s\n", node, shared->calls, shared->op);
	kill(pid, SIGKILL);
	return -1;
}

/* FNV-1a */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 1099511628211ULL;
	return h;
}

/*
 * A guard page (PROT_NONE) after @size bytes: a read with a huge length
 * into the buffer stops there, instead of overwriting the fuzzer
 */
static void *guarded(size_t size, int prot)
{
	char *p = mmap(NULL, size + PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + size, PAGE, PROT_NONE))
		return NULL;
	return p;
}

static int setup_memory(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = guarded(BUF_SIZE, PROT_READ | PROT_WRITE);
	ro_page = guarded(PAGE, PROT_READ);
	gone_page = guarded(PAGE, PROT_READ);
	if (shared == MAP_FAILED || !buf || !ro_page || !gone_page)
		return -1;
	return munmap(gone_page, PAGE);
}

int main(int argc, char **argv)
{
	uint64_t seed = time(NULL);
	unsigned long calls = 3000;
	int seconds = 60, opt, i, failed = 0;
	size_t k;

	while ((opt = getopt(argc, argv, "s:n:t:l")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			calls = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'l':
			for (k = 0; k < KLAB_NR_IOCTLS; k++)
				printf("%s\n", klab_ioctls[k].name);
			return 0;
		default:
			fprintf(stderr, "usage: see the comment at the top of fops_fuzz.c\n");
			return 2;
		}
	}
	if (setup_memory()) {
		perror("mmap");
		return 2;
	}
	printf("fops_fuzz: seed %llu, %lu calls per node\n", (unsigned long long)seed, calls);
	fflush(stdout);
	for (i = optind; i < argc; i++) {
		node = argv[i];
		/* each node its own sequence: one node can be replayed alone */
		if (run_node(seed ^ name_hash(node), calls, seconds))
			failed = 1;
		fflush(stdout);
	}
	return failed;
}
