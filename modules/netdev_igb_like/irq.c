// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: interrupts.  The module owns a linear irq domain; each
 * q_vector maps one hardware irq of it to a Linux IRQ (dummy chip, simple
 * flow handler) and requests it under igb's name, "<dev>-TxRx-<n>", so
 * it shows in /proc/interrupts like an MSI-X vector.
 *
 * The vector's hardware is modelled by bits in q_vector->state: a cause
 * (EICR) set by the wire, a mask (EIMS) that firing sets (igb's
 * auto-mask) and kigb_ring_irq_enable() clears after the poll, and the
 * interrupt throttle (EITR): after an interrupt the next one waits at
 * least itr_ns, the wait done by an hrtimer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>

#include "netdev_igb_like.h"

/* Vectors of all devices together: 8 queues x 128 devices */
#define KIGB_NR_HWIRQ	1024

static struct fwnode_handle *kigb_fwnode;
static struct irq_domain *kigb_domain;
static DEFINE_IDA(kigb_hwirq_ida);

/* igb's ITR classes, in ns between interrupts */
static const u32 kigb_latency_ns[] = {
	[KIGB_LOWEST_LATENCY] = NSEC_PER_SEC / 70000,
	[KIGB_LOW_LATENCY] = NSEC_PER_SEC / 20000,
	[KIGB_BULK_LATENCY] = NSEC_PER_SEC / 4000,
};

static void kigb_qv_count_irq(struct kigb_q_vector *q_vector)
{
	u64_stats_update_begin(&q_vector->syncp);
	q_vector->stats.interrupts++;
	u64_stats_update_end(&q_vector->syncp);
}

/*
 * igb_msix_ring: the vector's handler.  Read-to-clear the causes, poll.
 * With the tx-clean-irq private flag the handler first cleans the TX ring
 * itself, as drivers without NAPI TX cleaning do: the vector is masked
 * and its NAPI not scheduled, so no poll cleans it meanwhile.
 */
static irqreturn_t kigb_msix_ring(int irq, void *data)
{
	struct kigb_q_vector *q_vector = data;

	clear_bit(KIGB_QV_CAUSE_RX, &q_vector->state);
	if (test_and_clear_bit(KIGB_QV_CAUSE_TX, &q_vector->state) &&
	    READ_ONCE(q_vector->adapter->tx_clean_irq))
		kigb_clean_tx_irq(q_vector, KIGB_TX_CLEAN_HARDIRQ);
	kigb_qv_count_irq(q_vector);
	napi_schedule(&q_vector->napi);
	return IRQ_HANDLED;
}

/* Raise the vector's IRQ through the domain, with interrupts off */
static void kigb_qv_fire(struct kigb_q_vector *q_vector)
{
	q_vector->last_irq = ktime_get();
	generic_handle_domain_irq_safe(kigb_domain, q_vector->hwirq);
}

/* The shortest throttle interval among the pending causes */
static u32 kigb_qv_interval(struct kigb_q_vector *q_vector)
{
	struct kigb_adapter *adapter = q_vector->adapter;
	u32 ns = q_vector->itr_ns;

	/* a TX completion alone waits tx-usecs, if that is set apart */
	if (!test_bit(KIGB_QV_CAUSE_RX, &q_vector->state) &&
	    READ_ONCE(adapter->tx_itr_setting))
		ns = READ_ONCE(adapter->tx_itr_setting) * NSEC_PER_USEC;
	return ns;
}

/*
 * A cause is pending and the vector unmasked: fire now if the throttle
 * interval has passed since the last interrupt, else arm the timer for
 * the rest of it.  Whoever sets the mask bit first fires.
 */
static void kigb_qv_try_fire(struct kigb_q_vector *q_vector)
{
	u32 interval = kigb_qv_interval(q_vector);
	ktime_t due;

	if (interval) {
		due = ktime_add_ns(q_vector->last_irq, interval);
		if (ktime_before(ktime_get(), due)) {
			if (!test_and_set_bit(KIGB_QV_TIMER, &q_vector->state))
				hrtimer_start(&q_vector->itr_timer, due,
					      HRTIMER_MODE_ABS);
			return;
		}
	}
	if (!test_and_set_bit(KIGB_QV_MASKED, &q_vector->state))
		kigb_qv_fire(q_vector);
}

static enum hrtimer_restart kigb_itr_timer(struct hrtimer *timer)
{
	struct kigb_q_vector *q_vector =
		container_of(timer, struct kigb_q_vector, itr_timer);

