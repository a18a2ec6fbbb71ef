// SPDX-License-Identifier: GPL-2.0
// Chains flattened into the HiPAC tree against the rule-by-rule walk: each
// action kind by hand, the build's errors, then differential fuzzing over
// random chain sets and packets.
#include "chain_set.hpp"
#include "hipac_random.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using klab::hipac::ChainRule;
using klab::hipac::ChainSet;
using klab::hipac::Tree;

constexpr u32 kAccept = 1, kDrop = 0;
constexpr u32 kPolicyOrigin = 1000;

// Two dimensions: a byte-sized "port" and a flag.
hipac_dims two_dims()
{
    hipac_dims d{};

    d.n = 2;
    d.max[0] = 255;
    d.max[1] = 1;
    return d;
}

const hipac_limits kLimits = {16, 0, 0};

hipac_match port(u32 lo, u32 hi, bool invert = false)
{
    return {0, static_cast<u8>(invert), lo, hi};
}

hipac_match flag(u32 v)
{
    return {1, 0, v, v};
}

struct Outcome {
    u32 verdict;
    std::vector<u32> origins;
    bool operator==(const Outcome &) const = default;
};

std::ostream &operator<<(std::ostream &os, const Outcome &o)
{
    os << "verdict " << o.verdict << " origins [";
    for (u32 x : o.origins)
        os << " " << x;
    return os << " ]";
}

Outcome to_outcome(const hipac_result *r)
{
    return {r->verdict, std::vector<u32>(r->origins, r->origins + r->n_origins)};
}

// Both classifiers must give @want for @pkt.
class Checker {
  public:
    explicit Checker(ChainSet &cs, hipac_dims dims = two_dims()) : cs_(cs), dims_(dims)
    {
        hipac_tree *t = nullptr;
        hipac_error err{};

        EXPECT_EQ(hipac_chains_build(&t, &dims_, cs.view(), cs.size(), 0, &kLimits, &err), 0)
            << (err.msg ? err.msg : "");
        tree_.reset(t);
    }

    Outcome walk(const std::vector<u32> &pkt)
    {
        std::vector<u32> buf(sizeof(hipac_result) / sizeof(u32) + 64);
        auto *res = reinterpret_cast<hipac_result *>(buf.data());

        EXPECT_EQ(
            hipac_chains_walk(cs_.view(), cs_.size(), 0, kLimits.max_depth, pkt.data(), res, 64),
            0);
        return to_outcome(res);
    }

    const hipac_tree *tree() const { return tree_.get(); }

    void expect(const std::vector<u32> &pkt, const Outcome &want)
    {
        ASSERT_TRUE(tree_);
        EXPECT_EQ(to_outcome(hipac_classify(tree_.get(), pkt.data())), want)
            << "classify, packet " << pkt[0] << "," << pkt[1];
        EXPECT_EQ(walk(pkt), want) << "walk, packet " << pkt[0] << "," << pkt[1];
    }

  private:
    ChainSet &cs_;
    hipac_dims dims_;
    Tree tree_;
};

ChainSet::Chain chain(std::vector<ChainRule> rules, u32 policy = kDrop)
{
    return {std::move(rules), policy, kPolicyOrigin};
}

ChainRule rule(std::vector<hipac_match> m, u32 origin, u32 action, u32 arg = 0)
{
    return {std::move(m), origin, action, arg};
}

TEST(HipacChains, VerdictAndPolicy)
{
    ChainSet cs;
    cs.chains = {chain({rule({port(22, 22)}, 1, HIPAC_ACT_VERDICT, kAccept),
                        rule({port(20, 30)}, 2, HIPAC_ACT_VERDICT, kDrop)},
                       kAccept)};
    Checker c(cs);

    c.expect({22, 0}, {kAccept, {1}});
    c.expect({25, 0}, {kDrop, {2}});
    c.expect({40, 1}, {kAccept, {kPolicyOrigin}});
}

