// SPDX-License-Identifier: GPL-2.0
// klabctl sched: workload files.  The JSON is parsed through nlohmann's SAX
// interface over an iterator that counts the bytes read, so every key and
// array element is known with its line; errors in values then point at
// the line of the field, and syntax errors at the line and column.
#include "sched_workload.hpp"

#include <nlohmann/json.hpp>

#include <sched.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace klab::sched {

namespace {

using Json = nlohmann::json;

// ---- JSON with the line of every field ------------------------------------

// A char iterator that records how far the parser has read.
class CountingIterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char *;
    using reference = const char &;

    CountingIterator(const char *p, const char *base, size_t *pos) : p_(p), base_(base), pos_(pos)
    {
    }
    reference operator*() const { return *p_; }
    CountingIterator &operator++()
    {
        ++p_;
        *pos_ = static_cast<size_t>(p_ - base_);
        return *this;
    }
    CountingIterator operator++(int)
    {
        CountingIterator old = *this;
        ++*this;
        return old;
    }
    bool operator==(const CountingIterator &o) const { return p_ == o.p_; }
    bool operator!=(const CountingIterator &o) const { return p_ != o.p_; }

  private:
    const char *p_;
    const char *base_;
    size_t *pos_;
};

struct Located {
    Json root;
    std::map<std::string, int> lines; // JSON pointer -> line
};

// Builds the document and notes the line of each member and element.
class LocatingSax {
  public:
    LocatingSax(const std::string &text, Located &out) : text_(text), out_(out) {}

    size_t pos = 0; // bytes read so far, updated by the iterator

    bool null() { return value(Json()); }
    bool boolean(bool v) { return value(Json(v)); }
    bool number_integer(Json::number_integer_t v) { return value(Json(v)); }
    bool number_unsigned(Json::number_unsigned_t v) { return value(Json(v)); }
    bool number_float(Json::number_float_t v, const std::string &) { return value(Json(v)); }
    bool string(std::string &v) { return value(Json(v)); }
    bool binary(Json::binary_t &) { return value(Json()); }

    bool start_object(size_t) { return open(Json::object()); }
    bool start_array(size_t) { return open(Json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string &k)
    {
        key_ = k;
        out_.lines[path_of_child(key_)] = line();
        return true;
    }

    bool parse_error(size_t position, const std::string &, const nlohmann::detail::exception &ex)
    {
        error_pos = position;
        error = ex.what();
        // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        // keep what follows the position
        size_t colon = error.find(": ");
        if (colon != std::string::npos)
            error = error.substr(colon + 2);
        return false;
    }

    size_t error_pos = 0;
    std::string error;

  private:
    struct Frame {
        Json *node;
        std::string path;
        size_t index;
    };

    int line() const
    {
        // the token just read ends at pos (numbers read one byte past)
        size_t end = pos ? pos - 1 : 0;
        int n = 1;

        for (size_t i = 0; i < end && i < text_.size(); i++)
            if (text_[i] == '\n')
                n++;
        return n;
    }

    static std::string escape(const std::string &k)
    {
        std::string out;

        for (char c : k) {
            if (c == '~')
                out += "~0";
            else if (c == '/')
                out += "~1";
            else
                out += c;
        }
        return out;
    }

    std::string path_of_child(const std::string &k) const
    {
        return (stack_.empty() ? "" : stack_.back().path) + "/" + escape(k);
    }

    // Where a new value goes, and its path
    Json *slot(std::string &path)
    {
        if (stack_.empty()) {
            path = "";
            return &out_.root;
        }
        Frame &f = stack_.back();
        if (f.node->is_object()) {
            path = path_of_child(key_);
            return &(*f.node)[key_];
        }
        path = f.path + "/" + std::to_string(f.index++);
        out_.lines[path] = line();
        f.node->push_back(Json());
        return &f.node->back();
    }

    bool value(Json v)
    {
        std::string path;

        *slot(path) = std::move(v);
        return true;
    }

    bool open(Json v)
    {
        std::string path;
        Json *node = slot(path);

        *node = std::move(v);
        stack_.push_back(Frame{node, path, 0});
        return true;
    }

    bool close()
    {
        stack_.pop_back();
        return true;
    }

    const std::string &text_;
    Located &out_;
    std::vector<Frame> stack_;
    std::string key_;
};

// ---- reading fields ---------------------------------------------------------

// The display form of a JSON pointer: /entities/2/nice -> entities[2].nice
std::string display_path(const std::string &pointer)
{
    std::string out;
    size_t i = 0;

    while (i < pointer.size()) {
        size_t next = pointer.find('/', i + 1);
        std::string part =
            pointer.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
        bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;

        if (index)
            out += "[" + part + "]";
        else
            out += (out.empty() ? "" : ".") + part;
        if (next == std::string::npos)
            break;
        i = next;
    }
    return out.empty() ? "(top level)" : out;
}

class Reader {
  public:
    Reader(const Located &doc, const std::string &file) : doc_(doc), file_(file) {}