	clear_bit(KIGB_QV_TIMER, &q_vector->state);
	/* pairs with kigb_qv_signal(): a cause set now is seen below */
	smp_mb__after_atomic();
	if ((test_bit(KIGB_QV_CAUSE_RX, &q_vector->state) ||
	     test_bit(KIGB_QV_CAUSE_TX, &q_vector->state)) &&
	    !test_and_set_bit(KIGB_QV_MASKED, &q_vector->state))
		kigb_qv_fire(q_vector);
	return HRTIMER_NORESTART;
}

/**
 * kigb_qv_signal - the wire sets an interrupt cause of a vector
 * @q_vector: the vector
 * @cause: KIGB_QV_CAUSE_RX or KIGB_QV_CAUSE_TX
 *
 * Context: any, with BHs off.
 */
void kigb_qv_signal(struct kigb_q_vector *q_vector, unsigned int cause)
{
	/*
	 * Pairs with kigb_ring_irq_enable(): either its re-check sees the
	 * descriptors written before this, or this sees the vector unmasked.
	 * A masked vector's NAPI is scheduled or polling: that poll or its
	 * re-check takes the descriptors, so nothing is noted or raised.
	 */
	smp_mb();
	if (test_bit(KIGB_QV_MASKED, &q_vector->state))
		return;
	if (!test_bit(cause, &q_vector->state))
		set_bit(cause, &q_vector->state);
	kigb_qv_try_fire(q_vector);
}

/* igb_update_itr: the latency class for the traffic of one ring */
static void kigb_update_itr(struct kigb_ring_container *rc)
{
	unsigned int packets = rc->total_packets, bytes = rc->total_bytes;
	u8 itrval = rc->itr;

	if (!packets)
		return;

	switch (itrval) {
	case KIGB_LOWEST_LATENCY:
		if (bytes / packets > 8000)
			itrval = KIGB_BULK_LATENCY;
		else if (packets < 5 && bytes > 512)
			itrval = KIGB_LOW_LATENCY;
		break;
	case KIGB_LOW_LATENCY:
		if (bytes > 10000) {
			if (bytes / packets > 8000)
				itrval = KIGB_BULK_LATENCY;
			else if (packets < 10 || bytes / packets > 1200)
				itrval = KIGB_BULK_LATENCY;
			else if (packets > 35)
				itrval = KIGB_LOWEST_LATENCY;
		} else if (bytes / packets > 2000) {
			itrval = KIGB_BULK_LATENCY;
		} else if (packets <= 2 && bytes < 512) {
			itrval = KIGB_LOWEST_LATENCY;
		}
		break;
	case KIGB_BULK_LATENCY:
		if (bytes > 25000) {
			if (packets > 35)
				itrval = KIGB_LOW_LATENCY;
		} else if (bytes < 1500) {
			itrval = KIGB_LOW_LATENCY;
		}
		break;
	}

	rc->total_bytes = 0;
	rc->total_packets = 0;
	rc->itr = itrval;
}

/* igb_set_itr: the vector's interval from its rings' classes */
static void kigb_set_itr(struct kigb_q_vector *q_vector)
{
	u8 current_itr;
	u32 new_ns;

	kigb_update_itr(&q_vector->tx);
	kigb_update_itr(&q_vector->rx);
	current_itr = max(q_vector->rx.itr, q_vector->tx.itr);

	/* conservative mode eliminates the lowest_latency setting */
	if (current_itr == KIGB_LOWEST_LATENCY)
		current_itr = KIGB_LOW_LATENCY;

	new_ns = kigb_latency_ns[current_itr];
	if (new_ns != q_vector->itr_ns) {
		WRITE_ONCE(q_vector->itr_ns, new_ns);
		u64_stats_update_begin(&q_vector->syncp);
		q_vector->stats.itr_changes++;
		u64_stats_update_end(&q_vector->syncp);
	}
}

/*
 * Work the wire left for the vector: a written RX descriptor at the
 * receive cleaner's position, or a completed frame at the TX cleaner's
 */
static bool kigb_qv_work_pending(const struct kigb_q_vector *q_vector)
{
	const struct kigb_ring *rx_ring = q_vector->rx.ring;
	const struct kigb_ring *tx_ring = q_vector->tx.ring;
	const struct kigb_rx_desc *rxd = rx_ring->desc;
	const struct kigb_tx_desc *eop;

	if (READ_ONCE(rxd[rx_ring->next_to_clean].status) & KIGB_RXD_STAT_DD)
		return true;
	eop = READ_ONCE(tx_ring->tx_buffer_info[tx_ring->next_to_clean].next_to_watch);
	return eop && (READ_ONCE(eop->status) & KIGB_TXD_STAT_DD);
}