TEST(HipacChains, ContinueRulesAreReportedAndWalkOn)
{
    ChainSet cs;
    cs.chains = {
        chain({rule({port(0, 100)}, 1, HIPAC_ACT_CONTINUE), rule({flag(1)}, 2, HIPAC_ACT_CONTINUE),
               rule({port(50, 60)}, 3, HIPAC_ACT_VERDICT, kAccept)})};
    Checker c(cs);

    c.expect({55, 1}, {kAccept, {1, 2, 3}});
    c.expect({10, 1}, {kDrop, {1, 2, kPolicyOrigin}});
    c.expect({200, 0}, {kDrop, {kPolicyOrigin}});
}

TEST(HipacChains, JumpReturnsToTheRuleAfterIt)
{
    ChainSet cs;
    cs.chains = {
        chain({rule({port(0, 99)}, 1, HIPAC_ACT_JUMP, 1), rule({}, 2, HIPAC_ACT_VERDICT, kAccept)}),
        chain({rule({port(10, 10)}, 10, HIPAC_ACT_RETURN),
               rule({port(0, 19)}, 11, HIPAC_ACT_VERDICT, kDrop)})};
    Checker c(cs);

    c.expect({10, 0}, {kAccept, {1, 10, 2}}); // RETURN skips rule 11
    c.expect({15, 0}, {kDrop, {1, 11}});
    c.expect({50, 0}, {kAccept, {1, 2}}); // chain 1 ends without verdict
    c.expect({150, 0}, {kAccept, {2}});
}

TEST(HipacChains, GotoDoesNotComeBack)
{
    ChainSet cs;
    cs.chains = {
        chain({rule({port(0, 99)}, 1, HIPAC_ACT_JUMP, 1), rule({}, 2, HIPAC_ACT_VERDICT, kAccept)}),
        chain({rule({flag(1)}, 10, HIPAC_ACT_GOTO, 2),
               rule({port(50, 99)}, 11, HIPAC_ACT_VERDICT, kDrop)}),
        chain({rule({port(5, 5)}, 20, HIPAC_ACT_RETURN),
               rule({port(0, 9)}, 21, HIPAC_ACT_CONTINUE)})};
    Checker c(cs);

    // chain 2 ends (or returns): back to chain 0 after its jump, not to 11
    c.expect({7, 1}, {kAccept, {1, 10, 21, 2}});
    c.expect({5, 1}, {kAccept, {1, 10, 20, 2}});
    c.expect({60, 1}, {kAccept, {1, 10, 2}});
    c.expect({60, 0}, {kDrop, {1, 11}});
}

TEST(HipacChains, GotoFromTheRootEndsInThePolicy)
{
    ChainSet cs;
    cs.chains = {
        chain({rule({flag(1)}, 1, HIPAC_ACT_GOTO, 1), rule({}, 2, HIPAC_ACT_VERDICT, kAccept)}),
        chain({rule({port(0, 9)}, 10, HIPAC_ACT_RETURN),
               rule({port(10, 19)}, 11, HIPAC_ACT_VERDICT, kAccept)})};
    Checker c(cs);

    c.expect({5, 1}, {kDrop, {1, 10, kPolicyOrigin}});
    c.expect({15, 1}, {kAccept, {1, 11}});
    c.expect({50, 1}, {kDrop, {1, kPolicyOrigin}});
    c.expect({5, 0}, {kAccept, {2}});
}

TEST(HipacChains, ReturnInTheRootAppliesThePolicy)
{
    ChainSet cs;
    cs.chains = {chain(
        {rule({port(0, 9)}, 1, HIPAC_ACT_RETURN), rule({}, 2, HIPAC_ACT_VERDICT, kDrop)}, kAccept)};
    Checker c(cs);

    c.expect({3, 0}, {kAccept, {1, kPolicyOrigin}});
    c.expect({30, 0}, {kDrop, {2}});
}

