// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz every klab generic netlink family from the policies the kernel
 * reports (CTRL_CMD_GETPOLICY), so a family added later is covered
 * without new code: the families are the registered ones named "klab_*"
 * and "nf_hipac".
 *
 *   genl_fuzz [-s SEED] [-n MESSAGES] [-t TIMEOUT_MS] [-f FAMILY]
 *   genl_fuzz -p [-s SEED] [-f FAMILY]	privileges: see genl_perm.h
 *
 * Each message is a valid one built from the op's policy, or that with a
 * mutation: a wrong type or length, an out-of-range value, a missing or
 * unknown attribute, a nesting error, a cut or corrupted message, random
 * commands, flags and dump requests.  Every message must get its answer
 * (an ack, an error or the end of a dump) within the timeout, and a
 * message the kernel rejects, or one of an op that needs no privilege,
 * must leave the family's state as it was (genl_snap.h).  A failure
 * prints the message in hex; the seed (printed first, KLAB_FUZZ_SEED or
 * -s) replays the run.  KLAB_STRESS=1 raises the default count from 5,000
 * to 100,000 messages per family.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "genl_mutate.h"
#include "genl_snap.h"
#include "genl_perm.h"

#define FUZZ_MESSAGES		5000
#define FUZZ_STRESS_MESSAGES	100000
/* a valid request that takes this long is slow: see fuzz_note_time() */
#define FUZZ_SLOW_MS		500
/* messages that must keep the state between two comparisons */
#define FUZZ_SNAP_EVERY		32

struct fuzz_stats {
	unsigned long sent, rejected, accepted, compared, unsettled;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_hex(const char *what, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	ksft_print_msg("%s (%zu bytes):", what, len);
	for (i = 0; i < len; i++)
		printf("%s%02x", i % 32 ? " " : "\n#   ", p[i]);
	printf("\n");
}

/* A slow op gets minimal values from now on; say so once */
static void fuzz_note_time(struct fuzz_ctx *z, const struct fuzz_msg *fm,
			   double ms)
{
	const struct genl_op_desc *op = fm->op;

	if (!op || fm->kind != FUZZ_VALID || ms < FUZZ_SLOW_MS ||
	    fuzz_op_is_slow(z, op->cmd))
		return;
	fuzz_op_set_slow(z, op->cmd);
	ksft_print_msg("%s: cmd %u took %.0f ms: from now on its requests carry minimal values, and it keeps a hundredth of its share\n",
		       z->f->name, op->cmd, ms);
}

/* Send one message; 0, or -1 after printing why it failed */
static int fuzz_send(struct fuzz_ctx *z, struct fuzz_msg *fm)
{
	unsigned char copy[GENL_TEST_BUFSZ];
	size_t len = z->m.len;
	double t0 = now_ms();
	int err;

	memcpy(copy, z->m.buf, len);
	err = genl_test_exchange(z->s, &z->m, &z->r);
	if (err) {
		ksft_print_msg("%s: no answer (%s) to a %s message of cmd %u\n",
			       z->f->name, strerror(-err),
			       fuzz_kind_name(fm->kind), fm->cmd);
		print_hex("message", copy, len);
		return -1;
	}
	t0 = now_ms() - t0;
	z->busy_ms[fm->cmd] += t0;
	fuzz_note_time(z, fm, t0);
	return 0;
}

/*
 * Whether @fm's answer promises an unchanged state: a rejection, or the
 * success of an op that needs no privilege (reading only).
 */
static bool keeps_state(const struct fuzz_ctx *z, const struct fuzz_msg *fm)
{
	if (z->r.error)
		return true;
	return fm->op && !(fm->op->flags &
			   (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM));
}

/* The messages since the baseline, kept to print them on a failure */
struct fuzz_batch {
	unsigned char buf[FUZZ_SNAP_EVERY][GENL_TEST_BUFSZ];
	size_t len[FUZZ_SNAP_EVERY];
	unsigned int n;
};

static void batch_add(struct fuzz_batch *b, const struct genl_test_msg *m)
{
	if (b->n == FUZZ_SNAP_EVERY)
		return;
	memcpy(b->buf[b->n], m->buf, m->len);
	b->len[b->n++] = m->len;
}

static void batch_print(const struct fuzz_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		print_hex("message since the baseline", b->buf[i], b->len[i]);
}

/* Send the batch's messages again; 0, or -1 if one got no answer */
static int batch_replay(struct fuzz_ctx *z, const struct fuzz_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		memcpy(z->m.buf, b->buf[i], b->len[i]);
		z->m.len = b->len[i];
		if (genl_test_exchange(z->s, &z->m, &z->r)) {
			ksft_print_msg("%s: no answer to a message sent again\n",
				       z->f->name);
			print_hex("message", b->buf[i], b->len[i]);
			return -1;
		}
	}
	return 0;
}

