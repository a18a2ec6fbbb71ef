// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: sockets' sessions (an open transaction and the text of the
 * last extack message), commits, and dropping both when a socket closes.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>

#include "nf_hipac.h"

/**
 * nfh_session_get - the session of socket @portid, made on first use
 * @hn: the socket's namespace; its lock is held
 * @portid: the socket
 *
 * Return: the session, or NULL without memory.
 */
struct nfh_session *nfh_session_get(struct nfh_net *hn, u32 portid)
{
	struct nfh_session *sess;

	lockdep_assert_held(&hn->lock);
	list_for_each_entry(sess, &hn->sessions, list)
		if (sess->portid == portid)
			return sess;
	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return NULL;
	sess->portid = portid;
	list_add(&sess->list, &hn->sessions);
	return sess;
}

static void nfh_session_free(struct nfh_session *sess)
{
	list_del(&sess->list);
	nfh_ruleset_put(sess->txn);
	kfree(sess);
}

/**
 * nfh_sessions_free - drop every session of a dying namespace
 * @hn: the namespace's state; no socket of it is left
 */
void nfh_sessions_free(struct nfh_net *hn)
{
	struct nfh_session *sess, *tmp;

	list_for_each_entry_safe(sess, tmp, &hn->sessions, list)
		nfh_session_free(sess);
}

/**
 * nfh_commit - make @rs the rule set of table @family
 * @hn: the namespace; its lock is held
 * @family: index of the table (0 IPv4, 1 IPv6)
 * @rs: the new rule set; the table takes a reference of its own
 * @msg: NFH_MSG_LEN bytes for a message on failure
 *
 * Packets see the old rule set or the new one, never a mix.  The new
 * trees are updated from the old ones, sharing every subtree the changes
 * left alone; the old trees go after a grace period, and with them what
 * the new ones do not share.
 *
 * Return: 0 or the error of nfh_compile(), with nothing changed.
 */
int nfh_commit(struct nfh_net *hn, u32 family, struct nfh_ruleset *rs,
	       char *msg)
{
	struct nfh_table *table = &hn->tables[family];
	struct nfh_compiled *comp, *old;
	struct nfh_stats stats;
	int err;

	lockdep_assert_held(&hn->lock);
	old = rcu_dereference_protected(table->comp,
					lockdep_is_held(&hn->lock));
	err = nfh_compile(rs, table, old, &comp, &stats, msg);
	if (err)
		return err;
	rcu_assign_pointer(table->comp, comp);
	refcount_inc(&rs->ref);
	nfh_ruleset_put(table->rs);
	table->rs = rs;
	table->generation++;
	table->stats = stats;
	if (old)
		nfh_compiled_put_rcu(old);
	klab_dbg(2, "family %u: generation %llu, %u rules, %u flat, %llu bytes, %llu new, %llu ns\n",
		 family, table->generation, stats.rules, stats.flat_rules,
		 stats.bytes, stats.new_bytes, stats.build_ns);
	return 0;
}

static int nfh_netlink_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct netlink_notify *n = ptr;
	struct nfh_session *sess;
	struct nfh_net *hn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	hn = nfh_net(n->net);
	mutex_lock(&hn->lock);
	list_for_each_entry(sess, &hn->sessions, list) {
		if (sess->portid == n->portid) {
			nfh_session_free(sess);
			break;
		}
	}
	mutex_unlock(&hn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block nfh_netlink_nb = {
	.notifier_call = nfh_netlink_event,
};

/**
 * nfh_txn_init - drop sessions when their sockets close
 *
 * Return: 0 or the error of netlink_register_notifier().
 */
int nfh_txn_init(void)
{
	return netlink_register_notifier(&nfh_netlink_nb);
}

/**
 * nfh_txn_exit - undo nfh_txn_init()
 */
void nfh_txn_exit(void)
{
	netlink_unregister_notifier(&nfh_netlink_nb);
}
