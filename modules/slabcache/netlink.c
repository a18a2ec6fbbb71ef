// SPDX-License-Identifier: GPL-2.0
/* slabcache: the klab_slab generic netlink family */
#include <linux/cpu.h>
#include <linux/log2.h>

#include "slabcache.h"

static const struct nla_policy kslab_nl_name_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_NAME] = { .type = NLA_NUL_STRING,
			       .len = KLAB_SLAB_NAME_LEN - 1 },
};

static const struct nla_policy kslab_nl_create_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_NAME] = { .type = NLA_NUL_STRING,
			       .len = KLAB_SLAB_NAME_LEN - 1 },
	[KLAB_SLAB_A_OBJECT_SIZE] = NLA_POLICY_MIN(NLA_U32, 1),
	[KLAB_SLAB_A_ALIGN] = NLA_POLICY_MAX(NLA_U32, PAGE_SIZE),
	[KLAB_SLAB_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, KLAB_SLAB_F_ALL),
	[KLAB_SLAB_A_MAG_SIZE] = NLA_POLICY_MAX(NLA_U32, KSLAB_MAG_MAX),
	[KLAB_SLAB_A_DEPOT_LIMIT] = NLA_POLICY_MAX(NLA_U32, KSLAB_DEPOT_MAX),
};

static const struct nla_policy kslab_nl_alloc_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_NAME] = { .type = NLA_NUL_STRING,
			       .len = KLAB_SLAB_NAME_LEN - 1 },
	[KLAB_SLAB_A_COUNT] = NLA_POLICY_MIN(NLA_U32, 1),
	[KLAB_SLAB_A_GFP_ATOMIC] = { .type = NLA_FLAG },
	[KLAB_SLAB_A_GFP_ZERO] = { .type = NLA_FLAG },
};

static const struct nla_policy kslab_nl_bug_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_NAME] = { .type = NLA_NUL_STRING,
			       .len = KLAB_SLAB_NAME_LEN - 1 },
	[KLAB_SLAB_A_BUG] = NLA_POLICY_MAX(NLA_U32, __KLAB_SLAB_BUG_END - 1),
};

static const struct nla_policy kslab_nl_run_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_NAME] = { .type = NLA_NUL_STRING,
			       .len = KLAB_SLAB_NAME_LEN - 1 },
	[KLAB_SLAB_A_OBJECT_SIZE] = NLA_POLICY_MIN(NLA_U32, 16),
	[KLAB_SLAB_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, KLAB_SLAB_F_DEBUG),
	[KLAB_SLAB_A_RUN_THREADS] = NLA_POLICY_RANGE(NLA_U32, 1, 64),
	[KLAB_SLAB_A_RUN_MS] = NLA_POLICY_MIN(NLA_U32, 1),
};

static struct netlink_range_validation kslab_nl_bench_size_range = {
	.min = 8,
	.max = 65536,
};

static struct netlink_range_validation kslab_nl_bench_loops_range = {
	.min = 1,
	.max = KSLAB_BENCH_MAX_WORK,
};

static const struct nla_policy kslab_nl_bench_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_BENCH_IMPL] = NLA_POLICY_MAX(NLA_U32,
						  __KLAB_SLAB_IMPL_END - 1),
	[KLAB_SLAB_A_BENCH_TEST] = NLA_POLICY_MAX(NLA_U32,
						  __KLAB_SLAB_BENCH_END - 1),
	[KLAB_SLAB_A_OBJECT_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kslab_nl_bench_size_range),
	[KLAB_SLAB_A_BENCH_BULK] = NLA_POLICY_RANGE(NLA_U32, 1, 1024),
	[KLAB_SLAB_A_BENCH_LOOPS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kslab_nl_bench_loops_range),
};

