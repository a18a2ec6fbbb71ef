// SPDX-License-Identifier: GPL-2.0
#include "hipac_xt.hpp"

#include "error.hpp"

// glibc's netinet/in.h before the kernel's headers, as iptables has it
#include <netinet/in.h>
#include <sys/socket.h>

#include <getopt.h>
#include <xtables.h>

#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

namespace klab::hipac::xt {

namespace {

// The plugins report a bad option through xt_params->exit_err, which
// iptables makes print and exit; here it is the exception klabctl's
// command line problems are (exit 2), or a refused rule (exit 1).
[[noreturn]] __attribute__((format(printf, 2, 3))) void exit_err(enum xtables_exittype status,
                                                                 const char *msg, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, msg);
    vsnprintf(buf, sizeof(buf), msg, ap);
    va_end(ap);
    std::string text(buf);
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    if (status == PARAMETER_PROBLEM)
        throw ParamError(text);
    throw RuleError(text);
}

struct option kNoOpts[] = {{nullptr, 0, nullptr, 0}};

struct xtables_globals globals = {
    .option_offset = 0,
    .program_name = "iptables",
    .program_version = XTABLES_VERSION,
    .orig_opts = kNoOpts,
    .opts = nullptr,
    .exit_err = exit_err,
    .compat_rev = xtables_compatible_revision,
};

uint8_t nfproto(int family)
{
    return family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

// libxtables for @family: loaded once, switched when the family changes
void use_family(int family)
{
    static int current = -1;

    if (current == -1) {
        globals.program_name = family == AF_INET6 ? "ip6tables" : "iptables";
        if (xtables_init_all(&globals, nfproto(family)) < 0)
            throw Error("libxtables failed to initialise");
    } else if (current != family) {
        xtables_set_nfproto(nfproto(family));
    }
    current = family;
}

// The IP part of a rule as the plugins see it (they look at the
// protocol, e.g. multiport and REJECT's tcp-reset)
union IpEntry {
    struct ipt_entry v4;
    struct ip6t_entry v6;
};

void fill_entry(IpEntry &e, int family, const Rule &r)
{
    std::memset(&e, 0, sizeof(e));
    if (!r.proto)
        return;
    if (family == AF_INET6) {
        e.v6.ipv6.proto = r.proto->v;
        e.v6.ipv6.flags |= IP6T_F_PROTO;
        if (r.proto->inv)
            e.v6.ipv6.invflags |= IP6T_INV_PROTO;
    } else {
        e.v4.ip.proto = r.proto->v;
        if (r.proto->inv)
            e.v4.ip.invflags |= IPT_INV_PROTO;
    }
}

const void *entry_ip(const IpEntry &e, int family)
{
    return family == AF_INET6 ? static_cast<const void *>(&e.v6.ipv6)
                              : static_cast<const void *>(&e.v4.ip);
}

// What @fn prints on stdout (the plugins print with printf).
std::string capture(const std::function<void()> &fn)
{
    char *buf = nullptr;
    size_t len = 0;

    fflush(stdout);
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        throw Error("open_memstream failed");
    FILE *saved = stdout;
    stdout = mem;
    try {
        fn();
    } catch (...) {
        fclose(mem);
        stdout = saved;
        free(buf);
        throw;
    }
    fclose(mem);
    stdout = saved;
    std::string out(buf, len);
    free(buf);
    return out;
}

// An xt_entry_match or xt_entry_target (same layout) for @x.
std::vector<uint8_t> entry_blob(const XtExt &x)
{
    size_t head = XT_ALIGN(sizeof(struct xt_entry_match));
    std::vector<uint8_t> blob(head + x.data.size());
    auto *m = reinterpret_cast<struct xt_entry_match *>(blob.data());

    m->u.match_size = static_cast<uint16_t>(blob.size());
    std::snprintf(m->u.user.name, sizeof(m->u.user.name), "%s", x.name.c_str());
    m->u.user.revision = x.revision;
    if (!x.data.empty())
        std::memcpy(blob.data() + head, x.data.data(), x.data.size());
    return blob;
}

XtExt ext_of(const struct xt_entry_match *m)
{
    size_t head = XT_ALIGN(sizeof(struct xt_entry_match));
    const auto *p = reinterpret_cast<const uint8_t *>(m);

    return {m->u.user.name, m->u.user.revision, {p + head, p + m->u.match_size}};
}

struct xtables_match *find_match_rev(const XtExt &x)
{
    struct xtables_match *m = xtables_find_match(x.name.c_str(), XTF_TRY_LOAD, nullptr);

    if (m && m->revision != x.revision)
        m = xtables_find_match_revision(x.name.c_str(), XTF_TRY_LOAD, m, x.revision);
    return m;
}

struct xtables_target *find_target_rev(const XtExt &x)
{
    struct xtables_target *t = xtables_find_target(x.name.c_str(), XTF_TRY_LOAD);

    if (t && t->revision != x.revision)
        t = xtables_find_target_revision(x.name.c_str(), XTF_TRY_LOAD, t, x.revision);
    return t;
}

// The option entry of @name in an x6 plugin, or in an old-style one's
// getopt table: its code (c for the parser) and whether it takes a value.
struct OptRef {
    int code;
    int has_arg;
};

std::optional<OptRef> find_option(const struct xt_option_entry *x6, const struct option *old,
                                  const std::string &name)
{
    if (x6) {
        for (const struct xt_option_entry *o = x6; o->name; o++)
            if (name == o->name)
                return OptRef{static_cast<int>(o->id),
                              o->type == XTTYPE_NONE ? no_argument : required_argument};
        return std::nullopt;
    }
    for (const struct option *o = old; o && o->name; o++)
        if (name == o->name)
            return OptRef{o->val, o->has_arg};
    return std::nullopt;
}

// A loaded extension's scratch area and defaults, as iptables resets them
// for each rule (libxtables does not export its xs_init_*)
template <class Ext, class Entry> void init_ext(Ext *x, Entry *entry)
{
    if (x->udata_size) {
        free(x->udata);
        x->udata = xtables_calloc(1, x->udata_size);
    }
    if (x->init)
        x->init(entry);
}

} // namespace

Argv::Argv(const std::vector<std::string> &args) : words{"iptables"}
{
    words.insert(words.end(), args.begin(), args.end());
    for (std::string &w : words)
        ptrs.push_back(w.data());
    ptrs.push_back(nullptr);
}

struct RuleParser::State {
    int family;
    struct xtables_rule_match *matches = nullptr;
    std::vector<struct xtables_match *> loaded;
    struct xtables_target *target = nullptr;
    IpEntry entry{};
};

RuleParser::RuleParser(int family) : st_(std::make_unique<State>())
{
    st_->family = family;
    use_family(family);
}

RuleParser::~RuleParser()
{
    if (st_->target) {
        free(st_->target->t);
        st_->target->t = nullptr;
        st_->target->tflags = 0;
        st_->target->used = 0;
    }
    xtables_rule_matches_free(&st_->matches);
}

void RuleParser::load_match(const std::string &name)
{
    struct xtables_match *m =
        xtables_find_match(name.c_str(), XTF_LOAD_MUST_SUCCEED, &st_->matches);
    size_t size = XT_ALIGN(sizeof(struct xt_entry_match)) + m->size;

    m->m = static_cast<struct xt_entry_match *>(xtables_calloc(1, size));
    m->m->u.match_size = static_cast<uint16_t>(size);
    std::snprintf(m->m->u.user.name, sizeof(m->m->u.user.name), "%s",
                  m->real_name ? m->real_name : m->name);
    m->m->u.user.revision = m->revision;
    m->mflags = 0;
    m->option_offset = 0;
    init_ext(m, m->m);
    st_->loaded.push_back(m);
}

bool RuleParser::load_target(const std::string &name)
{
    struct xtables_target *t = xtables_find_target(name.c_str(), XTF_TRY_LOAD);

    if (!t)
        return false;
    size_t size = XT_ALIGN(sizeof(struct xt_entry_target)) + t->size;
    t->t = static_cast<struct xt_entry_target *>(xtables_calloc(1, size));
    t->t->u.target_size = static_cast<uint16_t>(size);
    std::snprintf(t->t->u.user.name, sizeof(t->t->u.user.name), "%s",
                  t->real_name ? t->real_name : t->name);
    t->t->u.user.revision = t->revision;
    t->tflags = 0;
    t->option_offset = 0;
    t->used = 1;
    init_ext(t, t->t);
    st_->target = t;
    return true;
}

bool RuleParser::has_target() const
{
    return st_->target != nullptr;
}

size_t RuleParser::match_count() const
{
    return st_->loaded.size();
}

bool RuleParser::match_has_option(size_t index, const std::string &name) const
{
    const struct xtables_match *m = st_->loaded.at(index);

    return name.starts_with("--") && find_option(m->x6_options, m->extra_opts, name.substr(2));
}

bool RuleParser::target_has_option(const std::string &name) const
{
    const struct xtables_target *t = st_->target;

    return t && name.starts_with("--") && find_option(t->x6_options, t->extra_opts, name.substr(2));
}

void RuleParser::option(std::optional<size_t> match, const std::string &name,
                        const char *inline_value, Argv &argv, size_t &next, bool invert,
                        const Rule &ip)
{
    struct xtables_match *owner = match ? st_->loaded.at(*match) : nullptr;
    std::string bare = name.substr(2);
    std::optional<OptRef> ref =
        owner ? find_option(owner->x6_options, owner->extra_opts, bare)
              : find_option(st_->target->x6_options, st_->target->extra_opts, bare);

    // getopt's state as iptables' getopt_long leaves it for the parser
    optarg = nullptr;
    if (ref->has_arg == required_argument && !inline_value) {
        if (next >= argv.words.size())
            throw ParamError("option \"" + name + "\" requires an argument");
        optarg = argv.ptrs[next++];
    } else if (ref->has_arg != no_argument && inline_value) {
        optarg = const_cast<char *>(inline_value);
    } else if (inline_value) {
        throw ParamError("option '" + name + "' doesn't allow an argument");
    }
    optind = static_cast<int>(next);
    fill_entry(st_->entry, st_->family, ip);
    if (owner)
        xtables_option_mpcall(static_cast<unsigned int>(ref->code), argv.ptrs.data(), invert, owner,
                              &st_->entry);
    else
        xtables_option_tpcall(static_cast<unsigned int>(ref->code), argv.ptrs.data(), invert,
                              st_->target, &st_->entry);
    next = static_cast<size_t>(optind);
}

void RuleParser::finish(Rule &r)
{
    for (struct xtables_match *m : st_->loaded) {
        xtables_option_mfcall(m);
        r.xt_matches.push_back(ext_of(m->m));
    }
    if (st_->target) {
        xtables_option_tfcall(st_->target);
        r.xt_target = ext_of(reinterpret_cast<const struct xt_entry_match *>(st_->target->t));
    }
}

// Calls @fn(plugin, entry, ip) for each of @r's matches, in order, with the
// plugin of its revision (nullptr if there is none), the match as the kernel
// holds it and the rule's ip entry (what the plugins' save and print take).
template <class Fn> void each_match(int family, const Rule &r, Fn fn)
{
    IpEntry e;

    if (r.xt_matches.empty())
        return;
    use_family(family);
    fill_entry(e, family, r);
    for (const XtExt &x : r.xt_matches) {
        std::vector<uint8_t> blob = entry_blob(x);
        fn(find_match_rev(x), reinterpret_cast<const struct xt_entry_match *>(blob.data()),
           entry_ip(e, family));
    }
}

// As each_match() for @r's target, if it has one.
template <class Fn> void with_target(int family, const Rule &r, Fn fn)
{
    IpEntry e;

    if (!r.xt_target)
        return;
    use_family(family);
    fill_entry(e, family, r);
    std::vector<uint8_t> blob = entry_blob(*r.xt_target);
    fn(find_target_rev(*r.xt_target), reinterpret_cast<const struct xt_entry_target *>(blob.data()),
       entry_ip(e, family));
}

std::string save_matches(int family, const Rule &r)
{
    std::string s;

    each_match(
        family, r, [&](struct xtables_match *m, const struct xt_entry_match *em, const void *ip) {
            if (!m)
                throw Error("Can't find library for match `" + std::string(em->u.user.name) + "'");
            s += " -m " + std::string(m->alias ? m->alias(em) : em->u.user.name);
            if (m->save)
                s += capture([&] { m->save(ip, em); });
        });
    return s;
}

std::string save_target(int family, const Rule &r)
{
    std::string s;

    with_target(
        family, r, [&](struct xtables_target *t, const struct xt_entry_target *et, const void *ip) {
            if (!t)
                throw Error("Can't find library for target `" + std::string(et->u.user.name) + "'");
            s = " -j " + std::string(t->alias ? t->alias(et) : et->u.user.name);
            if (t->save)
                s += capture([&] { t->save(ip, et); });
        });
    return s;
}

std::string print_matches(int family, const Rule &r, bool numeric)
{
    std::string s;

    each_match(family, r,
               [&](struct xtables_match *m, const struct xt_entry_match *em, const void *ip) {
                   // as iptables lists them
                   if (!m)
                       s += "UNKNOWN match `" + std::string(em->u.user.name) + "' ";
                   else if (m->print)
                       s += capture([&] { m->print(ip, em, numeric); });
                   else
                       s += std::string(m->name) + " ";
               });
    return s;
}

std::string print_target(int family, const Rule &r, bool numeric)
{
    std::string s;

    with_target(family, r,
                [&](struct xtables_target *t, const struct xt_entry_target *et, const void *ip) {
                    if (t && t->print)
                        s = capture([&] { t->print(ip, et, numeric); });
                });
    return s;
}

namespace {

std::vector<LongOpt> long_options(const struct xt_option_entry *x6, const struct option *old)
{
    std::vector<LongOpt> opts;

    if (x6) {
        for (const struct xt_option_entry *o = x6; o->name; o++)
            opts.push_back({o->name, static_cast<int>(o->id),
                            o->type == XTTYPE_NONE ? no_argument : required_argument});
        return opts;
    }
    for (const struct option *o = old; o && o->name; o++)
        opts.push_back({o->name, o->val, o->has_arg});
    return opts;
}

} // namespace

std::vector<LongOpt> match_options(int family, const std::string &name)
{
    use_family(family);
    struct xtables_match *m = xtables_find_match(name.c_str(), XTF_TRY_LOAD, nullptr);
    return m ? long_options(m->x6_options, m->extra_opts) : std::vector<LongOpt>{};
}

std::vector<LongOpt> target_options(int family, const std::string &name)
{
    use_family(family);
    struct xtables_target *t = xtables_find_target(name.c_str(), XTF_TRY_LOAD);
    return t ? long_options(t->x6_options, t->extra_opts) : std::vector<LongOpt>{};
}

std::string match_help(int family, const std::string &name)
{
    use_family(family);
    struct xtables_match *m = xtables_find_match(name.c_str(), XTF_TRY_LOAD, nullptr);
    if (!m)
        return "";
    if (!m->help)
        return "\n" + std::string(m->name) + " does not take any options\n";
    return "\n" + capture([&] { m->help(); });
}

std::string target_help(int family, const std::string &name)
{
    use_family(family);
    struct xtables_target *t = xtables_find_target(name.c_str(), XTF_TRY_LOAD);
    if (!t)
        return "";
    if (!t->help)
        return "\n" + std::string(t->name) + " does not take any options\n";
    return "\n" + capture([&] { t->help(); });
}

} // namespace klab::hipac::xt