TEST(HipacChains, ARunOfOneOriginActsOnce)
{
    ChainSet cs;
    // origin 1: port 1-5 or port 4-9 (overlapping), jumping once
    cs.chains = {
        chain({rule({port(1, 5)}, 1, HIPAC_ACT_JUMP, 1), rule({port(4, 9)}, 1, HIPAC_ACT_JUMP, 1),
               rule({port(4, 4)}, 2, HIPAC_ACT_CONTINUE),
               rule({port(7, 7)}, 2, HIPAC_ACT_CONTINUE), // a new run: not after 2
               rule({}, 3, HIPAC_ACT_VERDICT, kAccept)}),
        chain({rule({port(0, 255)}, 10, HIPAC_ACT_CONTINUE),
               rule({flag(1)}, 11, HIPAC_ACT_VERDICT, kDrop),
               rule({port(5, 5)}, 11, HIPAC_ACT_VERDICT, kDrop)})};
    Checker c(cs);

    c.expect({4, 0}, {kAccept, {1, 10, 2, 3}});
    c.expect({7, 0}, {kAccept, {1, 10, 2, 3}});
    c.expect({5, 1}, {kDrop, {1, 10, 11}});
    c.expect({20, 0}, {kAccept, {3}});
}

TEST(HipacChains, AChainCalledTwiceIsFlattenedTwice)
{
    ChainSet cs;
    cs.chains = {
        chain({rule({flag(0)}, 1, HIPAC_ACT_JUMP, 1), rule({port(0, 9)}, 2, HIPAC_ACT_JUMP, 1),
               rule({}, 3, HIPAC_ACT_VERDICT, kAccept)}),
        chain({rule({port(5, 5)}, 10, HIPAC_ACT_CONTINUE)})};
    Checker c(cs);

    c.expect({5, 0}, {kAccept, {1, 10, 2, 10, 3}});
    c.expect({5, 1}, {kAccept, {2, 10, 3}});
}

TEST(HipacChains, ResultsAreShared)
{
    ChainSet cs;
    std::vector<ChainRule> rules;

    for (u32 i = 0; i < 100; i++)
        rules.push_back(rule({port(i, i)}, 1 + i % 2, HIPAC_ACT_VERDICT, kAccept));
    // a counting rule keeps it one tree: a root chain of verdicts only is
    // split in parts (hipac_part.c), whose leaves hold a step each
    rules.push_back(rule({port(200, 200)}, 3, HIPAC_ACT_CONTINUE));
    cs.chains = {chain(std::move(rules))};
    hipac_dims d = two_dims();
    hipac_tree *t = nullptr;
    hipac_error err{};
    hipac_stats st{};

    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), 1, 0, &kLimits, &err), 0);
    Tree tree(t);
    hipac_tree_stats(t, &st);
    // origin 1 and 2 alternate, but runs of one origin are one rule each
    // only when consecutive: here all 100 rules are separate runs
    // verdict by origin 1, by origin 2, policy, counter and policy
    EXPECT_EQ(st.leaves, 4u);
    u32 pkt[2] = {4, 0};
    EXPECT_EQ(hipac_classify(t, pkt)->origins[0], 1u);
}

// The worked example of modules/nf_hipac/README.md: protocol and port.
TEST(HipacChains, ReadmeExample)
{
    const hipac_dims d = klab::hipac::test::make_dims({255, 65535});
    auto proto = [](u32 p) { return hipac_match{0, 0, p, p}; };
    auto dport = [](u32 lo, u32 hi) { return hipac_match{1, 0, lo, hi}; };
    ChainSet cs;
    cs.chains = {chain({rule({proto(6), dport(22, 22)}, 1, HIPAC_ACT_VERDICT, kAccept),
                        rule({proto(6), dport(1024, 65535)}, 2, HIPAC_ACT_JUMP, 1),
                        rule({proto(17)}, 3, HIPAC_ACT_VERDICT, kAccept)}),
                 chain({rule({dport(8080, 8080)}, 4, HIPAC_ACT_RETURN),
                        rule({dport(8000, 8999)}, 5, HIPAC_ACT_VERDICT, kAccept)})};
    Checker c(cs, d);

    c.expect({6, 21}, {kDrop, {kPolicyOrigin}});
    c.expect({6, 22}, {kAccept, {1}});
    c.expect({6, 1024}, {kDrop, {2, kPolicyOrigin}});
    c.expect({6, 8079}, {kAccept, {2, 5}});
    c.expect({6, 8080}, {kDrop, {2, 4, kPolicyOrigin}});
    c.expect({6, 8081}, {kAccept, {2, 5}});
    c.expect({6, 9000}, {kDrop, {2, kPolicyOrigin}});
    c.expect({17, 8080}, {kAccept, {3}});
    c.expect({7, 22}, {kDrop, {kPolicyOrigin}});

    hipac_tree *t = nullptr;
    hipac_error err{};
    hipac_stats st{};
    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree tree(t);
    hipac_tree_stats(t, &st);
    EXPECT_EQ(st.nodes, 2u);      // protocol, then port for tcp
    EXPECT_EQ(st.intervals, 13u); // 5 protocol intervals, 8 port intervals
    EXPECT_EQ(st.leaves, 6u);     // one per distinct outcome
}