/**
 * kigb_ring_irq_enable - unmask the vector after a completed poll
 * @q_vector: the vector, its NAPI completed (or not yet enabled)
 *
 * igb_ring_irq_enable: in adaptive mode pick the next interval first.
 * The wire raises nothing while the vector is masked; descriptors it
 * wrote since the poll last looked are found by the re-check after the
 * unmask, which schedules the NAPI again at once, as a driver re-checks
 * its ring after napi_complete_done(), instead of an interrupt that the
 * throttle would hold back.
 *
 * Context: BHs off.
 */
void kigb_ring_irq_enable(struct kigb_q_vector *q_vector)
{
	if (READ_ONCE(q_vector->adapter->adaptive_rx))
		kigb_set_itr(q_vector);

	/* a cause noted while a racing interrupt masked the vector is stale */
	clear_bit(KIGB_QV_CAUSE_RX, &q_vector->state);
	clear_bit(KIGB_QV_CAUSE_TX, &q_vector->state);
	clear_bit(KIGB_QV_MASKED, &q_vector->state);
	/* pairs with kigb_qv_signal(): one of us sees the other's writes */
	smp_mb__after_atomic();
	if (kigb_qv_work_pending(q_vector) &&
	    !test_and_set_bit(KIGB_QV_MASKED, &q_vector->state)) {
		u64_stats_update_begin(&q_vector->syncp);
		q_vector->stats.repolls++;
		u64_stats_update_end(&q_vector->syncp);
		napi_schedule(&q_vector->napi);
	}
}

/**
 * kigb_write_itr_setting - apply ethtool's coalescing to every vector
 * @adapter: the device
 *
 * Adaptive mode starts from igb's 20K class; a fixed rx-usecs sets the
 * interval itself, 0 meaning an interrupt per event.
 */
void kigb_write_itr_setting(struct kigb_adapter *adapter)
{
	unsigned int i;
	u32 ns;

	ns = adapter->adaptive_rx ? kigb_latency_ns[KIGB_LOW_LATENCY] :
				    adapter->rx_itr_setting * NSEC_PER_USEC;
	for (i = 0; i < adapter->num_queues; i++) {
		struct kigb_q_vector *q_vector = adapter->q_vector[i];

		if (!q_vector)
			continue;
		q_vector->rx.itr = KIGB_LOW_LATENCY;
		q_vector->tx.itr = KIGB_LOW_LATENCY;
		if (q_vector->itr_ns != ns) {
			WRITE_ONCE(q_vector->itr_ns, ns);
			u64_stats_update_begin(&q_vector->syncp);
			q_vector->stats.itr_changes++;
			u64_stats_update_end(&q_vector->syncp);
		}
	}
}

/**
 * kigb_itr_usecs - a vector's current interval, for reports
 * @q_vector: the vector
 *
 * Return: microseconds between interrupts at most.
 */
u32 kigb_itr_usecs(const struct kigb_q_vector *q_vector)
{
	return READ_ONCE(q_vector->itr_ns) / NSEC_PER_USEC;
}

static int kigb_map_vector(struct kigb_q_vector *q_vector)
{
	int hwirq;

	hwirq = ida_alloc_max(&kigb_hwirq_ida, KIGB_NR_HWIRQ - 1, GFP_KERNEL);
	if (hwirq < 0)
		return hwirq;

	q_vector->irq = irq_create_mapping(kigb_domain, hwirq);
	if (!q_vector->irq) {
		ida_free(&kigb_hwirq_ida, hwirq);
		return -ENOSPC;
	}
	q_vector->hwirq = hwirq;
	irq_set_chip_and_handler_name(q_vector->irq, &dummy_irq_chip,
				      handle_simple_irq, "simple");
	irq_modify_status(q_vector->irq, IRQ_NOREQUEST, IRQ_NOPROBE);
	return 0;
}

static void kigb_unmap_vector(struct kigb_q_vector *q_vector)
{
	irq_dispose_mapping(q_vector->irq);
	ida_free(&kigb_hwirq_ida, q_vector->hwirq);
	q_vector->irq = 0;
}

static void kigb_free_vector_irq(struct kigb_q_vector *q_vector)
{
	hrtimer_cancel(&q_vector->itr_timer);
	free_irq(q_vector->irq, q_vector);
	kigb_unmap_vector(q_vector);
}

