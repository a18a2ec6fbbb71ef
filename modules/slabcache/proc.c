// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: /proc/slabcacheinfo, byte for byte in the format of
 * /proc/slabinfo version 2.1 (print_slabinfo_header() and cache_show() of
 * mm/slab_common.c in 6.1), so that slabtop and scripts written for
 * /proc/slabinfo read it unchanged.  The columns mean:
 *
 *   active_objs   objects clients hold (exact; SLUB's count is approximate)
 *   num_objs      objects in all slabs
 *   objsize       bytes per object including metadata (the stride), as
 *                 SLUB's s->size
 *   objperslab, pagesperslab
 *   limit         rounds per magazine (SLAB: per-CPU array size)
 *   batchcount    most full magazines the depot keeps
 *   sharedfactor  0: the depot is shared by every CPU already
 *   active_slabs  full and partial slabs (SLAB's meaning)
 *   num_slabs     all slabs, free ones included
 *   sharedavail   objects in the depot's full magazines (SLAB: objects in
 *                 the shared array)
 *
 * Writing "name limit batchcount [sharedfactor]" sets the magazine size
 * and the depot limit, as writing to SLAB's /proc/slabinfo did (6.1 has
 * no SLAB, and SLUB's /proc/slabinfo is read-only and fails writes with
 * EIO).  Unlike SLAB, which silently ignored values out of range, a bad
 * line fails with EINVAL and changes nothing.
 */
#include <linux/cpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "slabcache.h"

#define KSLAB_PROC_NAME		"slabcacheinfo"
/* SLAB's MAX_SLABINFO_WRITE */
#define KSLAB_PROC_WRITE_MAX	128

static void *kslab_proc_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&kslab_mutex);
	return seq_list_start(&kslab_caches, *pos);
}

static void *kslab_proc_next(struct seq_file *m, void *p, loff_t *pos)
{
	return seq_list_next(p, &kslab_caches, pos);
}

static void kslab_proc_stop(struct seq_file *m, void *p)
{
	mutex_unlock(&kslab_mutex);
}

static int kslab_proc_show(struct seq_file *m, void *p)
{
	struct kslab_cache *s = list_entry(p, struct kslab_cache, list);
	const struct kslab_layout *l = &s->layout;
	unsigned long slabs, active_slabs;
	struct kslab_stats st;

	if (p == kslab_caches.next) {
		seq_puts(m, "slabinfo - version: 2.1\n");
		seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>");
		seq_puts(m, " : tunables <limit> <batchcount> <sharedfactor>");
		seq_puts(m, " : slabdata <active_slabs> <num_slabs> <sharedavail>");
		seq_putc(m, '\n');
	}
	kslab_cache_stats(s, &st);
	active_slabs = st.slabs_full + st.slabs_partial;
	slabs = active_slabs + st.slabs_free;
	seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d",
		   s->name, st.active_objs, st.total_objs, l->stride,
		   l->objects, 1 << l->order);
	seq_printf(m, " : tunables %4u %4u %4u", st.magsize, st.depot_limit, 0);
	seq_printf(m, " : slabdata %6lu %6lu %6lu", active_slabs, slabs,
		   st.depot_rounds);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations kslab_proc_seq_ops = {
	.start = kslab_proc_start,
	.next = kslab_proc_next,
	.stop = kslab_proc_stop,
	.show = kslab_proc_show,
};

static int kslab_proc_open(struct inode *inode, struct file *file)
{
	return seq_open(file, &kslab_proc_seq_ops);
}

/* Split @buf at blanks into at most @max words; returns how many */
static int kslab_proc_words(char *buf, char **words, int max)
{
	char *p = strim(buf), *w;
	int n = 0;

	while ((w = strsep(&p, " \t")) != NULL) {
		if (!*w)
			continue;
		if (n == max)
			return max + 1;
		words[n++] = w;
	}
	return n;
}

/* "name limit batchcount [sharedfactor]": the magazine size and depot limit */
static ssize_t kslab_proc_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[KSLAB_PROC_WRITE_MAX + 1], *w[4];
	unsigned int limit, batch, shared = 0;
	struct kslab_cache *s;
	int n, err;

	if (count > KSLAB_PROC_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	n = kslab_proc_words(buf, w, ARRAY_SIZE(w));
	if (n < 3 || n > 4 || kstrtouint(w[1], 10, &limit) ||
	    kstrtouint(w[2], 10, &batch) ||
	    (n == 4 && kstrtouint(w[3], 10, &shared)) || shared)
		return -EINVAL;

	cpus_read_lock();
	mutex_lock(&kslab_mutex);
	s = kslab_cache_find(w[0]);
	err = s ? kslab_cache_tune(s, limit, batch) : -EINVAL;
	mutex_unlock(&kslab_mutex);
	cpus_read_unlock();
	return err ? err : count;
}

static const struct proc_ops kslab_proc_ops = {
	.proc_open = kslab_proc_open,
	.proc_read = seq_read,
	.proc_write = kslab_proc_write,
	.proc_lseek = seq_lseek,
	.proc_release = seq_release,
};

/**
 * kslab_proc_init() - create /proc/slabcacheinfo
 *
 * Readable and writable by root only, as SLAB's /proc/slabinfo (0600).
 *
 * Return: 0 or -ENOMEM.
 */
int kslab_proc_init(void)
{
	return proc_create(KSLAB_PROC_NAME, 0600, NULL, &kslab_proc_ops) ?
	       0 : -ENOMEM;
}

/**
 * kslab_proc_exit() - remove /proc/slabcacheinfo
 */
void kslab_proc_exit(void)
{
	remove_proc_entry(KSLAB_PROC_NAME, NULL);
}
