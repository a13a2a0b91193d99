#pragma once

// Builders for the rows of the flag table, one per kind of value, so that a new option is one
// call in flag_table.cpp.

#include "flag.hpp"

#include <chrono>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

std::string env_name(std::string_view name);

flag make_flag(std::string name, std::string value_name, std::string help, flag_setter set,
               std::function<std::string(const server_config&)> show);

// An unsigned integer in [min, max], or why not.
std::optional<unsigned long long> parse_in_range(std::string_view text, unsigned long long min,
                                                 unsigned long long max, std::string& error);

template <typename T>
flag integer_flag(std::string name, std::string help, T server_config::*member,
                  unsigned long long min, unsigned long long max = std::numeric_limits<T>::max()) {
  return make_flag(
      std::move(name), "N", std::move(help),
      [member, min, max](server_config& c, std::string_view text) -> std::optional<std::string> {
        std::string error;
        auto value = parse_in_range(text, min, max, error);
        if (!value) return error;
        c.*member = static_cast<T>(*value);
        return std::nullopt;
      },
      [member](const server_config& c) { return std::to_string(c.*member); });
}

template <typename Rep, typename Period>
flag duration_flag(std::string name, std::string value_name, std::string help,
                   std::chrono::duration<Rep, Period> server_config::*member,
                   unsigned long long max, unsigned long long min = 1) {
  using duration = std::chrono::duration<Rep, Period>;
  return make_flag(
      std::move(name), std::move(value_name), std::move(help),
      [member, max, min](server_config& c, std::string_view text) -> std::optional<std::string> {
        std::string error;
        auto value = parse_in_range(text, min, max, error);
        if (!value) return error;
        c.*member = duration{static_cast<Rep>(*value)};
        return std::nullopt;
      },
      [member](const server_config& c) { return std::to_string((c.*member).count()); });
}

// A non-empty string.
flag string_flag(std::string name, std::string value_name, std::string help,
                 std::string server_config::*member);

// A non-empty string that is unset by default; `unset` is what --help shows then.
flag optional_string_flag(std::string name, std::string value_name, std::string help,
                          std::optional<std::string> server_config::*member,
                          std::string unset = "");

// on|off, also spelt true|false (the configuration file's booleans).
flag switch_flag(std::string name, std::string help, bool server_config::*member);

// Whether `text` is on/true (1), off/false (0), or neither (nullopt).
std::optional<bool> parse_switch(std::string_view text);

// A repeatable flag whose values accumulate in a list (comma-separated in its environment
// variable); each value is checked first (`check` returns why it is refused).
flag list_flag(std::string name, std::string value_name, std::string help,
               std::vector<std::string> server_config::*member,
               std::function<std::optional<std::string>(std::string_view)> check);

}  // namespace chatterbox
