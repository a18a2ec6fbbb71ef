// SPDX-License-Identifier: GPL-2.0
/*
 * Replay a dm-log-writes log onto a device, mark by mark (fstests has
 * replay-log for this; Debian does not package it).
 *
 *   blk_log_replay LOGDEV DEV [ENTRY OFFSET]
 *	Replays the log's entries from entry ENTRY, found at byte OFFSET of
 *	LOGDEV (the first entry by default, or if OFFSET is 0), onto DEV up to
 *	and including the next mark, then prints
 *	  "ENTRY OFFSET NAME"	where to go on from, and the mark's name
 *	or, at the end of the log, "ENTRY OFFSET -".  Writes are written,
 *	discards discarded (BLKDISCARD), flushes become fsync().
 *   blk_log_replay -l LOGDEV
 *	Lists the log's entries.
 *
 * The format (drivers/md/dm-log-writes.c): the super block at byte 0
 * (magic, version, number of entries, the device's sector size), then
 * for each entry one sector holding struct log_write_entry (and a mark's
 * name after it), followed by the entry's nr_sectors sectors of data
 * unless it is a discard.  Sectors here are the logged device's.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/fs.h>

#define LOG_FLUSH_FLAG		(1 << 0)
#define LOG_FUA_FLAG		(1 << 1)
#define LOG_DISCARD_FLAG	(1 << 2)
#define LOG_MARK_FLAG		(1 << 3)
#define WRITE_LOG_MAGIC		0x6a736677736872ULL
#define WRITE_LOG_VERSION	1

struct log_write_super {
	uint64_t magic;
	uint64_t version;
	uint64_t nr_entries;
	uint32_t sectorsize;
} __attribute__((packed));

struct log_write_entry {
	uint64_t sector;
	uint64_t nr_sectors;
	uint64_t flags;
	uint64_t data_len;
};

static void die(const char *what)
{
	fprintf(stderr, "blk_log_replay: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		die("read of the log");
	}
}

int main(int argc, char **argv)
{
	uint64_t entry = 0, nr_entries, len, range[2];
	struct log_write_super super;
	struct log_write_entry e;
	int list = 0, log_fd, dev_fd = -1;
	uint32_t ss;
	char *sector, *data = NULL;
	size_t data_size = 0;
	off_t off;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		list = 1;
		argv++;
		argc--;
	}
	if (argc < (list ? 2 : 3)) {
		fprintf(stderr, "usage: blk_log_replay LOGDEV DEV [ENTRY OFFSET] | -l LOGDEV\n");
		return 2;
	}
	log_fd = open(argv[1], O_RDONLY);
	if (log_fd < 0)
		die(argv[1]);
	if (!list) {
		dev_fd = open(argv[2], O_WRONLY);
		if (dev_fd < 0)
			die(argv[2]);
	}

	read_at(log_fd, &super, sizeof(super), 0);
	if (le64toh(super.magic) != WRITE_LOG_MAGIC ||
	    le64toh(super.version) != WRITE_LOG_VERSION) {
		fprintf(stderr, "blk_log_replay: %s: not a dm-log-writes log\n",
			argv[1]);
		return 1;
	}
	nr_entries = le64toh(super.nr_entries);
	ss = le32toh(super.sectorsize);
	sector = malloc(ss);
	if (!sector)
		die("malloc");
	off = ss;
	/* offset 0 (the super block) means the first entry */
	if (!list && argc > 4 && strtoll(argv[4], NULL, 0) > 0) {
		entry = strtoull(argv[3], NULL, 0);
		off = strtoll(argv[4], NULL, 0);
	}

	for (; entry < nr_entries; entry++) {
		read_at(log_fd, sector, ss, off);
		memcpy(&e, sector, sizeof(e));
		e.sector = le64toh(e.sector);
		e.nr_sectors = le64toh(e.nr_sectors);
		e.flags = le64toh(e.flags);
		e.data_len = le64toh(e.data_len);
		off += ss;
		len = e.nr_sectors * ss;

		if (list) {
			printf("%" PRIu64 " sector %" PRIu64 " len %" PRIu64 " flags %#" PRIx64 "%s%.*s\n",
			       entry, e.sector, e.nr_sectors, e.flags,
			       e.flags & LOG_MARK_FLAG ? " mark " : "",
			       e.flags & LOG_MARK_FLAG ? (int)e.data_len : 0,
			       sector + sizeof(e));
			if (!(e.flags & LOG_DISCARD_FLAG))
				off += len;
			continue;
		}
		if (e.flags & LOG_MARK_FLAG) {
			if (e.data_len > ss - sizeof(e))
				e.data_len = ss - sizeof(e);
			if (fsync(dev_fd))
				die(argv[2]);
			printf("%" PRIu64 " %jd %.*s\n", entry + 1, (intmax_t)off,
			       (int)e.data_len, sector + sizeof(e));
			return 0;
		}
		if (e.flags & LOG_DISCARD_FLAG) {
			range[0] = e.sector * ss;
			range[1] = len;
			if (len && ioctl(dev_fd, BLKDISCARD, range))
				die("BLKDISCARD");
			continue;
		}
		if (len) {
			if (len > data_size) {
				free(data);
				data = malloc(len);
				if (!data)
					die("malloc");
				data_size = len;
			}
			read_at(log_fd, data, len, off);
			if (pwrite(dev_fd, data, len, e.sector * ss) != (ssize_t)len)
				die(argv[2]);
			off += len;
		}
		if ((e.flags & (LOG_FLUSH_FLAG | LOG_FUA_FLAG)) && fsync(dev_fd))
			die(argv[2]);
	}
	if (!list) {
		if (fsync(dev_fd))
			die(argv[2]);
		printf("%" PRIu64 " %jd -\n", entry, (intmax_t)off);
	}
	return 0;
}
