// SPDX-License-Identifier: GPL-2.0
/* A family's state through its reads: see genl_snap.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "kselftest.h"
#include "genl_snap.h"

/* how long a state that differs is watched for moving by itself */
#define SNAP_SETTLE_US	300000
/* baseline reads with the system's own noise between them */
#define SNAP_NOISE_ROUNDS 4
#define SNAP_NOISE_BYTES (4 << 20)
/* values tried for a dump's one filter attribute */
#define SNAP_FILTER_VALUES 16

static int buf_put(struct genl_snap_buf *b, const void *data, size_t len)
{
	unsigned char *p;
	size_t cap;

	if (b->len + len > b->cap) {
		cap = (b->len + len) * 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

/* One answer of a read: its length, then it from the genl header on */
static int buf_put_msg(struct genl_snap_buf *b, const struct nlmsghdr *nlh)
{
	uint32_t len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;

	return buf_put(b, &len, sizeof(len)) ?:
	       buf_put(b, mnl_nlmsg_get_payload(nlh), len);
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	if (buf_put_msg(data, nlh)) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* The view's request into @m */
static void view_msg(const struct genl_snap *snap,
		     const struct genl_snap_view *v, struct genl_test_msg *m)
{
	genl_test_msg_init(m, snap->f->id, v->cmd, snap->f->version);
	if (v->attr)
		genl_test_put_int(m, v->attr, v->nltype, v->value);
}

/* Read @v into @b; 0, or the request's negative errno */
static int view_read(struct genl_test_sock *s, const struct genl_snap *snap,
		     const struct genl_snap_view *v, struct genl_snap_buf *b)
{
	static struct genl_test_reply r;
	static struct genl_test_msg m;
	int err;

	b->len = 0;
	view_msg(snap, v, &m);
	if (v->dump)
		return genl_test_dump(s, &m, dump_cb, b);
	err = genl_test_exchange(s, &m, &r);
	if (err || r.error)
		return err ?: r.error;
	if (!r.data_len)
		return 0;
	return buf_put_msg(b, (const struct nlmsghdr *)r.data) ?: 0;
}

typedef void (*leaf_fn)(const struct nlattr *leaf, const unsigned char *start,
			void *data);

/* Every attribute of @len bytes at @p that is not a nest, depth first */
static void walk_attrs(const unsigned char *start, const void *p, size_t len,
		       leaf_fn fn, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload(p, len) {
		if (attr->nla_type & NLA_F_NESTED)
			walk_attrs(start, mnl_attr_get_payload(attr),
				   mnl_attr_get_payload_len(attr), fn, data);
		else
			fn(attr, start, data);
	}
}

static void walk_leaves(const struct genl_snap_buf *b, leaf_fn fn, void *data)
{
	size_t off = 0;
	uint32_t len;

	while (off + sizeof(len) <= b->len) {
		memcpy(&len, b->p + off, sizeof(len));
		off += sizeof(len);
		if (len > b->len - off)
			return;
		if (len > GENL_HDRLEN)
			walk_attrs(b->p, b->p + off + GENL_HDRLEN,
				   len - GENL_HDRLEN, fn, data);
		off += len;
	}
}

/* A leaf with a byte marked in the mask is masked as a whole */
static void mask_leaf(const struct nlattr *leaf, const unsigned char *start,
		      void *data)
{
	unsigned char *mask = data;
	size_t from = (const unsigned char *)leaf - start;
	size_t i, n = leaf->nla_len;

	for (i = 0; i < n; i++)
		if (mask[from + i])
			break;
	if (i < n)
		memset(mask + from, 1, n);
}

/* The view's baseline, from two reads: what differs is masked */
static int view_take(struct genl_test_sock *s, struct genl_snap *snap,
		     struct genl_snap_view *v)
{
	unsigned char *mask;
	size_t i;
	int err;

	err = view_read(s, snap, v, &v->base) ?:
	      view_read(s, snap, v, &v->again);
	if (err)
		return err;
	v->moving = v->base.len != v->again.len;
	if (v->moving || v->noisy)
		return 0;
	if (v->base.len > v->mask_cap) {
		mask = realloc(v->mask, v->base.len);
		if (!mask)
			return -ENOMEM;
		v->mask = mask;
		v->mask_cap = v->base.len;
	}
	for (i = 0; i < v->base.len; i++)
		v->mask[i] = v->base.p[i] != v->again.p[i] ||
			     (v->noise_len == v->base.len && v->noise[i]);
	walk_leaves(&v->base, mask_leaf, v->mask);
	return 0;
}

int genl_snap_take(struct genl_test_sock *s, struct genl_snap *snap)
{
	unsigned int i;
	int err;

	for (i = 0; i < snap->n; i++) {
		err = view_take(s, snap, &snap->v[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The first byte where @b differs from the baseline, or -1 */
static long view_diff(const struct genl_snap_view *v,
		      const struct genl_snap_buf *b)
{
	size_t i;

	if (v->moving || v->noisy)
		return -1;
	if (b->len != v->base.len)
		return b->len < v->base.len ? b->len : v->base.len;
	for (i = 0; i < b->len; i++)
		if (!v->mask[i] && b->p[i] != v->base.p[i])
			return i;
	return -1;
}

/* Whether @v's state moves by itself: two reads a pause apart differ */
static int view_moving(struct genl_test_sock *s, struct genl_snap *snap,
		       struct genl_snap_view *v)
{
	int err;

	usleep(SNAP_SETTLE_US);
	err = view_read(s, snap, v, &v->again);
	if (err)
		return err;
	return v->again.len != v->cur.len ||
	       memcmp(v->again.p, v->cur.p, v->cur.len);
}

/*
 * Read every view from @*i on again, up to the first that answers off its
 * baseline: its index in @*i (snap->n: none) and the first byte in @*off
 */
static int snap_next_diff(struct genl_test_sock *s, struct genl_snap *snap,
			  unsigned int *i, long *off)
{
	struct genl_snap_view *v;
	int err;

	for (; *i < snap->n; (*i)++) {
		v = &snap->v[*i];
		err = view_read(s, snap, v, &v->cur);
		if (err)
			return err;
		*off = view_diff(v, &v->cur);
		if (*off >= 0)
			return 0;
	}
	return 0;
}

int genl_snap_check(struct genl_test_sock *s, struct genl_snap *snap)
{
	unsigned int i = 0;
	long off = -1;
	int err;

	err = snap_next_diff(s, snap, &i, &off);
	if (err)
		return err;
	if (i == snap->n)
		return GENL_SNAP_SAME;
	err = view_moving(s, snap, &snap->v[i]);
	if (err)
		return err < 0 ? err : GENL_SNAP_MOVING;
	snap->diff_view = i;
	snap->diff_off = off;
	return GENL_SNAP_CHANGED;
}

static void print_bytes(const char *what, const struct genl_snap_buf *b,
			size_t off)
{
	size_t from = off > 16 ? off - 16 : 0, i;

	printf("#   %s (%zu bytes) from byte %zu:", what, b->len, from);
	for (i = from; i < b->len && i < off + 32; i++)
		printf(" %s%02x", i == off ? ">" : "", b->p[i]);
	printf("\n");
}

static void view_name(const struct genl_snap_view *v, char *buf, size_t size)
{
	if (v->attr)
		snprintf(buf, size, "cmd %u (%s, attribute %u = %llu)", v->cmd,
			 v->dump ? "dump" : "do", v->attr,
			 (unsigned long long)v->value);
	else
		snprintf(buf, size, "cmd %u (%s)", v->cmd,
			 v->dump ? "dump" : "do");
}

void genl_snap_print_diff(const struct genl_snap *snap)
{
	const struct genl_snap_view *v = &snap->v[snap->diff_view];
	char name[96];

	view_name(v, name, sizeof(name));
	ksft_print_msg("%s: %s answers differently from byte %zu on\n",
		       snap->f->name, name, snap->diff_off);
	print_bytes("before", &v->base, snap->diff_off);
	print_bytes("after", &v->cur, snap->diff_off);
}

static const char *view_note(const struct genl_snap_view *v)
{
	if (v->noisy)
		return " [left out: changes with the system's activity]";
	return v->moving ? " [moves by itself]" : "";
}

void genl_snap_describe(const struct genl_snap *snap)
{
	char name[96], line[1024];
	size_t len = 0;
	unsigned int i;

	line[0] = '\0';
	for (i = 0; i < snap->n; i++) {
		view_name(&snap->v[i], name, sizeof(name));
		len += snprintf(line + len, sizeof(line) - len, "%s%s%s",
				i ? ", " : "", name, view_note(&snap->v[i]));
		if (len >= sizeof(line))
			break;
	}
	ksft_print_msg("%s: state read through %s\n", snap->f->name,
		       snap->n ? line : "nothing (no read op accepts an empty request)");
}

static int add_view(struct genl_test_sock *s, struct genl_snap *snap,
		    const struct genl_snap_view *tmpl)
{
	struct genl_snap_view *v;

	if (snap->n == GENL_SNAP_VIEWS)
		return -ENOSPC;
	v = &snap->v[snap->n];
	memset(v, 0, sizeof(*v));
	v->cmd = tmpl->cmd;
	v->dump = tmpl->dump;
	v->attr = tmpl->attr;
	v->nltype = tmpl->nltype;
	v->value = tmpl->value;
	if (view_read(s, snap, v, &v->cur))
		return -EINVAL;		/* not a read of this kind */
	snap->n++;
	return 0;
}

/* A dump that wants a filter: each integer attribute alone, small values */
static void add_filtered_dumps(struct genl_test_sock *s, struct genl_snap *snap,
			       const struct genl_op_desc *op)
{
	const struct genl_pol *p = genl_test_op_policy(snap->f, op, true);
	struct genl_snap_view t = { .cmd = op->cmd, .dump = true };
	unsigned int found = 0;

	for (t.attr = 1; p && t.attr <= p->maxattr && found < 4; t.attr++) {
		t.nltype = p->attr[t.attr].type;
		if (!genl_test_int_size(t.nltype))
			continue;
		for (t.value = 0; t.value < SNAP_FILTER_VALUES && found < 4;
		     t.value++)
			found += !add_view(s, snap, &t);
	}
}

/* What the system does anyway: a process forks, touches memory, exits */
static void make_noise(void)
{
	char *p;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		p = malloc(SNAP_NOISE_BYTES);
		if (p)
			memset(p, 1, SNAP_NOISE_BYTES);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	usleep(50000);
}

/*
 * Read every view again after noise: one that differs from the baseline
 * where two reads in a row did not shows the system's activity (free
 * pages), not the family's state, and is left out.
 */
static int calibrate(struct genl_test_sock *s, struct genl_snap *snap)
{
	struct genl_snap_view *v;
	unsigned int round, i;
	long off = -1;
	int err;

	for (round = 0; round < SNAP_NOISE_ROUNDS; round++) {
		make_noise();
		for (i = 0; i < snap->n; i++) {
			err = snap_next_diff(s, snap, &i, &off);
			if (err)
				return err;
			if (i < snap->n)
				snap->v[i].noisy = true;
		}
	}
	for (i = 0; i < snap->n; i++) {
		v = &snap->v[i];
		if (v->noisy || v->moving)
			continue;
		v->noise = malloc(v->base.len ?: 1);
		if (!v->noise)
			return -ENOMEM;
		memcpy(v->noise, v->mask, v->base.len);
		v->noise_len = v->base.len;
	}
	return 0;
}

int genl_snap_init(struct genl_test_sock *s, const struct genl_family_desc *f,
		   struct genl_snap *snap)
{
	const uint32_t admin = GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM;
	struct genl_snap_view t = { 0 };
	const struct genl_op_desc *op;
	unsigned int i;

	memset(snap, 0, sizeof(*snap));
	snap->f = f;
	for (i = 0; i < f->n_ops; i++) {
		op = &f->ops[i];
		t.cmd = op->cmd;
		if ((op->flags & GENL_CMD_CAP_DO) && !(op->flags & admin)) {
			t.dump = false;
			add_view(s, snap, &t);
		}
		if (op->flags & GENL_CMD_CAP_DUMP) {
			t.dump = true;
			if (add_view(s, snap, &t))
				add_filtered_dumps(s, snap, op);
		}
	}
	return genl_snap_take(s, snap) ?: calibrate(s, snap);
}

void genl_snap_free(struct genl_snap *snap)
{
	unsigned int i;

	for (i = 0; i < GENL_SNAP_VIEWS; i++) {
		free(snap->v[i].base.p);
		free(snap->v[i].cur.p);
		free(snap->v[i].again.p);
		free(snap->v[i].mask);
		free(snap->v[i].noise);
	}
	memset(snap, 0, sizeof(*snap));
}

struct strings_ctx {
	void (*fn)(const char *str, void *data);
	void *data;
};

static void string_leaf(const struct nlattr *leaf, const unsigned char *start,
			void *data)
{
	const struct strings_ctx *c = data;
	const char *p = mnl_attr_get_payload(leaf);
	uint16_t n = mnl_attr_get_payload_len(leaf), i;

	if (n < 2 || p[n - 1] != '\0')
		return;
	for (i = 0; i < n - 1; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return;
	c->fn(p, c->data);
}

void genl_snap_strings(const struct genl_snap *snap,
		       void (*fn)(const char *str, void *data), void *data)
{
	struct strings_ctx c = { .fn = fn, .data = data };
	unsigned int i;

	for (i = 0; i < snap->n; i++)
		walk_leaves(&snap->v[i].base, string_leaf, &c);
}

bool genl_snap_reads(const struct genl_snap *snap, uint8_t cmd)
{
	unsigned int i;

	for (i = 0; i < snap->n; i++)
		if (snap->v[i].cmd == cmd)
			return true;
	return false;
}