    int line_of(const std::string &pointer) const
    {
        std::string p = pointer;

        // the field itself, else the nearest enclosing one that has a line
        for (;;) {
            auto it = doc_.lines.find(p);
            if (it != doc_.lines.end())
                return it->second;
            size_t slash = p.rfind('/');
            if (slash == std::string::npos || p.empty())
                return 1;
            p = p.substr(0, slash);
        }
    }

    [[noreturn]] void fail(const std::string &pointer, const std::string &msg) const
    {
        throw WorkloadError(file_ + ":" + std::to_string(line_of(pointer)) + ": " +
                            display_path(pointer) + ": " + msg);
    }

    const Json &object(const Json &j, const std::string &pointer,
                       std::initializer_list<const char *> known) const
    {
        if (!j.is_object())
            fail(pointer, "must be an object");
        for (const auto &[k, v] : j.items()) {
            bool ok = false;
            for (const char *name : known)
                ok = ok || k == name;
            if (!ok)
                fail(pointer + "/" + k, "unknown field");
        }
        return j;
    }

    int64_t integer(const Json &j, const std::string &pointer, int64_t lo, int64_t hi) const
    {
        if (!j.is_number_integer())
            fail(pointer, "must be an integer");
        int64_t v =
            j.is_number_unsigned() && j.get<uint64_t>() > INT64_MAX ? INT64_MAX : j.get<int64_t>();
        if (v < lo || v > hi)
            fail(pointer, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
        return v;
    }

    std::string string(const Json &j, const std::string &pointer, size_t max_len) const
    {
        if (!j.is_string())
            fail(pointer, "must be a string");
        std::string s = j.get<std::string>();
        if (s.size() > max_len)
            fail(pointer, "at most " + std::to_string(max_len) + " characters");
        return s;
    }

    // A duration given as KEY_s, KEY_ms, KEY_us or KEY_ns (one of them);
    // false if none is present.
    bool duration(const Json &obj, const std::string &pointer, const std::string &key,
                  uint64_t &ns) const
    {
        static const struct {
            const char *suffix;
            double scale;
        } units[] = {{"_s", 1e9}, {"_ms", 1e6}, {"_us", 1e3}, {"_ns", 1}};
        bool found = false;

        for (const auto &u : units) {
            std::string k = key + u.suffix;
            if (!obj.contains(k))
                continue;
            std::string p = pointer + "/" + k;
            if (found)
                fail(p, "give " + key + " in one unit only");
            const Json &v = obj[k];
            if (!v.is_number() || v.get<double>() < 0)
                fail(p, "must be a number, 0 or more");
            double d = v.get<double>() * u.scale;
            if (d > 3600e9)
                fail(p, "at most an hour");
            ns = static_cast<uint64_t>(std::llround(d));
            found = true;
        }
        return found;
    }

    uint64_t cpu_mask(const Json &j, const std::string &pointer) const
    {
        uint64_t mask = 0;

        if (!j.is_array() || j.empty())
            fail(pointer, "must be a non-empty list of CPU numbers");
        for (size_t i = 0; i < j.size(); i++)
            mask |= 1ULL << integer(j[i], pointer + "/" + std::to_string(i), 0,
                                    KLAB_SCHED_MAX_CPUS - 1);
        return mask;
    }

  private:
    const Located &doc_;
    std::string file_;
};

// Field names of the description, as KLAB_SCHED_A_* map to them
const char *attr_field(int attr)
{
    switch (attr) {
    case KLAB_SCHED_A_ENT_NICE:
        return "nice";
    case KLAB_SCHED_A_ENT_PRIO:
        return "priority";
    case KLAB_SCHED_A_ENT_DL_RUNTIME_NS:
        return "runtime";
    case KLAB_SCHED_A_ENT_DL_PERIOD_NS:
    case KLAB_SCHED_A_ENT_DL_DEADLINE_NS:
        return "period";
    case KLAB_SCHED_A_ENT_CPUS:
        return "cpus";
    case KLAB_SCHED_A_ENT_START_CPU:
        return "start_cpu";
    case KLAB_SCHED_A_ENT_POLICY:
        return "policy";
    case KLAB_SCHED_A_ENT_STEP:
    case KLAB_SCHED_A_STEP_OP:
    case KLAB_SCHED_A_STEP_ARG:
        return "workload";
    default:
        return nullptr;
    }
}

// ... and those of the run
const char *run_field(int attr)
{
    switch (attr) {
    case KLAB_SCHED_A_RUN_DURATION_NS:
        return "duration";
    case KLAB_SCHED_A_RUN_TICK_NS:
        return "tick";
    case KLAB_SCHED_A_RUN_CPUS:
        return "cpus";
    case KLAB_SCHED_A_RUN_RT_RUNTIME_NS:
        return "rt_runtime";
    case KLAB_SCHED_A_RUN_RT_PERIOD_NS:
        return "rt_period";
    case KLAB_SCHED_A_RUN_WATCHDOG_NS:
        return "watchdog";
    case KLAB_SCHED_A_RUN_TRACE_CAP:
        return "trace_events";
    case KLAB_SCHED_A_RUN_ENTITIES:
        return "entities";
    default:
        return nullptr;
    }
}

u32 parse_policy(const Reader &r, const Json &j, const std::string &p)
{
    static const std::map<std::string, u32> names = {
        {"fair", KLAB_SCHED_POLICY_FAIR},         {"normal", KLAB_SCHED_POLICY_FAIR},
        {"fifo", KLAB_SCHED_POLICY_FIFO},         {"rr", KLAB_SCHED_POLICY_RR},
        {"deadline", KLAB_SCHED_POLICY_DEADLINE}, {"idle", KLAB_SCHED_POLICY_IDLE},
    };
    std::string s = r.string(j, p, 16);
    auto it = names.find(s);

    if (it == names.end())
        r.fail(p, "unknown policy \"" + s + "\" (fair, fifo, rr, deadline or idle)");
    return it->second;
}

// Entities by name, for wake targets; names are resolved after all are read
struct WakeRef {
    size_t entity;
    size_t step;
    std::string target;
    std::string pointer;
};

struct Builder {
    const Reader &r;
    Workload &w;
    std::vector<WakeRef> wakes;
    std::vector<std::string> names;

