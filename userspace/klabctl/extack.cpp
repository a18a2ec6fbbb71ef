// SPDX-License-Identifier: GPL-2.0
#include "extack.hpp"

#include <netlink/attr.h>

#include <cstdint>
#include <cstring>

namespace klab {

namespace {

// The TLVs follow struct nlmsgerr and, unless the kernel capped the echo of
// our request (NETLINK_CAP_ACK), the payload of that request.
size_t tlv_offset(const struct nlmsghdr *nlh, const struct nlmsgerr *err)
{
    size_t payload = sizeof(*err);

    if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
        payload += err->msg.nlmsg_len - NLMSG_HDRLEN;
    return NLMSG_HDRLEN + NLMSG_ALIGN(payload);
}

} // namespace

std::string extack_message(const struct nlmsgerr *err)
{
    const auto *base = reinterpret_cast<const char *>(err) - NLMSG_HDRLEN;
    const auto *nlh = reinterpret_cast<const struct nlmsghdr *>(base);
    std::string reason = std::strerror(-err->error);

    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
        return reason;

    size_t off = tlv_offset(nlh, err);
    if (off >= nlh->nlmsg_len)
        return reason;

    struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
    auto *tlvs = reinterpret_cast<struct nlattr *>(const_cast<char *>(base) + off);
    if (nla_parse(tb, NLMSGERR_ATTR_MAX, tlvs, static_cast<int>(nlh->nlmsg_len - off), nullptr) < 0)
        return reason;

    if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
        const auto *msg = static_cast<const char *>(nla_data(tb[NLMSGERR_ATTR_MSG]));
        return std::string(msg, strnlen(msg, nla_len(tb[NLMSGERR_ATTR_MSG])));
    }
    if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4)
        reason += " (invalid attribute at offset " +
                  std::to_string(nla_get_u32(tb[NLMSGERR_ATTR_OFFS])) + ")";
    return reason;
}

} // namespace klab
