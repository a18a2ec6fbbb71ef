// SPDX-License-Identifier: GPL-2.0
/*
 * One-block direct I/O probes for the fault injection tests, in one
 * process instead of one dd per block (process start-up under TCG costs
 * more than the I/O it would time).
 *
 *   blk_probe DEV read|write N
 *	Reads (or writes zeros to) blocks 0..N-1 of 4 KiB, one O_DIRECT
 *	pread/pwrite each, in order.  Prints the numbers of those that
 *	failed, each after a space, then a newline; the errno of the first
 *	failure goes to stderr.  Exit 0 (failures are the output, not an
 *	error), 2 on a usage or open error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK	4096

int main(int argc, char **argv)
{
	int fd, first_errno = 0;
	long i, n;
	bool write_op;
	void *buf;

	if (argc != 4 || (strcmp(argv[2], "read") && strcmp(argv[2], "write"))) {
		fprintf(stderr, "usage: %s DEV read|write N\n", argv[0]);
		return 2;
	}
	write_op = !strcmp(argv[2], "write");
	n = strtol(argv[3], NULL, 0);
	fd = open(argv[1], (write_op ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (posix_memalign(&buf, BLOCK, BLOCK)) {
		fprintf(stderr, "out of memory\n");
		return 2;
	}
	memset(buf, 0, BLOCK);
	for (i = 0; i < n; i++) {
		ssize_t done = write_op ? pwrite(fd, buf, BLOCK, i * BLOCK) :
					  pread(fd, buf, BLOCK, i * BLOCK);

		if (done == BLOCK)
			continue;
		if (done < 0 && !first_errno)
			first_errno = errno;
		printf(" %ld", i);
	}
	printf("\n");
	if (first_errno)
		fprintf(stderr, "first failure: %s\n", strerror(first_errno));
	free(buf);
	close(fd);
	return 0;
}
