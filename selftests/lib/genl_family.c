// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink controller's answers for skeleton.sh, from one
 * process and one socket.  The test used to run `genl ctrl get` 40 times
 * and `genl ctrl list` twice; under TCG each run costs a fork and an exec
 * (about 0.2 s), so it runs this once as a coprocess instead and asks it
 * one line at a time.  Each request line gets one answer line:
 *
 *   get NAME   "present" or "absent" (CTRL_CMD_GETFAMILY answers ENOENT)
 *   count      the number of registered families (a CTRL_CMD_GETFAMILY dump)
 *
 * Anything else, or a failure of the socket, is answered "error: ...",
 * which matches no state the test expects.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "genl.h"

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	unsigned int *n = data;

	/* what `genl ctrl list` prints a "Name:" line for */
	if (!genl_test_parse(nlh, tb, CTRL_ATTR_MAX) &&
	    tb[CTRL_ATTR_FAMILY_NAME])
		++*n;
	return MNL_CB_OK;
}

static void answer_count(struct genl_test_sock *s)
{
	static struct genl_test_msg m;
	unsigned int n = 0;
	int err;

	genl_test_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	err = genl_test_dump(s, &m, count_cb, &n);
	if (err)
		printf("error: %s\n", strerror(-err));
	else
		printf("%u\n", n);
}

static void answer_get(struct genl_test_sock *s, const char *name)
{
	int err = genl_test_resolve(s, name);

	if (!err)
		puts("present");
	else if (err == -ENOENT)
		puts("absent");
	else
		printf("error: %s\n", strerror(-err));
}

int main(void)
{
	struct genl_test_sock s;
	char line[256];
	int err;

	err = genl_test_open(&s);
	if (err) {
		fprintf(stderr, "genl_family: %s\n", strerror(-err));
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "get ", 4))
			answer_get(&s, line + 4);
		else if (!strcmp(line, "count"))
			answer_count(&s);
		else
			printf("error: unknown request '%s'\n", line);
		/* the test waits for each answer before it goes on */
		fflush(stdout);
	}
	genl_test_close(&s);
	return 0;
}
