// SPDX-License-Identifier: GPL-2.0
#include "info.hpp"

#include "error.hpp"

#include <klab/klab.h>
#include <netlink/genl/genl.h>

#include <array>

namespace klab {

namespace {

using Policy = std::array<struct nla_policy, KLAB_A_COMMON_MAX + 1>;

const Policy &common_policy()
{
    static const Policy policy = [] {
        Policy p{};
        p[KLAB_A_VERSION].type = NLA_STRING;
        p[KLAB_A_STATE].type = NLA_STRING;
        p[KLAB_A_DEBUG_LEVEL].type = NLA_U32;
        p[KLAB_A_UPTIME_NS].type = NLA_U64;
        p[KLAB_A_CHANGES].type = NLA_U64;
        return p;
    }();
    return policy;
}

} // namespace

Json decode_info(const Module &m, struct nlmsghdr *nlh)
{
    struct nlattr *tb[KLAB_A_COMMON_MAX + 1];

    // Attributes above KLAB_A_COMMON_MAX are skipped, not rejected.
    if (genlmsg_parse(nlh, 0, tb, KLAB_A_COMMON_MAX, common_policy().data()) < 0)
        throw Error(std::string("malformed message from family ") + m.family);

    Json info;
    info["module"] = m.kmod;
    info["family"] = m.family;
    if (tb[KLAB_A_VERSION])
        info["version"] = nla_get_string(tb[KLAB_A_VERSION]);
    if (tb[KLAB_A_STATE])
        info["state"] = nla_get_string(tb[KLAB_A_STATE]);
    if (tb[KLAB_A_DEBUG_LEVEL])
        info["debug_level"] = nla_get_u32(tb[KLAB_A_DEBUG_LEVEL]);
    if (tb[KLAB_A_UPTIME_NS])
        info["uptime_ns"] = nla_get_u64(tb[KLAB_A_UPTIME_NS]);
    if (tb[KLAB_A_CHANGES])
        info["changes"] = nla_get_u64(tb[KLAB_A_CHANGES]);
    return info;
}

} // namespace klab
