#include "flag_kinds.hpp"

#include <charconv>

namespace chatterbox {

std::string env_name(std::string_view name) {
  std::string env = "CHATTERBOX_";
  for (char c : name) env += c == '-' ? '_' : char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return env;
}

flag make_flag(std::string name, std::string value_name, std::string help, flag_setter set,
               std::function<std::string(const server_config&)> show) {
  auto env = env_name(name);
  return flag{
      std::move(name), std::move(env), std::move(value_name), std::move(help), std::move(set),
      std::move(show), false};
}

namespace {

std::optional<unsigned long long> parse_unsigned(std::string_view text) {
  unsigned long long value = 0;
  const auto* end = text.data() + text.size();
  // from_chars for an unsigned type rejects signs and whitespace, which is what we want.
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<unsigned long long> parse_in_range(std::string_view text, unsigned long long min,
                                                 unsigned long long max, std::string& error) {
  auto value = parse_unsigned(text);
  if (!value || *value < min || *value > max) {
    error = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
            ", got '" + std::string(text) + "'";
    return std::nullopt;
  }
  return value;
}

flag string_flag(std::string name, std::string value_name, std::string help,
                 std::string server_config::*member) {
  return make_flag(
      std::move(name), std::move(value_name), std::move(help),
      [member](server_config& c, std::string_view text) -> std::optional<std::string> {
        if (text.empty()) return "must not be empty";
        c.*member = std::string(text);
        return std::nullopt;
      },
      [member](const server_config& c) { return c.*member; });
}

flag optional_string_flag(std::string name, std::string value_name, std::string help,
                          std::optional<std::string> server_config::*member, std::string unset) {
  return make_flag(
      std::move(name), std::move(value_name), std::move(help),
      [member](server_config& c, std::string_view text) -> std::optional<std::string> {
        if (text.empty()) return "must not be empty";
        c.*member = std::string(text);
        return std::nullopt;
      },
      [member, unset](const server_config& c) { return (c.*member).value_or(unset); });
}

std::optional<bool> parse_switch(std::string_view text) {
  if (text == "on" || text == "true") return true;
  if (text == "off" || text == "false") return false;
  return std::nullopt;
}

flag switch_flag(std::string name, std::string help, bool server_config::*member) {
  return make_flag(
      std::move(name), "on|off", std::move(help),
      [member](server_config& c, std::string_view text) -> std::optional<std::string> {
        const auto on = parse_switch(text);
        if (!on) return "expected on or off (or true or false), got '" + std::string(text) + "'";
        c.*member = *on;
        return std::nullopt;
      },
      [member](const server_config& c) { return std::string(c.*member ? "on" : "off"); });
}

flag list_flag(std::string name, std::string value_name, std::string help,
               std::vector<std::string> server_config::*member,
               std::function<std::optional<std::string>(std::string_view)> check) {
  auto f = make_flag(
      std::move(name), std::move(value_name),
      std::move(help) +
          "; repeatable (a line each in the configuration\n      file), comma-separated in the "
          "environment variable",
      [member, check](server_config& c, std::string_view text) -> std::optional<std::string> {
        if (auto error = check(text)) return error;
        (c.*member).emplace_back(text);
        return std::nullopt;
      },
      [member](const server_config& c) {
        std::string joined;
        for (const auto& value : c.*member) joined += (joined.empty() ? "" : ",") + value;
        return joined;
      });
  f.repeatable = true;
  return f;
}

}  // namespace chatterbox
