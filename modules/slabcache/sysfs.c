// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: /sys/kernel/slabcache/<cache>/, one value per file, in the
 * manner of SLUB's /sys/kernel/slab/<cache>/.  The per-CPU counters print
 * as SLUB's statistics do: the total, then " C<cpu>=<count>" for every CPU
 * with a non-zero count.  shrink and validate are write-only triggers;
 * magazine_size, depot_limit and free_limit are writable.
 */
#include <linux/cpu.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "slabcache.h"

static struct kset *kslab_kset;

/* Files with a show function, or showing a counter at @field */
enum kslab_field_kind {
	KSLAB_FIELD_NONE,
	KSLAB_FIELD_COUNTER,	/* an atomic_long_t of struct kslab_cache */
	KSLAB_FIELD_CPU,	/* an unsigned long of struct kslab_cc */
};

struct kslab_attr {
	struct attribute attr;
	ssize_t (*show)(struct kslab_cache *s, char *buf);
	ssize_t (*store)(struct kslab_cache *s, const char *buf, size_t len);
	size_t field;
	enum kslab_field_kind kind;
};

#define to_kslab_cache(k)	container_of(k, struct kslab_cache, kobj)
#define to_kslab_attr(a)	container_of(a, struct kslab_attr, attr)

#define KSLAB_ATTR_RO(_name)						\
	static struct kslab_attr _name##_attr = __ATTR_RO(_name)
#define KSLAB_ATTR_RW(_name)						\
	static struct kslab_attr _name##_attr = __ATTR_RW(_name)
#define KSLAB_ATTR_WO(_name)						\
	static struct kslab_attr _name##_attr = __ATTR_WO(_name)

/* A file showing a field of the layout */
#define KSLAB_LAYOUT_ATTR(_name, _field)				\
static ssize_t _name##_show(struct kslab_cache *s, char *buf)		\
{									\
	return sysfs_emit(buf, "%u\n", s->layout._field);		\
}									\
KSLAB_ATTR_RO(_name)

KSLAB_LAYOUT_ATTR(object_size, object_size);
KSLAB_LAYOUT_ATTR(stride, stride);
KSLAB_LAYOUT_ATTR(align, align);
KSLAB_LAYOUT_ATTR(order, order);
KSLAB_LAYOUT_ATTR(objs_per_slab, objects);
KSLAB_LAYOUT_ATTR(colour_step, colour_step);
KSLAB_LAYOUT_ATTR(colours, colours);

/* The largest colour offset: first objects start at 0, step, ..., this */
static ssize_t colour_range_show(struct kslab_cache *s, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  (s->layout.colours - 1) * s->layout.colour_step);
}
KSLAB_ATTR_RO(colour_range);

/* A file showing a field of kslab_cache_stats() */
#define KSLAB_STATS_ATTR(_name, _field, _fmt)				\
static ssize_t _name##_show(struct kslab_cache *s, char *buf)		\
{									\
	struct kslab_stats st;						\
									\
	kslab_cache_stats(s, &st);					\
	return sysfs_emit(buf, _fmt "\n", st._field);			\
}									\
KSLAB_ATTR_RO(_name)

KSLAB_STATS_ATTR(slabs_full, slabs_full, "%lu");
KSLAB_STATS_ATTR(slabs_partial, slabs_partial, "%lu");
KSLAB_STATS_ATTR(slabs_free, slabs_free, "%lu");
KSLAB_STATS_ATTR(active_objs, active_objs, "%lu");
KSLAB_STATS_ATTR(total_objs, total_objs, "%lu");
KSLAB_STATS_ATTR(cached_objs, cached_objs, "%lu");
KSLAB_STATS_ATTR(depot_full, depot_full, "%u");
KSLAB_STATS_ATTR(depot_empty, depot_empty, "%u");

/* A file showing one of the cache's atomic counters */
#define KSLAB_COUNTER_ATTR(_name)					\
	static struct kslab_attr _name##_attr = {			\
		.attr = { .name = #_name, .mode = 0444 },		\
		.field = offsetof(struct kslab_cache, _name),		\
		.kind = KSLAB_FIELD_COUNTER,				\
	}

KSLAB_COUNTER_ATTR(pages);
KSLAB_COUNTER_ATTR(slabs_created);
KSLAB_COUNTER_ATTR(slabs_freed);
KSLAB_COUNTER_ATTR(constructed);
KSLAB_COUNTER_ATTR(reaped_pages);
KSLAB_COUNTER_ATTR(corrupt_redzone);
KSLAB_COUNTER_ATTR(corrupt_poison);
KSLAB_COUNTER_ATTR(corrupt_freelist);
KSLAB_COUNTER_ATTR(double_free);
KSLAB_COUNTER_ATTR(invalid_free);
KSLAB_COUNTER_ATTR(quarantined);
KSLAB_COUNTER_ATTR(nested_alloc);
KSLAB_COUNTER_ATTR(nested_free);

