// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: sockets' sessions (an open transaction and the text of the
 * last extack message), commits, and dropping both when a socket closes.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>

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

static u8 nfh_pf(u32 family_idx)
{
	return family_idx ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

/*
 * What a family's rule sets need of the kernel once @rs replaces the
 * rule set of table slot @slot: conntrack, and the NAT hooks for the nat
 * table.
 */
static void nfh_needs(const struct nfh_net *hn, u32 slot,
		      const struct nfh_ruleset *rs, bool *ct, bool *nat)
{
	u32 family = slot % 2, t, s;
	const struct nfh_ruleset *r;

	*ct = false;
	*nat = false;
	for (t = 0; t < NFH_N_TABLES; t++) {
		s = nfh_table_slot(t, family);
		r = s == slot ? rs : hn->tables[s].rs;
		if (!nfh_ruleset_needs_ct(r))
			continue;
		*ct = true;
		*nat |= t == NFH_NAT;
	}
}

/*
 * Take what the new rule set needs before it is published, so that its
 * first packet finds conntrack and the NAT hooks in place.
 */
static int nfh_acquire(struct nfh_net *hn, u32 family, bool ct, bool nat,
		       char *msg)
{
	struct net *net = read_pnet(&hn->net);
	bool got_ct = false;
	int err;

	if (ct && !hn->ct_held[family]) {
		err = nf_ct_netns_get(net, nfh_pf(family));
		if (err) {
			scnprintf(msg, NFH_MSG_LEN,
				  "cannot enable connection tracking (%d)",
				  err);
			return err;
		}
		hn->ct_held[family] = true;
		got_ct = true;
	}
	if (nat && !hn->nat_hooked[family]) {
		err = nfh_nat_hooks_register(net, family);
		if (err) {
			scnprintf(msg, NFH_MSG_LEN,
				  "cannot register with the kernel's NAT (%d)",
				  err);
			goto err_put_ct;
		}
		hn->nat_hooked[family] = true;
	}
	return 0;

err_put_ct:
	if (got_ct) {
		nf_ct_netns_put(net, nfh_pf(family));
		hn->ct_held[family] = false;
	}
	return err;
}

/* Drop what the published rule sets no longer need */
static void nfh_release(struct nfh_net *hn, u32 family, bool ct, bool nat)
{
	struct net *net = read_pnet(&hn->net);

	if (!nat && hn->nat_hooked[family]) {
		nfh_nat_hooks_unregister(net, family);
		hn->nat_hooked[family] = false;
	}
	if (!ct && hn->ct_held[family]) {
		nf_ct_netns_put(net, nfh_pf(family));
		hn->ct_held[family] = false;
	}
}

/**
 * nfh_ct_release - drop the conntrack references of a dying namespace
 * @hn: its state; its hooks, the NAT ones included, are unregistered
 */
void nfh_ct_release(struct nfh_net *hn)
{
	struct net *net = read_pnet(&hn->net);
	u32 f;

	for (f = 0; f < 2; f++) {
		if (hn->ct_held[f])
			nf_ct_netns_put(net, nfh_pf(f));
		hn->ct_held[f] = false;
		hn->nat_hooked[f] = false;
	}
}

/**
 * nfh_commit - make @rs the rule set of table slot @slot
 * @hn: the namespace; its lock is held
 * @slot: index of the table in @hn->tables (nfh_table_slot())
 * @rs: the new rule set; the table takes a reference of its own
 * @msg: NFH_MSG_LEN bytes for a message on failure
 *
 * Packets see the old rule set or the new one, never a mix.  The new
 * trees are updated from the old ones, sharing every subtree the changes
 * left alone; the old trees go after a grace period, and with them what
 * the new ones do not share.  The namespace holds a reference on
 * conntrack for a family while a rule of it needs one, and the nat
 * table is known to the kernel's NAT while it has rules.
 *
 * Return: 0 or the error of nfh_compile() or of taking conntrack and the
 * NAT hooks, with nothing changed.
 */
int nfh_commit(struct nfh_net *hn, u32 slot, struct nfh_ruleset *rs,
	       char *msg)
{
	struct nfh_table *table = &hn->tables[slot];
	struct nfh_compiled *comp, *old;
	u32 family = slot % 2;
	struct nfh_stats stats;
	bool ct, nat;
	int err;

	lockdep_assert_held(&hn->lock);
	old = rcu_dereference_protected(table->comp,
					lockdep_is_held(&hn->lock));
	err = nfh_compile(rs, table, old, &comp, &stats, msg);
	if (err)
		return err;
	nfh_needs(hn, slot, rs, &ct, &nat);
	err = nfh_acquire(hn, family, ct, nat, msg);
	if (err) {
		nfh_compiled_free(comp);
		return err;
	}
	rcu_assign_pointer(table->comp, comp);
	refcount_inc(&rs->ref);
	nfh_ruleset_put(table->rs);
	table->rs = rs;
	table->generation++;
	table->stats = stats;
	if (old)
		nfh_compiled_put_rcu(old);
	nfh_release(hn, family, ct, nat);
	klab_dbg(2, "table %u: generation %llu, %u rules, %u flat, %llu bytes, %llu new, %llu ns\n",
		 slot, table->generation, stats.rules, stats.flat_rules,
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
