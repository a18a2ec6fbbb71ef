// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/klab_scull*: llseek, capacity, O_TRUNC, shared and private file
 * positions, mmap coherence, ioctls and their errors, and rmmod while open.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <klab/chardev.h>

#include "kselftest_harness.h"
#include "klab_chr.h"

#define DEV "/dev/klab_scull0"

FIXTURE(scull) {
	int fd;
	long long cap;
};

FIXTURE_SETUP(scull)
{
	if (geteuid())
		SKIP(return, "needs root to load chardev");
	ASSERT_EQ(0, chr_modules("load", NULL));
	self->fd = open(DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, KLAB_SCULL_IOC_RESET));
	self->cap = chr_sysfs("klab_scull0", "capacity");
	ASSERT_LT(0, self->cap);
}

FIXTURE_TEARDOWN(scull)
{
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t size_of(int fd)
{
	uint64_t size = ~0ull;

	if (ioctl(fd, KLAB_SCULL_IOC_GET_SIZE, &size))
		return ~0ull;
	return size;
}

TEST_F(scull, write_read_round_trip)
{
	char buf[64] = { 0 };

	ASSERT_EQ(11, write(self->fd, "hello world", 11));
	EXPECT_EQ(11, size_of(self->fd));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(11, read(self->fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello world", buf);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(11, chr_sysfs("klab_scull0", "size"));
}

TEST_F(scull, llseek_edges)
{
	char buf[8];

	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	EXPECT_EQ(9, lseek(self->fd, -1, SEEK_END));
	EXPECT_EQ(1, read(self->fd, buf, 1));
	EXPECT_EQ('9', buf[0]);
	EXPECT_EQ(7, lseek(self->fd, -3, SEEK_CUR));
	EXPECT_EQ(0, lseek(self->fd, -10, SEEK_END));
	/* negative results are refused and leave the position alone */
	EXPECT_EQ(-1, lseek(self->fd, -11, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ(EINVAL, errno);
	/* past the end: reads see end of file, writes leave a zero hole */
	EXPECT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(1, write(self->fd, "x", 1));
	EXPECT_EQ(101, size_of(self->fd));
	EXPECT_EQ(8, pread(self->fd, buf, 8, 50));
	EXPECT_EQ(0, memcmp(buf, "\0\0\0\0\0\0\0\0", 8));
}

TEST_F(scull, enospc_at_capacity)
{
	char buf[32];

	memset(buf, 'a', sizeof(buf));
	ASSERT_EQ(self->cap - 10, lseek(self->fd, self->cap - 10, SEEK_SET));
	/* a write across the limit is cut short ... */
	EXPECT_EQ(10, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(self->cap, size_of(self->fd));
	/* ... and one at the limit fails */
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, self->cap + 4096));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(self->cap, size_of(self->fd));
}

TEST_F(scull, o_trunc_empties_for_writers_only)
{
	int fd;

	ASSERT_EQ(5, write(self->fd, "abcde", 5));
	fd = open(DEV, O_RDONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(5, size_of(self->fd));
	fd = open(DEV, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, size_of(self->fd));
	EXPECT_EQ(0, chr_sysfs("klab_scull0", "allocated"));
}

TEST_F(scull, dup_and_fork_share_position_reopen_does_not)
{
	char buf[4];
	pid_t pid;
	int status, fd2, fd3;

	ASSERT_EQ(12, write(self->fd, "aaaabbbbcccc", 12));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	fd2 = dup(self->fd);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(4, read(self->fd, buf, 4));
	EXPECT_EQ(4, read(fd2, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "bbbb", 4));
	close(fd2);

	ASSERT_EQ(4, lseek(self->fd, 4, SEEK_SET));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(read(self->fd, buf, 4) == 4 && !memcmp(buf, "bbbb", 4) ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(8, lseek(self->fd, 0, SEEK_CUR));

	fd3 = open(DEV, O_RDONLY);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(0, lseek(fd3, 0, SEEK_CUR));
	EXPECT_EQ(4, read(fd3, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "aaaa", 4));
	EXPECT_EQ(8, lseek(self->fd, 0, SEEK_CUR));
	close(fd3);
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

TEST_F(scull, mmap_is_coherent_with_read_write)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = 3 * pg;
	char *buf = malloc(len), *map;
	volatile char *vmap;
	volatile int bus;
	struct sigaction sa = { .sa_handler = on_sigbus };
	size_t i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 7);
	ASSERT_EQ((ssize_t)len, write(self->fd, buf, len));

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, memcmp(map, buf, len));

	/* stores through the mapping show in read() ... */
	memcpy(map + pg - 2, "MMAP", 4);
	EXPECT_EQ(4, pread(self->fd, buf, 4, pg - 2));
	EXPECT_EQ(0, memcmp(buf, "MMAP", 4));
	/* ... and write() shows in the mapping */
	EXPECT_EQ(5, pwrite(self->fd, "WRITE", 5, 2 * pg + 1));
	EXPECT_EQ(0, memcmp(map + 2 * pg + 1, "WRITE", 5));

	/* a reset zaps the mapping: touching it is past end of file */
	ASSERT_EQ(0, ioctl(self->fd, KLAB_SCULL_IOC_RESET));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	vmap = map;
	bus = 0;
	if (!sigsetjmp(bus_jmp, 1))
		(void)vmap[0];
	else
		bus = 1;
	EXPECT_EQ(1, bus) TH_LOG("no SIGBUS reading a reset store's mapping");
	signal(SIGBUS, SIG_DFL);
	munmap(map, len);

	/* mapping beyond the capacity is refused */
	map = mmap(NULL, self->cap + pg, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EINVAL, errno);
	free(buf);
}

/* the delta of a scull0 sysfs counter since @base */
#define SCULL_DELTA(attr, base) (chr_sysfs("klab_scull0", attr) - (base))

/*
 * Demand paging through the scull's vm_operations_struct: mmap() maps
 * nothing, the first touch of each page calls ->fault once, later
 * touches none; fork() duplicates the VMA (->open), the child's exit
 * removes its copy (->close); a munmap() of the middle page splits the
 * VMA (->open for each new piece) and removes the middle (->close).
 */
TEST_F(scull, mmap_faults_once_per_page_vma_open_close_on_fork_munmap)
{
	long pg = sysconf(_SC_PAGESIZE);
	long long f0, o0, c0;
	volatile char *map;
	int status, i;
	char *buf;
	pid_t pid;

	buf = calloc(4, pg);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(4 * pg, write(self->fd, buf, 4 * pg));
	f0 = chr_sysfs("klab_scull0", "faults");
	o0 = chr_sysfs("klab_scull0", "vma_opens");
	c0 = chr_sysfs("klab_scull0", "vma_closes");
	ASSERT_LE(0, f0);
	ASSERT_LE(0, o0);
	ASSERT_LE(0, c0);

	map = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, SCULL_DELTA("faults", f0)) TH_LOG("mmap() itself faulted");
	EXPECT_EQ(0, SCULL_DELTA("vma_opens", o0)) TH_LOG("mmap() called ->open");

	/* page 2: one fault, however often it is read and written */
	(void)map[2 * pg];
	EXPECT_EQ(1, SCULL_DELTA("faults", f0));
	for (i = 0; i < 100; i++)
		map[2 * pg + i] = (char)(map[2 * pg + i] + 1);
	EXPECT_EQ(1, SCULL_DELTA("faults", f0));
	/* the other three: one each */
	(void)map[0];
	map[pg + 5] = 'x';
	(void)map[3 * pg + pg - 1];
	EXPECT_EQ(4, SCULL_DELTA("faults", f0));

	/* fork: the child's copy of the VMA is opened, and closed at its exit */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(1, SCULL_DELTA("vma_opens", o0));
	EXPECT_EQ(1, SCULL_DELTA("vma_closes", c0));

	/* munmap of page 1: two splits open two pieces, the middle closes */
	ASSERT_EQ(0, munmap((char *)map + pg, pg));
	EXPECT_EQ(3, SCULL_DELTA("vma_opens", o0));
	EXPECT_EQ(2, SCULL_DELTA("vma_closes", c0));
	/* the pieces left: pages 0 and 2-3, still mapped, no new faults */
	EXPECT_EQ(0, map[0]);
	EXPECT_EQ(4, SCULL_DELTA("faults", f0));
	ASSERT_EQ(0, munmap((char *)map, 4 * pg));
	EXPECT_EQ(3, SCULL_DELTA("vma_opens", o0));
	EXPECT_EQ(4, SCULL_DELTA("vma_closes", c0))
		TH_LOG("every VMA opened (and the one mmap made) is closed");
	free(buf);
}

TEST_F(scull, quantum_sets_allocation_granularity)
{
	uint32_t q = 0, old;

	ASSERT_EQ(0, ioctl(self->fd, KLAB_SCULL_IOC_GET_QUANTUM, &q));
	old = q;
	q = 16384;
	ASSERT_EQ(0, ioctl(self->fd, KLAB_SCULL_IOC_XCHG_QUANTUM, &q));
	EXPECT_EQ(old, q);
	EXPECT_EQ(16384, chr_sysfs("klab_scull0", "quantum"));
	ASSERT_EQ(1, write(self->fd, "x", 1));
	EXPECT_EQ(16384, chr_sysfs("klab_scull0", "allocated"));
	EXPECT_EQ(0, ioctl(self->fd, KLAB_SCULL_IOC_SET_QUANTUM, &old));
	EXPECT_EQ(0, ioctl(self->fd, KLAB_SCULL_IOC_GET_QUANTUM, &q));
	EXPECT_EQ(old, q);
}

TEST_F(scull, ioctl_errors)
{
	uint32_t bad[] = { 0, 4095, 6 * 4096, 2 * KLAB_SCULL_QUANTUM_MAX };
	uint32_t q;
	size_t i;

	EXPECT_EQ(-1, ioctl(self->fd, _IO(KLAB_SCULL_IOC_MAGIC, 99)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR('T', 1, uint32_t), &q));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KLAB_SCULL_IOC_GET_SIZE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KLAB_SCULL_IOC_GET_QUANTUM, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KLAB_SCULL_IOC_SET_QUANTUM, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, KLAB_SCULL_IOC_SET_QUANTUM,
				    &bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("quantum %u", bad[i]);
	}
}

TEST_F(scull, privileged_ioctls_need_cap_sys_admin)
{
	uint32_t q = 8192;
	uint64_t size;
	pid_t pid;
	int status;

	ASSERT_EQ(3, write(self->fd, "abc", 3));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd, bad = 0;

		if (setresuid(65534, 65534, 65534))
			_exit(99);
		fd = open(DEV, O_RDWR);
		if (fd < 0)
			_exit(98);
		bad |= ioctl(fd, KLAB_SCULL_IOC_RESET) != -1 || errno != EPERM;
		bad |= (ioctl(fd, KLAB_SCULL_IOC_SET_QUANTUM, &q) != -1 ||
			errno != EPERM) << 1;
		bad |= (ioctl(fd, KLAB_SCULL_IOC_XCHG_QUANTUM, &q) != -1 ||
			errno != EPERM) << 2;
		/* reading needs no privilege */
		bad |= (ioctl(fd, KLAB_SCULL_IOC_GET_SIZE, &size) ||
			size != 3) << 3;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(3, size_of(self->fd));
}

/* Lines of the kernel log that contain @what */
static int dmesg_count(const char *what)
{
	char line[1024];
	int n = 0;
	FILE *p = popen("dmesg", "r");

	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		n += strstr(line, what) != NULL;
	pclose(p);
	return n;
}

/* Did touching @p raise SIGBUS? */
static int touch_bus(volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	volatile int bus = 0;

	if (sigaction(SIGBUS, &sa, NULL))
		return -1;
	if (!sigsetjmp(bus_jmp, 1))
		(void)p[0];
	else
		bus = 1;
	signal(SIGBUS, SIG_DFL);
	return bus;
}

/*
 * A node made by mknod on another filesystem, opened before any other
 * node of the device since the module loaded, shares the store and its
 * mappings with /dev/klab_scull0, and its filesystem can be unmounted
 * afterwards without the device keeping its inode (6.1 warns "VFS: Busy
 * inodes after unmount" and a later iput() of that inode uses freed
 * memory).
 */
TEST(mknod_node_elsewhere_shares_the_store)
{
	static const char busy[] = "VFS: Busy inodes after unmount";
	char dir[] = "/tmp/scull_node.XXXXXX", node[64];
	long pg = sysconf(_SC_PAGESIZE);
	char *ma, *mb, buf[8];
	int a, b, busy0;
	struct stat st;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, chr_modules("unload", NULL));
	ASSERT_EQ(0, chr_modules("load", NULL));
	ASSERT_EQ(0, stat(DEV, &st));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("none", dir, "tmpfs", 0, NULL));
	snprintf(node, sizeof(node), "%s/scull", dir);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, st.st_rdev));
	busy0 = dmesg_count(busy);

	a = open(node, O_RDWR);
	ASSERT_LE(0, a);
	b = open(DEV, O_RDWR);
	ASSERT_LE(0, b);
	/* two pages: the last byte written, the rest a hole */
	ASSERT_EQ(2 * pg - 1, lseek(a, 2 * pg - 1, SEEK_SET));
	ASSERT_EQ(1, write(a, "", 1));
	ma = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	ASSERT_NE(MAP_FAILED, ma);
	mb = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	ASSERT_NE(MAP_FAILED, mb);

	/* stores through either mapping show in the other and in read() */
	memcpy(ma + pg + 3, "via-a", 5);
	EXPECT_EQ(0, memcmp(mb + pg + 3, "via-a", 5));
	memcpy(mb + 7, "via-b", 5);
	EXPECT_EQ(0, memcmp(ma + 7, "via-b", 5));
	EXPECT_EQ(5, pread(b, buf, 5, pg + 3));
	EXPECT_EQ(0, memcmp(buf, "via-a", 5));

	/* truncation through one node zaps the mappings made through both */
	ASSERT_EQ(0, ioctl(b, KLAB_SCULL_IOC_RESET));
	EXPECT_EQ(1, touch_bus(ma)) TH_LOG("mapping via %s survived a reset", node);
	EXPECT_EQ(1, touch_bus(mb)) TH_LOG("mapping via " DEV " survived a reset");
	munmap(ma, 2 * pg);
	munmap(mb, 2 * pg);
	close(a);
	close(b);

	EXPECT_EQ(0, umount(dir));
	EXPECT_EQ(0, rmdir(dir));
	EXPECT_EQ(busy0, dmesg_count(busy))
		TH_LOG("the device still holds the unmounted node's inode");
	/* the device works on, and goes, without that filesystem */
	b = open(DEV, O_RDWR);
	ASSERT_LE(0, b);
	EXPECT_EQ(3, write(b, "abc", 3));
	mb = mmap(NULL, pg, PROT_READ, MAP_SHARED, b, 0);
	ASSERT_NE(MAP_FAILED, mb);
	EXPECT_EQ(0, memcmp(mb, "abc", 3));
	munmap(mb, pg);
	close(b);
	EXPECT_EQ(0, chr_modules("unload", NULL));
	ASSERT_EQ(0, chr_modules("load", NULL));
}