struct BuildError {
    int ret;
    hipac_error err;
};

BuildError try_build(ChainSet &cs, hipac_limits limits = kLimits)
{
    hipac_dims d = two_dims();
    hipac_tree *t = nullptr;
    BuildError e{};

    e.ret = hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &limits, &e.err);
    hipac_free(t);
    return e;
}

TEST(HipacChainsBuild, LoopNamesTheJump)
{
    ChainSet cs;
    cs.chains = {chain({rule({}, 1, HIPAC_ACT_JUMP, 1)}),
                 chain({rule({port(1, 1)}, 2, HIPAC_ACT_CONTINUE), rule({}, 3, HIPAC_ACT_GOTO, 2)}),
                 chain({rule({flag(1)}, 4, HIPAC_ACT_JUMP, 1)})};
    BuildError e = try_build(cs);

    EXPECT_EQ(e.ret, -ELOOP);
    EXPECT_EQ(e.err.chain, 2u);
    EXPECT_EQ(e.err.rule, 0u);
    EXPECT_STREQ(e.err.msg, "chain loop");

    std::vector<u32> buf(16);
    auto *res = reinterpret_cast<hipac_result *>(buf.data());
    u32 pkt[2] = {0, 1};
    EXPECT_EQ(hipac_chains_walk(cs.view(), 3, 0, 100, pkt, res, 3), -E2BIG);
    EXPECT_EQ(hipac_chains_walk(cs.view(), 3, 0, 100, pkt, res, 1000), -ELOOP);
    pkt[1] = 0; // the loop is not taken
    EXPECT_EQ(hipac_chains_walk(cs.view(), 3, 0, 100, pkt, res, 8), 0);
}

TEST(HipacChainsBuild, DepthLimit)
{
    ChainSet cs;
    for (u32 i = 0; i < 5; i++)
        cs.chains.push_back(chain({rule({}, i, HIPAC_ACT_JUMP, i + 1)}));
    cs.chains.push_back(chain({rule({}, 5, HIPAC_ACT_VERDICT, kAccept)}));

    EXPECT_EQ(try_build(cs, {5, 0, 0}).ret, 0);
    BuildError e = try_build(cs, {4, 0, 0});
    EXPECT_EQ(e.ret, -ELOOP);
    EXPECT_EQ(e.err.chain, 4u);
    EXPECT_STREQ(e.err.msg, "chains nested too deep");

    std::vector<u32> buf(16);
    auto *res = reinterpret_cast<hipac_result *>(buf.data());
    u32 pkt[2] = {0, 0};
    EXPECT_EQ(hipac_chains_walk(cs.view(), cs.size(), 0, 4, pkt, res, 8), -ELOOP);
    EXPECT_EQ(hipac_chains_walk(cs.view(), cs.size(), 0, 5, pkt, res, 8), 0);
}

TEST(HipacChainsBuild, SizeLimits)
{
    ChainSet cs;
    std::vector<ChainRule> rules;

    for (u32 i = 0; i < 200; i++)
        rules.push_back(rule({port(i, 255)}, i, HIPAC_ACT_CONTINUE));
    cs.chains = {chain(std::move(rules))};

    EXPECT_EQ(try_build(cs, {4, 200, 0}).ret, 0);
    BuildError e = try_build(cs, {4, 199, 0});
    EXPECT_EQ(e.ret, -ENOSPC);
    EXPECT_EQ(e.err.rule, 199u);
    EXPECT_NE(e.err.msg, nullptr);

    e = try_build(cs, {4, 0, 4096});
    EXPECT_EQ(e.ret, -ENOSPC);
    EXPECT_STREQ(e.err.msg, "the tree exceeds the memory limit");
}

