// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing shared by the klab modules: see klab_nl.h.
 */
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ktime.h>

#include "klab_nl.h"

enum klab_nl_mcgrp {
	KLAB_NL_MCGRP_EVENTS,
};

static const struct genl_multicast_group klab_nl_mcgrps[] = {
	[KLAB_NL_MCGRP_EVENTS] = { .name = KLAB_MCGRP_EVENTS },
};

static struct genl_family klab_nl_family = {
	.module = THIS_MODULE,
	.netnsok = true,
	.parallel_ops = true,
	.mcgrps = klab_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(klab_nl_mcgrps),
};

static const struct klab_nl_desc *klab_nl_desc;

/* Serialises SET requests so that change events go out in order. */
static DEFINE_MUTEX(klab_nl_lock);

/* Every klab module's "debug" parameter; SET changes it, sysfs shows it */
static unsigned int klab_nl_debug;
module_param_named(debug, klab_nl_debug, uint, 0444);
MODULE_PARM_DESC(debug, "Debug level, 0-7 (default: 0)");

static u64 klab_nl_changes;
static u64 klab_nl_loaded_ns;

static const struct nla_policy klab_nl_set_policy[KLAB_A_COMMON_MAX + 1] = {
	[KLAB_A_DEBUG_LEVEL] = { .type = NLA_U32 },
};

unsigned int klab_debug_level(void)
{
	return READ_ONCE(klab_nl_debug);
}

/**
 * klab_nl_reply_put - start a reply to a request of the module's family
 * @msg: the reply being built
 * @info: the request
 * @cmd: the reply's command
 *
 * Module operations build their replies with this: the family object
 * itself is private to klab_nl.c.
 *
 * Return: the start of the reply's payload, or NULL if @msg is too small.
 */
void *klab_nl_reply_put(struct sk_buff *msg, struct genl_info *info, u8 cmd)
{
	return genlmsg_put_reply(msg, info, &klab_nl_family, 0, cmd);
}

/**
 * klab_nl_dump_obj - add one object to a dump, one object a message
 * @skb: the part of the dump being filled
 * @cb: the dump; cb->args[0] counts the objects sent in earlier parts
 * @idx: the object's position among the objects dumped; advanced when
 *	the object is sent or was sent before
 * @nest: the attribute the object's attributes go in, 0 for none
 * @fill: adds the object's attributes: 0 or -EMSGSIZE
 * @obj: the object, passed to @fill
 *
 * A dump, not one reply: the number of objects is bounded only by a
 * module parameter, and one reply would be a contiguous allocation of
 * them all.  An object added or removed between two parts may be missed
 * or sent twice, as with any dump.  The message carries the dump's
 * command.
 *
 * Return: 0, or -EMSGSIZE when the part is full: stop and return
 * klab_nl_dump_done().
 */
int klab_nl_dump_obj(struct sk_buff *skb, struct netlink_callback *cb,
		     long *idx, int nest,
		     int (*fill)(struct sk_buff *msg, void *obj),
		     void *obj)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *start = NULL;
	void *hdr;

	if ((*idx)++ < cb->args[0])
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  info->family, NLM_F_MULTI, info->op.cmd);
	if (!hdr)
		goto err_uncount;
	if (nest) {
		start = nla_nest_start(skb, nest);
		if (!start)
			goto err_cancel;
	}
	if (fill(skb, obj))
		goto err_cancel;
	if (start)
		nla_nest_end(skb, start);
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
err_uncount:
	(*idx)--;
	return -EMSGSIZE;
}

/**
 * klab_nl_dump_done - end a part of a dump made with klab_nl_dump_obj()
 * @skb: the part
 * @cb: the dump
 * @idx: the position reached
 * @err: klab_nl_dump_obj()'s last result
 *
 * Return: the dumpit's result: the part's length (0 ends the dump), or
 * @err when not even one object fits in an empty part, which would
 * otherwise be retried for ever.
 */
int klab_nl_dump_done(struct sk_buff *skb, struct netlink_callback *cb,
		      long idx, int err)
{
	long start = cb->args[0];

	cb->args[0] = idx;
	if (err && idx == start)
		return err;
	return skb->len;
}