/* Compare the state with the baseline; 0, or -1 after printing why */
static int fuzz_compare(struct fuzz_ctx *z, struct genl_snap *snap,
			struct fuzz_batch *b, struct fuzz_stats *st)
{
	int ret = genl_snap_check(z->s, snap);

	if (ret == GENL_SNAP_SAME) {
		b->n = 0;
		st->compared++;
		return 0;
	}
	if (ret == GENL_SNAP_MOVING) {
		b->n = 0;
		/* something running changes it by itself: start again */
		st->unsettled++;
		return genl_snap_take(z->s, snap) ? -1 : 0;
	}
	/*
	 * Work an earlier accepted request started may have ended meanwhile
	 * (klab_rcu's run posts its results): the change is the batch's only
	 * if sending it again changes the state again
	 */
	if (genl_snap_take(z->s, snap) || batch_replay(z, b))
		return -1;
	ret = genl_snap_check(z->s, snap);
	if (ret != GENL_SNAP_CHANGED) {
		b->n = 0;
		st->unsettled++;
		return ret < 0 || genl_snap_take(z->s, snap) ? -1 : 0;
	}
	ksft_print_msg("%s: the state changed under messages that were rejected or only read it, and again when they were sent again\n",
		       z->f->name);
	genl_snap_print_diff(snap);
	batch_print(b);
	return -1;
}

static int fuzz_family(struct fuzz_ctx *z, unsigned long count,
		       struct fuzz_stats *st)
{
	static struct fuzz_batch batch;
	struct genl_snap snap;
	struct fuzz_msg fm;
	int ret = -1;

	batch.n = 0;
	if (genl_snap_init(z->s, z->f, &snap))
		return -1;
	genl_snap_describe(&snap);
	fuzz_learn(z, &snap);
	while (st->sent < count) {
		fuzz_build(z, &fm);
		batch_add(&batch, &z->m);
		if (fuzz_send(z, &fm))
			goto out;
		st->sent++;
		if (z->r.error)
			st->rejected++;
		else
			st->accepted++;
		if (!keeps_state(z, &fm)) {
			/* a change was allowed: a new baseline */
			batch.n = 0;
			if (genl_snap_take(z->s, &snap))
				goto out;
			continue;
		}
		/* a read with arguments at once: it is not among the views */
		if ((batch.n == FUZZ_SNAP_EVERY ||
		     (!z->r.error && !genl_snap_reads(&snap, fm.cmd))) &&
		    fuzz_compare(z, &snap, &batch, st))
			goto out;
	}
	ret = fuzz_compare(z, &snap, &batch, st);
out:
	genl_snap_free(&snap);
	return ret;
}

static bool is_klab_family(const char *name)
{
	return !strncmp(name, "klab_", 5) || !strcmp(name, "nf_hipac");
}

struct fuzz_opts {
	unsigned long long seed;
	unsigned long count;
	unsigned int timeout_ms;
	const char *only;	/* -f: this family alone */
	bool perm;
};