/* A per-CPU counter: the total, then each CPU's non-zero count */
#define KSLAB_CPU_ATTR(_name)						\
	static struct kslab_attr _name##_attr = {			\
		.attr = { .name = #_name, .mode = 0444 },		\
		.field = offsetof(struct kslab_cc, _name),		\
		.kind = KSLAB_FIELD_CPU,				\
	}

KSLAB_CPU_ATTR(alloc_hit);
KSLAB_CPU_ATTR(alloc_miss);
KSLAB_CPU_ATTR(free_hit);
KSLAB_CPU_ATTR(free_miss);

static ssize_t kslab_counter_show(struct kslab_cache *s,
				  const struct kslab_attr *a, char *buf)
{
	atomic_long_t *c = (void *)s + a->field;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(c));
}

static unsigned long kslab_cpu_field(struct kslab_cache *s, int cpu,
				     size_t field)
{
	unsigned long *v = (void *)per_cpu_ptr(s->cpu, cpu) + field;

	return READ_ONCE(*v);
}

static ssize_t kslab_cpu_show(struct kslab_cache *s,
			      const struct kslab_attr *a, char *buf)
{
	unsigned long sum = 0, v;
	int cpu, len;

	for_each_possible_cpu(cpu)
		sum += kslab_cpu_field(s, cpu, a->field);
	len = sysfs_emit(buf, "%lu", sum);
	for_each_possible_cpu(cpu) {
		v = kslab_cpu_field(s, cpu, a->field);
		if (v)
			len += sysfs_emit_at(buf, len, " C%d=%lu", cpu, v);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

/* As SLUB's red_zone, poison, store_user: 0 or 1 */
#define KSLAB_FLAG_ATTR(_name, _flag)					\
static ssize_t _name##_show(struct kslab_cache *s, char *buf)		\
{									\
	return sysfs_emit(buf, "%d\n", !!(s->flags & (_flag)));	\
}									\
KSLAB_ATTR_RO(_name)

KSLAB_FLAG_ATTR(red_zone, KSLAB_RED_ZONE);
KSLAB_FLAG_ATTR(poison, KSLAB_POISON);
KSLAB_FLAG_ATTR(store_user, KSLAB_STORE_USER);
KSLAB_FLAG_ATTR(hwcache_align, KSLAB_HWCACHE_ALIGN);

static ssize_t ctor_show(struct kslab_cache *s, char *buf)
{
	if (!s->ctor)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%pS\n", s->ctor);
}
KSLAB_ATTR_RO(ctor);

/* Set the magazine size or the depot limit, as /proc/slabcacheinfo does */
static ssize_t kslab_tune_store(struct kslab_cache *s, const char *buf,
				size_t len, bool magsize)
{
	struct kslab_depot *d = &s->mc.depot;
	unsigned int v;
	int err;

	err = kstrtouint(buf, 0, &v);
	if (err)
		return err;
	cpus_read_lock();
	mutex_lock(&kslab_mutex);
	if (list_empty(&s->list))
		err = -ENODEV;
	else if (magsize)
		err = kslab_cache_tune(s, v, READ_ONCE(d->limit));
	else
		err = kslab_cache_tune(s, READ_ONCE(d->magsize), v);
	mutex_unlock(&kslab_mutex);
	cpus_read_unlock();
	return err ? err : len;
}

static ssize_t magazine_size_show(struct kslab_cache *s, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(s->mc.depot.magsize));
}

static ssize_t magazine_size_store(struct kslab_cache *s, const char *buf,
				   size_t len)
{
	return kslab_tune_store(s, buf, len, true);
}
KSLAB_ATTR_RW(magazine_size);

static ssize_t depot_limit_show(struct kslab_cache *s, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(s->mc.depot.limit));
}

static ssize_t depot_limit_store(struct kslab_cache *s, const char *buf,
				 size_t len)
{
	return kslab_tune_store(s, buf, len, false);
}
KSLAB_ATTR_RW(depot_limit);

static ssize_t free_limit_show(struct kslab_cache *s, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(s->free_limit));
}

static ssize_t free_limit_store(struct kslab_cache *s, const char *buf,
				size_t len)
{
	unsigned long v;
	int err;

	err = kstrtoul(buf, 0, &v);
	if (err)
		return err;
	WRITE_ONCE(s->free_limit, v);
	return len;
}
KSLAB_ATTR_RW(free_limit);

static ssize_t shrink_store(struct kslab_cache *s, const char *buf,
			    size_t len)
{
	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	kslab_cache_shrink(s);
	return len;
}
KSLAB_ATTR_WO(shrink);