static void kslab_nl_why(struct netlink_ext_ack *extack,
			 const struct nlattr *attr, enum kslab_why why)
{
	switch (why) {
	case KSLAB_WHY_NONE:
		break;
	case KSLAB_WHY_BENCH_HELD:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "objects are held already: release them first");
		break;
	case KSLAB_WHY_BENCH_HOLD_MAX:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "at most 200000 objects and 256 MiB are held");
		break;
	case KSLAB_WHY_BENCH_TOO_MUCH:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "too much work for one run (at most 200000 objects)");
		break;
	case KSLAB_WHY_RUN_TOO_LONG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "run longer than the module parameter run_max_ms");
		break;
	case KSLAB_WHY_RUN_SMALL:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the workload needs objects of at least 16 bytes");
		break;
	case KSLAB_WHY_RUN_CTOR:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the workload writes objects: not on a constructed cache");
		break;
	case KSLAB_WHY_SIZE_TOO_BIG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "object size above the module parameter max_object_size");
		break;
	case KSLAB_WHY_RUN_BUSY:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a run is in progress");
		break;
	case KSLAB_WHY_TOO_MANY_CACHES:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "too many test caches (module parameter max_test_caches)");
		break;
	case KSLAB_WHY_CTOR_SMALL:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a constructed object needs at least 8 bytes");
		break;
	case KSLAB_WHY_EXISTS:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a cache of that name exists");
		break;
	case KSLAB_WHY_BAD_CACHE:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "bad name, size, alignment or flags");
		break;
	case KSLAB_WHY_TUNE_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "magazine size above 254 or depot limit above 1024");
		break;
	case KSLAB_WHY_NEEDS_RED_ZONE:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "this bug needs a red-zoned cache");
		break;
	case KSLAB_WHY_NEEDS_POISON:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "this bug needs a poisoned cache");
		break;
	case KSLAB_WHY_NEEDS_DEBUG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "this bug needs a debug cache");
		break;
	case KSLAB_WHY_NEEDS_PLAIN:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "this bug needs a cache without debug, constructor or magazines");
		break;
	case KSLAB_WHY_BUGS_OFF:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "planting bugs needs the module parameter test_bugs=1");
		break;
	case KSLAB_WHY_UNKNOWN_BUG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "unknown bug");
		break;
	}
}

static int kslab_nl_put_u64(struct sk_buff *msg, int attr, u64 v)
{
	return nla_put_u64_64bit(msg, attr, v, KLAB_A_PAD);
}

static int kslab_nl_fill_cpus(struct sk_buff *msg, struct kslab_cache *s)
{
	struct nlattr *cpus, *nest;
	int cpu;

	cpus = nla_nest_start(msg, KLAB_SLAB_A_CPUS);
	if (!cpus)
		return -EMSGSIZE;
	for_each_possible_cpu(cpu) {
		struct kslab_cc *cc = per_cpu_ptr(s->cpu, cpu);

		nest = nla_nest_start(msg, KLAB_SLAB_A_CPU);
		if (!nest ||
		    nla_put_u32(msg, KLAB_SLAB_A_CPU_ID, cpu) ||
		    kslab_nl_put_u64(msg, KLAB_SLAB_A_ALLOC_HIT,
				     READ_ONCE(cc->alloc_hit)) ||
		    kslab_nl_put_u64(msg, KLAB_SLAB_A_ALLOC_MISS,
				     READ_ONCE(cc->alloc_miss)) ||
		    kslab_nl_put_u64(msg, KLAB_SLAB_A_FREE_HIT,
				     READ_ONCE(cc->free_hit)) ||
		    kslab_nl_put_u64(msg, KLAB_SLAB_A_FREE_MISS,
				     READ_ONCE(cc->free_miss)) ||
		    kslab_nl_put_u64(msg, KLAB_SLAB_A_CACHED_OBJS,
				     READ_ONCE(cc->rounds) +
				     READ_ONCE(cc->prounds)))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, cpus);
	return 0;
}

