// SPDX-License-Identifier: GPL-2.0
/*
 * An NFQUEUE reader that gives its verdict with conntrack data, as a
 * userspace helper does with NFQA_CT (libnetfilter_queue's
 * nfq_set_verdict2 with a conntrack attached), through libmnl:
 *
 *   ct_queue NUM STATUS
 *	bind queue NUM, print "ready", take one packet, accept it with an
 *	NFQA_CT nest holding CTA_STATUS = STATUS, print "verdict STATUS"
 *	once the kernel acknowledged it, and exit.  The kernel hands the
 *	nest to ctnetlink (nfqnl_ct_parse -> ctnetlink_glue_parse ->
 *	ctnetlink_update_status), which applies the word to the packet's
 *	connection.
 *
 * Exit 0, 1 on a netlink error (or no packet within 60 s), 2 on a usage
 * error.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned int seq;

static struct nlmsghdr *queue_msg(char *buf, int type, unsigned int queue)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

/* send nlh and wait for its acknowledgement; 0 or -1 with errno set */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, char *buf,
		size_t len)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, len);
	if (n < 0)
		return -1;
	return mnl_cb_run(buf, n, nlh->nlmsg_seq, portid, NULL, NULL) < 0 ? -1 : 0;
}

static int packet_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NFQA_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* the packet message's id, into *data; stop at the first packet */
static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFQA_MAX + 1] = {};
	const struct nfqnl_msg_packet_hdr *ph;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), packet_attr, tb) < 0 ||
	    !tb[NFQA_PACKET_HDR])
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	*(unsigned int *)data = ntohl(ph->packet_id);
	return MNL_CB_STOP;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(128),
		.copy_mode = NFQNL_COPY_META,
	};
	struct nfqnl_msg_verdict_hdr vh;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int queue, status, id = 0;
	ssize_t n;
	int rc;

	if (argc != 3) {
		fputs("usage: ct_queue NUM STATUS\n", stderr);
		return 2;
	}
	queue = strtoul(argv[1], NULL, 0);
	status = strtoul(argv[2], NULL, 0);
	alarm(60);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink socket");
		return 1;
	}

	nlh = queue_msg(buf, NFQNL_MSG_CONFIG, queue);
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	if (talk(nl, nlh, buf, sizeof(buf))) {
		perror("binding the queue");
		goto err;
	}
	puts("ready");
	fflush(stdout);

	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			perror("receiving a packet");
			goto err;
		}
		rc = mnl_cb_run(buf, n, 0, mnl_socket_get_portid(nl), packet_cb, &id);
	} while (rc == MNL_CB_OK);
	if (rc < 0) {
		perror("parsing the packet");
		goto err;
	}

	nlh = queue_msg(buf, NFQNL_MSG_VERDICT, queue);
	vh.verdict = htonl(NF_ACCEPT);
	vh.id = htonl(id);
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	nest = mnl_attr_nest_start(nlh, NFQA_CT);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(status));
	mnl_attr_nest_end(nlh, nest);
	if (talk(nl, nlh, buf, sizeof(buf))) {
		perror("the verdict");
		goto err;
	}
	printf("verdict 0x%x\n", status);
	mnl_socket_close(nl);
	return 0;
err:
	mnl_socket_close(nl);
	return 1;
}
