// SPDX-License-Identifier: GPL-2.0
// A generic netlink socket: family resolution, request/reply with extended
// acknowledgements, and multicast subscriptions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

struct nl_msg;
struct nl_sock;
struct nlmsghdr;

namespace klab {

struct Family {
    int id;
    uint8_t version;
};

class GenlSocket {
  public:
    // Called for every message received; returns false to stop listening.
    using Listener = std::function<bool(struct nlmsghdr *)>;
    using Filler = std::function<void(struct nl_msg *)>;
    using ReplyHandler = std::function<void(struct nlmsghdr *)>;

    GenlSocket();
    ~GenlSocket();
    GenlSocket(const GenlSocket &) = delete;
    GenlSocket &operator=(const GenlSocket &) = delete;

    // The id of a registered family, or nothing if it is not registered.
    std::optional<int> family_id(const char *name);
    // The id of a family's multicast group, or nothing if there is none.
    std::optional<int> group_id(const char *family, const char *group);
    void subscribe(int group);

    // Send @cmd to @family with attributes added by @fill (may be empty),
    // pass each reply to @on_reply (may be empty) and wait for the
    // acknowledgement.
    // A negative acknowledgement throws Error with the kernel's message.
    void request(const Family &family, uint8_t cmd, const Filler &fill,
                 const ReplyHandler &on_reply);

    // Send @cmd as a dump request and pass each message of the multi-part
    // reply to @on_reply, until NLMSG_DONE.
    void dump(const Family &family, uint8_t cmd, const Filler &fill, const ReplyHandler &on_reply);

    // Receive unsolicited messages until @listener returns false.
    void listen(const Listener &listener);

  private:
    void transact(const Family &family, uint8_t cmd, int flags, const Filler &fill,
                  const ReplyHandler &on_reply);

    struct nl_sock *sk_;
};

} // namespace klab
