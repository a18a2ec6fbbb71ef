// SPDX-License-Identifier: GPL-2.0
/* Privileges of a family's ops: see genl_perm.h. */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "genl_mutate.h"
#include "genl_perm.h"
#include "genl_snap.h"

#define NOBODY			65534
/* valid requests sent per op as nobody */
#define PERM_TRIES		8
/* valid requests of its namespace's ops root of a new namespace may send */
#define PERM_USERNS_TRIES	400
#define PERM_TIMEOUT_MS		30000
/* the second sending's values differ: a setter set again to its value changes nothing */
#define PERM_RESEND_SEED	0x9e3779b97f4a7c15ULL

static const uint32_t admin_flags = GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM;

/* What a child process works on */
struct perm_ctx {
	struct genl_family_desc *f;
	const struct genl_op_desc *op;	/* nobody_sends()'s */
	const struct genl_snap *snap;	/* its strings and filters: values */
	uint64_t seed;
};

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		ksft_print_msg("dropping to uid %d: %s\n", NOBODY,
			       strerror(errno));
		return -1;
	}
	return 0;
}

static void print_msg_hex(const struct genl_test_msg *m)
{
	size_t i;

	printf("#   message:");
	for (i = 0; i < m->len; i++)
		printf("%s%02x", i % 32 ? " " : "\n#     ", m->buf[i]);
	printf("\n");
}

/* Send one valid request of @op; its error, or 1 if it got no answer */
static int send_valid(struct fuzz_ctx *z, const struct genl_op_desc *op)
{
	bool dump = (op->flags & GENL_CMD_CAP_DUMP) &&
		    !(op->flags & GENL_CMD_CAP_DO);
	struct fuzz_msg fm;
	int err;

	fuzz_build_valid(z, op, dump, &fm);
	err = genl_test_exchange(z->s, &z->m, &z->r);
	if (err) {
		ksft_print_msg("%s: cmd %u: no answer: %s\n", z->f->name,
			       op->cmd, strerror(-err));
		print_msg_hex(&z->m);
		return 1;
	}
	return z->r.error;
}

static int open_sock(struct genl_test_sock *s)
{
	int err = genl_test_open(s) ?: genl_test_set_timeout(s, PERM_TIMEOUT_MS);

	if (err)
		ksft_print_msg("generic netlink: %s\n", strerror(-err));
	return err;
}

/* In a child: @c->op's valid requests as nobody; the exit status says */
static int nobody_sends(const struct perm_ctx *c)
{
	const struct genl_op_desc *op = c->op;
	static struct fuzz_ctx z;
	struct genl_test_sock s;
	int i, err, bad = 0;

	if (drop_to_nobody() || open_sock(&s))
		return 2;
	fuzz_init(&z, &s, c->f, c->seed ^ op->cmd);
	fuzz_learn(&z, c->snap);
	for (i = 0; i < PERM_TRIES; i++) {
		err = send_valid(&z, op);
		if (!(op->flags & admin_flags) || err == -EPERM)
			continue;
		ksft_print_msg("%s: cmd %u (admin) as nobody: %s, not EPERM\n",
			       c->f->name, op->cmd, err == 1 ? "no answer" :
			       err ? strerror(-err) : "accepted");
		print_msg_hex(&z.m);
		bad = 1;
	}
	genl_test_close(&s);
	return bad;
}

/* Run @fn in a child process; its exit status, or -1 */
static int in_child(int (*fn)(const struct perm_ctx *c),
		    const struct perm_ctx *c)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(c));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Whether the state is as before; a change is printed */
static bool state_kept(struct genl_test_sock *s, struct genl_snap *snap,
		       const char *who, uint32_t cmd)
{
	int ret = genl_snap_check(s, snap);

	if (ret == GENL_SNAP_SAME)
		return true;
	/* the state was still: one that moves now was set going */
	ksft_print_msg("%s: cmd %u sent by %s %s\n", snap->f->name, cmd, who,
		       ret == GENL_SNAP_MOVING ? "set the state moving" :
		       ret < 0 ? "left the state unreadable" : "changed the state");
	if (ret > 0)
		genl_snap_print_diff(snap);
	genl_snap_take(s, snap);
	return false;
}

/* Every op as nobody: admin ops refused, no state changed */
static int perm_ops(struct genl_test_sock *s, struct perm_ctx *c,
		    struct genl_snap *snap, unsigned int *admin)
{
	struct genl_family_desc *f = c->f;
	const struct genl_op_desc *op;
	unsigned int i;
	int bad = 0;

	for (i = 0; i < f->n_ops; i++) {
		op = &f->ops[i];
		c->op = op;
		*admin += !!(op->flags & admin_flags);
		if (in_child(nobody_sends, c))
			bad = 1;
		if (state_kept(s, snap, "nobody", op->cmd))
			continue;
		/*
		 * As genl_fuzz does: a change counts only when sending again
		 * makes it again.  Views of the kernel's own counters (the
		 * zones' pages) move now and then by themselves, and
		 * state_kept() took a new baseline.
		 */
		ksft_print_msg("%s: cmd %u: sent again, other values, to see whether it changes the state again\n",
			       f->name, op->cmd);
		c->seed ^= PERM_RESEND_SEED;
		if (in_child(nobody_sends, c))
			bad = 1;
		c->seed ^= PERM_RESEND_SEED;
		if (!state_kept(s, snap, "nobody", op->cmd)) {
			if (!(op->flags & admin_flags))
				ksft_print_msg("%s: privilege hole: cmd %u has no admin flag and changes the state\n",
					       f->name, op->cmd);
			bad = 1;
		}
	}
	return bad;
}

