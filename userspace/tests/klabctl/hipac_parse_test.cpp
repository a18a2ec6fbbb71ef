// SPDX-License-Identifier: GPL-2.0
// klabctl hipac's iptables parser: round trips through the -S text, and the
// edge cases of addresses, prefixes, ports and options.
#include "hipac_names.hpp"
#include "hipac_testdata.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

namespace {

using namespace hipac_test;

Command parse(const std::string &line, int family = AF_INET)
{
    return parse_command(split_line(line), family);
}

Rule rule(const std::string &line, int family = AF_INET)
{
    return parse("-A FORWARD " + line, family).rule;
}

std::string spec(const std::string &line, int family = AF_INET)
{
    return rule_spec(family, rule(line, family));
}

void expect_param_error(const std::string &line, const std::string &message, int family = AF_INET)
{
    try {
        parse(line, family);
        ADD_FAILURE() << "no error for: " << line;
    } catch (const ParamError &e) {
        EXPECT_EQ(e.what(), message) << line;
    }
}

// parse -> rule -> -S text -> parse gives the same rule, for every rule of
// both data files.
TEST(HipacParse, EveryRuleRoundTripsThroughItsSpec)
{
    for (const RuleFile &f : kRuleFiles) {
        int family = f.family;
        for (const std::string &line : command_lines(std::string(f.name) + ".txt")) {
            Command c = parse_command(split_line(line), family, f.table);
            if (c.op != Op::Append)
                continue;
            std::string text = rule_spec(family, c.rule);
            Command again =
                parse_command(split_line("-A " + c.chain + " " + text), family, f.table);
            std::optional<Counters> counters = c.rule.counters;
            c.rule.counters.reset();
            EXPECT_EQ(again.rule, c.rule) << line << "\n  -> " << text;
            // Counters are not part of the -S text but of -S -v's.
            if (counters) {
                Command with_c = parse_command(split_line("-A " + c.chain + " " + text + " -c " +
                                                          std::to_string(counters->packets) + " " +
                                                          std::to_string(counters->bytes)),
                                               family, f.table);
                EXPECT_EQ(with_c.rule.counters, counters) << line;
            }
        }
    }
}

TEST(HipacParse, SpecHasTheIpPartFirstThenTheModulesAsTyped)
{
    EXPECT_EQ(spec("-j ACCEPT -m mark --mark 3 -p tcp --dport 80 -s 1.2.3.4 -i eth0"),
              "-s 1.2.3.4/32 -i eth0 -p tcp -m mark --mark 0x3 -m tcp --dport 80 -j ACCEPT");
    EXPECT_EQ(spec("! -p udp"), "! -p udp");
    EXPECT_EQ(spec(""), "");
}

// iptables appends a module at -m, and the module of -p at its first
// option: the examples of the issue, as iptables-legacy-save prints them.
TEST(HipacParse, ImplicitModuleSitsAtItsFirstOption)
{
    EXPECT_EQ(spec("-p tcp -m mark --mark 0x1 --dport 80 -j ACCEPT"),
              "-p tcp -m mark --mark 0x1 -m tcp --dport 80 -j ACCEPT");
    EXPECT_EQ(spec("-p tcp --dport 80 -m mark --mark 1 -j ACCEPT"),
              "-p tcp -m tcp --dport 80 -m mark --mark 0x1 -j ACCEPT");
    // -m tcp typed first loads it first, whatever comes between
    EXPECT_EQ(spec("-m tcp -m mark --mark 1 -p tcp --dport 80"),
              "-p tcp -m tcp --dport 80 -m mark --mark 0x1");
    EXPECT_EQ(
        spec("-p icmp -m ttl --ttl-eq 3 --icmp-type 8 -m iprange --src-range 1.1.1.1-1.1.1.2"),
        "-p icmp -m ttl --ttl-eq 3 -m icmp --icmp-type 8 -m iprange --src-range "
        "1.1.1.1-1.1.1.2");
    EXPECT_EQ(spec("-p udp -m multiport --dports 1,2 -m udp --sport 3 -m mark --mark 4", AF_INET6),
              "-p udp -m multiport --dports 1,2 -m udp --sport 3 -m mark --mark 0x4");
}

TEST(HipacParse, AscendingOrderIsStoredAsNone)
{
    EXPECT_TRUE(rule("-p tcp --dport 80 -m mark --mark 1").order.empty());
    // a port match without options is told to the kernel by the order alone
    EXPECT_EQ(rule("-p tcp -m tcp -m mark --mark 1").order,
              (std::vector<uint8_t>{NF_HIPAC_M_TCP_UDP, NF_HIPAC_M_MARK}));
    EXPECT_EQ(rule("-m mark --mark 1 -p tcp --syn").order,
              (std::vector<uint8_t>{NF_HIPAC_M_MARK, NF_HIPAC_M_TCP_UDP}));
    // the same modules in two orders are two rules, as for iptables -D
    EXPECT_NE(rule("-m mark --mark 1 -p tcp --syn"), rule("-p tcp --syn -m mark --mark 1"));
}

// Issue 21: a match module loaded with none of its options is refused with
// the extension's own final-check message, as iptables-legacy 1.8.9 prints
// it; it used to be dropped, leaving a rule that matched everything.
TEST(HipacParse, MatchWithoutItsOptionsIsRefused)
{
    expect_param_error("-A OUTPUT -m mark -j DROP", "mark: option \"--mark\" must be specified");
    expect_param_error("-A OUTPUT -p icmp -m icmp -j DROP",
                       "icmp: option \"--icmp-type\" must be specified");
    expect_param_error("-A OUTPUT -m icmp6", "icmp6: option \"--icmpv6-type\" must be specified",
                       AF_INET6);
    expect_param_error("-A OUTPUT -m ttl",
                       "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
    expect_param_error("-A OUTPUT -m hl",
                       "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'",
                       AF_INET6);
    expect_param_error("-A OUTPUT -m iprange",
                       "iprange match: You must specify `--src-range' or `--dst-range'");
    expect_param_error("-A OUTPUT -p tcp -m multiport", "multiport expection an option");
    // the first module loaded is checked first, as iptables does
    expect_param_error("-A OUTPUT -m mark -m ttl", "mark: option \"--mark\" must be specified");
    expect_param_error("-A OUTPUT -m ttl --ttl-eq 1 -m mark -m iprange",
                       "mark: option \"--mark\" must be specified");
    // by rule, -D checks the same
    expect_param_error("-D OUTPUT -m mark -j DROP", "mark: option \"--mark\" must be specified");
}

// Issue 21: -p tcp -m tcp keeps its module (it matches no non-first
// fragment and drops a cut header), as a full port range does; a port
// match that is not the protocol's is the kernel's EINVAL in iptables.
TEST(HipacParse, PortMatchWithoutOptionsStays)
{
    EXPECT_EQ(spec("-p tcp -m tcp -j DROP"), "-p tcp -m tcp -j DROP");
    EXPECT_EQ(spec("-p udp -m udp"), "-p udp -m udp");
    EXPECT_EQ(spec("-m udp -p udp -m mark --mark 1"), "-p udp -m udp -m mark --mark 0x1");
    EXPECT_EQ(spec("-p udp -m mark --mark 1 -m udp"), "-p udp -m mark --mark 0x1 -m udp");
    EXPECT_EQ(spec("-p tcp --dport 0:65535"), "-p tcp -m tcp");
    EXPECT_EQ(spec("-p tcp -m tcp", AF_INET6), "-p tcp -m tcp");
    EXPECT_TRUE(rule("-p tcp -m tcp").l4_match);
    EXPECT_FALSE(rule("-p tcp").l4_match);
    EXPECT_NE(rule("-p tcp -m tcp"), rule("-p tcp"));
    for (const char *line : {"-A INPUT -m tcp --dport 1", "-A INPUT -p udp -m tcp",
                             "-A INPUT -p tcp -m tcp -m udp", "-A INPUT ! -p tcp -m tcp",
                             "-A INPUT -m dccp --dport 5", "-A INPUT -p udp -m dccp --dport 5"})
        EXPECT_THROW(parse(line), RuleError) << line;
    try {
        parse("-A INPUT -p udp -m tcp");
    } catch (const RuleError &e) {
        EXPECT_STREQ(e.what(), "tcp match: only valid for protocol 6");
    }
}

// Issue 21: dccp (and sctp) have --sport/--dport through -m dccp (-m sctp)
// and take -m multiport; they save a port range as given, full or not.
TEST(HipacParse, DccpAndSctpPorts)
{
    EXPECT_EQ(spec("-p dccp --dport 80 -j DROP"), "-p dccp -m dccp --dport 80 -j DROP");
    EXPECT_EQ(spec("-p dccp --sport 1:2 ! --dport 3"), "-p dccp -m dccp --sport 1:2 ! --dport 3");
    EXPECT_EQ(spec("-p dccp --dport 1024:"), "-p dccp -m dccp --dport 1024:65535");
    EXPECT_EQ(spec("-p dccp --dport http"), "-p dccp -m dccp --dport 80");
    EXPECT_EQ(spec("-p dccp -m dccp --dport 0:65535"), "-p dccp -m dccp --dport 0:65535");
    EXPECT_EQ(spec("-p dccp -m dccp"), "-p dccp -m dccp");
    EXPECT_EQ(spec("-p dccp -m multiport --dports 53,1024:65535"),
              "-p dccp -m multiport --dports 53,1024:65535");
    EXPECT_EQ(spec("-p dccp -m multiport --sports 1 ", AF_INET6),
              "-p dccp -m multiport --sports 1");
    EXPECT_EQ(spec("-p sctp --dport 22 --sport 1:2"), "-p sctp -m sctp --sport 1:2 --dport 22");
    EXPECT_EQ(spec("-p udplite -m multiport --dports 5"), "-p udplite -m multiport --dports 5");
    expect_param_error("-A INPUT -p dccp -m multiport --dports http",
                       "invalid port/service `http' specified");
    expect_param_error("-A INPUT -p sctp --dport http", "invalid port/service `http' specified");
    expect_param_error("-A INPUT -p dccp --dport -1", "invalid port/service `-1' specified");
    expect_param_error("-A INPUT -p dccp --syn", "unknown option \"--syn\"");
    expect_param_error("-A INPUT -p udplite --dport 1", "unknown option \"--dport\"");
}

TEST(HipacParse, PrefixesAreMasked)
{
    EXPECT_EQ(spec("-s 10.1.2.3/8"), "-s 10.0.0.0/8");
    EXPECT_EQ(spec("-d 10.1.2.3/255.255.0.0"), "-d 10.1.0.0/16");
    EXPECT_EQ(spec("-s 10.1.2.3/0"), "-s 0.0.0.0/0");
    EXPECT_EQ(spec("-s 10.1.2.3/0.0.0.0"), "-s 0.0.0.0/0");
    EXPECT_EQ(spec("! -s 255.255.255.255/31"), "! -s 255.255.255.254/31");
    EXPECT_EQ(spec("-s 2001:db8:ffff::1/33", AF_INET6), "-s 2001:db8:8000::/33");
}

// iptables' masks as addresses: a contiguous one is a prefix length, any
// other is kept and printed as an address.
TEST(HipacParse, NonContiguousMasksAreKept)
{
    EXPECT_EQ(spec("-s 10.11.12.13/255.128.0.0"), "-s 10.0.0.0/9");
    EXPECT_EQ(spec("-s 10.11.12.13/255.0.255.0"), "-s 10.0.12.0/255.0.255.0");
    EXPECT_EQ(spec("! -d 10.11.12.13/255.0.12.0"), "! -d 10.0.12.0/255.0.12.0");
    EXPECT_EQ(spec("-s 2001:db8::1:ff/ffff::ff", AF_INET6), "-s 2001::ff/ffff::ff");
    EXPECT_EQ(spec("-s 2001:db8::1/ffff:ffff::", AF_INET6), "-s 2001:db8::/32");
    EXPECT_EQ(spec("-d ::/0", AF_INET6), "-d ::/0");
    EXPECT_EQ(spec("-d ::1", AF_INET6), "-d ::1/128");
}

TEST(HipacParse, BadAddresses)
{
    expect_param_error("-A INPUT -s 1.2.3.400", "host/network `1.2.3.400' not found");
    expect_param_error("-A INPUT -s 1.2.3.4/33", "invalid mask `33' specified");
    expect_param_error("-A INPUT -s 1.2.3.4/255.0.x.0", "invalid mask `255.0.x.0' specified");
    expect_param_error("-A INPUT -s ::1/1.2.3.4", "invalid mask `1.2.3.4' specified", AF_INET6);
    expect_param_error("-A INPUT -s ::1", "host/network `::1' not found");
    expect_param_error("-A INPUT -s 1.2.3.4", "host/network `1.2.3.4' not found", AF_INET6);
    expect_param_error("-A INPUT -s ::/129", "invalid mask `129' specified", AF_INET6);
    expect_param_error("-A INPUT -s 1.1.1.1 -s 2.2.2.2", "multiple -s flags not allowed");
    expect_param_error("-A INPUT -m iprange --src-range 1.1.1.1-x",
                       "iprange: Bad IP address \"x\"");
}

TEST(HipacParse, Ports)
{
    EXPECT_EQ(spec("-p tcp --dport :80"), "-p tcp -m tcp --dport 0:80");
    EXPECT_EQ(spec("-p tcp --dport 80:"), "-p tcp -m tcp --dport 80:65535");
    EXPECT_EQ(spec("-p udp --sport 0:0"), "-p udp -m udp --sport 0");
    EXPECT_EQ(spec("-p tcp --dport http"), "-p tcp -m tcp --dport 80");
    EXPECT_EQ(spec("-p tcp --dport=443"), "-p tcp -m tcp --dport 443");
    // The full range matches everything and is left out, as iptables does;
    // iptables-save leaves it out even with "!" (and a restore loses it).
    EXPECT_EQ(spec("-p tcp --dport 0:65535"), "-p tcp -m tcp");
    EXPECT_EQ(spec("-p tcp ! --dport 0:65535"), "-p tcp -m tcp");
    EXPECT_EQ(rule("-p tcp ! --dport 0:65535").dport, (Inv<PortRange>{{0, 0xffff}, true}));
    expect_param_error("-A INPUT -p tcp --dport 70000", "invalid port/service `70000' specified");
    expect_param_error("-A INPUT -p tcp --dport 90:80", "invalid portrange (min > max) `90:80'");
    expect_param_error("-A INPUT -p tcp --dport nosuchservice",
                       "invalid port/service `nosuchservice' specified");
    expect_param_error("-A INPUT --dport 80", "unknown option \"--dport\"");
    expect_param_error("-A INPUT -p icmp --dport 80", "unknown option \"--dport\"");
    expect_param_error("-A INPUT -p udp --syn", "unknown option \"--syn\"");
}

TEST(HipacParse, Multiport)
{
    EXPECT_EQ(spec("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15"),
              "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15");
    expect_param_error(
        "-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
        "too many ports specified");
    expect_param_error(
        "-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:16,17",
        "too many ports specified");
    expect_param_error("-A INPUT -m multiport --dports 1",
                       "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
    expect_param_error("-A INPUT -p tcp -m multiport --dports 1 --sports 2",
                       "multiport can only have one option");
    expect_param_error("-A INPUT -p tcp --dports 1", "unknown option \"--dports\"");
}

TEST(HipacParse, TcpFlags)
{
    EXPECT_EQ(spec("-p tcp --syn"), "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN");
    EXPECT_EQ(spec("-p tcp ! --syn"), "-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN");
    EXPECT_EQ(spec("-p tcp --tcp-flags ALL NONE"),
              "-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE");
    EXPECT_EQ(spec("-p tcp --tcp-flags ECE,CWR cwr"), "-p tcp -m tcp --tcp-flags ECE,CWR CWR");
    expect_param_error("-A INPUT -p tcp --syn --tcp-flags SYN SYN",
                       "Only one of `--syn' or `--tcp-flags'  allowed");
    expect_param_error("-A INPUT -p tcp --tcp-flags SYN", "--tcp-flags requires two args.");
    expect_param_error("-A INPUT -p tcp --tcp-flags SYN,FOO SYN", "Unknown TCP flag `FOO'");
}

TEST(HipacParse, Icmp)
{
    EXPECT_EQ(spec("-p icmp --icmp-type echo-request"), "-p icmp -m icmp --icmp-type 8");
    EXPECT_EQ(spec("-p icmp --icmp-type port-unreachable"), "-p icmp -m icmp --icmp-type 3/3");
    EXPECT_EQ(spec("-p icmp ! --icmp-type any"), "-p icmp -m icmp ! --icmp-type any");
    EXPECT_EQ(spec("-p icmpv6 --icmpv6-type echo-reply", AF_INET6),
              "-p ipv6-icmp -m icmp6 --icmpv6-type 129");
    expect_param_error("-A INPUT -p icmp --icmp-type 256", "Invalid ICMP type `256'");
    expect_param_error("-A INPUT -p icmp --icmp-type 3/256", "Invalid ICMP type `3/256'");
    expect_param_error("-A INPUT -p icmp --icmpv6-type 1", "unknown option \"--icmpv6-type\"");
    expect_param_error("-A INPUT -p icmpv6 --icmpv6-type 1",
                       "ipv6-icmp is not an IPv4 protocol; use -p icmp (or -6)");
}

TEST(HipacParse, TtlHopLimitAndMark)
{
    EXPECT_EQ(spec("-m ttl ! --ttl-eq 5"), "-m ttl ! --ttl-eq 5");
    EXPECT_EQ(spec("-m hl --hl-lt 0", AF_INET6), "-m hl --hl-lt 0");
    EXPECT_EQ(spec("-m mark --mark 7"), "-m mark --mark 0x7");
    EXPECT_EQ(spec("-m mark --mark 0x10/0xf0"), "-m mark --mark 0x10/0xf0");
    EXPECT_EQ(spec("-m mark --mark 0xffffffff/0xffffffff"), "-m mark --mark 0xffffffff");
    expect_param_error("-A INPUT -m ttl ! --ttl-lt 3",
                       "ttl: option \"--ttl-lt\" cannot be inverted.");
    expect_param_error("-A INPUT -m ttl --ttl-eq 256",
                       "ttl: Bad value for \"--ttl-eq\" option: \"256\"");
    expect_param_error("-A INPUT -m ttl --ttl-eq 1 --ttl-gt 2",
                       "ttl: Only one option may be specified");
    expect_param_error("-A INPUT -m ttl --ttl-eq 1",
                       "Couldn't load match `ttl':No such file or directory", AF_INET6);
    expect_param_error("-A INPUT -m mark --mark 0x100000000",
                       "mark: Bad value for \"--mark\" option: \"0x100000000\"");
    expect_param_error("-A INPUT -m nosuchmatch --limit 1/s",
                       "Couldn't load match `nosuchmatch':No such file or directory");
}

TEST(HipacParse, Interfaces)
{
    EXPECT_EQ(spec("-i 0123456789abcde ! -o eth+"), "-i 0123456789abcde ! -o eth+");
    expect_param_error("-A FORWARD -i 0123456789abcdef",
                       "interface name `0123456789abcdef' must be shorter than IFNAMSIZ (15)");
    expect_param_error("-A INPUT -o eth0", "Can't use -o with INPUT");
    expect_param_error("-A OUTPUT -i eth0", "Can't use -i with OUTPUT");
}

TEST(HipacParse, Fragments)
{
    EXPECT_EQ(spec("-f"), "-f");
    EXPECT_EQ(spec("! -f"), "! -f");
    expect_param_error("-A INPUT -f", "`-f' is not supported in IPv6, use -m frag instead",
                       AF_INET6);
}

TEST(HipacParse, Targets)
{
    EXPECT_EQ(spec("-j REJECT"), "-j REJECT --reject-with icmp-port-unreachable");
    EXPECT_EQ(spec("-j REJECT --reject-with tcp-rst -p tcp"),
              "-p tcp -j REJECT --reject-with tcp-reset");
    EXPECT_EQ(spec("-j LOG --log-level warning"), "-j LOG");
    EXPECT_EQ(spec("-j LOG --log-level info --log-prefix 'a \"b\" \\c'"),
              "-j LOG --log-prefix \"a \\\"b\\\" \\\\c\" --log-level 6");
    EXPECT_EQ(spec("-g user"), "-g user");
    EXPECT_EQ(spec("-j user"), "-j user");
    Rule r = rule("-j user -c 5 6");
    EXPECT_EQ(r.verdict, NF_HIPAC_V_JUMP);
    EXPECT_EQ(r.target, "user");
    EXPECT_EQ(r.counters, (Counters{5, 6}));
    expect_param_error("-A INPUT -j DROP -j ACCEPT", "multiple -j flags not allowed");
    expect_param_error("-A INPUT -j REJECT --reject-with icmp6-no-route",
                       "unknown reject type \"icmp6-no-route\"");
    expect_param_error("-A INPUT -j LOG --log-level 8", "log-level `8' unknown");
    expect_param_error("-A INPUT -j LOG --log-prefix 012345678901234567890123456789",
                       "Maximum prefix length 29 for --log-prefix");
    expect_param_error("-A INPUT --reject-with tcp-reset", "unknown option \"--reject-with\"");
    expect_param_error(
        "-A INPUT -j 0123456789012345678901234567890",
        "chain name `0123456789012345678901234567890' too long (must be under 29 chars)");
    expect_param_error("-A INPUT ! -j DROP", "cannot have ! before -j");
}

TEST(HipacParse, Commands)
{
    Command c = parse("-I INPUT 3 -j DROP");
    EXPECT_EQ(c.op, Op::Insert);
    EXPECT_EQ(c.pos, 3u);
    EXPECT_TRUE(c.has_rule);

    c = parse("-D INPUT 2");
    EXPECT_EQ(c.op, Op::Delete);
    EXPECT_EQ(c.pos, 2u);
    EXPECT_FALSE(c.has_rule);

    c = parse("-D INPUT -s 1.2.3.4 -j DROP");
    EXPECT_TRUE(c.has_rule);
    EXPECT_FALSE(c.pos);

    c = parse("-R INPUT 1 -j ACCEPT");
    EXPECT_EQ(c.op, Op::Replace);
    EXPECT_EQ(c.pos, 1u);

    c = parse("-nvxL INPUT --line-numbers -6");
    EXPECT_EQ(c.op, Op::List);
    EXPECT_EQ(c.chain, "INPUT");
    EXPECT_EQ(c.family, AF_INET6);
    EXPECT_TRUE(c.fmt.numeric && c.fmt.verbose && c.fmt.exact && c.fmt.line_numbers);

    c = parse("-S user 2");
    EXPECT_EQ(c.op, Op::ListRules);
    EXPECT_EQ(c.pos, 2u);

    c = parse("-E old new");
    EXPECT_EQ(c.newname, "new");
    c = parse("-P FORWARD DROP");
    EXPECT_EQ(c.policy, NF_HIPAC_V_DROP);
    EXPECT_EQ(parse("-F").chain, "");
    EXPECT_EQ(parse("-X user").op, Op::DeleteChain);
    EXPECT_EQ(parse("-Z INPUT").op, Op::Zero);
    EXPECT_EQ(parse("-t filter -N x").op, Op::NewChain);
}

TEST(HipacParse, CommandErrors)
{
    expect_param_error("", "no command specified");
    expect_param_error("-A", "option \"-A\" requires an argument");
    expect_param_error("-A INPUT -A INPUT", "Cannot use -A with -A");
    expect_param_error("-A INPUT foo", "Bad argument `foo'");
    expect_param_error("-A INPUT --bogus", "unknown option \"--bogus\"");
    expect_param_error("-L -s 1.2.3.4", "Illegal option `-s' with this command");
    expect_param_error("-D INPUT 1 -j DROP", "Illegal option `-j' with this command");
    expect_param_error("-R INPUT", "-R requires a rule number");
    expect_param_error("-I INPUT 0", "Invalid rule number `0'");
    expect_param_error("-N -x", "chain name not allowed to start with `-'");
    expect_param_error("-N ACCEPT", "chain name may not clash with target name");
    expect_param_error(
        "-N 0123456789012345678901234567890",
        "chain name `0123456789012345678901234567890' too long (must be under 29 chars)");
    expect_param_error("-A INPUT ! ! -s 1.2.3.4", "multiple `!' flags not allowed");
    expect_param_error("-A INPUT -s 1.2.3.4 !", "unexpected ! flag");
    expect_param_error("-t raw -L", "can't initialize iptables table `raw': Table does not exist "
                                    "(nf_hipac has filter and nat)");
    EXPECT_THROW(parse("-P INPUT FOO"), RuleError);
}

TEST(HipacParse, SplitLine)
{
    EXPECT_EQ(split_line("  -A  INPUT\t-j LOG --log-prefix \"a b\" "),
              (std::vector<std::string>{"-A", "INPUT", "-j", "LOG", "--log-prefix", "a b"}));
    EXPECT_EQ(split_line("--log-prefix \"x \\\" y\""),
              (std::vector<std::string>{"--log-prefix", "x \" y"}));
    EXPECT_EQ(split_line("''"), (std::vector<std::string>{""}));
    EXPECT_THROW(split_line("\"open"), ParamError);
}

} // namespace

namespace {

// Issue 21: the matches and targets nf_hipac has no dimension for are
// parsed by iptables' plugins (libxtables) into the kernel's structs and
// printed back by them as iptables-save does.
TEST(HipacParse, ExtensionsGoThroughTheirPlugins)
{
    Rule r = rule("-p udp -m limit --limit 3/hour --limit-burst 4 -j MARK --set-mark 7");

    ASSERT_EQ(1u, r.xt_matches.size());
    EXPECT_EQ("limit", r.xt_matches[0].name);
    EXPECT_EQ(0u, r.xt_matches[0].data.size() % 8);
    ASSERT_TRUE(r.xt_target.has_value());
    EXPECT_EQ("MARK", r.xt_target->name);
    EXPECT_EQ(NF_HIPAC_V_NONE, r.verdict);
    EXPECT_EQ("-p udp -m limit --limit 3/hour --limit-burst 4 -j MARK --set-xmark "
              "0x7/0xffffffff",
              rule_spec(AF_INET, r));
    EXPECT_EQ("-m length --length 10:20 -m string --string \"abc\" --algo bm",
              spec("-m length --length 10:20 -m string --string abc --algo bm"));
    EXPECT_EQ("! -p tcp -m tos --tos 0x10/0x3f", spec("! -p tcp -m tos --tos 0x10/0x3f"));
}

// iptables hands an option to the extension loaded last that has it:
// matches sharing an option name each get their own.
TEST(HipacParse, SharedOptionGoesToTheMatchLoadedLast)
{
    Rule r = rule("-m mark --mark 0x1 -m connmark --mark 0x2 -j ACCEPT");

    ASSERT_TRUE(r.mark.has_value());
    EXPECT_EQ(1u, r.mark->v.value);
    ASSERT_EQ(1u, r.xt_matches.size());
    EXPECT_EQ("connmark", r.xt_matches[0].name);
    EXPECT_EQ("-m mark --mark 0x1 -m connmark --mark 0x2 -j ACCEPT",
              spec("-m mark --mark 0x1 -m connmark --mark 0x2 -j ACCEPT"));
    // the other way round: mark, after an extension, is one too
    r = rule("-m connmark --mark 0x2 -m mark --mark 0x1");
    EXPECT_FALSE(r.mark.has_value());
    ASSERT_EQ(2u, r.xt_matches.size());
    EXPECT_EQ("mark", r.xt_matches[1].name);
    // two extensions: connmark's --mark is not connlabel's or mark's
    EXPECT_EQ("-m connmark --mark 0x2 -m connmark --mark 0x3",
              spec("-m connmark --mark 0x2 -m connmark --mark 0x3"));
    // an option the last match lacks goes to the last one that has it
    EXPECT_EQ("-m mark --mark 0x1 -m limit --limit 1/sec",
              spec("-m mark -m limit --mark 0x1 --limit 1/s"));
    expect_param_error("-A OUTPUT -m mark -m connmark --mark 0x2 -m limit --mark 0x1",
                       "connmark: option \"--mark\" can only be used once.");
    // -p tcp's match only for an option no loaded match has
    EXPECT_EQ("-p tcp -m tcp --dport 80 -m multiport --dports 1,2",
              spec("-p tcp -m tcp --dport 80 -m multiport --dports 1,2"));
    EXPECT_EQ("-p tcp -m multiport --dports 1,2 -m tcp --dport 80",
              spec("-p tcp -m multiport --dports 1,2 -m tcp --dport 80"));
    // --state is state's, --ctstate conntrack's, whatever the order
    EXPECT_EQ("-m conntrack --ctstate NEW -m state --state ESTABLISHED",
              spec("-m conntrack --ctstate NEW -m state --state ESTABLISHED"));
    // a match's option after the target is still the match's
    EXPECT_EQ("-m connmark --mark 0x2 -j MARK --set-xmark 0x1/0xffffffff",
              spec("-m connmark -j MARK --set-mark 1 --mark 2"));
}

TEST(HipacParse, ExtensionErrorsAreThePluginsOwn)
{
    expect_param_error("-A OUTPUT -m nosuchmatch -j DROP",
                       "Couldn't load match `nosuchmatch':No such file or directory");
    expect_param_error("-A OUTPUT -m limit --limit 3/hours", "bad rate \"3/hours\"'");
    expect_param_error("-A OUTPUT -m limit ! --limit-burst 4",
                       "limit: option \"--limit-burst\" cannot be inverted.");
    expect_param_error("-A OUTPUT -m string --algo bm",
                       "STRING match: You must specify `--string' or `--hex-string'");
    expect_param_error("-A OUTPUT -m limit --limitx 3", "unknown option \"--limitx\"");
}

// iptables reads its options with getopt_long: a long option may be cut
// to any prefix that names one option among those merged so far (iptables'
// own, then the extensions', the one loaded last first); a prefix of two
// options is ambiguous, which iptables reports as an unknown option.
// Each expected text is what iptables-legacy 1.8.9 saves for the line.
TEST(HipacParse, LongOptionsAbbreviateAsGetoptLong)
{
    EXPECT_EQ("-p tcp -m multiport --dports 80", spec("-p tcp -m multiport --dport 80"));
    EXPECT_EQ("-p tcp -m multiport --dports 80", spec("-p tcp -m multiport --dp 80"));
    EXPECT_EQ("-p tcp -m tcp --dport 80", spec("-p tcp --dp 80"));
    EXPECT_EQ("-p tcp -m tcp --dport 80", spec("-p tcp --dp=80"));
    EXPECT_EQ("-p tcp -m tcp --sport 1", spec("-p tcp --sp 1"));
    EXPECT_EQ("-p icmp -m icmp --icmp-type 8", spec("-p icmp --icmp 8"));
    EXPECT_EQ("-s 1.2.3.4/32", spec("--so 1.2.3.4"));
    EXPECT_EQ("-s 1.2.3.4/32 -p tcp", spec("-p tcp --so 1.2.3.4"));
    EXPECT_EQ("-f", spec("--fragment"));
    EXPECT_EQ("-m comment --comment x", spec("-m comment --comm x"));
    EXPECT_EQ("-j ACCEPT", spec("--jum ACCEPT"));
    // klabctl's --json only whole: --j is iptables' --jump
    EXPECT_EQ("-j ACCEPT", spec("--j ACCEPT"));
    EXPECT_TRUE(parse("-L --json").json);
    EXPECT_EQ("-j LOG --log-prefix x", spec("-j LOG --log-p x"));
    EXPECT_EQ("-j LOG --log-level 3", spec("-j LOG --log-l 3"));
    EXPECT_EQ(Op::ListRules, parse("--list-r").op);
    // prefixes of two options
    expect_param_error("-A INPUT -p tcp --d 80", "unknown option \"--d\"");
    expect_param_error("-A INPUT -p tcp --s 1", "unknown option \"--s\"");
    expect_param_error("-A INPUT -m mark --ma 1", "unknown option \"--ma\"");
    expect_param_error("-A INPUT -m limit --lim 1/s", "unknown option \"--lim\"");
    expect_param_error("--ver", "unknown option \"--ver\"");
    // --dport is a prefix of multiport's --dports only
    EXPECT_THROW(parse("-A INPUT -p tcp -m multiport --dports 1,2 --dport 80"), ParamError);
}

// iptables-legacy takes a match module twice (each an entry of the rule)
// and saves the matches in the order loaded; a native match loaded again,
// or after an extension, goes to the kernel as an extension too.
TEST(HipacParse, NativeMatchTwiceOrAfterAnExtensionIsAnExtension)
{
    Rule r = rule("-p tcp -m tcp --dport 1 -m tcp --sport 2 -j ACCEPT");

    ASSERT_TRUE(r.dport.has_value());
    EXPECT_FALSE(r.sport.has_value());
    ASSERT_EQ(1u, r.xt_matches.size());
    EXPECT_EQ("tcp", r.xt_matches[0].name);
    EXPECT_EQ("-p tcp -m tcp --dport 1 -m tcp --sport 2 -j ACCEPT", rule_spec(AF_INET, r));
    EXPECT_EQ("-p tcp -m tcp --dport 1 -m tcp --dport 2",
              spec("-p tcp -m tcp --dport 1 -m tcp --dport 2"));
    EXPECT_EQ("-m mark --mark 0x1 -m comment --comment x -m mark --mark 0x2",
              spec("-m mark --mark 1 -m comment --comment x -m mark --mark 2"));
    EXPECT_EQ("-p udp -m udp --sport 2 --dport 1 -m mark --mark 0x1",
              spec("-p udp -m udp --dport 1 -m mark --mark 1 --sport 2"));
    EXPECT_EQ("-p tcp -m comment --comment foo -m tcp --dport 22",
              spec("-p tcp -m comment --comment foo -m tcp --dport 22"));
    EXPECT_EQ("-p tcp -m comment --comment x -m tcp --dport 22",
              spec("-p tcp -m comment --comment x --dport 22"));
    EXPECT_EQ("-m connmark --mark 0x2 -m mark --mark 0x1",
              spec("-m connmark --mark 0x2 -m mark --mark 0x1"));
    EXPECT_EQ("-m conntrack --ctstate NEW -m state --state ESTABLISHED",
              spec("-m conntrack --ctstate NEW -m state --state ESTABLISHED"));
    // the kernel takes no extensions with -j CHAIN, -g, RETURN or in the
    // nat table: there the native matches stay native and print first
    r = rule("-p tcp -m tcp --dport 1 -m tcp --sport 2 -j RETURN");
    EXPECT_TRUE(r.xt_matches.empty());
    EXPECT_EQ("-p tcp -m tcp --sport 2 --dport 1 -j RETURN", rule_spec(AF_INET, r));
    Command c = parse_command(split_line("-t nat -A POSTROUTING -m comment --comment x -p tcp "
                                         "--dport 1 -j MASQUERADE"),
                              AF_INET);
    EXPECT_TRUE(c.rule.dport.has_value());
}

// iptables-t's libxt_conntrack.t, libxt_sctp.t, libxt_dccp.t,
// lib*_LOG.t and lib*_REJECT.t: an option or value only the extension of
// a native match or target has makes that module an extension
TEST(HipacParse, OptionOnlyItsExtensionHasMakesANativeModuleAnExtension)
{
    Rule r = rule("-m conntrack --ctorigsrc 1.1.1.1");

    ASSERT_EQ(1u, r.xt_matches.size());
    EXPECT_EQ("conntrack", r.xt_matches[0].name);
    EXPECT_TRUE(rule("-m conntrack --ctstate NEW").xt_matches.empty());
    EXPECT_EQ("-m conntrack --ctstate NEW --ctorigsrc 1.1.1.1",
              spec("-m conntrack --ctstate NEW --ctorigsrc 1.1.1.1"));
    EXPECT_EQ("-m conntrack --ctproto 6", spec("-m conntrack --ctproto tcp"));
    EXPECT_EQ("-p sctp -m sctp --chunk-types all INIT",
              spec("-p sctp -m sctp --chunk-types all INIT"));
    EXPECT_EQ("-p sctp -m sctp --chunk-types all INIT", spec("-p sctp --chunk-types all INIT"));
    EXPECT_EQ("-p dccp -m dccp --dccp-option 255", spec("-p dccp -m dccp --dccp-option 255"));

    r = rule("-j LOG --log-prefix \"test: \" --log-uid");
    EXPECT_EQ(NF_HIPAC_V_NONE, r.verdict);
    ASSERT_TRUE(r.xt_target.has_value());
    EXPECT_EQ("LOG", r.xt_target->name);
    EXPECT_EQ("-j LOG --log-prefix \"test: \" --log-uid", rule_spec(AF_INET, r));
    EXPECT_EQ(NF_HIPAC_V_LOG, rule("-j LOG --log-prefix x").verdict);
    EXPECT_EQ("-j REJECT --reject-with icmp-host-prohibited",
              spec("-j REJECT --reject-with icmp-host-prohibited"));
    EXPECT_EQ("-j REJECT --reject-with icmp6-policy-fail",
              spec("-j REJECT --reject-with icmp6-policy-fail", AF_INET6));
    EXPECT_EQ(NF_HIPAC_V_REJECT, rule("-j REJECT --reject-with tcp-reset -p tcp").verdict);
    EXPECT_THROW(parse("-A INPUT -j REJECT --reject-with nonsense"), ParamError);
}

} // namespace
