// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the HiPAC packet classifier on netfilter.  Module setup and
 * the per-namespace state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/netns/generic.h>

#include "nf_hipac.h"

unsigned long nfh_mem_limit = 256UL << 20;
module_param_named(mem_limit, nfh_mem_limit, ulong, 0644);
MODULE_PARM_DESC(mem_limit,
		 "Most bytes the trees of one rule set may take; a commit over it fails with ENOSPC (default: 256 MiB)");

/* Bound what an open transaction may hold before any commit checks it */
unsigned int nfh_max_rules = 1U << 20;
module_param_named(max_rules, nfh_max_rules, uint, 0644);
MODULE_PARM_DESC(max_rules,
		 "Most rules in all chains of one rule set; adding one more fails with ENOSPC (default: 1048576)");

unsigned int nfh_max_chains = 4096;
module_param_named(max_chains, nfh_max_chains, uint, 0644);
MODULE_PARM_DESC(max_chains,
		 "Most user-defined chains of one rule set; creating one more fails with ENOSPC (default: 4096)");

static unsigned int nfh_net_id __read_mostly;

/* Frees replaced trees once no hook can be using them */
static struct workqueue_struct *nfh_wq;

/**
 * nfh_net - the module's state in @net
 * @net: the network namespace
 *
 * Return: the state.
 */
struct nfh_net *nfh_net(const struct net *net)
{
	return net_generic(net, nfh_net_id);
}

static void nfh_compiled_free_work(struct work_struct *work)
{
	nfh_compiled_free(container_of(to_rcu_work(work), struct nfh_compiled,
				       rwork));
}

/**
 * nfh_compiled_put_rcu - free @comp after a grace period
 * @comp: a compiled rule set just unpublished
 *
 * Hooks may still classify with it until then; the work runs in process
 * context as freeing trees may take long.
 */
void nfh_compiled_put_rcu(struct nfh_compiled *comp)
{
	INIT_RCU_WORK(&comp->rwork, nfh_compiled_free_work);
	queue_rcu_work(nfh_wq, &comp->rwork);
}

static void nfh_table_free(struct nfh_table *table)
{
	u32 h;

	nfh_compiled_free(rcu_dereference_protected(table->comp, true));
	nfh_ruleset_put(table->rs);
	nfh_counter_put(table->xt_runs);
	nfh_counter_put(table->hotdrop_cnt);
	for (h = 0; h < NFH_MAX_HOOKS; h++)
		nfh_counter_put(table->policy_cnt[h]);
}

static int nfh_table_init(struct nfh_table *table, u8 family, u8 type)
{
	u32 h;

	table->rs = nfh_ruleset_new(family, type);
	if (!table->rs)
		goto err_free;
	for (h = 0; h < NFH_MAX_HOOKS; h++) {
		table->policy_cnt[h] = nfh_counter_new(0, 0);
		if (!table->policy_cnt[h])
			goto err_free;
	}
	table->hotdrop_cnt = nfh_counter_new(0, 0);
	if (!table->hotdrop_cnt)
		goto err_free;
	table->xt_runs = nfh_counter_new(0, 0);
	if (!table->xt_runs)
		goto err_free;
	return 0;

err_free:
	nfh_table_free(table);
	return -ENOMEM;
}

static void nfh_tables_free(struct nfh_net *hn, u32 n)
{
	while (n--)
		nfh_table_free(&hn->tables[n]);
}

static int __net_init nfh_net_init(struct net *net)
{
	static const u8 families[2] = { AF_INET, AF_INET6 };
	struct nfh_net *hn = nfh_net(net);
	u32 t;
	int err;

	write_pnet(&hn->net, net);
	mutex_init(&hn->lock);
	INIT_LIST_HEAD(&hn->sessions);
	for (t = 0; t < NFH_N_TABLE_SLOTS; t++) {
		err = nfh_table_init(&hn->tables[t], families[t % 2], t / 2);
		if (err)
			goto err_free_tables;
	}
	err = nfh_hooks_register(net);
	if (err)
		goto err_free_tables;
	return 0;

err_free_tables:
	nfh_tables_free(hn, t);
	return err;
}