    void step(struct ksched_entity_spec &es, u32 op, u64 arg, const std::string &p)
    {
        if (es.nr_steps == KLAB_SCHED_MAX_STEPS)
            r.fail(p, "at most " + std::to_string(KLAB_SCHED_MAX_STEPS) + " steps");
        es.steps[es.nr_steps].op = op;
        es.steps[es.nr_steps].arg = arg;
        es.nr_steps++;
    }

    void wake(struct ksched_entity_spec &es, const std::string &target, const std::string &p)
    {
        wakes.push_back(WakeRef{w.ents.size(), es.nr_steps, target, p});
        step(es, KLAB_SCHED_OP_WAKE, 0, p);
    }

    uint64_t need(const Json &obj, const std::string &p, const std::string &key)
    {
        uint64_t ns = 0;

        if (!r.duration(obj, p, key, ns))
            r.fail(p, "needs " + key + "_ms (or _s, _us, _ns)");
        return ns;
    }

    u32 count(const Json &obj, const std::string &p)
    {
        return obj.contains("count")
                   ? static_cast<u32>(r.integer(obj["count"], p + "/count", 0, UINT32_MAX))
                   : 0;
    }

    void program(struct ksched_entity_spec &es, const Json &j, const std::string &p)
    {
        r.object(j, p, {"type",     "total_s",  "total_ms",  "total_us",  "total_ns",  "run_s",
                        "run_ms",   "run_us",   "run_ns",    "sleep_s",   "sleep_ms",  "sleep_us",
                        "sleep_ns", "period_s", "period_ms", "period_us", "period_ns", "count",
                        "wakes",    "first",    "steps",     "repeat"});
        if (!j.contains("type"))
            r.fail(p, "needs a type: cpu, periodic, pattern, chain or steps");
        std::string type = r.string(j["type"], p + "/type", 16);
        uint64_t ns = 0;

        if (type == "cpu") {
            r.duration(j, p, "total", ns);
            step(es, KLAB_SCHED_OP_RUN, ns, p);
            es.repeat = ns ? 1 : 0;
        } else if (type == "periodic") {
            step(es, KLAB_SCHED_OP_RUN, need(j, p, "run"), p);
            step(es, KLAB_SCHED_OP_SLEEP_PERIOD, need(j, p, "period"), p);
            es.repeat = count(j, p);
        } else if (type == "pattern") {
            step(es, KLAB_SCHED_OP_RUN, need(j, p, "run"), p);
            step(es, KLAB_SCHED_OP_SLEEP, need(j, p, "sleep"), p);
            es.repeat = count(j, p);
        } else if (type == "chain") {
            if (!j.contains("wakes"))
                r.fail(p, "a chain needs \"wakes\": the entity it wakes");
            bool first = j.contains("first") && j["first"].is_boolean() && j["first"].get<bool>();
            if (j.contains("first") && !j["first"].is_boolean())
                r.fail(p + "/first", "must be true or false");
            std::string target = r.string(j["wakes"], p + "/wakes", KLAB_SCHED_NAME_LEN - 1);
            uint64_t run = need(j, p, "run");
            if (!first)
                step(es, KLAB_SCHED_OP_WAIT, 0, p);
            step(es, KLAB_SCHED_OP_RUN, run, p);
            wake(es, target, p + "/wakes");
            if (first)
                step(es, KLAB_SCHED_OP_WAIT, 0, p);
            es.repeat = count(j, p);
        } else if (type == "steps") {
            steps(es, j, p);
        } else {
            r.fail(p + "/type", "unknown workload type \"" + type +
                                    "\" (cpu, periodic, pattern, chain or steps)");
        }
    }

