// SPDX-License-Identifier: GPL-2.0
// klabctl ct: the kernel's connection tracking table, as nf_hipac's state
// matches and NAT see it, through libnetfilter_conntrack (ctnetlink).
//
//   klabctl ct list [FILTER]     the connections, one line each as
//                                `conntrack -L` prints them (-j: JSON)
//   klabctl ct get TUPLE         one connection, by its original tuple
//   klabctl ct count [FILTER]    how many
//   klabctl ct flush [FILTER]    delete them (all, without a filter)
//   klabctl ct watch [FILTER]    NEW, UPDATE and DESTROY events as they come
//
// FILTER: -f ipv4|ipv6, -p PROTO, -s/-d ADDR (original), -r/-q ADDR
// (reply), --sport/--dport PORT (original), --state TCP_STATE, -m
// MARK[/MASK], -w ZONE.  The filter is applied here, on what the dump
// returns.
#include "error.hpp"
#include "module.hpp"
#include "netlink_owner.hpp"

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace klab {

namespace {

// libnetfilter_conntrack's TCP state names, as `conntrack -L` prints them.
constexpr std::array<const char *, 10> kTcpStates = {
    "NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
    "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2",
};

struct CtFilter {
    std::string family; // "ipv4", "ipv6" or empty: both
    std::string proto, src, dst, reply_src, reply_dst, state, mark;
    std::optional<uint16_t> sport, dport, zone;
};

struct CtDeleter {
    void operator()(struct nf_conntrack *ct) const { nfct_destroy(ct); }
};
using CtPtr = std::unique_ptr<struct nf_conntrack, CtDeleter>;

// A ctnetlink socket, subscribed to @groups for events (0: none).
class CtHandle {
  public:
    explicit CtHandle(unsigned int groups = 0) : h_(nfct_open(CONNTRACK, groups))
    {
        if (!h_)
            throw Error(std::string("cannot open ctnetlink: ") + std::strerror(errno) +
                        " (is nf_conntrack loaded?)");
    }
    ~CtHandle() { nfct_close(h_); }
    CtHandle(const CtHandle &) = delete;
    CtHandle &operator=(const CtHandle &) = delete;
    struct nfct_handle *get() const { return h_; }

  private:
    struct nfct_handle *h_;
};

uint8_t l3_family(const std::string &name)
{
    if (name.empty())
        return AF_UNSPEC;
    if (name == "ipv4")
        return AF_INET;
    if (name == "ipv6")
        return AF_INET6;
    throw UsageError("-f must be ipv4 or ipv6, not \"" + name + "\"");
}

std::optional<uint8_t> l4_proto(const std::string &name)
{
    if (name.empty())
        return std::nullopt;
    char *end = nullptr;
    unsigned long n = std::strtoul(name.c_str(), &end, 10);
    if (end && *end == '\0' && n <= 255)
        return static_cast<uint8_t>(n);
    if (name == "icmpv6")
        return IPPROTO_ICMPV6;
    if (const struct protoent *p = getprotobyname(name.c_str()))
        return static_cast<uint8_t>(p->p_proto);
    throw UsageError("unknown protocol \"" + name + "\"");
}

std::string addr_text(const struct nf_conntrack *ct, enum nf_conntrack_attr v4,
                      enum nf_conntrack_attr v6)
{
    char buf[INET6_ADDRSTRLEN] = "";

    if (nfct_get_attr_u8(ct, ATTR_L3PROTO) == AF_INET6) {
        if (nfct_attr_is_set(ct, v6))
            inet_ntop(AF_INET6, nfct_get_attr(ct, v6), buf, sizeof(buf));
    } else if (nfct_attr_is_set(ct, v4)) {
        inet_ntop(AF_INET, nfct_get_attr(ct, v4), buf, sizeof(buf));
    }
    return buf;
}

// An address of @ct's family in its canonical text, or @text if it is none.
std::string canonical(const std::string &text)
{
    unsigned char a[16];
    char buf[INET6_ADDRSTRLEN];

    for (int af : {AF_INET, AF_INET6})
        if (inet_pton(af, text.c_str(), a) == 1)
            return inet_ntop(af, a, buf, sizeof(buf));
    throw UsageError("bad address \"" + text + "\"");
}

uint16_t port_of(const struct nf_conntrack *ct, enum nf_conntrack_attr attr)
{
    return ntohs(nfct_get_attr_u16(ct, attr));
}

bool has_ports(const struct nf_conntrack *ct)
{
    return nfct_attr_is_set(ct, ATTR_ORIG_PORT_SRC);
}

bool matches(const struct nf_conntrack *ct, const CtFilter &f)
{
    uint8_t family = l3_family(f.family);
    std::optional<uint8_t> proto = l4_proto(f.proto);

    if (family != AF_UNSPEC && nfct_get_attr_u8(ct, ATTR_L3PROTO) != family)
        return false;
    if (proto && nfct_get_attr_u8(ct, ATTR_L4PROTO) != *proto)
        return false;
    if (!f.src.empty() && addr_text(ct, ATTR_IPV4_SRC, ATTR_IPV6_SRC) != canonical(f.src))
        return false;
    if (!f.dst.empty() && addr_text(ct, ATTR_IPV4_DST, ATTR_IPV6_DST) != canonical(f.dst))
        return false;
    if (!f.reply_src.empty() &&
        addr_text(ct, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC) != canonical(f.reply_src))
        return false;
    if (!f.reply_dst.empty() &&
        addr_text(ct, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST) != canonical(f.reply_dst))
        return false;
    if (f.sport && (!has_ports(ct) || port_of(ct, ATTR_ORIG_PORT_SRC) != *f.sport))
        return false;
    if (f.dport && (!has_ports(ct) || port_of(ct, ATTR_ORIG_PORT_DST) != *f.dport))
        return false;
    if (!f.state.empty()) {
        if (!nfct_attr_is_set(ct, ATTR_TCP_STATE))
            return false;
        uint8_t s = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
        if (s >= kTcpStates.size() || f.state != kTcpStates[s])
            return false;
    }
    if (!f.mark.empty()) {
        size_t slash = f.mark.find('/');
        uint32_t value = static_cast<uint32_t>(std::stoul(f.mark.substr(0, slash), nullptr, 0));
        uint32_t mask =
            slash == std::string::npos
                ? 0xffffffffu
                : static_cast<uint32_t>(std::stoul(f.mark.substr(slash + 1), nullptr, 0));
        if ((nfct_get_attr_u32(ct, ATTR_MARK) & mask) != value)
            return false;
    }
    if (f.zone &&
        (nfct_attr_is_set(ct, ATTR_ZONE) ? nfct_get_attr_u16(ct, ATTR_ZONE) : 0) != *f.zone)
        return false;
    return true;
}

Json tuple_json(const struct nf_conntrack *ct, bool reply)
{
    Json t;

    t["src"] = reply ? addr_text(ct, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC)
                     : addr_text(ct, ATTR_IPV4_SRC, ATTR_IPV6_SRC);
    t["dst"] = reply ? addr_text(ct, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST)
                     : addr_text(ct, ATTR_IPV4_DST, ATTR_IPV6_DST);
    if (has_ports(ct)) {
        t["sport"] = port_of(ct, reply ? ATTR_REPL_PORT_SRC : ATTR_ORIG_PORT_SRC);
        t["dport"] = port_of(ct, reply ? ATTR_REPL_PORT_DST : ATTR_ORIG_PORT_DST);
    }
    if (!reply && nfct_attr_is_set(ct, ATTR_ICMP_TYPE)) {
        t["type"] = nfct_get_attr_u8(ct, ATTR_ICMP_TYPE);
        t["code"] = nfct_get_attr_u8(ct, ATTR_ICMP_CODE);
        t["id"] = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
    }
    return t;
}

Json status_json(uint32_t status)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        {IPS_EXPECTED, "expected"},   {IPS_SEEN_REPLY, "seen_reply"}, {IPS_ASSURED, "assured"},
        {IPS_CONFIRMED, "confirmed"}, {IPS_SRC_NAT, "src_nat"},       {IPS_DST_NAT, "dst_nat"},
        {IPS_DYING, "dying"},         {IPS_OFFLOAD, "offload"},
    };
    Json list = Json::array();

    for (const auto &n : names)
        if (status & n.bit)
            list.push_back(n.name);
    return list;
}