/*
 * The cdev's owner pins the module while a node is open (the refcount
 * goes up).  What "fails with EBUSY" looks like on 6.1: kmod's rmmod reads
 * the refcount and refuses without calling the kernel, printing "Module
 * chardev is in use" and exiting 1 (EBUSY is only its internal code);
 * delete_module(2) itself fails with EWOULDBLOCK (== EAGAIN), with or
 * without O_NONBLOCK, since 6.1 never waits for references to drop.
 */
TEST(rmmod_is_busy_while_a_node_is_open)
{
	char err[256] = "";
	FILE *p;
	int fd;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, chr_modules("load", NULL));
	EXPECT_EQ(0, klab_module_refcnt("chardev"));
	fd = open("/dev/klab_pipe0", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_LT(0, klab_module_refcnt("chardev"));
	EXPECT_EQ(-1, syscall(SYS_delete_module, "chardev", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(-1, syscall(SYS_delete_module, "chardev", 0));
	EXPECT_EQ(EWOULDBLOCK, errno);
	p = popen("rmmod chardev 2>&1", "r");
	ASSERT_NE(NULL, p);
	if (!fgets(err, sizeof(err), p))
		err[0] = 0;
	EXPECT_EQ(1, WEXITSTATUS(pclose(p)));
	EXPECT_STREQ("rmmod: ERROR: Module chardev is in use\n", err);
	EXPECT_EQ(0, access("/sys/module/chardev", F_OK));
	close(fd);
	EXPECT_EQ(0, klab_module_refcnt("chardev"));
	EXPECT_EQ(0, syscall(SYS_delete_module, "chardev", O_NONBLOCK));
	EXPECT_NE(0, access("/sys/module/chardev", F_OK));
	ASSERT_EQ(0, chr_modules("load", NULL));
}

TEST_HARNESS_MAIN