    void steps(struct ksched_entity_spec &es, const Json &j, const std::string &p)
    {
        if (!j.contains("steps") || !j["steps"].is_array() || j["steps"].empty())
            r.fail(p, "needs \"steps\", a non-empty list");
        const Json &list = j["steps"];
        for (size_t i = 0; i < list.size(); i++) {
            std::string sp = p + "/steps/" + std::to_string(i);
            const Json &s = r.object(list[i], sp,
                                     {"run_s", "run_ms", "run_us", "run_ns", "sleep_s", "sleep_ms",
                                      "sleep_us", "sleep_ns", "sleep_period_s", "sleep_period_ms",
                                      "sleep_period_us", "sleep_period_ns", "wake", "wait"});
            uint64_t ns = 0;

            if (s.size() != 1)
                r.fail(sp, "a step is one of run, sleep, sleep_period, wake, wait");
            if (r.duration(s, sp, "run", ns))
                step(es, KLAB_SCHED_OP_RUN, ns, sp);
            else if (r.duration(s, sp, "sleep_period", ns))
                step(es, KLAB_SCHED_OP_SLEEP_PERIOD, ns, sp);
            else if (r.duration(s, sp, "sleep", ns))
                step(es, KLAB_SCHED_OP_SLEEP, ns, sp);
            else if (s.contains("wake"))
                wake(es, r.string(s["wake"], sp + "/wake", KLAB_SCHED_NAME_LEN - 1), sp + "/wake");
            else if (s.contains("wait") && s["wait"].is_boolean() && s["wait"].get<bool>())
                step(es, KLAB_SCHED_OP_WAIT, 0, sp);
            else
                r.fail(sp, "\"wait\" must be true");
        }
        if (j.contains("repeat"))
            es.repeat = static_cast<u32>(r.integer(j["repeat"], p + "/repeat", 0, UINT32_MAX));
    }

