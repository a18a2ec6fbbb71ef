// SPDX-License-Identifier: GPL-2.0
/*
 * A filesystem workload for crash-consistency tests, and its checker.
 *
 *   blk_crash work DIR LOG SEED [OPS]
 *	Creates, appends to, renames and deletes files under DIR (random,
 *	seeded), fsyncing some of them, for OPS operations or until killed.
 *	Each time an fsync makes something durable, a line saying what is
 *	appended to LOG (which must live on another filesystem), only after
 *	the fsync returned success:
 *	  F NAME SIZE CRC   NAME holds at least SIZE bytes, the first SIZE
 *			    of which have CRC (crc32)
 *	  U NAME	    NAME is being deleted: either state is fine
 *	  D NAME	    NAME is gone
 *	Names are never reused.  The files of an earlier run in DIR (the
 *	same LOG) are taken up again, so runs may follow each other across
 *	crashes.
 *
 *   blk_crash verify DIR LOG [LINES]
 *	Checks what the first LINES lines of LOG (all by default) promise,
 *	after a crash and remount; prints each violation, then a summary.
 *	Exit 0 if every promise holds, 1 if not, 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NR_DIRS		4
#define MAX_FILES	4096
#define MAX_CHUNK	(256 * 1024)

struct file_state {
	char name[64];		/* "dN/<kind><run>_<n>": relative to DIR */
	uint64_t size;		/* bytes written */
	uint32_t crc;		/* crc32 of all of them, running */
	char promise;		/* the last line about it: 'F', 'U', 'D' or 0 */
};