const char *event_name(enum nf_conntrack_msg_type type)
{
    switch (type) {
    case NFCT_T_NEW:
        return "new";
    case NFCT_T_UPDATE:
        return "update";
    case NFCT_T_DESTROY:
        return "destroy";
    default:
        return nullptr;
    }
}

// One connection: its `conntrack -L` line as text, its fields as JSON.  An
// event a process caused (@portid, the port id of its netlink socket, not
// 0) ends as `conntrack -E` ends it: "[USERSPACE] portid=N progname=NAME".
void print_ct(Printer &printer, const struct nf_conntrack *ct, enum nf_conntrack_msg_type type,
              uint32_t portid = 0)
{
    char buf[1024];
    uint8_t l4 = nfct_get_attr_u8(ct, ATTR_L4PROTO);
    const struct protoent *pe = getprotobynumber(l4);
    Json j;

    nfct_snprintf(buf, sizeof(buf), ct, type, NFCT_O_DEFAULT, 0);
    if (const char *e = event_name(type))
        j["event"] = e;
    j["family"] = nfct_get_attr_u8(ct, ATTR_L3PROTO) == AF_INET6 ? "ipv6" : "ipv4";
    j["protocol"] = pe ? pe->p_name : std::to_string(l4);
    j["protonum"] = l4;
    if (nfct_attr_is_set(ct, ATTR_TIMEOUT))
        j["timeout"] = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
    if (nfct_attr_is_set(ct, ATTR_TCP_STATE)) {
        uint8_t s = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
        j["state"] = s < kTcpStates.size() ? kTcpStates[s] : std::to_string(s);
    }
    j["original"] = tuple_json(ct, false);
    j["reply"] = tuple_json(ct, true);
    j["status"] =
        status_json(nfct_attr_is_set(ct, ATTR_STATUS) ? nfct_get_attr_u32(ct, ATTR_STATUS) : 0);
    j["mark"] = nfct_attr_is_set(ct, ATTR_MARK) ? nfct_get_attr_u32(ct, ATTR_MARK) : 0;
    j["zone"] = nfct_attr_is_set(ct, ATTR_ZONE) ? nfct_get_attr_u16(ct, ATTR_ZONE) : 0;
    if (nfct_attr_is_set(ct, ATTR_USE))
        j["use"] = nfct_get_attr_u32(ct, ATTR_USE);
    if (nfct_attr_is_set(ct, ATTR_ID))
        j["id"] = nfct_get_attr_u32(ct, ATTR_ID);
    std::string text = buf;
    if (portid) {
        std::optional<std::string> prog = netlink_owner(NETLINK_NETFILTER, portid);

        j["portid"] = portid;
        text += " [USERSPACE] portid=" + std::to_string(portid);
        if (prog) {
            j["progname"] = *prog;
            text += " progname=" + *prog;
        }
    }
    printer.notice(j, text);
}