/**
 * kigb_request_irqs - map and request one IRQ per q_vector
 * @adapter: the device, its q_vectors allocated
 *
 * The vectors start masked; kigb_up() unmasks them.
 *
 * Return: 0 or a negative errno (nothing left requested).
 */
int kigb_request_irqs(struct kigb_adapter *adapter)
{
	unsigned int i;
	int err;

	for (i = 0; i < adapter->num_queues; i++) {
		struct kigb_q_vector *q_vector = adapter->q_vector[i];

		err = kigb_map_vector(q_vector);
		if (err)
			goto err_free;
		snprintf(q_vector->name, sizeof(q_vector->name), "%s-TxRx-%u",
			 adapter->netdev->name, i);
		set_bit(KIGB_QV_MASKED, &q_vector->state);
		hrtimer_init(&q_vector->itr_timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS);
		q_vector->itr_timer.function = kigb_itr_timer;
		err = request_irq(q_vector->irq, kigb_msix_ring, 0,
				  q_vector->name, q_vector);
		if (err) {
			kigb_unmap_vector(q_vector);
			goto err_free;
		}
	}
	return 0;

err_free:
	while (i--)
		kigb_free_vector_irq(adapter->q_vector[i]);
	return err;
}

/**
 * kigb_free_irqs - free the q_vectors' IRQs
 * @adapter: the device
 *
 * Cancels the throttle timers first, so no interrupt fires after this.
 */
void kigb_free_irqs(struct kigb_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < adapter->num_queues; i++)
		kigb_free_vector_irq(adapter->q_vector[i]);
}

/* The self-test's handler: counts, and does not poll */
static irqreturn_t kigb_test_intr(int irq, void *data)
{
	atomic_t *count = data;

	atomic_inc(count);
	return IRQ_HANDLED;
}

/**
 * kigb_irq_test - igb_intr_test: does each vector's IRQ reach a handler?
 * @adapter: the device, down, q_vectors allocated
 *
 * Maps each vector, requests it with a counting handler, checks that a
 * masked vector does not fire and an unmasked one fires exactly once.
 *
 * Return: 0 when every vector passed, else the failing step (1-4).
 */
int kigb_irq_test(struct kigb_adapter *adapter)
{
	unsigned int i;
	atomic_t count;
	int ret = 0;

	for (i = 0; i < adapter->num_queues && !ret; i++) {
		struct kigb_q_vector *q_vector = adapter->q_vector[i];

		atomic_set(&count, 0);
		if (kigb_map_vector(q_vector))
			return 1;
		if (request_irq(q_vector->irq, kigb_test_intr, 0,
				"klab_igb-test", &count)) {
			kigb_unmap_vector(q_vector);
			return 2;
		}

		q_vector->state = BIT(KIGB_QV_MASKED);
		q_vector->itr_ns = 0;
		local_bh_disable();
		set_bit(KIGB_QV_CAUSE_RX, &q_vector->state);
		if (!test_bit(KIGB_QV_MASKED, &q_vector->state))
			kigb_qv_try_fire(q_vector);
		local_bh_enable();
		if (atomic_read(&count))
			ret = 3;	/* fired while masked */

		local_bh_disable();
		clear_bit(KIGB_QV_MASKED, &q_vector->state);
		if (test_bit(KIGB_QV_CAUSE_RX, &q_vector->state))
			kigb_qv_try_fire(q_vector);
		local_bh_enable();
		if (!ret && atomic_read(&count) != 1)
			ret = 4;	/* unmasked cause did not fire once */

		free_irq(q_vector->irq, &count);
		kigb_unmap_vector(q_vector);
		q_vector->state = 0;
	}
	return ret;
}

/**
 * kigb_irq_domain_init - create the module's irq domain
 *
 * Return: 0 or -ENOMEM.
 */
int kigb_irq_domain_init(void)
{
	kigb_fwnode = irq_domain_alloc_named_fwnode(KLAB_IGB_DRV_NAME);
	if (!kigb_fwnode)
		return -ENOMEM;

	kigb_domain = irq_domain_create_linear(kigb_fwnode, KIGB_NR_HWIRQ,
					       &irq_domain_simple_ops, NULL);
	if (!kigb_domain) {
		irq_domain_free_fwnode(kigb_fwnode);
		return -ENOMEM;
	}
	return 0;
}

void kigb_irq_domain_exit(void)
{
	irq_domain_remove(kigb_domain);
	irq_domain_free_fwnode(kigb_fwnode);
	ida_destroy(&kigb_hwirq_ida);
}