static int klab_nl_fill_info(struct sk_buff *msg, u32 portid, u32 seq, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &klab_nl_family, 0, cmd);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_string(msg, KLAB_A_VERSION, KLAB_VERSION) ||
	    nla_put_string(msg, KLAB_A_STATE, "ready") ||
	    nla_put_u32(msg, KLAB_A_DEBUG_LEVEL, klab_debug_level()) ||
	    nla_put_u64_64bit(msg, KLAB_A_UPTIME_NS,
			      ktime_get_boottime_ns() - klab_nl_loaded_ns,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_A_CHANGES, READ_ONCE(klab_nl_changes),
			      KLAB_A_PAD))
		goto err_cancel;

	if (klab_nl_desc->fill_info && klab_nl_desc->fill_info(msg))
		goto err_cancel;

	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int klab_nl_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = klab_nl_fill_info(msg, info->snd_portid, info->snd_seq,
				KLAB_CMD_INFO);
	if (err) {
		nlmsg_free(msg);
		return err;
	}

	return genlmsg_reply(msg, info);
}

/* Announce the new state to every namespace: the state is module-wide. */
static void klab_nl_notify(void)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;

	if (klab_nl_fill_info(msg, 0, 0, KLAB_CMD_SET)) {
		nlmsg_free(msg);
		return;
	}

	/* Failure only means nobody listens in some namespace */
	rcu_read_lock();
	genlmsg_multicast_allns(&klab_nl_family, msg, 0, KLAB_NL_MCGRP_EVENTS);
	rcu_read_unlock();
}

static int klab_nl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KLAB_A_DEBUG_LEVEL];
	u32 level;

	if (!attr) {
		GENL_SET_ERR_MSG(info, "nothing to set: debug-level missing");
		return -EINVAL;
	}

	level = nla_get_u32(attr);
	if (level > KLAB_DEBUG_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "debug-level out of range (0-7)");
		return -EINVAL;
	}

	mutex_lock(&klab_nl_lock);
	WRITE_ONCE(klab_nl_debug, level);
	WRITE_ONCE(klab_nl_changes, klab_nl_changes + 1);
	klab_nl_notify();
	mutex_unlock(&klab_nl_lock);

	klab_dbg(1, "debug level set to %u\n", level);
	return 0;
}

/* INFO takes no attributes: without a policy, genetlink rejects any. */
static const struct genl_ops klab_nl_common_ops[] = {
	{
		.cmd = KLAB_CMD_INFO,
		.doit = klab_nl_info_doit,
	},
	{
		.cmd = KLAB_CMD_SET,
		.doit = klab_nl_set_doit,
		.policy = klab_nl_set_policy,
		.maxattr = KLAB_A_COMMON_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

/* The family's table: the common operations, then the module's own. */
static struct genl_ops *klab_nl_ops;

/**
 * klab_nl_register - register the module's generic netlink family
 * @desc: the family; must stay valid until klab_nl_unregister()
 *
 * The initial debug level is the module's ``debug`` parameter.
 *
 * Return: 0, -EINVAL for an out-of-range ``debug`` or a bad @desc, or the
 * error of genl_register_family().
 */
int klab_nl_register(const struct klab_nl_desc *desc)
{
	unsigned int n_common;
	int err;

	if (klab_nl_debug > KLAB_DEBUG_MAX) {
		pr_err("debug=%u is out of range (0-%u)\n", klab_nl_debug,
		       KLAB_DEBUG_MAX);
		return -EINVAL;
	}
	if (strscpy(klab_nl_family.name, desc->name, GENL_NAMSIZ) < 0)
		return -EINVAL;

	n_common = ARRAY_SIZE(klab_nl_common_ops);
	klab_nl_ops = kcalloc(n_common + desc->n_ops, sizeof(*klab_nl_ops),
			      GFP_KERNEL);
	if (!klab_nl_ops)
		return -ENOMEM;
	memcpy(klab_nl_ops, klab_nl_common_ops, sizeof(klab_nl_common_ops));
	if (desc->n_ops)
		memcpy(klab_nl_ops + n_common, desc->ops,
		       desc->n_ops * sizeof(*desc->ops));

	klab_nl_family.version = desc->version;
	klab_nl_family.maxattr = desc->maxattr;
	klab_nl_family.ops = klab_nl_ops;
	klab_nl_family.n_ops = n_common + desc->n_ops;
	klab_nl_desc = desc;
	klab_nl_loaded_ns = ktime_get_boottime_ns();

	err = genl_register_family(&klab_nl_family);
	if (err)
		goto err_free_ops;
	return 0;

err_free_ops:
	kfree(klab_nl_ops);
	klab_nl_ops = NULL;
	return err;
}

/**
 * klab_nl_unregister - unregister the module's generic netlink family
 *
 * Returns once no operation of the family is running any more.
 */
void klab_nl_unregister(void)
{
	genl_unregister_family(&klab_nl_family);
	kfree(klab_nl_ops);
	klab_nl_ops = NULL;
}