static int kslab_nl_fill_counters(struct sk_buff *msg, struct kslab_cache *s)
{
	static const struct {
		int attr;
		size_t off;
	} counters[] = {
		{ KLAB_SLAB_A_PAGES, offsetof(struct kslab_cache, pages) },
		{ KLAB_SLAB_A_CORRUPT_REDZONE,
		  offsetof(struct kslab_cache, corrupt_redzone) },
		{ KLAB_SLAB_A_CORRUPT_POISON,
		  offsetof(struct kslab_cache, corrupt_poison) },
		{ KLAB_SLAB_A_CORRUPT_FREELIST,
		  offsetof(struct kslab_cache, corrupt_freelist) },
		{ KLAB_SLAB_A_DOUBLE_FREE,
		  offsetof(struct kslab_cache, double_free) },
		{ KLAB_SLAB_A_INVALID_FREE,
		  offsetof(struct kslab_cache, invalid_free) },
		{ KLAB_SLAB_A_QUARANTINED,
		  offsetof(struct kslab_cache, quarantined) },
		{ KLAB_SLAB_A_SLABS_CREATED,
		  offsetof(struct kslab_cache, slabs_created) },
		{ KLAB_SLAB_A_SLABS_FREED,
		  offsetof(struct kslab_cache, slabs_freed) },
		{ KLAB_SLAB_A_CONSTRUCTED,
		  offsetof(struct kslab_cache, constructed) },
		{ KLAB_SLAB_A_REAPED_PAGES,
		  offsetof(struct kslab_cache, reaped_pages) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		atomic_long_t *c = (void *)s + counters[i].off;

		if (kslab_nl_put_u64(msg, counters[i].attr,
				     atomic_long_read(c)))
			return -EMSGSIZE;
	}
	return 0;
}

/* One KLAB_SLAB_A_CACHE nest, with the per-CPU counters if @cpus */
static int kslab_nl_fill_cache(struct sk_buff *msg, struct kslab_cache *s,
			       bool cpus)
{
	const struct kslab_layout *l = &s->layout;
	struct kslab_stats st;
	struct nlattr *nest;

	kslab_cache_stats(s, &st);
	nest = nla_nest_start(msg, KLAB_SLAB_A_CACHE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, KLAB_SLAB_A_NAME, s->name) ||
	    nla_put_u32(msg, KLAB_SLAB_A_OBJECT_SIZE, s->object_size) ||
	    nla_put_u32(msg, KLAB_SLAB_A_ALIGN, l->align) ||
	    nla_put_u32(msg, KLAB_SLAB_A_FLAGS,
			s->flags | (s->ctor ? KLAB_SLAB_F_CTOR : 0)) ||
	    nla_put_u32(msg, KLAB_SLAB_A_STRIDE, l->stride) ||
	    nla_put_u32(msg, KLAB_SLAB_A_ORDER, l->order) ||
	    nla_put_u32(msg, KLAB_SLAB_A_OBJS_PER_SLAB, l->objects) ||
	    nla_put_u32(msg, KLAB_SLAB_A_COLOUR_STEP, l->colour_step) ||
	    nla_put_u32(msg, KLAB_SLAB_A_COLOURS, l->colours) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_SLABS_FULL, st.slabs_full) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_SLABS_PARTIAL,
			     st.slabs_partial) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_SLABS_FREE, st.slabs_free) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_ACTIVE_OBJS, st.active_objs) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_TOTAL_OBJS, st.total_objs) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_CACHED_OBJS, st.cached_objs) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MAG_SIZE, st.magsize) ||
	    nla_put_u32(msg, KLAB_SLAB_A_DEPOT_LIMIT, st.depot_limit) ||
	    nla_put_u32(msg, KLAB_SLAB_A_DEPOT_FULL, st.depot_full) ||
	    nla_put_u32(msg, KLAB_SLAB_A_DEPOT_EMPTY, st.depot_empty) ||
	    nla_put_u32(msg, KLAB_SLAB_A_FREE_LIMIT, READ_ONCE(s->free_limit)) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_ALLOC_HIT, st.alloc_hit) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_ALLOC_MISS, st.alloc_miss) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_FREE_HIT, st.free_hit) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_FREE_MISS, st.free_miss) ||
	    nla_put_u8(msg, KLAB_SLAB_A_TEST, s->test) ||
	    (s->test && nla_put_u32(msg, KLAB_SLAB_A_HELD, s->nr_held)) ||
	    kslab_nl_fill_counters(msg, s) ||
	    (cpus && kslab_nl_fill_cpus(msg, s)))
		goto err_cancel;
	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static size_t kslab_nl_cache_size(void)
{
	return NLMSG_DEFAULT_SIZE + nr_cpu_ids * 96;
}

