// SPDX-License-Identifier: GPL-2.0
// klabctl igb: the netdev_igb_like module (igb-style virtual NIC with NAPI).
//
//   klabctl igb add NAME peer PEER [queues N] [rx-ring N] [tx-ring N]
//   klabctl igb del NAME
//   klabctl igb show [NAME]
#include "error.hpp"
#include "genl.hpp"
#include "module.hpp"

#include <klab/igb.h>
#include <netlink/genl/genl.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace klab {

const Module igb_module = {
    .name = "igb",
    .kmod = "netdev_igb_like",
    .family = KLAB_IGB_FAMILY_NAME,
    .version = KLAB_IGB_FAMILY_VERSION,
    .description = "netdev_igb_like: igb-style virtual NIC with NAPI",
};

namespace {

using IgbPolicy = std::array<struct nla_policy, KLAB_IGB_A_MAX + 1>;
using IgbAttrs = std::array<struct nlattr *, KLAB_IGB_A_MAX + 1>;

const IgbPolicy &igb_policy()
{
    static const IgbPolicy policy = [] {
        IgbPolicy p{};
        for (int a : {KLAB_IGB_A_NAME, KLAB_IGB_A_PEER_NAME})
            p[a].type = NLA_STRING;
        for (int a :
             {KLAB_IGB_A_QUEUES, KLAB_IGB_A_RX_RING, KLAB_IGB_A_TX_RING, KLAB_IGB_A_IFINDEX,
              KLAB_IGB_A_PEER_IFINDEX, KLAB_IGB_A_MTU, KLAB_IGB_A_RING_KIND, KLAB_IGB_A_RING_INDEX,
              KLAB_IGB_A_RING_COUNT, KLAB_IGB_A_RING_NEXT_TO_USE, KLAB_IGB_A_RING_NEXT_TO_CLEAN,
              KLAB_IGB_A_RING_HEAD, KLAB_IGB_A_RING_TAIL, KLAB_IGB_A_RING_UNUSED,
              KLAB_IGB_A_QV_INDEX, KLAB_IGB_A_QV_IRQ, KLAB_IGB_A_QV_ITR_USECS})
            p[a].type = NLA_U32;
        for (int a : {KLAB_IGB_A_RING_PACKETS, KLAB_IGB_A_RING_BYTES, KLAB_IGB_A_RING_TAIL_WRITES,
                      KLAB_IGB_A_QV_INTERRUPTS, KLAB_IGB_A_QV_POLLS, KLAB_IGB_A_QV_POLLS_FULL,
                      KLAB_IGB_A_QV_COMPLETES, KLAB_IGB_A_QV_ITR_CHANGES})
            p[a].type = NLA_U64;
        for (int a : {KLAB_IGB_A_UP, KLAB_IGB_A_CARRIER})
            p[a].type = NLA_U8;
        for (int a : {KLAB_IGB_A_DEVICES, KLAB_IGB_A_DEVICE, KLAB_IGB_A_RINGS, KLAB_IGB_A_RING,
                      KLAB_IGB_A_QVECTORS, KLAB_IGB_A_QVECTOR})
            p[a].type = NLA_NESTED;
        return p;
    }();
    return policy;
}

IgbAttrs parse_nested(struct nlattr *nest, const char *what)
{
    IgbAttrs tb{};

    if (nla_parse_nested(tb.data(), KLAB_IGB_A_MAX, nest,
                         const_cast<struct nla_policy *>(igb_policy().data())) < 0)
        throw Error(std::string("malformed ") + what + " in reply");
    return tb;
}

// Copy the attributes of @tb listed in @keys into @j, by their types.
void put_attrs(Json &j, const IgbAttrs &tb,
               std::initializer_list<std::pair<const char *, int>> keys)
{
    for (const auto &[key, attr] : keys) {
        struct nlattr *a = tb[attr];

        if (!a)
            continue;
        switch (igb_policy()[attr].type) {
        case NLA_U8:
            j[key] = nla_get_u8(a) != 0;
            break;
        case NLA_U32:
            j[key] = nla_get_u32(a);
            break;
        case NLA_U64:
            j[key] = nla_get_u64(a);
            break;
        default:
            j[key] = nla_get_string(a);
            break;
        }
    }
}

Json decode_ring(struct nlattr *nest)
{
    IgbAttrs tb = parse_nested(nest, "ring");
    Json r;

    if (tb[KLAB_IGB_A_RING_KIND])
        r["kind"] = nla_get_u32(tb[KLAB_IGB_A_RING_KIND]) == KLAB_IGB_RING_RX ? "rx" : "tx";
    put_attrs(r, tb,
              {{"queue", KLAB_IGB_A_RING_INDEX},
               {"count", KLAB_IGB_A_RING_COUNT},
               {"next_to_use", KLAB_IGB_A_RING_NEXT_TO_USE},
               {"next_to_clean", KLAB_IGB_A_RING_NEXT_TO_CLEAN},
               {"head", KLAB_IGB_A_RING_HEAD},
               {"tail", KLAB_IGB_A_RING_TAIL},
               {"free", KLAB_IGB_A_RING_UNUSED},
               {"packets", KLAB_IGB_A_RING_PACKETS},
               {"bytes", KLAB_IGB_A_RING_BYTES},
               {"tail_writes", KLAB_IGB_A_RING_TAIL_WRITES}});
    return r;
}

Json decode_qvector(struct nlattr *nest)
{
    IgbAttrs tb = parse_nested(nest, "q_vector");
    Json q;

    put_attrs(q, tb,
              {{"index", KLAB_IGB_A_QV_INDEX},
               {"irq", KLAB_IGB_A_QV_IRQ},
               {"itr_usecs", KLAB_IGB_A_QV_ITR_USECS},
               {"interrupts", KLAB_IGB_A_QV_INTERRUPTS},
               {"polls", KLAB_IGB_A_QV_POLLS},
               {"polls_full", KLAB_IGB_A_QV_POLLS_FULL},
               {"napi_complete", KLAB_IGB_A_QV_COMPLETES},
               {"itr_changes", KLAB_IGB_A_QV_ITR_CHANGES}});
    if (struct nlattr *h = tb[KLAB_IGB_A_QV_POLL_HIST]) {
        // polls by work done: {"0": n, ..., "64": n, "more": n}, nonzero only
        const auto *v = static_cast<const uint64_t *>(nla_data(h));
        size_t n = static_cast<size_t>(nla_len(h)) / sizeof(uint64_t);
        Json hist = Json::object();

        for (size_t i = 0; i < n; i++)
            if (v[i])
                hist[i + 1 == KLAB_IGB_POLL_HIST_LEN ? "more" : std::to_string(i)] = v[i];
        q["poll_work"] = hist;
    }
    return q;
}

Json decode_list(struct nlattr *list, int type, Json (*decode)(struct nlattr *))
{
    Json out = Json::array();
    struct nlattr *nest;
    int rem;

    nla_for_each_nested(nest, list, rem)
    {
        if (nla_type(nest) == type)
            out.push_back(decode(nest));
    }
    return out;
}

Json decode_device(struct nlattr *nest)
{
    IgbAttrs tb = parse_nested(nest, "device");
    Json d;

    put_attrs(d, tb,
              {{"name", KLAB_IGB_A_NAME},
               {"ifindex", KLAB_IGB_A_IFINDEX},
               {"peer", KLAB_IGB_A_PEER_NAME},
               {"peer_ifindex", KLAB_IGB_A_PEER_IFINDEX},
               {"queues", KLAB_IGB_A_QUEUES},
               {"rx_ring", KLAB_IGB_A_RX_RING},
               {"tx_ring", KLAB_IGB_A_TX_RING},
               {"up", KLAB_IGB_A_UP},
               {"carrier", KLAB_IGB_A_CARRIER},
               {"mtu", KLAB_IGB_A_MTU}});
    if (tb[KLAB_IGB_A_RINGS])
        d["rings"] = decode_list(tb[KLAB_IGB_A_RINGS], KLAB_IGB_A_RING, decode_ring);
    if (tb[KLAB_IGB_A_QVECTORS])
        d["q_vectors"] = decode_list(tb[KLAB_IGB_A_QVECTORS], KLAB_IGB_A_QVECTOR, decode_qvector);
    return d;
}

Json decode_devices(struct nlmsghdr *nlh)
{
    IgbAttrs tb{};

    if (genlmsg_parse(nlh, 0, tb.data(), KLAB_IGB_A_MAX,
                      const_cast<struct nla_policy *>(igb_policy().data())) < 0)
        throw Error("malformed message from family " KLAB_IGB_FAMILY_NAME);
    if (!tb[KLAB_IGB_A_DEVICES])
        return Json::array();
    return decode_list(tb[KLAB_IGB_A_DEVICES], KLAB_IGB_A_DEVICE, decode_device);
}

void put_name(struct nl_msg *msg, int attr, const std::string &name)
{
    if (nla_put_string(msg, attr, name.c_str()) < 0)
        throw Error("cannot build netlink message");
}

// Send @cmd (as a dump with @dump) and print the devices of the replies.
void request_devices(Cli &cli, uint8_t cmd, const GenlSocket::Filler &fill, bool dump = false)
{
    GenlSocket sock;
    Family family = open_family(sock, igb_module);
    Json devices = Json::array();
    auto collect = [&devices](struct nlmsghdr *nlh) {
        for (Json &d : decode_devices(nlh))
            devices.push_back(std::move(d));
    };

    if (dump)
        sock.dump(family, cmd, fill, collect);
    else
        sock.request(family, cmd, fill, collect);
    Printer(cli.out, cli.opts)
        .print(
            Json{{"module", igb_module.kmod}, {"family", igb_module.family}, {"devices", devices}});
}

// "peer P queues 4 rx-ring 512 ...": keywords and their values.
struct AddArgs {
    std::string name;
    std::vector<std::string> words;
    std::string peer;
    std::vector<std::pair<int, uint32_t>> u32s;
};

const std::map<std::string, int> kAddNumbers = {
    {"queues", KLAB_IGB_A_QUEUES},
    {"rx-ring", KLAB_IGB_A_RX_RING},
    {"tx-ring", KLAB_IGB_A_TX_RING},
};

uint32_t parse_u32(const std::string &key, const std::string &value)
{
    if (value.empty() || value.size() > 10 ||
        value.find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(value) > UINT32_MAX)
        throw CLI::ValidationError(key, "not a number: " + value);
    return static_cast<uint32_t>(std::stoull(value));
}

void parse_add(AddArgs &args)
{
    const std::vector<std::string> &w = args.words;

    args.peer.clear();
    args.u32s.clear();
    for (size_t i = 0; i < w.size(); i += 2) {
        if (i + 1 >= w.size())
            throw CLI::ValidationError(w[i], "value missing");
        if (w[i] == "peer") {
            args.peer = w[i + 1];
            continue;
        }
        auto it = kAddNumbers.find(w[i]);
        if (it == kAddNumbers.end())
            throw CLI::ValidationError("add", "unknown keyword \"" + w[i] + "\"");
        args.u32s.emplace_back(it->second, parse_u32(w[i], w[i + 1]));
    }
    if (args.peer.empty())
        throw CLI::ValidationError("add", "peer PEER is required");
}

void igb_add(Cli &cli, const AddArgs &args)
{
    request_devices(cli, KLAB_IGB_CMD_ADD, [&args](struct nl_msg *msg) {
        put_name(msg, KLAB_IGB_A_NAME, args.name);
        put_name(msg, KLAB_IGB_A_PEER_NAME, args.peer);
        for (const auto &[attr, value] : args.u32s)
            if (nla_put_u32(msg, attr, value) < 0)
                throw Error("cannot build netlink message");
    });
}

void igb_del(const std::string &name)
{
    GenlSocket sock;
    Family family = open_family(sock, igb_module);

    sock.request(
        family, KLAB_IGB_CMD_DEL,
        [&name](struct nl_msg *msg) { put_name(msg, KLAB_IGB_A_NAME, name); }, nullptr);
}

void add_verbs(CLI::App &mod, Cli &cli)
{
    auto add_args = std::make_shared<AddArgs>();
    CLI::App *add = mod.add_subcommand(
        "add", "create a connected pair (needs CAP_NET_ADMIN): NAME peer PEER [queues N] "
               "[rx-ring N] [tx-ring N]");
    add->add_option("name", add_args->name, "interface name")->required();
    add->add_option("args", add_args->words, "peer PEER [queues N] [rx-ring N] [tx-ring N]");
    add->callback([&cli, add_args] {
        parse_add(*add_args);
        cli.action = [&cli, add_args] { igb_add(cli, *add_args); };
    });

    auto del_name = std::make_shared<std::string>();
    CLI::App *del = mod.add_subcommand("del", "delete a device and its peer (needs CAP_NET_ADMIN)");
    del->add_option("name", *del_name, "interface name")->required();
    del->callback([&cli, del_name] { cli.action = [del_name] { igb_del(*del_name); }; });

    auto show_name = std::make_shared<std::string>();
    CLI::App *show =
        mod.add_subcommand("show", "show devices with their rings and q_vectors (this namespace)");
    show->add_option("name", *show_name, "only this device");
    show->callback([&cli, show_name] {
        cli.action = [&cli, show_name] {
            // one device: a request; every device: a dump, one a message
            request_devices(
                cli, KLAB_IGB_CMD_SHOW,
                [show_name](struct nl_msg *msg) {
                    if (!show_name->empty())
                        put_name(msg, KLAB_IGB_A_NAME, *show_name);
                },
                show_name->empty());
        };
    });
}

} // namespace

void add_igb(CLI::App &mod, Cli &cli)
{
    add_verbs(mod, cli);
}

} // namespace klab
