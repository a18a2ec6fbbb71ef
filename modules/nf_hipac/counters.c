// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: per-rule packet and byte counters, one pair per CPU so that
 * the packet path never shares a cache line, summed on read.
 */
#include <linux/slab.h>

#include "nf_hipac.h"

/**
 * nfh_counter_new - a counter starting at @packets and @bytes
 * @packets: initial packet count (iptables' -c)
 * @bytes: initial byte count
 *
 * Return: the counter, holding one reference, or NULL.
 */
struct nfh_counter *nfh_counter_new(u64 packets, u64 bytes)
{
	struct nfh_counter *cnt;

	cnt = kzalloc(sizeof(*cnt), GFP_KERNEL);
	if (!cnt)
		return NULL;
	cnt->pcpu = alloc_percpu(struct nfh_pcpu_cnt);
	if (!cnt->pcpu) {
		kfree(cnt);
		return NULL;
	}
	refcount_set(&cnt->ref, 1);
	/* The start values go to one CPU: only the sum is ever read */
	per_cpu_ptr(cnt->pcpu, raw_smp_processor_id())->packets = packets;
	per_cpu_ptr(cnt->pcpu, raw_smp_processor_id())->bytes = bytes;
	return cnt;
}

struct nfh_counter *nfh_counter_get(struct nfh_counter *cnt)
{
	refcount_inc(&cnt->ref);
	return cnt;
}

void nfh_counter_put(struct nfh_counter *cnt)
{
	if (!cnt || !refcount_dec_and_test(&cnt->ref))
		return;
	free_percpu(cnt->pcpu);
	kfree(cnt);
}

/* Packet path: this_cpu_add() is safe against preemption and interrupts */
void nfh_counter_add(struct nfh_counter *cnt, u32 len)
{
	this_cpu_add(cnt->pcpu->packets, 1);
	this_cpu_add(cnt->pcpu->bytes, len);
}

void nfh_counter_read(const struct nfh_counter *cnt, u64 *packets, u64 *bytes)
{
	const struct nfh_pcpu_cnt *c;
	int cpu;

	*packets = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(cnt->pcpu, cpu);
		*packets += READ_ONCE(c->packets);
		*bytes += READ_ONCE(c->bytes);
	}
}

/* Racy against packets counted meanwhile, as iptables' -Z is */
void nfh_counter_zero(struct nfh_counter *cnt)
{
	struct nfh_pcpu_cnt *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(cnt->pcpu, cpu);
		WRITE_ONCE(c->packets, 0);
		WRITE_ONCE(c->bytes, 0);
	}
}