/* A reply carrying one cache */
static int kslab_nl_reply_cache(struct genl_info *info, u8 cmd,
				struct kslab_cache *s)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(kslab_nl_cache_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, cmd);
	if (!hdr || kslab_nl_fill_cache(msg, s, true)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* A reply of u64 attributes: pairs of attribute and value, then -1 */
static int kslab_nl_reply_u64s(struct genl_info *info, u8 cmd, ...)
{
	struct sk_buff *msg;
	va_list ap;
	void *hdr;
	int attr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, cmd);
	if (!hdr)
		goto err_free;
	va_start(ap, cmd);
	while ((attr = va_arg(ap, int)) >= 0) {
		if (kslab_nl_put_u64(msg, attr, va_arg(ap, u64))) {
			va_end(ap);
			goto err_free;
		}
	}
	va_end(ap);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int kslab_nl_dump_cache(struct sk_buff *msg, void *s)
{
	return kslab_nl_fill_cache(msg, s, false);
}

static int kslab_nl_list_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct kslab_cache *s;
	long idx = 0;
	int err = 0;

	mutex_lock(&kslab_mutex);
	list_for_each_entry(s, &kslab_caches, list) {
		err = klab_nl_dump_obj(skb, cb, &idx, 0, kslab_nl_dump_cache, s);
		if (err)
			break;
	}
	mutex_unlock(&kslab_mutex);
	return klab_nl_dump_done(skb, cb, idx, err);
}

static struct nlattr *kslab_nl_name(struct genl_info *info)
{
	struct nlattr *name = info->attrs[KLAB_SLAB_A_NAME];

	if (!name)
		GENL_SET_ERR_MSG(info, "cache name missing");
	return name;
}

static int kslab_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = kslab_nl_name(info);
	struct kslab_cache *s;
	int err;

	if (!name)
		return -EINVAL;
	mutex_lock(&kslab_mutex);
	s = kslab_cache_find(nla_data(name));
	if (s) {
		err = kslab_nl_reply_cache(info, KLAB_SLAB_CMD_GET, s);
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack, name, "no cache of that name");
		err = -ENOENT;
	}
	mutex_unlock(&kslab_mutex);
	return err;
}

static int kslab_nl_create_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *name = kslab_nl_name(info);
	struct kslab_test_req req = {};
	enum kslab_why why = KSLAB_WHY_NONE;
	struct kslab_cache *s;
	int err;

	if (!name)
		return -EINVAL;
	if (!tb[KLAB_SLAB_A_OBJECT_SIZE]) {
		GENL_SET_ERR_MSG(info, "object size missing");
		return -EINVAL;
	}
	if (kslab_cache_name_check(nla_data(name))) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "name must be 1-31 of [A-Za-z0-9_.:-]");
		return -EINVAL;
	}
	req.name = nla_data(name);
	req.size = nla_get_u32(tb[KLAB_SLAB_A_OBJECT_SIZE]);
	if (tb[KLAB_SLAB_A_ALIGN]) {
		req.align = nla_get_u32(tb[KLAB_SLAB_A_ALIGN]);
		if (req.align && !is_power_of_2(req.align)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLAB_SLAB_A_ALIGN],
					    "alignment must be a power of two");
			return -EINVAL;
		}
	}
	if (tb[KLAB_SLAB_A_FLAGS])
		req.flags = nla_get_u32(tb[KLAB_SLAB_A_FLAGS]);
	if (tb[KLAB_SLAB_A_MAG_SIZE]) {
		req.set_magsize = true;
		req.magsize = nla_get_u32(tb[KLAB_SLAB_A_MAG_SIZE]);
	}
	if (tb[KLAB_SLAB_A_DEPOT_LIMIT]) {
		req.set_limit = true;
		req.limit = nla_get_u32(tb[KLAB_SLAB_A_DEPOT_LIMIT]);
	}

	mutex_lock(&kslab_test_mutex);
	s = kslab_test_create(&req, &why);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		kslab_nl_why(info->extack, NULL, why);
	} else {
		err = kslab_nl_reply_cache(info, KLAB_SLAB_CMD_CREATE, s);
	}
	mutex_unlock(&kslab_test_mutex);
	return err;
}