/* The three commands that took the most time, and how much */
static void print_busiest(const struct fuzz_ctx *z)
{
	int top[3] = { -1, -1, -1 }, cmd, i, j;

	for (cmd = 0; cmd < 256; cmd++) {
		for (i = 0; i < 3; i++)
			if (top[i] < 0 || z->busy_ms[cmd] > z->busy_ms[top[i]])
				break;
		if (i == 3)
			continue;
		for (j = 2; j > i; j--)
			top[j] = top[j - 1];
		top[i] = cmd;
	}
	ksft_print_msg("%s: most time: cmd %d %.1f s, cmd %d %.1f s, cmd %d %.1f s\n",
		       z->f->name, top[0], z->busy_ms[top[0]] / 1e3,
		       top[1], z->busy_ms[top[1]] / 1e3,
		       top[2], z->busy_ms[top[2]] / 1e3);
}

static void fuzz_one(struct genl_test_sock *s, struct genl_family_desc *f,
		     const struct fuzz_opts *o)
{
	struct fuzz_stats st = { 0 };
	static struct fuzz_ctx z;
	double t0 = now_ms(), secs;
	int ret;

	fuzz_init(&z, s, f, o->seed ^ f->id);
	ret = fuzz_family(&z, o->count, &st);
	secs = (now_ms() - t0) / 1e3;
	ksft_print_msg("%s: %lu messages in %.1f s (%.0f/s): %lu rejected, %lu accepted; state compared %lu times, %lu times inconclusive (moving by itself, or a change not made again by sending the messages again)\n",
		       f->name, st.sent, secs, st.sent / (secs ?: 1),
		       st.rejected, st.accepted, st.compared, st.unsettled);
	print_busiest(&z);
	ksft_test_result(!ret, "genl_fuzz %s\n", f->name);
}

static unsigned long long env_ull(const char *name, unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static void parse_opts(int argc, char **argv, struct fuzz_opts *o)
{
	int c;

	o->seed = env_ull("KLAB_FUZZ_SEED", (unsigned long long)time(NULL) ^
			  ((unsigned long long)getpid() << 32));
	o->count = env_ull("KLAB_STRESS", 0) ? FUZZ_STRESS_MESSAGES :
					       FUZZ_MESSAGES;
	/*
	 * The deadline finds a message that never gets its answer, not a
	 * slow one: a valid slabcache BENCH of 200,000 objects took 17.8 s
	 * under a loaded TCG host, so leave room for three times that.
	 */
	o->timeout_ms = 120000;
	while ((c = getopt(argc, argv, "s:n:t:f:p")) != -1) {
		switch (c) {
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			o->count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->timeout_ms = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			o->only = optarg;
			break;
		case 'p':
			o->perm = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-p] [-s SEED] [-n MESSAGES] [-t TIMEOUT_MS] [-f FAMILY]\n",
				argv[0]);
			exit(KSFT_FAIL);
		}
	}
}

static const char *only_family;

static bool wanted(const char *name)
{
	return is_klab_family(name) &&
	       (!only_family || !strcmp(name, only_family));
}

int main(int argc, char **argv)
{
	struct genl_family_desc *fams;
	struct genl_test_sock s;
	struct fuzz_opts o = { 0 };
	unsigned int n, i;
	int err;

	parse_opts(argc, argv, &o);
	only_family = o.only;
	ksft_print_header();
	ksft_print_msg("seed %#llx (replay: -s %#llx or KLAB_FUZZ_SEED)\n",
		       o.seed, o.seed);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	err = genl_test_open(&s) ?: genl_test_set_timeout(&s, o.timeout_ms);
	if (!err)
		err = genl_test_families(&s, wanted, &fams, &n);
	if (err)
		ksft_exit_fail_msg("generic netlink: %s\n", strerror(-err));
	if (!n)
		ksft_exit_fail_msg("no klab family is registered\n");
	ksft_set_plan(n);
	for (i = 0; i < n; i++) {
		err = genl_test_policies(&s, &fams[i]);
		if (err) {
			ksft_test_result_fail("%s: its policies: %s\n",
					      fams[i].name, strerror(-err));
			continue;
		}
		if (o.perm)
			ksft_test_result(!perm_family(&s, &fams[i], o.seed),
					 "genl_perm %s\n", fams[i].name);
		else
			fuzz_one(&s, &fams[i], &o);
	}
	free(fams);
	genl_test_close(&s);
	ksft_finished();
}
