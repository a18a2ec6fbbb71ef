// SPDX-License-Identifier: GPL-2.0
/*
 * The state-changing ioctls of klab_ioctls.h, run by an unprivileged
 * user (privs.sh runs this under setpriv) on each NODE:
 *
 *   priv_ioctl NODE...
 *
 * Each must fail with EPERM or EACCES and change nothing: the values the
 * node's read-only ioctls report are the same before and after.  ENOTTY
 * is accepted only from a node that implements none of the read-only
 * ioctls of the same magic (the ioctl is another node's).  A node the
 * user cannot open is reported and passes: the open was the check.
 * Exits 1 when a state-changing ioctl succeeded or changed a value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "klab_ioctls.h"

#define VALUE_MAX	64

/* every read-only ioctl's value, into @vals; how many the node knows */
static int read_state(int fd, unsigned int type, uint8_t vals[][VALUE_MAX])
{
	size_t k;
	int known = 0;

	for (k = 0; k < KLAB_NR_IOCTLS; k++) {
		unsigned long cmd = klab_ioctls[k].cmd;

		memset(vals[k], 0, VALUE_MAX);
		if (klab_ioctls[k].changes_state || _IOC_DIR(cmd) != _IOC_READ ||
		    _IOC_TYPE(cmd) != type || _IOC_SIZE(cmd) > VALUE_MAX)
			continue;
		if (!ioctl(fd, cmd, vals[k]))
			known++;
	}
	return known;
}

static int check_node(const char *node)
{
	uint8_t before[KLAB_NR_IOCTLS][VALUE_MAX], after[KLAB_NR_IOCTLS][VALUE_MAX];
	uint8_t arg[VALUE_MAX];
	int fd, known, bad = 0;
	size_t k;

	fd = open(node, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		printf("%s: open: %s: not this user's node\n", node, strerror(errno));
		return errno == EACCES || errno == EPERM ? 0 : 1;
	}
	for (k = 0; k < KLAB_NR_IOCTLS; k++) {
		const struct klab_ioctl *io = &klab_ioctls[k];
		unsigned int type = _IOC_TYPE(io->cmd);
		int ret, err;

		if (!io->changes_state)
			continue;
		known = read_state(fd, type, before);
		memset(arg, 0, sizeof(arg));
		*(uint32_t *)arg = 2 * 4096;	/* valid for a quantum */
		ret = ioctl(fd, io->cmd, arg);
		err = errno;
		read_state(fd, type, after);
		if (!ret) {
			printf("%s: %s succeeded for an unprivileged user\n", node, io->name);
			bad = 1;
		} else if (err == ENOTTY && !known) {
			printf("%s: %s: ENOTTY, the node has no ioctl of magic %#x\n",
			       node, io->name, type);
		} else if (err != EPERM && err != EACCES) {
			printf("%s: %s: %s, want EPERM or EACCES\n", node, io->name, strerror(err));
			bad = 1;
		} else {
			printf("%s: %s: %s\n", node, io->name, strerror(err));
		}
		if (memcmp(before, after, sizeof(before))) {
			printf("%s: %s changed the node's state\n", node, io->name);
			bad = 1;
		}
	}
	close(fd);
	return bad;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	if (!geteuid()) {
		fprintf(stderr, "priv_ioctl: run it as an unprivileged user\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		bad |= check_node(argv[i]);
	return bad;
}