/* The test cache @info names; kslab_test_mutex held */
static struct kslab_cache *kslab_nl_test_cache(struct genl_info *info)
{
	struct nlattr *name = kslab_nl_name(info);
	struct kslab_cache *s;

	if (!name)
		return ERR_PTR(-EINVAL);
	s = kslab_test_get(nla_data(name));
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "no test cache of that name");
		return ERR_PTR(-ENOENT);
	}
	return s;
}

static int kslab_nl_destroy_doit(struct sk_buff *skb, struct genl_info *info)
{
	unsigned long leaked;
	struct kslab_cache *s;

	mutex_lock(&kslab_test_mutex);
	s = kslab_nl_test_cache(info);
	if (IS_ERR(s)) {
		mutex_unlock(&kslab_test_mutex);
		return PTR_ERR(s);
	}
	if (s->busy) {
		mutex_unlock(&kslab_test_mutex);
		GENL_SET_ERR_MSG(info, "the workload runs on this cache");
		return -EBUSY;
	}
	leaked = kslab_test_destroy(s);
	mutex_unlock(&kslab_test_mutex);
	return kslab_nl_reply_u64s(info, KLAB_SLAB_CMD_DESTROY,
				   KLAB_SLAB_A_LEAKED, (u64)leaked, -1);
}

static int kslab_nl_shrink_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[KLAB_SLAB_A_NAME];
	struct kslab_cache *s, *only = NULL;
	unsigned long pages = 0;

	/* destroying needs kslab_test_mutex: no cache goes meanwhile */
	mutex_lock(&kslab_test_mutex);
	if (name) {
		mutex_lock(&kslab_mutex);
		only = kslab_cache_find(nla_data(name));
		mutex_unlock(&kslab_mutex);
		if (!only) {
			mutex_unlock(&kslab_test_mutex);
			NL_SET_ERR_MSG_ATTR(info->extack, name,
					    "no cache of that name");
			return -ENOENT;
		}
		pages = kslab_cache_shrink(only);
	} else {
		/* every cache: as the shrinker does, all CPUs at once */
		cpus_read_lock();
		mutex_lock(&kslab_mutex);
		list_for_each_entry(s, &kslab_caches, list) {
			kslab_drain_cpus(s);
			kslab_depot_purge(s);
			pages += kslab_slab_trim(s, 0);
		}
		mutex_unlock(&kslab_mutex);
		cpus_read_unlock();
	}
	mutex_unlock(&kslab_test_mutex);
	return kslab_nl_reply_u64s(info, KLAB_SLAB_CMD_SHRINK,
				   KLAB_SLAB_A_PAGES_FREED, (u64)pages, -1);
}

static int kslab_nl_validate_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = kslab_nl_name(info);
	unsigned long checked = 0, errors = 0;
	struct kslab_cache *s;
	int err;

	if (!name)
		return -EINVAL;
	mutex_lock(&kslab_test_mutex);
	mutex_lock(&kslab_mutex);
	s = kslab_cache_find(nla_data(name));
	mutex_unlock(&kslab_mutex);
	if (!s) {
		mutex_unlock(&kslab_test_mutex);
		NL_SET_ERR_MSG_ATTR(info->extack, name, "no cache of that name");
		return -ENOENT;
	}
	err = kslab_validate(s, &checked, &errors);
	mutex_unlock(&kslab_test_mutex);
	if (err)
		return err;
	return kslab_nl_reply_u64s(info, KLAB_SLAB_CMD_VALIDATE,
				   KLAB_SLAB_A_CHECKED, (u64)checked,
				   KLAB_SLAB_A_ERRORS, (u64)errors, -1);
}

