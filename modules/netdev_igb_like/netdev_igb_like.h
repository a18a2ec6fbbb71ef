/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netdev_igb_like: an igb-style virtual NIC with NAPI.
 *
 * Devices come in pairs joined by a "wire".  Each device has igb's shape:
 * queue pairs of a TX and an RX descriptor ring, one q_vector per pair
 * with its own NAPI instance and its own Linux IRQ (from the module's irq
 * domain), interrupt moderation by an hrtimer, RSS over the peer's RX
 * rings, BQL, and XDP in the RX path.  The wire plays the hardware: when
 * the driver writes a TX ring's tail register, the wire walks the new
 * descriptors, copies each frame into buffers posted on the peer's RX
 * ring (chosen by the Toeplitz hash and the peer's indirection table),
 * writes the RX descriptors back with the descriptor-done bit, completes
 * the TX descriptors and raises both q_vectors' interrupt causes.
 */
#ifndef _NETDEV_IGB_LIKE_H
#define _NETDEV_IGB_LIKE_H

#include <linux/bitops.h>
#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/hrtimer.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <net/page_pool.h>
#include <net/xdp.h>

#include <klab/igb.h>

#include "../common/klab_nl.h"
#include "../core/klab_toeplitz.h"

/* igb's constants, same names without the prefix */
#define KIGB_RX_BUFFER_WRITE	16	/* refill in batches of this many */
#define KIGB_TX_WORK_LIMIT	128	/* IGB_DEFAULT_TX_WORK */
#define KIGB_DESC_NEEDED	(MAX_SKB_FRAGS + 4)
#define KIGB_TX_WAKE_THRESHOLD	(KIGB_DESC_NEEDED * 2)
#define KIGB_RETA_SIZE		128	/* IGB_RETA_SIZE */
/* rx-poll-slow: netdev_budget_usecs's least, 2 jiffies at HZ=250 */
#define KIGB_RX_SLOW_JIFFIES	2

/* RX buffers: one page, XDP headroom, then data, then skb_shared_info */
#define KIGB_RX_HEADROOM	XDP_PACKET_HEADROOM
#define KIGB_RX_BUFSZ		(PAGE_SIZE - KIGB_RX_HEADROOM - \
				 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
/*
 * legacy-rx (igb's private flag): 2048-byte buffers (IGB_RXBUFFER_2048)
 * and igb_construct_skb(): the headers copied into a napi_alloc_skb() of
 * IGB_RX_HDR_LEN bytes, the rest attached as a page fragment
 */
#define KIGB_RX_BUFSZ_LEGACY	2048
/* pages a ring's page_pool keeps for reuse, in ring sizes */
#define KIGB_RX_POOL_RINGS	4
#define KIGB_RX_HDR_LEN		256

/* Interrupt throttling classes of igb_update_itr(), in interrupts/s */
enum kigb_latency {
	KIGB_LOWEST_LATENCY,	/* 70K */
	KIGB_LOW_LATENCY,	/* 20K */
	KIGB_BULK_LATENCY,	/* 4K */
};

/* ethtool -C rx-usecs: igb's reserved small values select adaptive modes */
#define KIGB_ITR_ADAPTIVE	3	/* igb's "dynamic conservative" */
#define KIGB_ITR_USECS_MAX	10000

/* TX descriptor: written by the driver, status written back by the wire */
struct kigb_tx_desc {
	const void *addr;	/* the buffer ("DMA address") */
	u32 len;
	u32 cmd;		/* KIGB_TXD_CMD_* */
	u16 csum_start;		/* from the frame's start, with CMD_CSUM */
	u16 csum_offset;	/* from csum_start */
	u32 status;		/* KIGB_TXD_STAT_DD on the EOP descriptor */
	/* with CMD_TSO (igb's context descriptor: MSS, L4LEN, MACLEN) */
	u16 mss;		/* TCP payload bytes per segment */
	u16 hdr_len;		/* Ethernet, IP and TCP headers */
	u16 l3_start;		/* the IP header's offset */
};

#define KIGB_TXD_CMD_EOP	BIT(0)	/* last descriptor of the frame */
#define KIGB_TXD_CMD_CSUM	BIT(1)	/* insert the L4 checksum */
#define KIGB_TXD_CMD_TSO	BIT(2)	/* cut into mss-sized TCP segments */
#define KIGB_TXD_STAT_DD	BIT(0)

/* RX descriptor: the buffer posted by the driver, status written back */
struct kigb_rx_desc {
	void *addr;		/* the buffer's start; data at KIGB_RX_HEADROOM */
	u32 status;		/* KIGB_RXD_STAT_* */
	u16 length;
	u16 hash_type;		/* enum pkt_hash_types */
	u32 rss_hash;
};

#define KIGB_RXD_STAT_DD	BIT(0)	/* descriptor done */
#define KIGB_RXD_STAT_EOP	BIT(1)	/* end of frame */
#define KIGB_RXD_STAT_L4CS	BIT(2)	/* L4 checksum known good */

enum kigb_tx_buf_type {
	KIGB_TYPE_SKB,
	KIGB_TYPE_XDP,
};

struct kigb_tx_buffer {
	struct kigb_tx_desc *next_to_watch;	/* EOP descriptor, set last */
	enum kigb_tx_buf_type type;
	union {
		struct sk_buff *skb;
		struct xdp_frame *xdpf;
	};
	unsigned int bytecount;
	u16 gso_segs;
};

struct kigb_rx_buffer {
	struct page *page;
};

struct kigb_queue_stats {
	u64 packets;
	u64 bytes;
};

struct kigb_tx_queue_stats {
	u64 restart_queue;	/* stop/wake cycles */
	u64 stops;
	u64 tx_busy;
	u64 dropped;		/* not padded, or never sent (ring cleaned) */
	u64 xdp_xmit;
	u64 xdp_xmit_err;
	u64 tso;		/* frames sent for the wire to segment */
};

struct kigb_rx_queue_stats {
	u64 drops;
	u64 alloc_failed;
	u64 csum_good;
	u64 xdp_pass;
	u64 xdp_drop;
	u64 xdp_tx;
	u64 xdp_tx_err;
	u64 xdp_redirect;
	u64 xdp_redirect_err;
	u64 xdp_aborted;
	u64 skb_alloc;		/* legacy-rx: skbs from napi_alloc_skb() */
	u64 headroom_min;	/* of the skbs built or allocated, 0 if none */
	u64 headroom_max;
};

/* What the wire counts on an RX ring (under the ring's wire_lock) */
struct kigb_wire_stats {
	u64 missed;		/* no buffer posted, flow control off */
	u64 length_errors;	/* longer than the receiver's maximum frame */
	u64 pauses;		/* a transmitter waited for buffers */
	u64 tso_segs;		/* TX: segments cut from TSO frames */
};

/**
 * struct kigb_ring - a TX or RX descriptor ring
 * @q_vector: the q_vector that cleans it
 * @netdev: its device
 * @desc: @count descriptors (struct kigb_tx_desc or struct kigb_rx_desc)
 * @tx_buffer_info: the driver's per-descriptor state (TX)
 * @rx_buffer_info: the driver's per-descriptor state (RX)
 * @count: descriptors
 * @queue_index: queue number
 * @next_to_use: next descriptor the driver fills (TX) or posts (RX)
 * @next_to_clean: next descriptor the driver cleans
 * @tail: the tail register: the driver's last write of @next_to_use
 * @head: the wire's position: next descriptor it reads (TX) or writes (RX)
 * @tso_seg: TX: the next segment of the TSO frame at @head (flow control
 *	may pause the wire between segments)
 * @wire_lock: serialises the wire on this ring
 * @starved: RX: a transmitter waits for buffers here (flow control)
 * @skb: RX: a frame being assembled across descriptors
 * @rx_discard: RX: dropping the rest of a frame whose first buffer failed
 * @rx_buf_len: RX: data bytes per buffer, fixed while the ring exists
 * @page_pool: RX buffers
 * @xdp_rxq: RX: XDP's view of the ring
 * @tail_writes: writes of @tail
 */
struct kigb_ring {
	struct kigb_q_vector *q_vector;
	struct net_device *netdev;
	void *desc;
	union {
		struct kigb_tx_buffer *tx_buffer_info;
		struct kigb_rx_buffer *rx_buffer_info;
	};
	u16 count;
	u8 queue_index;
	u16 next_to_use;
	u16 next_to_clean;
	u16 tail;

	/* the wire's side, under wire_lock */
	spinlock_t wire_lock ____cacheline_aligned_in_smp;
	u16 head;
	u16 tso_seg;
	bool starved;
	struct kigb_wire_stats wire_stats;

	struct sk_buff *skb ____cacheline_aligned_in_smp;
	bool rx_discard;
	u16 rx_buf_len;
	struct page_pool *page_pool;
	struct xdp_rxq_info xdp_rxq;

	struct u64_stats_sync syncp;
	struct kigb_queue_stats stats;
	union {
		struct kigb_tx_queue_stats tx_stats;
		struct kigb_rx_queue_stats rx_stats;
	};
	u64 tail_writes;
};

/* Per-q_vector traffic since the last interrupt, for adaptive ITR */
struct kigb_ring_container {
	struct kigb_ring *ring;
	unsigned int total_bytes;
	unsigned int total_packets;
	u16 work_limit;
	u8 itr;			/* enum kigb_latency */
};

/* q_vector state bits */
enum kigb_qv_bits {
	KIGB_QV_MASKED,		/* interrupt masked (EIMS clear) */
	KIGB_QV_CAUSE_RX,	/* RX descriptors written (EICR) */
	KIGB_QV_CAUSE_TX,	/* TX descriptors completed (EICR) */
	KIGB_QV_TIMER,		/* the ITR timer is armed */
};

struct kigb_qv_stats {
	u64 interrupts;
	u64 polls;
	u64 polls_full;
	u64 completes;
	u64 itr_changes;
	u64 slow_waits;
	u64 repolls;		/* NAPI rescheduled by the unmask's re-check */
	u64 hist[KLAB_IGB_POLL_HIST_LEN];
};

/**
 * struct kigb_q_vector - one interrupt vector and its NAPI instance
 * @adapter: the device
 * @rx: the RX ring and its traffic since the last interrupt
 * @tx: the TX ring and its traffic since the last interrupt
 * @napi: polls both rings (kigb_poll)
 * @v_idx: index
 * @hwirq: number in the module's irq domain
 * @irq: Linux IRQ number
 * @state: enum kigb_qv_bits
 * @itr_ns: current minimum interval between interrupts
 * @last_irq: when the interrupt last fired
 * @itr_timer: delays the interrupt until @last_irq + @itr_ns
 * @stats: written by the poll and the handler (syncp)
 * @name: the IRQ's name in /proc/interrupts
 * @tx_ring: the TX ring itself
 * @rx_ring: the RX ring itself
 */
struct kigb_q_vector {
	struct kigb_adapter *adapter;
	struct kigb_ring_container rx, tx;
	struct napi_struct napi;
	unsigned int v_idx;
	unsigned int hwirq;
	unsigned int irq;
	unsigned long state;
	u32 itr_ns;
	ktime_t last_irq;
	struct hrtimer itr_timer;
	struct u64_stats_sync syncp;
	struct kigb_qv_stats stats;
	char name[IFNAMSIZ + 16];
	struct kigb_ring tx_ring;
	struct kigb_ring rx_ring;
};

/**
 * struct kigb_adapter - one device of a pair (netdev_priv)
 * @netdev: its net_device
 * @peer: the other end of the wire; NULL once it is gone
 * @list: in kigb_devices, under RTNL
 * @num_queues: queue pairs in use (== q_vectors)
 * @q_vector: the q_vectors while the device is up
 * @tx_ring: the TX rings while the device is up
 * @rx_ring: the RX rings while the device is up
 * @up: rings and q_vectors exist; the peer's wire may use them
 * @tx_ring_count: descriptors per TX ring
 * @rx_ring_count: descriptors per RX ring
 * @rx_itr_setting: ethtool rx-usecs, or KIGB_ITR_ADAPTIVE
 * @tx_itr_setting: ethtool tx-usecs
 * @adaptive_rx: adaptive moderation (igb's dynamic mode)
 * @fc_rx_pause: honour the peer's pause (wait instead of being dropped)
 * @fc_tx_pause: pause the peer when out of RX buffers (802.3x)
 * @loopback: the self-test's loopback: the wire delivers to this device
 * @legacy_rx: ethtool's legacy-rx private flag (igb_construct_skb)
 * @tx_clean_irq: ethtool's tx-clean-irq private flag: the vector's
 *	interrupt handler cleans the TX ring (dev_consume_skb_irq)
 * @rx_poll_slow: ethtool's rx-poll-slow private flag: a NAPI poll that
 *	receives frames busy-waits until KIGB_RX_SLOW_JIFFIES after its start
 * @xdp_prog: the XDP program, or NULL
 * @reta: RSS indirection table
 * @rss_key: RSS hash key
 * @rss_table: the Toeplitz table of @rss_key
 * @bus_index: number of the pair on the bus, for ethtool -i bus-info
 * @stats_lock: guards @stats_base and the q_vectors against stats readers
 * @stats_base: counters of q_vectors freed by a reconfiguration
 */
struct kigb_adapter {
	struct net_device *netdev;
	struct kigb_adapter __rcu *peer;
	struct list_head list;
	unsigned int num_queues;
	struct kigb_q_vector *q_vector[KLAB_IGB_QUEUES_MAX];
	struct kigb_ring *tx_ring[KLAB_IGB_QUEUES_MAX];
	struct kigb_ring *rx_ring[KLAB_IGB_QUEUES_MAX];
	bool up;
	u32 tx_ring_count;
	u32 rx_ring_count;
	u32 rx_itr_setting;
	u32 tx_itr_setting;
	bool adaptive_rx;
	bool fc_rx_pause;
	bool fc_tx_pause;
	bool loopback;
	bool legacy_rx;
	bool tx_clean_irq;
	bool rx_poll_slow;
	struct bpf_prog __rcu *xdp_prog;
	u8 reta[KIGB_RETA_SIZE];
	u8 rss_key[KLAB_TOEPLITZ_KEY_LEN];
	struct klab_toeplitz_table *rss_table;
	unsigned int bus_index;
	/* guards stats_base and q_vector[] against stats readers */
	spinlock_t stats_lock;
	struct rtnl_link_stats64 stats_base;
};

/* The RX buffer size of rings set up now: igb_rx_bufsz() */
static inline unsigned int kigb_rx_bufsz(const struct kigb_adapter *adapter)
{
	return adapter->legacy_rx ? KIGB_RX_BUFSZ_LEGACY : KIGB_RX_BUFSZ;
}

/* A device's configuration at creation */
struct kigb_config {
	u32 queues;
	u32 rx_ring;
	u32 tx_ring;
};

extern struct list_head kigb_devices;

/* main.c */
unsigned int kigb_default_queues(void);

/* dev.c: pairs and the net_device */
extern const struct net_device_ops kigb_netdev_ops;
int kigb_pair_add(struct net *net, const char *name, const char *peer,
		  const struct kigb_config *cfg, struct netlink_ext_ack *extack);
int kigb_pair_del(struct net *net, const char *name,
		  struct netlink_ext_ack *extack);
void kigb_pair_del_all(void);
struct kigb_adapter *kigb_find(struct net *net, const char *name);
int kigb_check_config(const struct kigb_config *cfg,
		      struct netlink_ext_ack *extack);
int kigb_reinit(struct kigb_adapter *adapter, u32 queues, u32 rx_count,
		u32 tx_count);
void kigb_get_stats64(struct net_device *netdev,
		      struct rtnl_link_stats64 *stats);
void kigb_add_q_vector_stats(struct kigb_q_vector *q_vector,
			     struct rtnl_link_stats64 *stats);
int kigb_open(struct net_device *netdev);
int kigb_close(struct net_device *netdev);

/* ring.c: rings and q_vectors */
int kigb_alloc_q_vectors(struct kigb_adapter *adapter);
void kigb_free_q_vectors(struct kigb_adapter *adapter);
int kigb_setup_rings(struct kigb_adapter *adapter);
void kigb_free_rings(struct kigb_adapter *adapter);
bool kigb_alloc_rx_buffers(struct kigb_ring *rx_ring, u16 cleaned_count);
void kigb_clean_tx_ring(struct kigb_ring *tx_ring);
void kigb_clean_rx_ring(struct kigb_ring *rx_ring);

static inline u16 kigb_desc_unused(const struct kigb_ring *ring)
{
	if (ring->next_to_clean > ring->next_to_use)
		return ring->next_to_clean - ring->next_to_use - 1;
	return ring->count + ring->next_to_clean - ring->next_to_use - 1;
}

static inline struct netdev_queue *kigb_txq(const struct kigb_ring *ring)
{
	return netdev_get_tx_queue(ring->netdev, ring->queue_index);
}

/* txrx.c: the data path */
netdev_tx_t kigb_xmit_frame(struct sk_buff *skb, struct net_device *netdev);
netdev_features_t kigb_features_check(struct sk_buff *skb,
				      struct net_device *netdev,
				      netdev_features_t features);
netdev_tx_t kigb_xmit_frame_ring(struct sk_buff *skb,
				 struct kigb_ring *tx_ring);
int kigb_poll(struct napi_struct *napi, int budget);
/* kigb_clean_tx_irq()'s budget when called from the interrupt handler */
#define KIGB_TX_CLEAN_HARDIRQ	(-1)
bool kigb_clean_tx_irq(struct kigb_q_vector *q_vector, int napi_budget);
int kigb_clean_rx_irq(struct kigb_q_vector *q_vector, int budget);
void kigb_tx_write_tail(struct kigb_ring *tx_ring);

/* wire.c: the hardware */
void kigb_wire_tx(struct kigb_ring *tx_ring);
void kigb_wire_kick(struct kigb_adapter *adapter);
u32 kigb_rss_hash(const struct kigb_adapter *adapter, const u8 *frame,
		  unsigned int len, enum pkt_hash_types *type);

/* irq.c: the module's irq domain, causes, masks and ITR */
int kigb_irq_domain_init(void);
void kigb_irq_domain_exit(void);
int kigb_request_irqs(struct kigb_adapter *adapter);
void kigb_free_irqs(struct kigb_adapter *adapter);
void kigb_qv_signal(struct kigb_q_vector *q_vector, unsigned int cause);
void kigb_ring_irq_enable(struct kigb_q_vector *q_vector);
void kigb_write_itr_setting(struct kigb_adapter *adapter);
u32 kigb_itr_usecs(const struct kigb_q_vector *q_vector);
int kigb_irq_test(struct kigb_adapter *adapter);

/* xdp.c */
int kigb_xdp(struct net_device *netdev, struct netdev_bpf *bpf);
int kigb_xdp_xmit(struct net_device *netdev, int n, struct xdp_frame **frames,
		  u32 flags);
int kigb_xmit_xdp_ring(struct kigb_ring *tx_ring, struct xdp_frame *xdpf);
bool kigb_xdp_fits(const struct kigb_adapter *adapter, unsigned int mtu);

/* ethtool.c, selftest.c */
extern const struct ethtool_ops kigb_ethtool_ops;
void kigb_diag_test(struct net_device *netdev, struct ethtool_test *eth_test,
		    u64 *data);
#define KIGB_TEST_LEN	4
extern const char kigb_gstrings_test[KIGB_TEST_LEN][ETH_GSTRING_LEN];

/* sysfs.c: /sys/bus/klab_igb/{new_device,del_device} */
int kigb_bus_init(void);
void kigb_bus_exit(void);

/* netlink.c */
int kigb_nl_init(void);
void kigb_nl_exit(void);

#endif /* _NETDEV_IGB_LIKE_H */