static ssize_t validate_store(struct kslab_cache *s, const char *buf,
			      size_t len)
{
	unsigned long checked, errors;
	int err;

	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	err = kslab_validate(s, &checked, &errors);
	return err ? err : len;
}
KSLAB_ATTR_WO(validate);

static struct attribute *kslab_attrs[] = {
	&object_size_attr.attr,
	&stride_attr.attr,
	&align_attr.attr,
	&order_attr.attr,
	&objs_per_slab_attr.attr,
	&colour_step_attr.attr,
	&colours_attr.attr,
	&colour_range_attr.attr,
	&slabs_full_attr.attr,
	&slabs_partial_attr.attr,
	&slabs_free_attr.attr,
	&active_objs_attr.attr,
	&total_objs_attr.attr,
	&cached_objs_attr.attr,
	&pages_attr.attr,
	&magazine_size_attr.attr,
	&depot_limit_attr.attr,
	&depot_full_attr.attr,
	&depot_empty_attr.attr,
	&free_limit_attr.attr,
	&alloc_hit_attr.attr,
	&alloc_miss_attr.attr,
	&free_hit_attr.attr,
	&free_miss_attr.attr,
	&nested_alloc_attr.attr,
	&nested_free_attr.attr,
	&red_zone_attr.attr,
	&poison_attr.attr,
	&store_user_attr.attr,
	&hwcache_align_attr.attr,
	&ctor_attr.attr,
	&corrupt_redzone_attr.attr,
	&corrupt_poison_attr.attr,
	&corrupt_freelist_attr.attr,
	&double_free_attr.attr,
	&invalid_free_attr.attr,
	&quarantined_attr.attr,
	&slabs_created_attr.attr,
	&slabs_freed_attr.attr,
	&constructed_attr.attr,
	&reaped_pages_attr.attr,
	&shrink_attr.attr,
	&validate_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kslab);

static ssize_t kslab_attr_show(struct kobject *kobj, struct attribute *attr,
			       char *buf)
{
	struct kslab_attr *a = to_kslab_attr(attr);
	struct kslab_cache *s = to_kslab_cache(kobj);

	switch (a->kind) {
	case KSLAB_FIELD_COUNTER:
		return kslab_counter_show(s, a, buf);
	case KSLAB_FIELD_CPU:
		return kslab_cpu_show(s, a, buf);
	default:
		return a->show ? a->show(s, buf) : -EIO;
	}
}

static ssize_t kslab_attr_store(struct kobject *kobj, struct attribute *attr,
				const char *buf, size_t len)
{
	struct kslab_attr *a = to_kslab_attr(attr);

	if (!a->store)
		return -EIO;
	return a->store(to_kslab_cache(kobj), buf, len);
}

static const struct sysfs_ops kslab_sysfs_ops = {
	.show = kslab_attr_show,
	.store = kslab_attr_store,
};

static void kslab_kobj_release(struct kobject *kobj)
{
	kslab_cache_free(to_kslab_cache(kobj));
}

static const struct kobj_type kslab_ktype = {
	.sysfs_ops = &kslab_sysfs_ops,
	.release = kslab_kobj_release,
	.default_groups = kslab_groups,
};

/**
 * kslab_sysfs_init_cache() - give a new cache its kobject
 * @s: the cache, fully set up
 *
 * From here on the cache is freed by kslab_sysfs_put() only.
 */
void kslab_sysfs_init_cache(struct kslab_cache *s)
{
	s->kobj.kset = kslab_kset;
	kobject_init(&s->kobj, &kslab_ktype);
}

/**
 * kslab_sysfs_add() - /sys/kernel/slabcache/<name>
 * @s: the cache
 *
 * Return: 0 or a negative errno.
 */
int kslab_sysfs_add(struct kslab_cache *s)
{
	return kobject_add(&s->kobj, NULL, "%s", s->name);
}

/**
 * kslab_sysfs_del() - remove a cache's directory
 * @s: the cache
 *
 * Returns once no file of the directory is being read or written.
 */
void kslab_sysfs_del(struct kslab_cache *s)
{
	kobject_del(&s->kobj);
}

/**
 * kslab_sysfs_put() - drop the cache's kobject, freeing the cache
 * @s: the cache
 */
void kslab_sysfs_put(struct kslab_cache *s)
{
	kobject_put(&s->kobj);
}

/**
 * kslab_sysfs_init() - create /sys/kernel/slabcache
 *
 * Return: 0 or -ENOMEM.
 */
int kslab_sysfs_init(void)
{
	kslab_kset = kset_create_and_add("slabcache", NULL, kernel_kobj);
	return kslab_kset ? 0 : -ENOMEM;
}

/**
 * kslab_sysfs_exit() - remove /sys/kernel/slabcache
 */
void kslab_sysfs_exit(void)
{
	kset_unregister(kslab_kset);
}