static void __net_exit nfh_net_pre_exit(struct net *net)
{
	struct nfh_net *hn = nfh_net(net);
	u32 f;

	nfh_hooks_unregister(net);
	for (f = 0; f < 2; f++)
		if (hn->nat_hooked[f])
			nfh_nat_hooks_unregister(net, f);
}

/*
 * Kill the connections of @ct's family that are translated: with the
 * module gone nothing would translate them as its rules said, so they
 * start again, as new connections.  (The kernel's NAT keeps no owner of
 * a binding: translated connections made by iptables' nat table in the
 * same namespace and family go too.)
 */
static int nfh_ct_translated(struct nf_conn *ct, void *data)
{
	const bool *family_bound = data;

	return family_bound[nf_ct_l3num(ct) == NFPROTO_IPV6] &&
	       (ct->status & IPS_NAT_MASK);
}

/* After pre_exit and a grace period: no hook runs in @net any more */
static void __net_exit nfh_net_exit(struct net *net)
{
	struct nfh_net *hn = nfh_net(net);
	struct nf_ct_iter_data iter = {
		.net = net,
		.data = hn->nat_bound,
	};

	/* a namespace that lives on: the module is being unloaded */
	if (check_net(net) && (hn->nat_bound[0] || hn->nat_bound[1]))
		nf_ct_iterate_cleanup_net(nfh_ct_translated, &iter);
	nfh_ct_release(hn);
	nfh_sessions_free(hn);
	nfh_tables_free(hn, NFH_N_TABLE_SLOTS);
	/*
	 * Rules with xtables extensions destroy them with @net: those of
	 * rule sets replaced earlier go before the namespace does
	 */
	if (atomic_read(&hn->xt_rules)) {
		rcu_barrier();
		flush_workqueue(nfh_wq);
	}
	WARN_ON_ONCE(atomic_read(&hn->xt_rules));
}

static struct pernet_operations nfh_net_ops = {
	.init = nfh_net_init,
	.pre_exit = nfh_net_pre_exit,
	.exit = nfh_net_exit,
	.id = &nfh_net_id,
	.size = sizeof(struct nfh_net),
};

static int __init nfh_init(void)
{
	int err;

	nfh_wq = alloc_workqueue("nf_hipac", 0, 0);
	if (!nfh_wq)
		return -ENOMEM;
	/* MASQUERADE's bindings go when their device or address does */
	err = nf_nat_masquerade_inet_register_notifiers();
	if (err)
		goto err_destroy_wq;
	err = register_pernet_subsys(&nfh_net_ops);
	if (err)
		goto err_unregister_masq;
	err = nfh_txn_init();
	if (err)
		goto err_unregister_pernet;
	err = nfh_nl_init();
	if (err)
		goto err_txn_exit;
	return 0;

err_txn_exit:
	nfh_txn_exit();
err_unregister_pernet:
	unregister_pernet_subsys(&nfh_net_ops);
err_unregister_masq:
	nf_nat_masquerade_inet_unregister_notifiers();
err_destroy_wq:
	destroy_workqueue(nfh_wq);
	return err;
}

static void __exit nfh_exit(void)
{
	nfh_nl_exit();
	nfh_txn_exit();
	unregister_pernet_subsys(&nfh_net_ops);
	nf_nat_masquerade_inet_unregister_notifiers();
	/* Trees replaced by commits wait for a grace period, then the wq */
	rcu_barrier();
	destroy_workqueue(nfh_wq);
}

module_init(nfh_init);
module_exit(nfh_exit);

MODULE_DESCRIPTION("klab nf_hipac: the HiPAC packet classifier on netfilter");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(NF_HIPAC_FAMILY_NAME);
/* -j LOG logs through it, as iptables' LOG does */
MODULE_SOFTDEP("pre: nf_log_syslog");