    void entity(const Json &j, const std::string &p)
    {
        r.object(j, p, {"name",        "count",       "policy",      "nice",       "priority",
                        "runtime_s",   "runtime_ms",  "runtime_us",  "runtime_ns", "deadline_s",
                        "deadline_ms", "deadline_us", "deadline_ns", "period_s",   "period_ms",
                        "period_us",   "period_ns",   "cpus",        "start_cpu",  "start_s",
                        "start_ms",    "start_us",    "start_ns",    "workload"});
        struct ksched_entity_spec es;
        std::string name;
        int64_t n = 1;

        ksched_entity_spec_defaults(&es);
        if (j.contains("name"))
            name = r.string(j["name"], p + "/name", KLAB_SCHED_NAME_LEN - 1);
        if (j.contains("count"))
            n = r.integer(j["count"], p + "/count", 1, KLAB_SCHED_MAX_ENTITIES);
        if (j.contains("policy"))
            es.policy = parse_policy(r, j["policy"], p + "/policy");
        if (j.contains("nice"))
            es.nice = static_cast<s32>(r.integer(j["nice"], p + "/nice", -20, 19));
        if (j.contains("priority"))
            es.prio = static_cast<u32>(r.integer(j["priority"], p + "/priority", 1, 99));
        if ((es.policy == KLAB_SCHED_POLICY_FIFO || es.policy == KLAB_SCHED_POLICY_RR) &&
            !j.contains("priority"))
            r.fail(p, "an rt entity needs a priority (1-99)");
        if (es.policy != KLAB_SCHED_POLICY_FAIR && j.contains("nice"))
            r.fail(p + "/nice", "only fair entities have a nice value");
        r.duration(j, p, "runtime", es.dl_runtime);
        r.duration(j, p, "deadline", es.dl_deadline);
        r.duration(j, p, "period", es.dl_period);
        if (es.policy == KLAB_SCHED_POLICY_DEADLINE && (!es.dl_runtime || !es.dl_period))
            r.fail(p, "a deadline entity needs runtime_ms and period_ms (deadline_ms: the period)");
        if (j.contains("cpus"))
            es.cpus = r.cpu_mask(j["cpus"], p + "/cpus");
        if (j.contains("start_cpu"))
            es.start_cpu = static_cast<s32>(
                r.integer(j["start_cpu"], p + "/start_cpu", 0, KLAB_SCHED_MAX_CPUS - 1));
        r.duration(j, p, "start", es.start_ns);
        if (!j.contains("workload"))
            r.fail(p, "needs a workload");
        program(es, j["workload"], p + "/workload");

        for (int64_t i = 0; i < n; i++) {
            std::string label = n > 1 ? name + "." + std::to_string(i) : name;
            if (label.size() >= KLAB_SCHED_NAME_LEN)
                r.fail(p + "/name", "too long with the count's suffix");
            snprintf(es.name, sizeof(es.name), "%s", label.c_str());
            if (w.ents.size() == KLAB_SCHED_MAX_ENTITIES)
                r.fail(p, "at most " + std::to_string(KLAB_SCHED_MAX_ENTITIES) + " entities");
            if (i) {
                // wake steps of replicas resolve like the first's
                size_t nw = wakes.size();
                for (size_t k = 0; k < nw; k++)
                    if (wakes[k].entity == w.ents.size() - static_cast<size_t>(i))
                        wakes.push_back(WakeRef{w.ents.size(), wakes[k].step, wakes[k].target,
                                                wakes[k].pointer});
            }
            w.ents.push_back(es);
            w.ent_paths.push_back(p);
            w.ent_lines.push_back(r.line_of(p));
            names.push_back(label);
        }
    }