/* In the new namespaces: GENL_ADMIN_PERM ops are refused all the same */
static int userns_admin_refused(struct fuzz_ctx *z)
{
	const struct genl_op_desc *op;
	unsigned int i;
	int err, bad = 0;

	for (i = 0; i < z->f->n_ops; i++) {
		op = &z->f->ops[i];
		if (!(op->flags & GENL_ADMIN_PERM))
			continue;
		err = send_valid(z, op);
		if (err != -EPERM) {
			ksft_print_msg("%s: cmd %u (GENL_ADMIN_PERM) from root of a user namespace: %s, not EPERM\n",
				       z->f->name, op->cmd,
				       err ? strerror(-err) : "accepted");
			bad = 1;
		}
	}
	return bad;
}

/*
 * In the new namespaces: valid requests until the own state changed; at
 * least one must be accepted (none refused with EPERM, checked above)
 */
static int userns_changes_own(struct fuzz_ctx *z, struct genl_snap *snap)
{
	const struct genl_op_desc *uns[GENL_OPS_MAX], *op;
	unsigned int n = 0, i, accepted = 0;
	int err;

	for (i = 0; i < z->f->n_ops; i++)
		if (z->f->ops[i].flags & GENL_UNS_ADMIN_PERM)
			uns[n++] = &z->f->ops[i];
	for (i = 0; i < PERM_USERNS_TRIES; i++) {
		op = uns[fuzz_rand(z) % n];
		err = send_valid(z, op);
		if (err == 1 || err == -EPERM) {
			ksft_print_msg("%s: cmd %u (GENL_UNS_ADMIN_PERM) from root of its namespace: %s\n",
				       z->f->name, op->cmd,
				       err == 1 ? "no answer" : "EPERM");
			return 1;
		}
		if (err)
			continue;
		accepted++;
		if (genl_snap_check(z->s, snap) == GENL_SNAP_CHANGED) {
			ksft_print_msg("%s: root of a new user+network namespace changed its own state (%u requests accepted)\n",
				       z->f->name, accepted);
			return 0;
		}
	}
	/* accepted is what the privilege check decides; a change needs luck */
	ksft_print_msg("%s: root of a new namespace: %u of %u valid requests accepted (a change of its state was not seen)\n",
		       z->f->name, accepted, PERM_USERNS_TRIES);
	return !accepted;
}

/* In a child: nobody, then root of a new user and network namespace */
static int userns_root(const struct perm_ctx *c)
{
	struct genl_family_desc *f = c->f;
	static struct fuzz_ctx z;
	struct genl_test_sock s;
	struct genl_snap snap;
	int bad;

	if (drop_to_nobody())
		return 2;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		ksft_print_msg("unshare(CLONE_NEWUSER | CLONE_NEWNET) as nobody: %s\n",
			       strerror(errno));
		return 2;
	}
	if (open_sock(&s))
		return 2;
	fuzz_init(&z, &s, f, c->seed ^ 0x5e5e);
	if (genl_snap_init(&s, f, &snap)) {
		ksft_print_msg("%s: its state in the new namespace: unreadable\n",
			       f->name);
		return 2;
	}
	fuzz_learn(&z, &snap);
	bad = userns_admin_refused(&z) | userns_changes_own(&z, &snap);
	genl_snap_free(&snap);
	genl_test_close(&s);
	return bad;
}

static bool has_uns_ops(const struct genl_family_desc *f)
{
	unsigned int i;

	for (i = 0; i < f->n_ops; i++)
		if (f->ops[i].flags & GENL_UNS_ADMIN_PERM)
			return true;
	return false;
}

int perm_family(struct genl_test_sock *s, struct genl_family_desc *f,
		uint64_t seed)
{
	struct perm_ctx c = { .f = f, .seed = seed };
	struct genl_snap snap;
	unsigned int admin = 0;
	int bad;

	c.snap = &snap;
	if (genl_snap_init(s, f, &snap)) {
		ksft_print_msg("%s: its state is unreadable\n", f->name);
		return -1;
	}
	genl_snap_describe(&snap);
	bad = perm_ops(s, &c, &snap, &admin);
	if (has_uns_ops(f)) {
		bad |= !!in_child(userns_root, &c);
		bad |= !state_kept(s, &snap, "root of a new namespace", 0);
	}
	ksft_print_msg("%s: %u ops, %u of them admin, each sent %d times as nobody\n",
		       f->name, f->n_ops, admin, PERM_TRIES);
	genl_snap_free(&snap);
	return bad ? -1 : 0;
}
