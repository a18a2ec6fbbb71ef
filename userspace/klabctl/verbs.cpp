// SPDX-License-Identifier: GPL-2.0
// The verbs every module supports: info, set, monitor.
#include "error.hpp"
#include "genl.hpp"
#include "info.hpp"
#include "module.hpp"

#include <klab/klab.h>
#include <linux/genetlink.h>
#include <netlink/genl/genl.h>

#include <memory>
#include <string>

namespace klab {

namespace {

// The generic netlink controller and its group announcing family changes.
constexpr const char *kCtrlFamily = "nlctrl";
constexpr const char *kCtrlNotifyGroup = "notify";

void join_group(GenlSocket &sock, const char *family, const char *group)
{
    std::optional<int> id = sock.group_id(family, group);

    if (!id)
        throw Error(std::string("family ") + family + " has no multicast group " + group);
    sock.subscribe(*id);
}

void show_info(Cli &cli, const Module &m)
{
    GenlSocket sock;
    Family family = open_family(sock, m);
    Printer printer(cli.out, cli.opts);

    sock.request(family, KLAB_CMD_INFO, nullptr,
                 [&](struct nlmsghdr *nlh) { printer.print(decode_info(m, nlh)); });
}

void set_debug_level(const Module &m, uint32_t level)
{
    request_u32(m, KLAB_CMD_SET, KLAB_A_DEBUG_LEVEL, level);
}

// True if @nlh is the controller announcing that family @id went away.
bool is_family_removal(struct nlmsghdr *nlh, int id)
{
    struct nlattr *tb[CTRL_ATTR_MAX + 1];

    if (genlmsg_hdr(nlh)->cmd != CTRL_CMD_DELFAMILY ||
        genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, nullptr) < 0 || !tb[CTRL_ATTR_FAMILY_ID])
        return false;
    return nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == id;
}

void monitor(Cli &cli, const Module &m, unsigned int count)
{
    GenlSocket sock;
    Printer printer(cli.out, cli.opts);
    unsigned int seen = 0;

    // Join the controller's group first, so an unload that races with
    // the setup below is still seen.
    join_group(sock, kCtrlFamily, kCtrlNotifyGroup);
    Family family = open_family(sock, m);
    join_group(sock, m.family, KLAB_MCGRP_EVENTS);

    sock.listen([&](struct nlmsghdr *nlh) {
        if (!genlmsg_valid_hdr(nlh, 0))
            return true;
        if (nlh->nlmsg_type == GENL_ID_CTRL) {
            if (!is_family_removal(nlh, family.id))
                return true;
            printer.notice(Json{{"event", "unloaded"}, {"module", m.kmod}, {"family", m.family}},
                           std::string("module ") + m.kmod + " unloaded");
            return false;
        }
        if (nlh->nlmsg_type != family.id || genlmsg_hdr(nlh)->cmd != KLAB_CMD_SET)
            return true;
        printer.print(decode_info(m, nlh));
        return count == 0 || ++seen < count;
    });
}

void add_info(CLI::App &mod, Cli &cli, const Module &m)
{
    mod.add_subcommand("info", "show version and state")->callback([&cli, &m] {
        cli.action = [&cli, &m] { show_info(cli, m); };
    });
}

void add_set(CLI::App &mod, Cli &cli, const Module &m)
{
    CLI::App *set = mod.add_subcommand("set", "change settings (needs CAP_NET_ADMIN)");
    set->require_subcommand(1);

    auto level = std::make_shared<uint32_t>();
    CLI::App *debug = set->add_subcommand("debug-level", "set the debug level");
    debug->add_option("level", *level, "new level, 0 (quiet) and up")->required();
    debug->callback(
        [&cli, &m, level] { cli.action = [&m, level] { set_debug_level(m, *level); }; });
}

void add_monitor(CLI::App &mod, Cli &cli, const Module &m)
{
    auto count = std::make_shared<unsigned int>(0);
    CLI::App *mon = mod.add_subcommand("monitor", "print state changes until the module unloads");
    mon->add_option("--count", *count, "exit after this many events");
    mon->callback(
        [&cli, &m, count] { cli.action = [&cli, &m, count] { monitor(cli, m, *count); }; });
}

} // namespace

Family open_family(GenlSocket &sock, const Module &m)
{
    std::optional<int> id = sock.family_id(m.family);

    if (!id)
        throw Error(std::string("module ") + m.kmod + " is not loaded (try: sudo insmod modules/" +
                    m.kmod + "/" + m.kmod + ".ko)");
    return Family{*id, m.version};
}

void request_u32(const Module &m, uint8_t cmd, int attr, uint32_t value)
{
    GenlSocket sock;
    Family family = open_family(sock, m);

    sock.request(
        family, cmd,
        [attr, value](struct nl_msg *msg) {
            if (nla_put_u32(msg, attr, value) < 0)
                throw Error("cannot build netlink message");
        },
        nullptr);
}

void add_common_verbs(CLI::App &cmd, Cli &cli, const Module &m)
{
    cmd.require_subcommand(1);
    add_info(cmd, cli, m);
    add_set(cmd, cli, m);
    add_monitor(cmd, cli, m);
}

} // namespace klab
