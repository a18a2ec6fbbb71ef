// SPDX-License-Identifier: GPL-2.0
#include "genl.hpp"

#include "error.hpp"
#include "extack.hpp"

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

namespace klab {

namespace {

struct MsgDeleter {
    void operator()(struct nl_msg *msg) const { nlmsg_free(msg); }
};
struct CbDeleter {
    void operator()(struct nl_cb *cb) const { nl_cb_put(cb); }
};
using MsgPtr = std::unique_ptr<struct nl_msg, MsgDeleter>;
using CbPtr = std::unique_ptr<struct nl_cb, CbDeleter>;

[[noreturn]] void throw_nl(const char *what, int err)
{
    throw Error(std::string(what) + ": " + nl_geterror(err));
}

void enable_sockopt(struct nl_sock *sk, int opt, const char *name)
{
    int one = 1;

    if (setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, opt, &one, sizeof(one)) < 0)
        throw Error(std::string("cannot set ") + name + ": " + std::strerror(errno));
}

// State shared with the libnl callbacks of one receive loop.  Exceptions
// must not unwind through libnl, so they are parked here and rethrown.
struct RecvState {
    std::function<bool(struct nlmsghdr *)> on_msg;
    bool done = false;
    std::string error;
    int error_code = 0;
    std::exception_ptr exception;
};

int on_valid(struct nl_msg *msg, void *arg)
{
    auto *st = static_cast<RecvState *>(arg);

    try {
        if (!st->on_msg(nlmsg_hdr(msg))) {
            st->done = true;
            return NL_STOP;
        }
    } catch (...) {
        st->exception = std::current_exception();
        st->done = true;
        return NL_STOP;
    }
    return NL_OK;
}

int on_ack(struct nl_msg *, void *arg)
{
    static_cast<RecvState *>(arg)->done = true;
    return NL_STOP;
}

int on_error(struct sockaddr_nl *, struct nlmsgerr *err, void *arg)
{
    auto *st = static_cast<RecvState *>(arg);

    st->error = extack_message(err);
    st->error_code = -err->error;
    st->done = true;
    return NL_STOP;
}

// Notifications carry no sequence number of ours.
int accept_any_seq(struct nl_msg *, void *)
{
    return NL_OK;
}

void receive(struct nl_sock *sk, RecvState &st, bool want_ack)
{
    CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb)
        throw Error("cannot allocate netlink callbacks");

    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &st);
    if (want_ack) {
        nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
        // A dump ends with NLMSG_DONE instead.
        nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &st);
        nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &st);
    } else {
        nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, nullptr);
    }

    while (!st.done) {
        int err = nl_recvmsgs(sk, cb.get());
        if (st.exception)
            std::rethrow_exception(st.exception);
        if (!st.error.empty())
            throw KernelError(st.error, st.error_code);
        if (err < 0)
            throw_nl("netlink receive failed", err);
    }
}

} // namespace

GenlSocket::GenlSocket() : sk_(nl_socket_alloc())
{
    if (!sk_)
        throw Error("cannot allocate netlink socket");

    int err = genl_connect(sk_);
    if (err < 0) {
        nl_socket_free(sk_);
        throw_nl("cannot open generic netlink socket", err);
    }
    try {
        enable_sockopt(sk_, NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
        enable_sockopt(sk_, NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
    } catch (...) {
        nl_socket_free(sk_);
        throw;
    }
}

GenlSocket::~GenlSocket()
{
    nl_socket_free(sk_);
}

std::optional<int> GenlSocket::family_id(const char *name)
{
    int id = genl_ctrl_resolve(sk_, name);

    if (id == -NLE_OBJ_NOTFOUND)
        return std::nullopt;
    if (id < 0)
        throw_nl("cannot resolve generic netlink family", id);
    return id;
}

std::optional<int> GenlSocket::group_id(const char *family, const char *group)
{
    int id = genl_ctrl_resolve_grp(sk_, family, group);

    if (id == -NLE_OBJ_NOTFOUND)
        return std::nullopt;
    if (id < 0)
        throw_nl("cannot resolve multicast group", id);
    return id;
}

void GenlSocket::subscribe(int group)
{
    int err = nl_socket_add_membership(sk_, group);

    if (err < 0)
        throw_nl("cannot join multicast group", err);
}

void GenlSocket::request(const Family &family, uint8_t cmd, const Filler &fill,
                         const ReplyHandler &on_reply)
{
    transact(family, cmd, NLM_F_REQUEST | NLM_F_ACK, fill, on_reply);
}

void GenlSocket::dump(const Family &family, uint8_t cmd, const Filler &fill,
                      const ReplyHandler &on_reply)
{
    transact(family, cmd, NLM_F_REQUEST | NLM_F_DUMP, fill, on_reply);
}

void GenlSocket::transact(const Family &family, uint8_t cmd, int flags, const Filler &fill,
                          const ReplyHandler &on_reply)
{
    MsgPtr msg(nlmsg_alloc());
    if (!msg)
        throw Error("cannot allocate netlink message");
    if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family.id, 0, flags, cmd,
                     family.version))
        throw Error("cannot build netlink message");
    if (fill)
        fill(msg.get());

    int err = nl_send_auto(sk_, msg.get());
    if (err < 0)
        throw_nl("netlink send failed", err);

    RecvState st;
    st.on_msg = [&on_reply](struct nlmsghdr *nlh) {
        if (on_reply)
            on_reply(nlh);
        return true;
    };
    receive(sk_, st, true);
}

void GenlSocket::listen(const Listener &listener)
{
    RecvState st;

    st.on_msg = listener;
    receive(sk_, st, false);
}

} // namespace klab