static int kslab_nl_alloc_reply(struct genl_info *info, struct kslab_cache *s,
				const struct kslab_test_alloc *res)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + sizeof(res->offsets),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_SLAB_CMD_ALLOC);
	if (!hdr ||
	    nla_put_u32(msg, KLAB_SLAB_A_HELD, s->nr_held) ||
	    nla_put_u32(msg, KLAB_SLAB_A_NONZERO, res->nonzero) ||
	    nla_put_u32(msg, KLAB_SLAB_A_CTOR_BAD, res->ctor_bad) ||
	    nla_put(msg, KLAB_SLAB_A_OFFSETS,
		    res->nr_offsets * sizeof(res->offsets[0]), res->offsets)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int kslab_nl_alloc_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *count = info->attrs[KLAB_SLAB_A_COUNT];
	struct kslab_test_alloc *res;
	struct kslab_cache *s;
	gfp_t gfp;
	int err;

	if (!count) {
		GENL_SET_ERR_MSG(info, "count missing");
		return -EINVAL;
	}
	gfp = info->attrs[KLAB_SLAB_A_GFP_ATOMIC] ? GFP_ATOMIC : GFP_KERNEL;
	if (info->attrs[KLAB_SLAB_A_GFP_ZERO])
		gfp |= __GFP_ZERO;
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	mutex_lock(&kslab_test_mutex);
	s = kslab_nl_test_cache(info);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out_unlock;
	}
	err = kslab_test_alloc(s, nla_get_u32(count), gfp, res);
	if (err == -ENOSPC)
		NL_SET_ERR_MSG_ATTR(info->extack, count,
				    "more objects than the module parameter max_held");
	if (!err)
		err = kslab_nl_alloc_reply(info, s, res);
out_unlock:
	mutex_unlock(&kslab_test_mutex);
	kfree(res);
	return err;
}

static int kslab_nl_free_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *count = info->attrs[KLAB_SLAB_A_COUNT];
	struct kslab_cache *s;
	u64 held;

	if (!count) {
		GENL_SET_ERR_MSG(info, "count missing");
		return -EINVAL;
	}
	mutex_lock(&kslab_test_mutex);
	s = kslab_nl_test_cache(info);
	if (IS_ERR(s)) {
		mutex_unlock(&kslab_test_mutex);
		return PTR_ERR(s);
	}
	kslab_test_free(s, nla_get_u32(count));
	held = s->nr_held;
	mutex_unlock(&kslab_test_mutex);
	return kslab_nl_reply_u64s(info, KLAB_SLAB_CMD_FREE,
				   KLAB_SLAB_A_HELD, held, -1);
}

static int kslab_nl_bug_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *bug = info->attrs[KLAB_SLAB_A_BUG];
	enum kslab_why why = KSLAB_WHY_NONE;
	struct kslab_cache *s;
	int err;

	if (!bug) {
		GENL_SET_ERR_MSG(info, "bug missing");
		return -EINVAL;
	}
	mutex_lock(&kslab_test_mutex);
	s = kslab_nl_test_cache(info);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
	} else {
		err = kslab_test_bug(s, nla_get_u32(bug), &why);
		if (err)
			kslab_nl_why(info->extack, bug, why);
	}
	mutex_unlock(&kslab_test_mutex);
	return err;
}