// Every connection (of one family or both) matching @f, copied.
std::vector<CtPtr> dump(const CtFilter &f)
{
    struct Ctx {
        const CtFilter &f;
        std::vector<CtPtr> out;
    } ctx{f, {}};
    CtHandle h;
    uint32_t family = l3_family(f.family);

    nfct_callback_register(
        h.get(), NFCT_T_ALL,
        [](enum nf_conntrack_msg_type, struct nf_conntrack *ct, void *data) -> int {
            auto *c = static_cast<Ctx *>(data);
            if (matches(ct, c->f))
                c->out.emplace_back(nfct_clone(ct));
            return NFCT_CB_CONTINUE;
        },
        &ctx);
    if (nfct_query(h.get(), NFCT_Q_DUMP, &family) < 0)
        throw Error(std::string("conntrack dump: ") + std::strerror(errno));
    return std::move(ctx.out);
}

void list(Printer &printer, const CtFilter &f)
{
    for (const CtPtr &ct : dump(f))
        print_ct(printer, ct.get(), NFCT_T_UNKNOWN);
}

void count(Printer &printer, const CtFilter &f)
{
    size_t n = dump(f).size();

    printer.notice(Json{{"count", n}}, std::to_string(n));
}

void flush(Printer &printer, const CtFilter &f)
{
    bool all = f.proto.empty() && f.src.empty() && f.dst.empty() && f.reply_src.empty() &&
               f.reply_dst.empty() && !f.sport && !f.dport && f.state.empty() && f.mark.empty() &&
               !f.zone;
    CtHandle h;
    size_t n = 0;

    if (all) {
        uint32_t family = l3_family(f.family);
        if (nfct_query(h.get(), NFCT_Q_FLUSH, &family) < 0)
            throw Error(std::string("conntrack flush: ") + std::strerror(errno));
        printer.notice(Json{{"flushed", "all"}}, "connection tracking table has been emptied");
        return;
    }
    for (const CtPtr &ct : dump(f))
        if (nfct_query(h.get(), NFCT_Q_DESTROY, ct.get()) == 0)
            n++;
    printer.notice(Json{{"deleted", n}}, std::to_string(n) + " flow entries have been deleted");
}

