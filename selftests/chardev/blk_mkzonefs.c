// SPDX-License-Identifier: GPL-2.0
/*
 * Format a zoned block device for zonefs, as mkzonefs (zonefs-tools,
 * which Debian 12 does not package) does: reset every sequential zone,
 * then write the super block into the first zone.  zonefs in 6.1 does not
 * format on mount: it reads the super block from sector 0 and checks its
 * magic and CRC (fs/zonefs/super.c, zonefs_read_super()).
 *
 *   blk_mkzonefs DEV [LABEL]
 *
 * The super block (fs/zonefs/zonefs.h, struct zonefs_super) is 4096
 * bytes: magic, crc32 (the kernel's crc32(~0, ...) of the block with the
 * CRC field 0, no final inversion), label, uuid, features (none: files
 * owned by root, mode 0640, one file per conventional zone), uid, gid,
 * permissions, and zeros.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include <linux/blkzoned.h>
#include <linux/fs.h>
#include <linux/magic.h>

#define ZONEFS_SUPER_SIZE	4096

struct zonefs_super {
	uint32_t s_magic;
	uint32_t s_crc;
	char s_label[64];
	uint8_t s_uuid[16];
	uint64_t s_features;
	uint32_t s_uid;
	uint32_t s_gid;
	uint32_t s_perm;
	uint8_t s_reserved[3988];
} __attribute__((packed));

_Static_assert(sizeof(struct zonefs_super) == ZONEFS_SUPER_SIZE,
	       "struct zonefs_super is one 4 KiB block");

/* The kernel's crc32_le(seed, ...): no inversion at either end */
static uint32_t crc32_le(uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return crc;
}

static int fail(const char *what)
{
	fprintf(stderr, "blk_mkzonefs: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct blk_zone_range all = { 0 };
	struct zonefs_super *sb;
	uint64_t bytes;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: blk_mkzonefs DEV [LABEL]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT | O_SYNC | O_EXCL);
	if (fd < 0)
		return fail(argv[1]);
	if (ioctl(fd, BLKGETSIZE64, &bytes))
		return fail("BLKGETSIZE64");

	/* the whole device: the block layer resets every sequential zone */
	all.nr_sectors = bytes >> 9;
	if (ioctl(fd, BLKRESETZONE, &all))
		return fail("BLKRESETZONE");

	if (posix_memalign((void **)&sb, ZONEFS_SUPER_SIZE, sizeof(*sb)))
		return fail("posix_memalign");
	memset(sb, 0, sizeof(*sb));
	sb->s_magic = htole32(ZONEFS_MAGIC);
	if (argc > 2)
		strncpy(sb->s_label, argv[2], sizeof(sb->s_label) - 1);
	if (getrandom(sb->s_uuid, sizeof(sb->s_uuid), 0) != sizeof(sb->s_uuid))
		return fail("getrandom");
	sb->s_crc = htole32(crc32_le(~0u, (const uint8_t *)sb, sizeof(*sb)));

	if (pwrite(fd, sb, sizeof(*sb), 0) != sizeof(*sb))
		return fail("write of the super block");
	if (fsync(fd))
		return fail("fsync");
	close(fd);
	printf("%s: zonefs, %llu MiB\n", argv[1],
	       (unsigned long long)(bytes >> 20));
	return 0;
}