    void resolve_wakes()
    {
        for (const WakeRef &wr : wakes) {
            size_t found = names.size();
            for (size_t i = 0; i < names.size(); i++) {
                if (names[i] != wr.target)
                    continue;
                if (found != names.size())
                    r.fail(wr.pointer, "\"" + wr.target + "\" names more than one entity");
                found = i;
            }
            if (found == names.size())
                r.fail(wr.pointer, "no entity named \"" + wr.target + "\"");
            if (found == wr.entity)
                r.fail(wr.pointer, "an entity cannot wake itself");
            w.ents[wr.entity].steps[wr.step].arg = found;
        }
    }
};

Located parse_located(const std::string &text, const std::string &file)
{
    Located doc;
    LocatingSax sax(text, doc);
    CountingIterator first(text.data(), text.data(), &sax.pos);
    CountingIterator last(text.data() + text.size(), text.data(), &sax.pos);

    if (!Json::sax_parse(first, last, &sax, nlohmann::detail::input_format_t::json, true, true)) {
        size_t line = 1, col = 1;

        for (size_t i = 0; i + 1 < sax.error_pos && i < text.size(); i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        throw WorkloadError(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
                            sax.error);
    }
    return doc;
}

} // namespace

uint64_t online_cpus()
{
    cpu_set_t set;
    uint64_t mask = 0;

    if (sched_getaffinity(0, sizeof(set), &set))
        return 1;
    for (int i = 0; i < KLAB_SCHED_MAX_CPUS; i++)
        if (CPU_ISSET(i, &set))
            mask |= 1ULL << i;
    return mask ? mask : 1;
}

std::string spec_error_text(const Workload &w, const struct ksched_spec_error &err)
{
    std::string where = w.file + ":";

    if (err.entity >= 0 && static_cast<size_t>(err.entity) < w.ents.size()) {
        where +=
            std::to_string(w.ent_lines[err.entity]) + ": " + display_path(w.ent_paths[err.entity]);
        const char *field = attr_field(err.attr);
        if (field)
            where += "." + std::string(field);
        if (w.ents[err.entity].name[0])
            where += " (" + std::string(w.ents[err.entity].name) + ")";
    } else {
        const char *field = run_field(err.attr);
        std::string pointer = field ? std::string("/") + field : "";
        where += std::to_string(w.run_line(pointer)) + ": " + display_path(pointer);
    }
    return where + ": " + err.msg;
}

Workload parse_workload(const std::string &text, const std::string &file, uint64_t default_cpus)
{
    Located doc = parse_located(text, file);
    Reader r(doc, file);
    Workload w;
    Builder b{r, w, {}, {}};
    const Json &j =
        r.object(doc.root, "",
                 {"name",          "duration_s",    "duration_ms",   "duration_us", "duration_ns",
                  "tick_ms",       "tick_us",       "tick_ns",       "cpus",        "rt_runtime_s",
                  "rt_runtime_ms", "rt_runtime_us", "rt_runtime_ns", "rt_period_s", "rt_period_ms",
                  "rt_period_us",  "rt_period_ns",  "watchdog_s",    "watchdog_ms", "watchdog_us",
                  "watchdog_ns",   "balance_ms",    "balance_us",    "balance_ns",  "trace_events",
                  "entities"});

    w.file = file;
    w.lines = doc.lines;
    ksched_run_spec_defaults(&w.spec);
    w.spec.cpus = default_cpus;
    if (j.contains("name"))
        snprintf(w.spec.name, sizeof(w.spec.name), "%s",
                 r.string(j["name"], "/name", KLAB_SCHED_NAME_LEN - 1).c_str());
    r.duration(j, "", "duration", w.spec.duration_ns);
    r.duration(j, "", "tick", w.spec.tick_ns);
    if (j.contains("cpus"))
        w.spec.cpus = r.cpu_mask(j["cpus"], "/cpus");
    // rt_runtime may be -1: no limit
    for (const char *k : {"rt_runtime_s", "rt_runtime_ms", "rt_runtime_us", "rt_runtime_ns"})
        if (j.contains(k) && j[k].is_number() && j[k].get<double>() == -1)
            w.spec.rt_runtime_ns = KSCHED_RT_RUNTIME_INF;
    if (w.spec.rt_runtime_ns != KSCHED_RT_RUNTIME_INF) {
        uint64_t ns;
        if (r.duration(j, "", "rt_runtime", ns))
            w.spec.rt_runtime_ns = static_cast<s64>(ns);
    }
    r.duration(j, "", "rt_period", w.spec.rt_period_ns);
    r.duration(j, "", "watchdog", w.spec.watchdog_ns);
    r.duration(j, "", "balance", w.spec.balance_ns);
    if (j.contains("trace_events"))
        w.spec.trace_cap = static_cast<u32>(
            r.integer(j["trace_events"], "/trace_events", 0, KSCHED_TRACE_CAP_MAX));
    if (!j.contains("entities") || !j["entities"].is_array() || j["entities"].empty())
        r.fail("/entities", "needs a non-empty list of entities");
    for (size_t i = 0; i < j["entities"].size(); i++)
        b.entity(j["entities"][i], "/entities/" + std::to_string(i));
    b.resolve_wakes();

    w.spec.entities = w.ents.data();
    w.spec.nr_entities = static_cast<u32>(w.ents.size());
    return w;
}

void check_workload(const Workload &w, bool admission)
{
    struct ksched_spec_error err;
    int ret = ksched_spec_check(&w.spec, &err);

    if (ret && (admission || ret != -EBUSY))
        throw WorkloadError(spec_error_text(w, err));
}

Workload load_workload(const std::string &file, uint64_t default_cpus)
{
    std::ifstream in(file);

    if (!in)
        throw Error("cannot read " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_workload(ss.str(), file, default_cpus);
}

} // namespace klab::sched