void get(Printer &printer, const CtFilter &f)
{
    std::optional<uint8_t> proto = l4_proto(f.proto);
    CtPtr ct(nfct_new());
    unsigned char src[16], dst[16];
    int af = f.src.find(':') != std::string::npos ? AF_INET6 : AF_INET;

    if (f.src.empty() || f.dst.empty() || !proto)
        throw UsageError("get needs -s, -d and -p (and --sport, --dport for ports)");
    if (inet_pton(af, f.src.c_str(), src) != 1 || inet_pton(af, f.dst.c_str(), dst) != 1)
        throw UsageError("bad address in -s or -d");
    nfct_set_attr_u8(ct.get(), ATTR_L3PROTO, static_cast<uint8_t>(af));
    nfct_set_attr(ct.get(), af == AF_INET ? ATTR_IPV4_SRC : ATTR_IPV6_SRC, src);
    nfct_set_attr(ct.get(), af == AF_INET ? ATTR_IPV4_DST : ATTR_IPV6_DST, dst);
    nfct_set_attr_u8(ct.get(), ATTR_L4PROTO, *proto);
    if (f.sport)
        nfct_set_attr_u16(ct.get(), ATTR_PORT_SRC, htons(*f.sport));
    if (f.dport)
        nfct_set_attr_u16(ct.get(), ATTR_PORT_DST, htons(*f.dport));

    struct Ctx {
        Printer &printer;
        bool found;
    } ctx{printer, false};
    CtHandle h;
    nfct_callback_register(
        h.get(), NFCT_T_ALL,
        [](enum nf_conntrack_msg_type, struct nf_conntrack *c, void *data) -> int {
            auto *x = static_cast<Ctx *>(data);
            print_ct(x->printer, c, NFCT_T_UNKNOWN);
            x->found = true;
            return NFCT_CB_CONTINUE;
        },
        &ctx);
    if (nfct_query(h.get(), NFCT_Q_GET, ct.get()) < 0)
        throw Error(errno == ENOENT ? "no such connection"
                                    : std::string("conntrack get: ") + std::strerror(errno));
}

void watch(Printer &printer, const CtFilter &f, unsigned int max_events)
{
    struct Ctx {
        Printer &printer;
        const CtFilter &f;
        unsigned int left;
    } ctx{printer, f, max_events};
    CtHandle h(NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_UPDATE |
               NF_NETLINK_CONNTRACK_DESTROY);

    nfct_callback_register2(
        h.get(), NFCT_T_ALL,
        [](const struct nlmsghdr *nlh, enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
           void *data) -> int {
            auto *c = static_cast<Ctx *>(data);
            if (!matches(ct, c->f))
                return NFCT_CB_CONTINUE;
            print_ct(c->printer, ct, type, nlh->nlmsg_pid);
            if (c->left && --c->left == 0)
                return NFCT_CB_STOP;
            return NFCT_CB_CONTINUE;
        },
        &ctx);
    if (nfct_catch(h.get()) < 0 && errno != 0 && ctx.left)
        throw Error(std::string("conntrack events: ") + std::strerror(errno));
}

void add_filter(CLI::App &cmd, CtFilter &f)
{
    cmd.add_option("-f,--family", f.family, "ipv4 or ipv6");
    cmd.add_option("-p,--proto", f.proto, "layer 4 protocol (name or number)");
    cmd.add_option("-s,--src,--orig-src", f.src, "original source address");
    cmd.add_option("-d,--dst,--orig-dst", f.dst, "original destination address");
    cmd.add_option("-r,--reply-src", f.reply_src, "reply source address");
    cmd.add_option("-q,--reply-dst", f.reply_dst, "reply destination address");
    cmd.add_option("--sport,--orig-port-src", f.sport, "original source port");
    cmd.add_option("--dport,--orig-port-dst", f.dport, "original destination port");
    cmd.add_option("--state", f.state, "TCP state (ESTABLISHED, TIME_WAIT, ...)");
    cmd.add_option("-m,--mark", f.mark, "mark[/mask]");
    cmd.add_option("-w,--zone", f.zone, "conntrack zone");
}

} // namespace

void add_ct(CLI::App &cmd, Cli &cli)
{
    CLI::App *ct = &cmd;
    auto filter = std::make_shared<CtFilter>();
    auto events = std::make_shared<unsigned int>(0);

    ct->require_subcommand(1);
    struct Verb {
        const char *name, *help;
        void (*fn)(Printer &, const CtFilter &);
    };
    static const Verb verbs[] = {
        {"list", "list the connections, as conntrack -L", list},
        {"get", "one connection by its original tuple, as conntrack -G", get},
        {"count", "count the connections, as conntrack -C", count},
        {"flush", "delete the connections, as conntrack -F / -D", flush},
    };
    for (const Verb &v : verbs) {
        CLI::App *cmd = ct->add_subcommand(v.name, v.help);
        add_filter(*cmd, *filter);
        cmd->callback([&cli, filter, fn = v.fn] {
            cli.action = [&cli, filter, fn] {
                Printer printer(cli.out, cli.opts);
                fn(printer, *filter);
            };
        });
    }
    CLI::App *w = ct->add_subcommand("watch", "print NEW, UPDATE, DESTROY events, as conntrack -E");
    add_filter(*w, *filter);
    w->add_option("-c,--count", *events, "stop after this many events");
    w->callback([&cli, filter, events] {
        cli.action = [&cli, filter, events] {
            Printer printer(cli.out, cli.opts);
            watch(printer, *filter, *events);
        };
    });
}

} // namespace klab
