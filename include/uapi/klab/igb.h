/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * netdev_igb_like: an igb-style virtual NIC with NAPI (generic netlink
 * family klab_igb).
 *
 * Devices come in connected pairs: what one transmits, the "wire" places in
 * the other's receive ring.  KLAB_IGB_CMD_ADD creates a pair, DEL removes
 * one (with its peer), SHOW describes devices with their rings and
 * q_vectors.  Devices are created in the requester's network namespace
 * and named there.
 */
#ifndef _UAPI_KLAB_IGB_H
#define _UAPI_KLAB_IGB_H

#include <klab/klab.h>

#define KLAB_IGB_FAMILY_NAME	"klab_igb"
#define KLAB_IGB_FAMILY_VERSION	1

/* Driver name, as ethtool -i reports it */
#define KLAB_IGB_DRV_NAME	"klab_igb"

/* Queue pairs (channels) per device */
#define KLAB_IGB_QUEUES_MIN	1
#define KLAB_IGB_QUEUES_MAX	8

/* Descriptors per ring, as igb: a multiple of 8 */
#define KLAB_IGB_RING_MIN	64
#define KLAB_IGB_RING_MAX	4096
#define KLAB_IGB_RING_DEFAULT	256

/* MTU bounds (ETH_MIN_MTU .. igb's jumbo limit rounded) */
#define KLAB_IGB_MTU_MIN	68
#define KLAB_IGB_MTU_MAX	9000

/* Entries of a NAPI poll's work histogram: 0..64 packets, then "more" */
#define KLAB_IGB_POLL_HIST_LEN	66

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_igb_cmd {
	/*
	 * Create a pair (needs CAP_NET_ADMIN): NAME and PEER_NAME required,
	 * QUEUES, RX_RING and TX_RING optional.  Replies as SHOW does for
	 * both devices.
	 */
	KLAB_IGB_CMD_ADD = KLAB_CMD_MODULE_FIRST,
	/* Remove a device and its peer (needs CAP_NET_ADMIN): NAME */
	KLAB_IGB_CMD_DEL,
	/*
	 * Describe the device NAME; as a dump (NLM_F_DUMP, no attribute),
	 * every device of the namespace, one a message
	 */
	KLAB_IGB_CMD_SHOW,

	__KLAB_IGB_CMD_END,
};

/* Kinds of ring, KLAB_IGB_A_RING_KIND */
enum klab_igb_ring_kind {
	KLAB_IGB_RING_TX,
	KLAB_IGB_RING_RX,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_igb_attr {
	KLAB_IGB_A_NAME = KLAB_A_MODULE_FIRST,	/* string: interface name */
	KLAB_IGB_A_PEER_NAME,		/* string: the peer's name */
	KLAB_IGB_A_QUEUES,		/* u32: queue pairs (channels) */
	KLAB_IGB_A_RX_RING,		/* u32: RX descriptors per ring */
	KLAB_IGB_A_TX_RING,		/* u32: TX descriptors per ring */
	KLAB_IGB_A_IFINDEX,		/* u32 */
	KLAB_IGB_A_PEER_IFINDEX,	/* u32, 0 once the peer is gone */
	KLAB_IGB_A_UP,			/* u8: administratively up */
	KLAB_IGB_A_CARRIER,		/* u8 */
	KLAB_IGB_A_MTU,			/* u32 */
	KLAB_IGB_A_DEVICES,		/* nest of KLAB_IGB_A_DEVICE */
	KLAB_IGB_A_DEVICE,		/* nest: one device */
	KLAB_IGB_A_RINGS,		/* nest of KLAB_IGB_A_RING */
	KLAB_IGB_A_RING,		/* nest: one ring */
	KLAB_IGB_A_RING_KIND,		/* u32: enum klab_igb_ring_kind */
	KLAB_IGB_A_RING_INDEX,		/* u32: queue index */
	KLAB_IGB_A_RING_COUNT,		/* u32: descriptors */
	KLAB_IGB_A_RING_NEXT_TO_USE,	/* u32 */
	KLAB_IGB_A_RING_NEXT_TO_CLEAN,	/* u32 */
	KLAB_IGB_A_RING_HEAD,		/* u32: the wire's position */
	KLAB_IGB_A_RING_TAIL,		/* u32: the tail register */
	KLAB_IGB_A_RING_UNUSED,		/* u32: free descriptors */
	KLAB_IGB_A_RING_PACKETS,	/* u64 */
	KLAB_IGB_A_RING_BYTES,		/* u64 */
	KLAB_IGB_A_RING_TAIL_WRITES,	/* u64: tail register writes */
	KLAB_IGB_A_QVECTORS,		/* nest of KLAB_IGB_A_QVECTOR */
	KLAB_IGB_A_QVECTOR,		/* nest: one q_vector */
	KLAB_IGB_A_QV_INDEX,		/* u32 */
	KLAB_IGB_A_QV_IRQ,		/* u32: Linux IRQ number */
	KLAB_IGB_A_QV_ITR_USECS,	/* u32: current interrupt interval */
	KLAB_IGB_A_QV_INTERRUPTS,	/* u64 */
	KLAB_IGB_A_QV_POLLS,		/* u64 */
	KLAB_IGB_A_QV_POLLS_FULL,	/* u64: polls that used the budget */
	KLAB_IGB_A_QV_COMPLETES,	/* u64: napi_complete_done() true */
	KLAB_IGB_A_QV_ITR_CHANGES,	/* u64 */
	KLAB_IGB_A_QV_POLL_HIST,	/* binary: KLAB_IGB_POLL_HIST_LEN u64 */

	__KLAB_IGB_A_END,
};

#define KLAB_IGB_A_MAX	(__KLAB_IGB_A_END - 1)

#endif /* _UAPI_KLAB_IGB_H */