static struct file_state files[MAX_FILES];
static int nr_files;
static uint64_t rng;
static unsigned int run;	/* the seed: names differ between runs */
static int dir_fd;
static FILE *log_file;
static unsigned char chunk[MAX_CHUNK];

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	int k;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Append a promise to the log, where it survives this process */
static void promise(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

/* fsync a file and the directory holding it; 0 if both succeeded */
static int sync_both(int fd, const char *name)
{
	char dir[8];
	int dfd, ret;

	if (fsync(fd))
		return -1;
	snprintf(dir, sizeof(dir), "%.2s", name);
	dfd = openat(dir_fd, dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return -1;
	ret = fsync(dfd);
	close(dfd);
	return ret;
}

static void fill(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		chunk[i] = rnd() >> 32;
}

/* Write @n fresh random bytes at the end of @f's file, open as @fd */
static int append(struct file_state *f, int fd, size_t n)
{
	fill(n);
	if (pwrite(fd, chunk, n, f->size) != (ssize_t)n)
		return -1;
	f->crc = crc32_update(f->crc, chunk, n);
	f->size += n;
	return 0;
}

static struct file_state *new_file(char kind)
{
	struct file_state *f;

	if (nr_files == MAX_FILES)
		return NULL;
	f = &files[nr_files];
	snprintf(f->name, sizeof(f->name), "d%d/%c%u_%d",
		 (int)(rnd() % NR_DIRS), kind, run, nr_files);
	f->size = 0;
	f->crc = 0;
	f->promise = 0;
	nr_files++;
	return f;
}

/* A new file, fsynced (and promised) three times out of four */
static void op_create(size_t max)
{
	struct file_state *f = new_file('f');
	int fd;

	if (!f)
		return;
	fd = openat(dir_fd, f->name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return;
	if (!append(f, fd, 1 + rnd() % max) && rnd() % 4 &&
	    !sync_both(fd, f->name)) {
		f->promise = 'F';
		promise("F %s %" PRIu64 " %08x", f->name, f->size, f->crc);
	}
	close(fd);
}

/* Append to a durable file; fsync half the time */
static void op_append(void)
{
	struct file_state *f = &files[rnd() % nr_files];
	int fd;

	if (f->promise != 'F')
		return;
	fd = openat(dir_fd, f->name, O_WRONLY);
	if (fd < 0)
		return;
	if (!append(f, fd, 1 + rnd() % 16384) && rnd() % 2 && !fsync(fd))
		promise("F %s %" PRIu64 " %08x", f->name, f->size, f->crc);
	close(fd);
}

/* Write a temporary file, fsync it, rename it into place, fsync the dir */
static void op_rename(void)
{
	struct file_state *f = new_file('r');
	char tmp[72];
	int fd;

	if (!f)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->name);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return;
	if (!append(f, fd, 1 + rnd() % 32768) && !fsync(fd) &&
	    !renameat(dir_fd, tmp, dir_fd, f->name) &&
	    !sync_both(fd, f->name)) {
		f->promise = 'F';
		promise("F %s %" PRIu64 " %08x", f->name, f->size, f->crc);
	}
	close(fd);
}

/* Delete a durable file: undecided until its directory is synced */
static void op_unlink(void)
{
	struct file_state *f = &files[rnd() % nr_files];
	char dir[8];
	int fd;

	if (f->promise != 'F')
		return;
	f->promise = 'U';
	promise("U %s", f->name);
	if (unlinkat(dir_fd, f->name, 0))
		return;
	snprintf(dir, sizeof(dir), "%.2s", f->name);
	fd = openat(dir_fd, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return;
	if (!fsync(fd))
		promise("D %s", f->name);
	close(fd);
}

/*
 * Read the first @lines lines of the log (all if negative): each name
 * takes the state of the last line about it.
 */
static void read_promises(const char *log_path, long lines)
{
	char kind, name[64], line[128];
	struct file_state *f;
	unsigned int crc;
	uint64_t size;
	FILE *in;
	int i;

	in = fopen(log_path, "r");
	if (!in)
		return;
	while (lines-- != 0 && fgets(line, sizeof(line), in)) {
		size = 0;
		crc = 0;
		if (sscanf(line, "%c %63s %" SCNu64 " %x", &kind, name, &size,
			   &crc) < 2)
			continue;
		for (i = 0; i < nr_files; i++)
			if (!strcmp(files[i].name, name))
				break;
		if (i == nr_files) {
			if (nr_files == MAX_FILES)
				die("too many files in %s", log_path);
			nr_files++;
		}
		f = &files[i];
		memcpy(f->name, name, sizeof(f->name));
		f->promise = kind;
		if (kind == 'F') {
			f->size = size;
			f->crc = crc;
		}
	}
	fclose(in);
}

static int work(const char *dir, const char *log_path, uint64_t seed,
		long ops)
{
	struct file_state *f;
	char sub[8];
	int i, fd;

	run = seed;
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dir_fd < 0)
		die("%s: %s", dir, strerror(errno));
	for (i = 0; i < NR_DIRS; i++) {
		snprintf(sub, sizeof(sub), "d%d", i);
		mkdirat(dir_fd, sub, 0755);
	}
	read_promises(log_path, -1);
	/* a durable file's content after a crash is what the log says */
	for (i = 0; i < nr_files; i++) {
		f = &files[i];
		if (f->promise != 'F')
			continue;
		fd = openat(dir_fd, f->name, O_WRONLY);
		if (fd < 0 || ftruncate(fd, f->size))
			f->promise = 0;
		if (fd >= 0)
			close(fd);
	}
	log_file = fopen(log_path, "a");
	if (!log_file)
		die("%s: %s", log_path, strerror(errno));
	if (fsync(dir_fd))
		return 1;

	while (ops < 0 || ops-- > 0) {
		unsigned int r = rnd() % 100;

		if (r < 35 || !nr_files)
			op_create(65536);
		else if (r < 55)
			op_append();
		else if (r < 70)
			op_rename();
		else if (r < 78)
			op_unlink();
		else
			op_create(MAX_CHUNK);	/* some dirty data left behind */
	}
	fclose(log_file);
	return 0;
}

/* The CRC of the first @size bytes of @fd, or -1 if it has fewer */
static int64_t prefix_crc(int fd, uint64_t size)
{
	uint32_t crc = 0;
	ssize_t n;

	while (size) {
		n = read(fd, chunk, size < MAX_CHUNK ? size : MAX_CHUNK);
		if (n <= 0)
			return -1;
		crc = crc32_update(crc, chunk, n);
		size -= n;
	}
	return crc;
}

static int verify(const char *dir, const char *log_path, long lines)
{
	int bad = 0, intact = 0, checked = 0, gone = 0, i, fd;
	struct file_state *f;
	int64_t crc;

	if (access(log_path, R_OK))
		die("%s: %s", log_path, strerror(errno));
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dir_fd < 0)
		die("%s: %s", dir, strerror(errno));
	read_promises(log_path, lines);

	for (i = 0; i < nr_files; i++) {
		struct stat st;

		f = &files[i];
		if (f->promise == 'D') {
			gone++;
			if (!fstatat(dir_fd, f->name, &st, 0)) {
				printf("%s: deleted and synced, but still there\n",
				       f->name);
				bad++;
			}
			continue;
		}
		if (f->promise != 'F')
			continue;
		checked++;
		fd = openat(dir_fd, f->name, O_RDONLY);
		if (fd < 0) {
			printf("%s: fsynced, but missing: %s\n", f->name,
			       strerror(errno));
			bad++;
			continue;
		}
		crc = prefix_crc(fd, f->size);
		close(fd);
		if (crc < 0) {
			printf("%s: fsynced with %" PRIu64 " bytes, has fewer\n",
			       f->name, f->size);
			bad++;
		} else if ((uint32_t)crc != f->crc) {
			printf("%s: the %" PRIu64 " fsynced bytes differ (crc %08x, want %08x)\n",
			       f->name, f->size, (uint32_t)crc, f->crc);
			bad++;
		} else {
			intact++;
		}
	}
	printf("verify: %d of %d fsynced files intact, %d synced deletions, %d violations\n",
	       intact, checked, gone, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "work"))
		return work(argv[2], argv[3], strtoull(argv[4], NULL, 0),
			    argc > 5 ? strtol(argv[5], NULL, 0) : -1);
	if (argc >= 4 && !strcmp(argv[1], "verify"))
		return verify(argv[2], argv[3],
			      argc > 4 ? strtol(argv[4], NULL, 0) : -1);
	fprintf(stderr, "usage: %s work DIR LOG SEED [OPS] | verify DIR LOG [LINES]\n",
		argv[0]);
	return 2;
}