TEST(HipacChainsBuild, BadRulesAreNamed)
{
    ChainSet cs;
    cs.chains = {chain({rule({}, 1, HIPAC_ACT_CONTINUE), rule({}, 2, HIPAC_ACT_JUMP, 7)})};
    BuildError e = try_build(cs);
    EXPECT_EQ(e.ret, -EINVAL);
    EXPECT_EQ(e.err.chain, 0u);
    EXPECT_EQ(e.err.rule, 1u);

    cs.chains = {chain({rule({port(3, 300)}, 1, HIPAC_ACT_CONTINUE)})};
    EXPECT_EQ(try_build(cs).ret, -EINVAL);
    cs.chains = {chain({rule({}, 1, 99)})};
    EXPECT_EQ(try_build(cs).ret, -EINVAL);
    cs.chains = {chain({rule({port(1, 1)}, 1, HIPAC_ACT_VERDICT, 0),
                        rule({port(2, 2)}, 1, HIPAC_ACT_VERDICT, 1)})};
    e = try_build(cs);
    EXPECT_EQ(e.ret, -EINVAL);
    EXPECT_EQ(e.err.rule, 1u);
}

// A jump whose k alternatives each want one of k 0/1 dimensions set (as
// nf_hipac makes "! --tcp-flags" of k flags), a rule in the chain it
// calls, then a rule on a later dimension.  The step, and its callee
// through each alternative, match whichever alternatives the 0/1 levels
// leave, and which they leave must not matter: when each subset of them
// made a region list and a subtree of its own, the tree had 2^(k+1)
// nodes for three outcomes.  Now: a node per 0/1 level and two at the
// last level, one for "the jump matched" and one for "it did not".
TEST(HipacChainsBuild, AStepMatchedAllOverIsOneRuleOfTheList)
{
    constexpr u32 k = 10, last = k;
    std::vector<u32> max(k, 1);
    max.push_back(255);
    const hipac_dims d = klab::hipac::test::make_dims(max);
    std::vector<ChainRule> root;

    for (u32 i = 0; i < k; i++)
        root.push_back(rule({{static_cast<u8>(i), 0, 1, 1}}, 1, HIPAC_ACT_JUMP, 1));
    root.push_back(rule({{last, 0, 5, 5}}, 2, HIPAC_ACT_VERDICT, kAccept));
    ChainSet cs;
    cs.chains = {chain(std::move(root)), chain({rule({}, 3, HIPAC_ACT_CONTINUE)})};
    Checker c(cs, d);
    hipac_stats st{};

    ASSERT_NE(c.tree(), nullptr);
    hipac_tree_stats(c.tree(), &st);
    EXPECT_EQ(st.nodes, k + 2);
    EXPECT_EQ(st.leaves, 4u);
    for (u32 bits = 0; bits < 1u << k; bits++) {
        std::vector<u32> pkt(k + 1);

        for (u32 i = 0; i < k; i++)
            pkt[i] = bits >> i & 1;
        for (u32 v : {4u, 5u, 6u}) {
            pkt[last] = v;
            Outcome want = {v == 5 ? kAccept : kDrop, {}};

            if (bits)
                want.origins = {1, 3};
            want.origins.push_back(v == 5 ? 2 : kPolicyOrigin);
            c.expect(pkt, want);
        }
    }
}

TEST(HipacChainsBuild, FirstMatchTreesHaveNoResults)
{
    klab::hipac::RuleSet rs;
    rs.add({port(1, 1)});
    hipac_dims d = two_dims();
    hipac_tree *t = nullptr;

    ASSERT_EQ(hipac_build(&t, &d, rs.rules.data(), 1), 0);
    Tree tree(t);
    u32 pkt[2] = {1, 0};
    EXPECT_EQ(hipac_lookup(t, pkt), 0u);
    EXPECT_EQ(hipac_classify(t, pkt), nullptr);
}

} // namespace
