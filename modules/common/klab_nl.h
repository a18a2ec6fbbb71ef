/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing shared by the klab modules.
 *
 * Every klab module owns one generic netlink family.  The family object,
 * the commands common to all families (INFO and SET, see <klab/klab.h>)
 * and the module-wide debug level live in klab_nl.c; klab_nl.c is compiled into
 * each module separately (through the module's lib.c), so each module
 * gets its own copy of this state.
 */
#ifndef _KLAB_COMMON_NL_H
#define _KLAB_COMMON_NL_H

#include <net/genetlink.h>
#include <klab/klab.h>

/**
 * struct klab_nl_desc - a module's generic netlink family
 * @name: family name, from the module's uAPI header
 * @version: family version, from the module's uAPI header
 * @maxattr: highest attribute number of the family
 * @ops: the module's own operations, numbered from KLAB_CMD_MODULE_FIRST;
 *	the common ones (INFO, SET) are added by klab_nl_register()
 * @n_ops: number of entries in @ops
 * @fill_info: optional; adds module-specific attributes to INFO replies
 *	and to change events.  Returns 0 or -EMSGSIZE.
 */
struct klab_nl_desc {
	const char *name;
	u8 version;
	u32 maxattr;
	const struct genl_ops *ops;
	unsigned int n_ops;
	int (*fill_info)(struct sk_buff *msg);
};

int klab_nl_register(const struct klab_nl_desc *desc);
void klab_nl_unregister(void);
unsigned int klab_debug_level(void);
void *klab_nl_reply_put(struct sk_buff *msg, struct genl_info *info, u8 cmd);
int klab_nl_dump_obj(struct sk_buff *skb, struct netlink_callback *cb,
		     long *idx, int nest,
		     int (*fill)(struct sk_buff *msg, void *obj),
		     void *obj);
int klab_nl_dump_done(struct sk_buff *skb, struct netlink_callback *cb,
		      long idx, int err);

/* Log at @level when the module's debug level is at least @level */
#define klab_dbg(level, fmt, ...)					\
	do {								\
		if (klab_debug_level() >= (level))			\
			pr_info(fmt, ##__VA_ARGS__);			\
	} while (0)

#endif /* _KLAB_COMMON_NL_H */
