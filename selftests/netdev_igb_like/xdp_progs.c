// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for netdev_igb_like's selftests and benchmark, one per
 * section; attach with: ip link set dev NAME xdp obj xdp_progs.o sec SEC
 * xdp_redirect_next sends every frame to the interface whose index follows
 * the receiving one's.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp_drop")
int kigb_xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp_pass")
int kigb_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp_aborted")
int kigb_xdp_aborted(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}

/* Swap the Ethernet addresses and send the frame back out */
SEC("xdp_tx")
int kigb_xdp_tx(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	unsigned char tmp;
	int i;

	if (data + 12 > end)
		return XDP_DROP;
	for (i = 0; i < 6; i++) {
		tmp = data[i];
		data[i] = data[i + 6];
		data[i + 6] = tmp;
	}
	return XDP_TX;
}

/*
 * Send every frame out of the interface created right after the one it
 * arrived on (the test creates its second pair right after the first and
 * checks the indexes), through ndo_xdp_xmit
 */
SEC("xdp_redirect_next")
int kigb_xdp_redirect_next(struct xdp_md *ctx)
{
	return bpf_redirect(ctx->ingress_ifindex + 1, 0);
}

char _license[] SEC("license") = "GPL";
