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

/**
 * nfh_counter_get - take another reference to @cnt
 * @cnt: the counter
 *
 * Return: @cnt.
 */
struct nfh_counter *nfh_counter_get(struct nfh_counter *cnt)
{
	refcount_inc(&cnt->ref);
	return cnt;
}

/**
 * nfh_counter_put - drop a reference, freeing @cnt with the last
 * @cnt: the counter, or NULL
 */
void nfh_counter_put(struct nfh_counter *cnt)
{
	if (!cnt || !refcount_dec_and_test(&cnt->ref))
		return;
	free_percpu(cnt->pcpu);
	kfree(cnt);
}

/**
 * nfh_counter_add - count one packet of @len bytes
 * @cnt: the counter
 * @len: the packet's length
 *
 * this_cpu_add() is safe against preemption and interrupts: the packet
 * path calls it from any context.
 */
void nfh_counter_add(struct nfh_counter *cnt, u32 len)
{
	nfh_pcpu_add(cnt->pcpu, 1, len);
}

/**
 * nfh_counter_add_n - count @packets packets of @bytes bytes in all
 * @cnt: the counter
 * @packets: packets to add
 * @bytes: bytes to add
 *
 * For counts made in batches (a table's extension runs of one packet),
 * in any context as nfh_counter_add().
 */
void nfh_counter_add_n(struct nfh_counter *cnt, u64 packets, u64 bytes)
{
	nfh_pcpu_add(cnt->pcpu, packets, bytes);
}

/**
 * nfh_counter_read - the sums over all CPUs
 * @cnt: the counter
 * @packets: set to the packets counted
 * @bytes: set to the bytes counted
 */
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

/**
 * nfh_counter_zero - set @cnt to zero
 * @cnt: the counter
 *
 * Racy against packets counted meanwhile, as iptables' -Z is.
 */
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