static int kslab_nl_run_reply(struct genl_info *info, u8 cmd)
{
	struct kslab_run_status st;
	struct sk_buff *msg;
	void *hdr;

	kslab_run_status(&st);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, cmd);
	if (!hdr ||
	    nla_put_u8(msg, KLAB_SLAB_A_RUN_RUNNING, st.running) ||
	    nla_put_u32(msg, KLAB_SLAB_A_RUN_THREADS, st.threads) ||
	    nla_put_u32(msg, KLAB_SLAB_A_RUN_MS, st.ms) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_RUN_ELAPSED_NS, st.elapsed_ns) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_RUN_ALLOCS, st.allocs) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_RUN_FREES, st.frees) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_RUN_IRQ_OPS, st.irq_ops) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_RUN_REMOTE_FREES,
			     st.remote_frees) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_RUN_ENOMEM, st.enomem) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_ERRORS, st.errors) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_LEAKED, st.leaked)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int kslab_nl_run_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *name = tb[KLAB_SLAB_A_NAME];
	u32 threads = 2, ms = 1000, size = 256, flags = 0;
	struct kslab_cache *s = NULL;
	enum kslab_why why = KSLAB_WHY_NONE;
	int err;

	if (tb[KLAB_SLAB_A_RUN_THREADS])
		threads = nla_get_u32(tb[KLAB_SLAB_A_RUN_THREADS]);
	if (tb[KLAB_SLAB_A_RUN_MS])
		ms = nla_get_u32(tb[KLAB_SLAB_A_RUN_MS]);
	if (tb[KLAB_SLAB_A_OBJECT_SIZE])
		size = nla_get_u32(tb[KLAB_SLAB_A_OBJECT_SIZE]);
	if (tb[KLAB_SLAB_A_FLAGS])
		flags = nla_get_u32(tb[KLAB_SLAB_A_FLAGS]);

	mutex_lock(&kslab_test_mutex);
	if (name) {
		s = kslab_nl_test_cache(info);
		if (IS_ERR(s)) {
			mutex_unlock(&kslab_test_mutex);
			return PTR_ERR(s);
		}
	}
	err = kslab_run_start(s, size, flags, threads, ms, &why);
	mutex_unlock(&kslab_test_mutex);
	if (err) {
		kslab_nl_why(info->extack, NULL, why);
		return err;
	}
	return kslab_nl_run_reply(info, KLAB_SLAB_CMD_RUN);
}

static int kslab_nl_run_status_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	return kslab_nl_run_reply(info, KLAB_SLAB_CMD_RUN_STATUS);
}

static int kslab_nl_run_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	kslab_run_stop();
	return kslab_nl_run_reply(info, KLAB_SLAB_CMD_RUN_STOP);
}

