// SPDX-License-Identifier: GPL-2.0
#include "printer.hpp"

#include <cstdio>
#include <ostream>
#include <string_view>

namespace klab {

namespace {

constexpr std::string_view kDurationSuffix = "_ns";
constexpr int kIndent = 4;

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string text_key(std::string_view key)
{
    if (ends_with(key, kDurationSuffix))
        key.remove_suffix(kDurationSuffix.size());

    std::string out(key);
    for (char &c : out)
        if (c == '_')
            c = '-';
    return out;
}

std::string text_value(std::string_view key, const Json &value)
{
    if (value.is_string())
        return value.get<std::string>();
    if (ends_with(key, kDurationSuffix) && value.is_number_integer() && value >= 0)
        return format_duration(value.get<uint64_t>());
    return value.dump();
}

bool is_nested(const Json &value)
{
    return value.is_object() || (value.is_array() && !value.empty() && value.front().is_object());
}

void render_fields(std::string &out, const Json &obj, int depth);

void render_nested(std::string &out, const std::string &key, const Json &value, int depth)
{
    std::string pad(depth * kIndent, ' ');

    out += "\n" + pad + text_key(key) + ":";
    if (value.is_object()) {
        out += "\n" + pad + std::string(kIndent, ' ');
        render_fields(out, value, depth + 1);
        return;
    }
    for (const Json &item : value) {
        out += "\n" + pad + std::string(kIndent, ' ');
        render_fields(out, item, depth + 1);
    }
}

// Scalars first, on one line; nested objects after, on lines of their own.
void render_fields(std::string &out, const Json &obj, int depth)
{
    bool first = true;

    for (const auto &[key, value] : obj.items()) {
        if (is_nested(value) || (depth == 0 && (key == "module" || key == "family")))
            continue;
        if (!first)
            out += ' ';
        first = false;
        if (value.is_array()) {
            out += text_key(key) + ' ';
            for (size_t i = 0; i < value.size(); i++)
                out += (i ? "," : "") + text_value(key, value[i]);
        } else {
            out += text_key(key) + ' ' + text_value(key, value);
        }
    }
    for (const auto &[key, value] : obj.items())
        if (is_nested(value))
            render_nested(out, key, value, depth + 1);
}

} // namespace

std::string format_duration(uint64_t ns)
{
    static const struct {
        uint64_t scale;
        const char *unit;
    } units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}};
    char buf[32];

    for (const auto &u : units) {
        if (ns >= u.scale) {
            std::snprintf(buf, sizeof(buf), "%.1f%s", static_cast<double>(ns) / u.scale, u.unit);
            return buf;
        }
    }
    return std::to_string(ns) + "ns";
}

std::string render_text(const Json &record)
{
    std::string label;
    std::string fields;

    if (record.contains("module"))
        label = text_value("module", record["module"]) + ":";
    render_fields(fields, record, 0);
    if (label.empty() || fields.empty() || fields.front() == '\n')
        return label + fields;
    return label + ' ' + fields;
}

void Printer::print(const Json &record)
{
    if (opts_.json)
        emit(record.dump(opts_.pretty ? kIndent : -1));
    else
        emit(render_text(record));
}

void Printer::notice(const Json &record, const std::string &text)
{
    emit(opts_.json ? record.dump(opts_.pretty ? kIndent : -1) : text);
}

void Printer::emit(const std::string &line)
{
    out_ << line << '\n';
    out_.flush();
}

} // namespace klab