static int kslab_nl_bench_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct kslab_bench_result res = {};
	u32 impl = 0, test = 0, size = 256, bulk = 1, loops = 100000;
	enum kslab_why why = KSLAB_WHY_NONE;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (tb[KLAB_SLAB_A_BENCH_IMPL])
		impl = nla_get_u32(tb[KLAB_SLAB_A_BENCH_IMPL]);
	if (tb[KLAB_SLAB_A_BENCH_TEST])
		test = nla_get_u32(tb[KLAB_SLAB_A_BENCH_TEST]);
	if (tb[KLAB_SLAB_A_OBJECT_SIZE])
		size = nla_get_u32(tb[KLAB_SLAB_A_OBJECT_SIZE]);
	if (tb[KLAB_SLAB_A_BENCH_BULK])
		bulk = nla_get_u32(tb[KLAB_SLAB_A_BENCH_BULK]);
	if (tb[KLAB_SLAB_A_BENCH_LOOPS])
		loops = nla_get_u32(tb[KLAB_SLAB_A_BENCH_LOOPS]);

	err = kslab_bench(impl, test, size, bulk, loops, &res, &why);
	if (err) {
		kslab_nl_why(info->extack, NULL, why);
		return err;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_SLAB_CMD_BENCH);
	if (!hdr ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_BENCH_NS, res.ns) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_BENCH_OPS, res.ops) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_BENCH_MAX_NS, res.max_ns) ||
	    nla_put_u32(msg, KLAB_SLAB_A_BENCH_CPUS, res.cpus) ||
	    (res.name[0] && nla_put_string(msg, KLAB_SLAB_A_NAME, res.name))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops kslab_nl_ops[] = {
	{
		.cmd = KLAB_SLAB_CMD_LIST,
		.dumpit = kslab_nl_list_dumpit,
	},
	{
		.cmd = KLAB_SLAB_CMD_GET,
		.doit = kslab_nl_get_doit,
		.policy = kslab_nl_name_policy,
		.maxattr = KLAB_SLAB_A_MAX,
	},
	{
		.cmd = KLAB_SLAB_CMD_CREATE,
		.doit = kslab_nl_create_doit,
		.policy = kslab_nl_create_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_DESTROY,
		.doit = kslab_nl_destroy_doit,
		.policy = kslab_nl_name_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_SHRINK,
		.doit = kslab_nl_shrink_doit,
		.policy = kslab_nl_name_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_VALIDATE,
		.doit = kslab_nl_validate_doit,
		.policy = kslab_nl_name_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_ALLOC,
		.doit = kslab_nl_alloc_doit,
		.policy = kslab_nl_alloc_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_FREE,
		.doit = kslab_nl_free_doit,
		.policy = kslab_nl_alloc_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_BUG,
		.doit = kslab_nl_bug_doit,
		.policy = kslab_nl_bug_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_RUN,
		.doit = kslab_nl_run_doit,
		.policy = kslab_nl_run_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_RUN_STATUS,
		.doit = kslab_nl_run_status_doit,
	},
	{
		.cmd = KLAB_SLAB_CMD_RUN_STOP,
		.doit = kslab_nl_run_stop_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_BENCH,
		.doit = kslab_nl_bench_doit,
		.policy = kslab_nl_bench_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_MM_ZONES,
		.doit = kslab_mm_zones_doit,
	},
	{
		.cmd = KLAB_SLAB_CMD_MM_BUDDY,
		.doit = kslab_mm_buddy_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SLAB_CMD_MM_WALK,
		.doit = kslab_mm_walk_doit,
		.policy = kslab_mm_walk_policy,
		.maxattr = KLAB_SLAB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static int kslab_nl_fill_info(struct sk_buff *msg)
{
	struct kslab_cache *s;
	u32 n = 0;

	mutex_lock(&kslab_mutex);
	list_for_each_entry(s, &kslab_caches, list)
		n++;
	mutex_unlock(&kslab_mutex);
	if (kslab_nl_put_u64(msg, KLAB_SLAB_A_TOTAL_PAGES,
			     atomic_long_read(&kslab_nr_pages)) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_LEAKED_PAGES,
			     atomic_long_read(&kslab_leaked_pages)) ||
	    nla_put_u32(msg, KLAB_SLAB_A_NR_CACHES, n) ||
	    nla_put_u8(msg, KLAB_SLAB_A_INIT_ON_ALLOC, want_init_on_alloc(0)) ||
	    nla_put_u8(msg, KLAB_SLAB_A_INIT_ON_FREE, want_init_on_free()) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_CTOR_CALLS,
			     atomic_long_read(&kslab_test_ctor_calls)) ||
	    kslab_nl_put_u64(msg, KLAB_SLAB_A_MAG_BYTES,
			     atomic_long_read(&kslab_nr_mag_bytes)))
		return -EMSGSIZE;
	return 0;
}

static const struct klab_nl_desc kslab_nl_desc = {
	.name = KLAB_SLAB_FAMILY_NAME,
	.version = KLAB_SLAB_FAMILY_VERSION,
	.maxattr = KLAB_SLAB_A_MAX,
	.ops = kslab_nl_ops,
	.n_ops = ARRAY_SIZE(kslab_nl_ops),
	.fill_info = kslab_nl_fill_info,
};

int kslab_nl_init(void)
{
	return klab_nl_register(&kslab_nl_desc);
}

void kslab_nl_exit(void)
{
	klab_nl_unregister();
}
